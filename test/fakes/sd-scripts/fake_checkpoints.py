"""The files of a run [ref §5]: checkpoint names, `saving checkpoint:` before each write, the
safetensors with their metadata (or a torch zip for .ckpt/.pt), rotation of old checkpoints, and
the accelerate state folders with sd-scripts' train_state.json.
"""
import json
import os
import shutil
import time

import fake_files
import fake_metadata
from fake_console import log
from fake_errors import Crash, script, stdlib


class Checkpoints:
    """Saves for one run. `metadata` is set once the banner is printed; `current_epoch` and
    `current_step` follow the loop, as the Values sd-scripts shares with its state hook."""

    def __init__(self, args, behaviour):
        self.args = args
        self.behaviour = behaviour
        self.metadata = {}
        self.current_epoch = 0
        self.current_step = 0

    def stem(self, default):
        return self.args.output_name if self.args.output_name is not None else default

    def ext(self):
        return "." + self.args.save_model_as

    def step_name(self, step):
        return "{}-step{:08d}".format(self.stem("at"), step) + self.ext()

    def epoch_name(self, epoch):
        return "{}-{:06d}".format(self.stem("epoch"), epoch) + self.ext()

    def last_name(self):
        return self.stem("last") + self.ext()

    def remove_step_no(self, step):
        if self.args.save_last_n_steps is None:
            return None
        remove = step - self.args.save_last_n_steps - 1
        remove -= remove % self.args.save_every_n_steps
        return remove if remove >= 0 else None

    def remove_epoch_no(self, epoch):
        if self.args.save_last_n_epochs is None:
            return None
        remove = epoch - self.args.save_every_n_epochs * self.args.save_last_n_epochs
        return remove if remove >= 0 else None

    def tensors(self, seed):
        args = self.args
        dim = args.network_dim if args.network_dim is not None else 4
        dtype = "F32" if args.save_precision in (None, "float") else {"fp16": "F16", "bf16": "BF16"}[args.save_precision]
        return fake_files.lora_tensors(dim, float(args.network_alpha), dtype, seed)

    def save_model(self, name, steps, epoch_no):
        args = self.args
        if args.output_dir is None:
            raise Crash("TypeError: expected str, bytes or os.PathLike object, not NoneType", [
                (script("train_network.py"), 1295, "save_model", "os.makedirs(args.output_dir, exist_ok=True)"),
                (stdlib("os.py"), 215, "makedirs", "head, tail = path.split(name)"),
            ])
        os.makedirs(args.output_dir, exist_ok=True)
        path = os.path.join(args.output_dir, name)
        print(f"\nsaving checkpoint: {path}")
        self.metadata["ss_training_finished_at"] = str(time.time())
        self.metadata["ss_steps"] = str(steps)
        self.metadata["ss_epoch"] = str(epoch_no)
        to_save = fake_metadata.minimum(self.metadata) if args.no_metadata else self.metadata
        to_save.update(fake_metadata.model_spec(args))
        tensors = self.tensors(steps)
        if name.endswith(".safetensors"):
            model_hash, legacy_hash = fake_files.addnet_hashes(tensors, to_save)
            blob = fake_files.safetensors_bytes(tensors, {**to_save, "sshs_model_hash": model_hash, "sshs_legacy_hash": legacy_hash})
        else:
            blob = fake_files.torch_pickle_bytes({k: list(v[2]) for k, v in tensors.items()})
        fake_files.write_slowly(path, blob, self.behaviour["save_ms"] / 1000)

    def remove_model(self, name):
        path = os.path.join(self.args.output_dir, name)
        if os.path.exists(path):
            print(f"removing old checkpoint: {path}")
            os.remove(path)

    def save_state(self, folder):
        """accelerate's save_state with sd-scripts' pre-hook (train_state.json)."""
        log.info(f"Saving current state to {folder}", "accelerator.py:3241")
        state_file = os.path.join(folder, "train_state.json")
        state = {"current_epoch": self.current_epoch, "current_step": self.current_step + 1}
        log.info(f"save train state to {state_file} at epoch {state['current_epoch']} step {state['current_step']}", "train_network.py:946")
        os.makedirs(folder, exist_ok=True)
        with open(state_file, "w", encoding="utf-8") as f:
            json.dump(state, f)
        files = fake_files.write_state_folder(folder, self.tensors(state["current_step"]), state, self.args.mixed_precision == "fp16")
        messages = {
            "model.safetensors": "Model weights saved in {}", "optimizer.bin": "Optimizer state saved in {}",
            "scheduler.bin": "Scheduler state saved in {}", "sampler.bin": "Sampler state for dataloader 0 saved in {}",
            "sampler_1.bin": "Sampler state for dataloader 1 saved in {}", "scaler.pt": "Gradient scaler state saved in {}",
            "random_states_0.pkl": "Random states saved in {}",
        }
        for name in files:
            log.info(messages[name].format(os.path.join(folder, name)), "checkpointing.py:108")

    def save_state_stepwise(self, step):
        args = self.args
        log.info("", "train_util.py:5963")
        log.info(f"saving state at step {step}", "train_util.py:5964")
        name = "{}-step{:08d}-state"
        self.save_state(os.path.join(args.output_dir, name.format(self.stem("at"), step)))
        last_n = args.save_last_n_steps_state or args.save_last_n_steps
        if last_n is not None:
            remove = step - last_n - 1
            remove -= remove % args.save_every_n_steps
            old = os.path.join(args.output_dir, name.format(self.stem("at"), remove))
            if remove > 0 and os.path.exists(old):
                log.info(f"removing old state: {old}", "train_util.py:5982")
                shutil.rmtree(old)

    def save_state_on_epoch_end(self, epoch):
        args = self.args
        log.info("", "train_util.py:5941")
        log.info(f"saving state at epoch {epoch}", "train_util.py:5942")
        name = "{}-{:06d}-state"
        self.save_state(os.path.join(args.output_dir, name.format(self.stem("epoch"), epoch)))
        last_n = args.save_last_n_epochs_state or args.save_last_n_epochs
        if last_n is not None:
            old = os.path.join(args.output_dir, name.format(self.stem("epoch"), epoch - args.save_every_n_epochs * last_n))
            if os.path.exists(old):
                log.info(f"removing old state: {old}", "train_util.py:5956")
                shutil.rmtree(old)

    def save_state_on_train_end(self):
        log.info("", "train_util.py:5989")
        log.info("saving last state.", "train_util.py:5990")
        os.makedirs(self.args.output_dir, exist_ok=True)
        self.save_state(os.path.join(self.args.output_dir, f"{self.stem('last')}-state"))
