"""Node definitions (/object_info), prompt validation (POST /prompt) and what each node
"does" in the double.

Definitions come from nodes.json, recorded from the real ComfyUI's /object_info (see
test/fixtures/comfyui/README.md); option lists built from files on disk are filled in per
request from the base directory [ref §1 GET /object_info, §5 Model folders].
Validation follows execution.validate_prompt / validate_inputs [ref §1 POST /prompt].
"""
import copy
import hashlib
import json
import logging
import math
import os
import random
import re
import sys
import time
import traceback

import fake_images

HERE = os.path.dirname(os.path.abspath(__file__))

with open(os.path.join(HERE, "nodes.json"), encoding="utf-8") as _f:
    NODE_TABLE = json.load(_f)

# Classes whose OUTPUT_NODE is true (a prompt needs one of them) [ref §3 API format].
OUTPUT_NODES = {name for name, d in NODE_TABLE.items() if d.get("output_node")}
# Classes whose RETURN_TYPES are known, for link type checks.
RETURN_TYPES = {name: d["output"] for name, d in NODE_TABLE.items()}
# V1 nodes that define VALIDATE_INPUTS(image): the combo check on "image" is skipped and
# the file's existence is checked instead [ref §4 LoadImage].
VALIDATE_INPUTS = {"LoadImage": ["image"]}
# Nodes with IS_CHANGED: their cache key includes what it returns (LoadImage: file hash).
HAS_IS_CHANGED = {"LoadImage"}
# Which node "samples" (where sampler faults strike) and which loads a model file.
SAMPLERS = {"KSampler", "KSamplerAdvanced"}
LOADERS = {
    "CheckpointLoaderSimple": ("checkpoints", "ckpt_name"),
    "LoraLoader": ("loras", "lora_name"),
    "LoraLoaderModelOnly": ("loras", "lora_name"),
    "VAELoader": ("vae", "vae_name"),
    "ControlNetLoader": ("controlnet", "control_net_name"),
    "UpscaleModelLoader": ("upscale_models", "model_name"),
}


# ------------------------------------------------------------------ object_info

def resolve_definition(cls, folders):
    """One node's /object_info entry, with the on-disk option lists filled in."""
    definition = copy.deepcopy(NODE_TABLE[cls])
    for category in ("required", "optional"):
        for spec in definition["input"].get(category, {}).values():
            if isinstance(spec[0], str) and spec[0].startswith("$"):
                spec[0] = _options(spec[0], folders)
            elif spec[0] == "COMBO" and isinstance(spec[1].get("options"), str):
                spec[1]["options"] = _options(spec[1]["options"], folders)
    return definition


def _options(placeholder, folders):
    if placeholder.startswith("$files:"):
        return folders.filename_list(placeholder[len("$files:"):])
    if placeholder == "$vae_list":
        return folders.vae_list()
    if placeholder == "$input_images":
        return folders.input_images()
    raise ValueError(placeholder)


# ------------------------------------------------------------------ validation

def is_link(value):
    # comfy_execution/graph_utils.is_link: [str, int|float]
    return (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], (int, float)) and not isinstance(value[1], bool))


def full_type_name(klass):
    module = klass.__module__
    return klass.__qualname__ if module == "builtins" else module + "." + klass.__qualname__


def _input_info(class_inputs, name):
    for category in ("required", "optional", "hidden"):
        if name in class_inputs.get(category, {}):
            info = class_inputs[category][name]
            extra = info[1] if len(info) > 1 else {}
            return info[0], category, extra
    return None, None, None


def _types_compatible(received, expected):
    # comfy_execution/validation.validate_node_input, non-strict
    if received == expected:
        return True
    if not isinstance(received, str) or not isinstance(expected, str):
        return False
    if received == "*" or expected == "*":
        return True
    return bool({t.strip() for t in received.split(",")} & {t.strip() for t in expected.split(",")})


class Validator:
    """validate_prompt for one request; `prompt` is changed in place (values are coerced)."""

    def __init__(self, prompt, folders):
        self.prompt = prompt
        self.folders = folders
        self.validated = {}
        self.definitions = {}

    def inputs_of(self, cls):
        if cls not in self.definitions:
            self.definitions[cls] = resolve_definition(cls, self.folders)["input"]
        return self.definitions[cls]

    def validate_inputs(self, unique_id):
        if unique_id in self.validated:
            return self.validated[unique_id]
        node = self.prompt[unique_id]
        inputs = node["inputs"]
        class_type = node["class_type"]
        class_inputs = self.inputs_of(class_type)
        custom_validated = VALIDATE_INPUTS.get(class_type, [])
        errors = []
        valid = True
        order = list(class_inputs.get("required", {})) + list(class_inputs.get("optional", {}))
        for x in order:
            input_type, category, extra_info = _input_info(class_inputs, x)
            if x not in inputs:
                if category == "required":
                    errors.append({"type": "required_input_missing", "message": "Required input is missing",
                                   "details": f"{x}", "extra_info": {"input_name": x}})
                continue
            val = inputs[x]
            info = (input_type, extra_info)
            if isinstance(val, list):
                if len(val) != 2:
                    errors.append({"type": "bad_linked_input",
                                   "message": "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                                   "details": f"{x}",
                                   "extra_info": {"input_name": x, "input_config": info, "received_value": val}})
                    continue
                o_id = val[0]
                # A missing or non-string node id raises KeyError here, as in the real server:
                # the caller turns it into exception_during_(inner_)validation.
                o_class_type = self.prompt[o_id]["class_type"]
                received_type = RETURN_TYPES[o_class_type][val[1]]
                if not _types_compatible(received_type, input_type):
                    errors.append({"type": "return_type_mismatch",
                                   "message": "Return type mismatch between linked nodes",
                                   "details": f"{x}, received_type({received_type}) mismatch input_type({input_type})",
                                   "extra_info": {"input_name": x, "input_config": info,
                                                  "received_type": received_type, "linked_node": val}})
                    continue
                try:
                    r = self.validate_inputs(o_id)
                    if r[0] is False:
                        valid = False
                        continue
                except Exception as ex:
                    _, _, tb = sys.exc_info()
                    valid = False
                    self.validated[o_id] = (False, [{
                        "type": "exception_during_inner_validation",
                        "message": "Exception when validating inner node",
                        "details": str(ex),
                        "extra_info": {"input_name": x, "input_config": info, "exception_message": str(ex),
                                       "exception_type": full_type_name(type(ex)),
                                       "traceback": traceback.format_tb(tb), "linked_node": val},
                    }], o_id)
                    continue
            else:
                try:
                    # {"__value__": [...]} passes a list as a value [ref §3].
                    if isinstance(val, dict) and "__value__" in val:
                        val = val["__value__"]
                        inputs[x] = val
                    if input_type == "INT":
                        val = int(val)
                        inputs[x] = val
                    if input_type == "FLOAT":
                        val = float(val)
                        inputs[x] = val
                    if input_type == "STRING":
                        val = str(val)
                        inputs[x] = val
                    if input_type == "BOOLEAN":
                        val = bool(val)
                        inputs[x] = val
                except Exception as ex:
                    errors.append({"type": "invalid_input_type",
                                   "message": f"Failed to convert an input value to a {input_type} value",
                                   "details": f"{x}, {val}, {ex}",
                                   "extra_info": {"input_name": x, "input_config": info, "received_value": val,
                                                  "exception_message": str(ex)}})
                    continue
                if x in custom_validated:
                    continue
                if "min" in extra_info and val < extra_info["min"]:
                    errors.append({"type": "value_smaller_than_min",
                                   "message": "Value {} smaller than min of {}".format(val, extra_info["min"]),
                                   "details": f"{x}",
                                   "extra_info": {"input_name": x, "input_config": info, "received_value": val}})
                    continue
                if "max" in extra_info and val > extra_info["max"]:
                    errors.append({"type": "value_bigger_than_max",
                                   "message": "Value {} bigger than max of {}".format(val, extra_info["max"]),
                                   "details": f"{x}",
                                   "extra_info": {"input_name": x, "input_config": info, "received_value": val}})
                    continue
                # Only V1 combos (a list as type) are checked; V3 "COMBO" is not [ref §1 validation gap].
                if isinstance(input_type, list) and val not in input_type:
                    if len(input_type) > 20:
                        list_info, input_config = f"(list of length {len(input_type)})", None
                    else:
                        list_info, input_config = str(input_type), info
                    errors.append({"type": "value_not_in_list", "message": "Value not in list",
                                   "details": f"{x}: '{val}' not in {list_info}",
                                   "extra_info": {"input_name": x, "input_config": input_config,
                                                  "received_value": val}})
                    continue
        # VALIDATE_INPUTS: LoadImage checks that the (annotated) file exists.
        for x in custom_validated:
            if x in inputs and not is_link(inputs[x]):
                name = inputs[x]
                if not os.path.exists(self.folders.annotated_full_path(str(name))):
                    errors.append({"type": "custom_validation_failed", "message": "Custom validation failed for node",
                                   "details": f"{x} - Invalid image file: {name}", "extra_info": {"input_name": x}})
        ret = (False, errors, unique_id) if errors or valid is not True else (True, [], unique_id)
        self.validated[unique_id] = ret
        return ret


def validate_prompt(prompt, partial_execution_targets, folders):
    """(valid, error, good_outputs, node_errors), as execution.validate_prompt returns."""
    outputs = []
    for x in prompt:
        if "class_type" not in prompt[x]:
            return (False, {"type": "invalid_prompt",
                            "message": "Cannot execute because a node is missing the class_type property.",
                            "details": f"Node ID '#{x}'", "extra_info": {}}, [], {})
        class_type = prompt[x]["class_type"]
        if class_type not in NODE_TABLE:
            return (False, {"type": "invalid_prompt",
                            "message": f"Cannot execute because node {class_type} does not exist.",
                            "details": f"Node ID '#{x}'", "extra_info": {}}, [], {})
        if class_type in OUTPUT_NODES and (partial_execution_targets is None or x in partial_execution_targets):
            outputs.append(x)
    if not outputs:
        return (False, {"type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "",
                        "extra_info": {}}, [], {})

    validator = Validator(prompt, folders)
    good_outputs = []
    errors = []
    node_errors = {}
    for o in outputs:
        try:
            valid, reasons, _ = validator.validate_inputs(o)
        except Exception as ex:
            _, _, tb = sys.exc_info()
            valid = False
            reasons = [{"type": "exception_during_validation", "message": "Exception when validating node",
                        "details": str(ex),
                        "extra_info": {"exception_type": full_type_name(type(ex)),
                                       "traceback": traceback.format_tb(tb)}}]
            validator.validated[o] = (False, reasons, o)
        if valid is True:
            good_outputs.append(o)
            continue
        logging.error(f"Failed to validate prompt for output {o}:")
        if reasons:
            logging.error("* (prompt):")
            for reason in reasons:
                logging.error(f"  - {reason['message']}: {reason['details']}")
        errors.append((o, reasons))
        for node_id, (node_valid, node_reasons, _) in validator.validated.items():
            # Nodes that are invalid only because something upstream failed carry no
            # errors of their own and are left out [ref §1 node_errors].
            if node_valid is not True and node_reasons:
                if node_id not in node_errors:
                    class_type = prompt[node_id]["class_type"]
                    node_errors[node_id] = {"errors": node_reasons, "dependent_outputs": [],
                                            "class_type": class_type}
                    logging.error(f"* {class_type} {node_id}:")
                    for reason in node_reasons:
                        logging.error(f"  - {reason['message']}: {reason['details']}")
                node_errors[node_id]["dependent_outputs"].append(o)
        logging.error("Output will be ignored")

    if not good_outputs:
        details = "\n".join(f"{e['message']}: {e['details']}" for _, reasons in errors for e in reasons)
        return (False, {"type": "prompt_outputs_failed_validation", "message": "Prompt outputs failed validation",
                        "details": details, "extra_info": {}}, [], node_errors)
    return (True, None, good_outputs, node_errors)


# ------------------------------------------------------------------ node behaviour

class Obj:
    """A value on a link that is not an image: it prints like the Python object it stands for,
    because execution_error.current_inputs shows str() of such values [ref §2 Failure messages]."""

    REPR = {
        "MODEL": "<comfy.model_patcher.ModelPatcher object at 0x7f31c4b2d910>",
        "CLIP": "<comfy.sd.CLIP object at 0x7f31c4b2e0d0>",
        "VAE": "<comfy.sd.VAE object at 0x7f31c4b2e390>",
        "CONDITIONING": "[[tensor([[[-0.3884,  0.0229, -0.0522,  ..., -0.4899, -0.3066,  0.0675]]]), {'pooled_output': tensor([[-0.4224,  0.1031, -0.0562,  ..., -0.6348, -0.3945,  0.1254]])}]]",
        "UPSCALE_MODEL": "<spandrel.__helpers.model_descriptor.ImageModelDescriptor object at 0x7f31c4b2f1d0>",
        "CONTROL_NET": "<comfy.controlnet.ControlNet object at 0x7f31c4b2f4d0>",
    }

    def __init__(self, kind, **attrs):
        self.kind = kind
        self.__dict__.update(attrs)

    def __repr__(self):
        return self.REPR.get(self.kind, f"<{self.kind}>")


class Latent(dict):
    """{"samples": tensor} in ComfyUI; here the latent size (pixels / 8), batch and seed."""

    def __repr__(self):
        return "{'samples': tensor([[[[0.0000, 0.0000, ...]]]])}"


class Image(dict):
    """An IMAGE batch; see fake_images for the keys."""

    def __repr__(self):
        return "tensor([[[[0.5020, 0.2510, 0.8000], ...]]])"


class Interrupted(Exception):
    """comfy.model_management.InterruptProcessingException"""


class OutOfMemoryError(RuntimeError):
    """Stands in for torch.OutOfMemoryError; full_type_name() gives 'torch.OutOfMemoryError'."""


OutOfMemoryError.__module__ = "torch"
OutOfMemoryError.__qualname__ = "OutOfMemoryError"

# torch's text for a CUDA OOM, and the tips ComfyUI appends to it [ref §6.3].
OOM_TORCH_TEXT = (
    "CUDA out of memory. Tried to allocate 2.25 GiB. GPU 0 has a total capacity of 23.64 GiB of which 1.12 GiB "
    "is free. Including non-PyTorch memory, this process has 22.03 GiB memory in use. Of the allocated memory "
    "21.47 GiB is allocated by PyTorch, and 108.65 MiB is reserved by PyTorch but unallocated. If reserved but "
    "unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid "
    "fragmentation.  See documentation for Memory Management  "
    "(https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)"
)
OOM_TIPS = ("This error means you ran out of memory on your GPU.\n\n"
            "TIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.")


def _scale_of(model_name):
    """Upscale factor from a model's file name ("4x-UltraSharp", "RealESRGAN_x2plus"); 4 if none."""
    m = re.search(r"(?<![0-9])([1-8])x|x([1-8])(?![0-9])", os.path.basename(model_name), re.IGNORECASE)
    return int(m.group(1) or m.group(2)) if m else 4


def tiled_scale_steps(width, height, tile=512, overlap=32):
    # comfy.utils.get_tiled_scale_steps, as ImageUpscaleWithModel uses it
    rows = 1 if height <= tile else math.ceil((height - overlap) / (tile - overlap))
    cols = 1 if width <= tile else math.ceil((width - overlap) / (tile - overlap))
    return rows * cols


class NodeRunner:
    """Runs one node's function. `ctx` is the executor: it owns folders, args, progress
    reporting (which raises Interrupted) and faults."""

    def __init__(self, ctx):
        self.ctx = ctx

    def run(self, class_type, unique_id, kwargs):
        return getattr(self, class_type)(unique_id, **kwargs)

    # -- loaders ----------------------------------------------------------------------

    def CheckpointLoaderSimple(self, uid, ckpt_name):
        self.ctx.folders.full_path_or_raise("checkpoints", ckpt_name)
        return (Obj("MODEL", name=ckpt_name), Obj("CLIP", name=ckpt_name), Obj("VAE", name=ckpt_name)), None

    def LoraLoader(self, uid, model, clip, lora_name, strength_model, strength_clip):
        self.ctx.folders.full_path_or_raise("loras", lora_name)
        return (model, clip), None

    def LoraLoaderModelOnly(self, uid, model, lora_name, strength_model):
        self.ctx.folders.full_path_or_raise("loras", lora_name)
        return (model,), None

    def VAELoader(self, uid, vae_name):
        if vae_name not in ("pixel_space", "taesd", "taesdxl", "taesd3", "taef1"):
            self.ctx.folders.full_path_or_raise("vae", vae_name)
        return (Obj("VAE", name=vae_name),), None

    def ControlNetLoader(self, uid, control_net_name):
        self.ctx.folders.full_path_or_raise("controlnet", control_net_name)
        return (Obj("CONTROL_NET", name=control_net_name),), None

    def UpscaleModelLoader(self, uid, model_name):
        # V3 combo: not checked at submit, so a wrong name fails here [ref §6.2].
        self.ctx.folders.full_path_or_raise("upscale_models", model_name)
        return (Obj("UPSCALE_MODEL", name=model_name, scale=_scale_of(model_name)),), None

    # -- conditioning, latents, sampling ----------------------------------------------

    def CLIPTextEncode(self, uid, text, clip):
        return (Obj("CONDITIONING", text=text),), None

    def ControlNetApplyAdvanced(self, uid, positive, negative, control_net, image, strength, start_percent,
                                end_percent, vae=None):
        return (positive, negative), None

    def EmptyLatentImage(self, uid, width, height, batch_size):
        return (Latent(width=width // 8, height=height // 8, batch=batch_size, seed=0),), None

    def LatentUpscaleBy(self, uid, samples, upscale_method, scale_by):
        return (Latent(samples, width=round(samples["width"] * scale_by),
                       height=round(samples["height"] * scale_by)),), None

    def KSampler(self, uid, model, seed, steps, cfg, sampler_name, scheduler, positive, negative, latent_image,
                 denoise=1.0):
        self.ctx.sample(uid, steps)
        return (Latent(latent_image, seed=seed),), None

    def KSamplerAdvanced(self, uid, model, add_noise, noise_seed, steps, cfg, sampler_name, scheduler, positive,
                         negative, latent_image, start_at_step, end_at_step, return_with_leftover_noise):
        self.ctx.sample(uid, max(0, min(end_at_step, steps) - start_at_step))
        return (Latent(latent_image, seed=noise_seed),), None

    def VAEDecode(self, uid, samples, vae):
        return (Image(width=samples["width"] * 8, height=samples["height"] * 8, batch=samples["batch"],
                      seed=samples.get("seed", 0)),), None

    def VAEEncode(self, uid, pixels, vae):
        return (Latent(width=pixels["width"] // 8, height=pixels["height"] // 8, batch=pixels["batch"],
                       seed=pixels.get("seed", pixels.get("color", 0))),), None

    # -- images -----------------------------------------------------------------------

    def EmptyImage(self, uid, width, height, batch_size=1, color=0):
        return (Image(width=width, height=height, batch=batch_size, color=color),), None

    def LoadImage(self, uid, image):
        path = self.ctx.folders.annotated_full_path(image)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        width, height = fake_images.png_size(path) or (512, 512)
        img = Image(width=width, height=height, batch=1, seed=int(digest[:8], 16))
        return (img, Obj("MASK")), None

    def ImageScaleBy(self, uid, image, upscale_method, scale_by):
        return (Image(image, width=round(image["width"] * scale_by), height=round(image["height"] * scale_by)),), None

    def ImageUpscaleWithModel(self, uid, upscale_model, image):
        # One progress step per 512-px tile, as the real node's tiled upscale reports.
        total = image["batch"] * tiled_scale_steps(image["width"], image["height"])
        self.ctx.tiles(uid, total)
        s = upscale_model.scale
        return (Image(image, width=image["width"] * s, height=image["height"] * s),), None

    def SaveImage(self, uid, images, filename_prefix="ComfyUI", prompt=None, extra_pnginfo=None):
        return (), self._save(images, filename_prefix, prompt, extra_pnginfo, self.ctx.folders.output, "output", 4)

    def PreviewImage(self, uid, images, prompt=None, extra_pnginfo=None):
        suffix = "_temp_" + "".join(random.choice("abcdefghijklmnopqrstupvxyz") for _ in range(5))
        return (), self._save(images, "ComfyUI" + suffix, prompt, extra_pnginfo, self.ctx.folders.temp, "temp", 1)

    def _save(self, images, filename_prefix, prompt, extra_pnginfo, output_dir, kind, _level):
        full_folder, filename, counter, subfolder = save_image_path(filename_prefix, output_dir,
                                                                    images["width"], images["height"])
        chunks = [] if self.ctx.args.disable_metadata else fake_images.metadata_chunks(prompt, extra_pnginfo)
        results = []
        for batch_number in range(images["batch"]):
            name = f"{filename.replace('%batch_num%', str(batch_number))}_{counter:05}_.png"
            with open(os.path.join(full_folder, name), "wb") as f:
                f.write(fake_images.png_bytes(images, batch_number, chunks))
            results.append({"filename": name, "subfolder": subfolder, "type": kind})
            counter += 1
        return {"images": results}


def save_image_path(filename_prefix, output_dir, width, height):
    """folder_paths.get_save_image_path: prefix variables, subfolder, next free counter."""
    if "%" in filename_prefix:
        now = time.localtime()
        for key, value in (("%width%", str(width)), ("%height%", str(height)), ("%year%", str(now.tm_year)),
                           ("%month%", str(now.tm_mon).zfill(2)), ("%day%", str(now.tm_mday).zfill(2)),
                           ("%hour%", str(now.tm_hour).zfill(2)), ("%minute%", str(now.tm_min).zfill(2)),
                           ("%second%", str(now.tm_sec).zfill(2))):
            filename_prefix = filename_prefix.replace(key, value)
    subfolder = os.path.dirname(os.path.normpath(filename_prefix))
    filename = os.path.basename(os.path.normpath(filename_prefix))
    full_folder = os.path.join(output_dir, subfolder)
    if os.path.commonpath((output_dir, os.path.abspath(full_folder))) != output_dir:
        err = ("**** ERROR: Saving image outside the output folder is not allowed."
               + "\n full_output_folder: " + os.path.abspath(full_folder)
               + "\n         output_dir: " + output_dir
               + "\n         commonpath: " + os.path.commonpath((output_dir, os.path.abspath(full_folder))))
        logging.error(err)
        raise Exception(err)

    def counter_of(name):
        prefix_len = len(os.path.basename(filename_prefix))
        prefix = name[:prefix_len + 1]
        try:
            digits = int(name[prefix_len + 1:].split("_")[0])
        except ValueError:
            digits = 0
        return digits, prefix

    try:
        counter = max(filter(lambda a: os.path.normcase(a[1][:-1]) == os.path.normcase(filename) and a[1][-1] == "_",
                             map(counter_of, os.listdir(full_folder))))[0] + 1
    except ValueError:
        counter = 1
    except FileNotFoundError:
        os.makedirs(full_folder, exist_ok=True)
        counter = 1
    return full_folder, filename, counter, subfolder
