"""StudioNOVA's test double of kohya-ss/sd-scripts' LoRA trainer, launched like the real one:

    python3 train_network.py <sd-scripts flags>                         (cwd = this folder)
    accelerate launch [launcher flags] train_network.py <sd-scripts flags>

Python standard library only. It follows sd-scripts v0.10.1 as shared/reference/kohya-training.md
describes it ("ref §N" below): the same flags and argparse errors, the dataset checks, the console
output on the same streams (Rich log lines on stderr or plain ones on stdout, tqdm bars with `\\r`,
block-buffered stdout), the files (checkpoints with ss_* metadata, state folders, sample PNGs,
TensorBoard events) and the exit codes, "No data found" exiting 0 included. Nothing is trained.

It takes no flag of its own: the extension must launch it exactly like the real trainer. Its knobs
(step time, an out-of-memory step, ...) are read from fake_behaviour.json in this folder; see
fake_behaviour.py. It installs no signal handler, so SIGTERM and SIGKILL just end it.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # leave no __pycache__ beside the double

import fake_args  # noqa: E402
import fake_behaviour  # noqa: E402
import fake_training  # noqa: E402
from fake_console import traceback  # noqa: E402
from fake_errors import Crash, top_frames  # noqa: E402


def main():
    behaviour = fake_behaviour.load(HERE)
    # The real script spends this long importing torch, diffusers and transformers.
    time.sleep(behaviour["startup_ms"] / 1000)
    parser = fake_args.build_parser()
    args = parser.parse_args()
    try:
        args = fake_args.read_config_from_file(args, parser)
        fake_training.Trainer(args, behaviour).train()
    except Crash as crash:
        traceback(top_frames() + crash.frames, crash.last_line)
        sys.exit(1)


if __name__ == "__main__":
    main()
