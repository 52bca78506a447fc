"""The double's knobs. The extension launches it exactly like the real trainer, with sd-scripts'
flags only, so the knobs live in `fake_behaviour.json` beside train_network.py (tests copy the
double to a temporary folder and write that file there). Every key is optional.
"""
import json
import os
import sys

DEFAULTS = {
    # Time of one micro-step. Below tqdm's 0.1 s mininterval the bar's update() never redraws
    # and unpause() keeps its elapsed time near zero, as the real bar does with such fast steps.
    "step_ms": 120,
    # Silence before the first line (the real script spends seconds importing torch).
    "startup_ms": 0,
    # Silence after the banner, while the real script hashes the base model.
    "hash_pause_ms": 0,
    # Time to generate one sample image.
    "sample_ms": 0,
    # Pause halfway through writing each checkpoint (the real write is not atomic).
    "save_ms": 0,
    # Global step (1-based) whose forward pass runs out of CUDA memory: traceback, exit 1.
    "oom_at_step": None,
    # From this global step on the loss is NaN (the bar shows avr_loss=nan; training goes on).
    "nan_at_step": None,
    # Train every step, then return without the final file and without "model saved." (exit 0).
    "exit_zero_without_saving": False,
    # What `accelerator device:` says: cuda, mps or cpu.
    "device": "cuda",
    # Packages to report as not installed: bitsandbytes, xformers, lion_pytorch, prodigyopt, wandb.
    "missing_packages": [],
}


def load(folder):
    path = os.path.join(folder, "fake_behaviour.json")
    behaviour = dict(DEFAULTS)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            given = json.load(f)
        unknown = sorted(set(given) - set(DEFAULTS))
        if unknown:
            # A typo in a test's knobs must not pass silently as the default behaviour.
            sys.stderr.write(f"fake_behaviour.json: unknown keys {unknown}; known: {sorted(DEFAULTS)}\n")
            raise SystemExit(3)
        behaviour.update(given)
    return behaviour
