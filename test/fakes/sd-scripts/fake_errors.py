"""The uncaught exceptions the double imitates. The real trainer lets them reach the interpreter,
which prints a traceback on stderr and exits with code 1; so does train_network.py with `Crash`.
The frames name sd-scripts' files (under the double's folder) and the site-packages of a venv.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_LIB = os.path.join(sys.base_prefix, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}")
SITE = os.path.join(sys.prefix, "lib", f"python{sys.version_info[0]}.{sys.version_info[1]}", "site-packages")


def script(name):
    return os.path.join(HERE, name)


def package(name):
    return os.path.join(SITE, name)


def stdlib(name):
    return os.path.join(PYTHON_LIB, name)


class Crash(Exception):
    """An exception the real trainer would raise: the last traceback line and the frames below
    `train()` (file, line, function, source)."""

    def __init__(self, last_line, frames=()):
        super().__init__(last_line)
        self.last_line = last_line
        self.frames = list(frames)


def top_frames():
    return [
        (script("train_network.py"), 1913, "<module>", "trainer.train(args)"),
    ]


def dataset_frames(*inner):
    """From train() into the dataset's constructor, then `inner` frames."""
    return [
        (script("train_network.py"), 556, "train",
         "train_dataset_group, val_dataset_group = config_util.generate_dataset_group_by_blueprint(blueprint.dataset_group)"),
        (script("library/config_util.py"), 492, "generate_dataset_group_by_blueprint",
         "dataset = dataset_klass(subsets=subsets, **asdict(dataset_blueprint.params), **extra_dataset_params)"),
        *((script(f), line, function, source) for f, line, function, source in inner),
    ]


def out_of_memory():
    """torch's CUDA OOM as it surfaces in the U-Net forward of process_batch [ref §4.6]."""
    return Crash(
        "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 7.63 GiB"
        " of which 11.44 MiB is free. Including non-PyTorch memory, this process has 7.60 GiB memory in use. Of the"
        " allocated memory 7.30 GiB is allocated by PyTorch, and 154.21 MiB is reserved by PyTorch but unallocated. If"
        " reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid"
        " fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)",
        [
            (script("train_network.py"), 1427, "train", "loss = self.process_batch("),
            (script("train_network.py"), 463, "process_batch", "noise_pred = self.call_unet("),
            (script("train_network.py"), 268, "call_unet", "noise_pred = unet(noisy_latents, timesteps, text_conds[0]).sample"),
            (package("torch/nn/modules/module.py"), 1773, "_wrapped_call_impl", "return self._call_impl(*args, **kwargs)"),
            (package("torch/nn/modules/module.py"), 1784, "_call_impl", "return forward_call(*args, **kwargs)"),
            (package("accelerate/utils/operations.py"), 819, "forward", "return model_forward(*args, **kwargs)"),
            (package("accelerate/utils/operations.py"), 807, "__call__", "return convert_to_fp32(self.model_forward(*args, **kwargs))"),
            (script("library/original_unet.py"), 1581, "forward", "sample = upsample_block("),
            (script("library/original_unet.py"), 1117, "forward", "hidden_states = attn(hidden_states, encoder_hidden_states=encoder_hidden_states).sample"),
            (script("library/original_unet.py"), 801, "forward", "hidden_states = block(hidden_states, context=encoder_hidden_states, timestep=timestep)"),
            (script("library/original_unet.py"), 717, "forward", "norm_hidden_states = self.norm1(hidden_states)"),
        ],
    )
