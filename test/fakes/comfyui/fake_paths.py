"""Folders and model lists, as ComfyUI's folder_paths.py lays them out [ref §5 Model folders].

The double keeps no cache: every call rescans the folders, which gives the same observable
behaviour as the real mtime cache (new files show up on the next request, no restart).
"""
import logging
import mimetypes
import os

# [ref §5] "Accepted weight extensions"
SUPPORTED_PT_EXTENSIONS = {".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft"}

# Legacy folder keys that loaders still accept; /models/{key} does not (it 404s on them).
LEGACY = {"unet": "diffusion_models", "clip": "text_encoders"}


def map_legacy(folder_name):
    return LEGACY.get(folder_name, folder_name)


class Folders:
    """Where models, inputs, outputs and temp files live for one server process."""

    def __init__(self, base_directory, here):
        # --base-directory resets every default path; without it ComfyUI uses its own folder.
        self.base = os.path.abspath(base_directory) if base_directory else here
        models = os.path.join(self.base, "models")
        m = lambda *names: [os.path.join(models, n) for n in names]  # noqa: E731
        # Same keys in the same order as folder_paths, because GET /models lists them in order.
        self.folders = {
            "checkpoints": (m("checkpoints"), SUPPORTED_PT_EXTENSIONS),
            "configs": (m("configs"), {".yaml"}),
            "loras": (m("loras"), SUPPORTED_PT_EXTENSIONS),
            "vae": (m("vae"), SUPPORTED_PT_EXTENSIONS),
            "text_encoders": (m("text_encoders", "clip"), SUPPORTED_PT_EXTENSIONS),
            "diffusion_models": (m("unet", "diffusion_models"), SUPPORTED_PT_EXTENSIONS),
            "clip_vision": (m("clip_vision"), SUPPORTED_PT_EXTENSIONS),
            "style_models": (m("style_models"), SUPPORTED_PT_EXTENSIONS),
            "embeddings": (m("embeddings"), SUPPORTED_PT_EXTENSIONS),
            "diffusers": (m("diffusers"), {"folder"}),
            "vae_approx": (m("vae_approx"), SUPPORTED_PT_EXTENSIONS),
            "controlnet": (m("controlnet", "t2i_adapter"), SUPPORTED_PT_EXTENSIONS),
            "gligen": (m("gligen"), SUPPORTED_PT_EXTENSIONS),
            "upscale_models": (m("upscale_models"), SUPPORTED_PT_EXTENSIONS),
            "custom_nodes": ([os.path.join(self.base, "custom_nodes")], set()),
            "hypernetworks": (m("hypernetworks"), SUPPORTED_PT_EXTENSIONS),
            "photomaker": (m("photomaker"), SUPPORTED_PT_EXTENSIONS),
            "classifiers": (m("classifiers"), {""}),
            "model_patches": (m("model_patches"), SUPPORTED_PT_EXTENSIONS),
            "audio_encoders": (m("audio_encoders"), SUPPORTED_PT_EXTENSIONS),
        }
        self.output = os.path.join(self.base, "output")
        self.temp = os.path.join(self.base, "temp")
        self.input = os.path.join(self.base, "input")
        self.user = os.path.join(self.base, "user")
        # folder_paths creates the input directory when it is imported.
        os.makedirs(self.input, exist_ok=True)

    # -- main.py apply_custom_paths / start_comfyui --------------------------------------

    def apply_custom_paths(self, args):
        if args.output_directory:
            self.output = os.path.abspath(args.output_directory)
            logging.info(f"Setting output directory to: {self.output}")
        # Models saved by ComfyUI's own nodes land under output/, and are listed too.
        for key, sub in (("checkpoints", "checkpoints"), ("text_encoders", "clip"), ("vae", "vae"),
                         ("diffusion_models", "diffusion_models"), ("loras", "loras")):
            path = os.path.join(self.output, sub)
            if path not in self.folders[key][0]:
                self.folders[key][0].append(path)
        if args.input_directory:
            self.input = os.path.abspath(args.input_directory)
            logging.info(f"Setting input directory to: {self.input}")

    def set_temp_from_args(self, temp_directory):
        # [ref §5] "--temp-directory DIR: the temp dir becomes DIR/temp"
        self.temp = os.path.join(os.path.abspath(temp_directory), "temp")
        logging.info(f"Setting temp directory to: {self.temp}")

    # -- lookups ------------------------------------------------------------------------

    def directory_by_type(self, type_name):
        return {"output": self.output, "temp": self.temp, "input": self.input}.get(type_name)

    def filename_list(self, folder_name):
        """Sorted relative paths of the files in a folder key (recursive, follows links, skips .git)."""
        paths, extensions = self.folders[map_legacy(folder_name)]
        found = set()
        for directory in paths:
            if not os.path.isdir(directory):
                continue
            for dirpath, subdirs, filenames in os.walk(directory, followlinks=True, topdown=True):
                subdirs[:] = [d for d in subdirs if d != ".git"]
                for name in filenames:
                    rel = os.path.relpath(os.path.join(dirpath, name), directory)
                    if len(extensions) == 0 or os.path.splitext(rel)[-1].lower() in extensions:
                        found.add(rel)
        return sorted(found)

    def full_path(self, folder_name, filename):
        """The file for a model name, or None (folder_paths.get_full_path)."""
        folder_name = map_legacy(folder_name)
        if folder_name not in self.folders:
            return None
        filename = os.path.relpath(os.path.join("/", filename), "/")
        for directory in self.folders[folder_name][0]:
            candidate = os.path.join(directory, filename)
            if os.path.isfile(candidate):
                return candidate
        return None

    def full_path_or_raise(self, folder_name, filename):
        # [ref §6.2] the run-time message of a missing model
        path = self.full_path(folder_name, filename)
        if path is None:
            raise FileNotFoundError(f"Model in folder '{folder_name}' with filename '{filename}' not found.")
        return path

    def input_images(self):
        """LoadImage's option list: image files at the top of the input directory."""
        try:
            files = [f for f in os.listdir(self.input) if os.path.isfile(os.path.join(self.input, f))]
        except FileNotFoundError:
            files = []
        images = []
        for f in files:
            mime, _ = mimetypes.guess_type(f, strict=False)
            if f.split(".")[-1] == "webp" or (mime and mime.split("/")[0] == "image"):
                images.append(f)
        return sorted(images)

    def vae_list(self):
        """VAELoader's options: vae files, taesd* when both halves exist, then pixel_space."""
        vaes = self.filename_list("vae")
        approx = self.filename_list("vae_approx")
        for name in ("taesd", "taesdxl", "taesd3", "taef1"):
            has_enc = any(a.startswith(f"{name}_encoder.") for a in approx)
            has_dec = any(a.startswith(f"{name}_decoder.") for a in approx)
            if has_enc and has_dec:
                vaes.append(name)
        vaes.append("pixel_space")
        return vaes

    # -- annotated names ("x.png [output]") ----------------------------------------------

    def annotated_filepath(self, name):
        if name.endswith("[output]"):
            return name[:-9], self.output
        if name.endswith("[input]"):
            return name[:-8], self.input
        if name.endswith("[temp]"):
            return name[:-7], self.temp
        return name, None

    def annotated_full_path(self, name):
        name, base_dir = self.annotated_filepath(name)
        return os.path.join(base_dir or self.input, name)
