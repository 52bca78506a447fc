"""Everything `train()` does between the dataset and the banner [ref §4.3]: the accelerator and
the device line, loading the base model (and its errors), attention, latent caching, the network
module and its log lines, the optimizer, the LR scheduler's checks, and --resume.
"""
import ast
import json
import os
import time

import fake_dataset
import fake_files
from fake_console import log, quick_bar
from fake_errors import Crash, package, script, stdlib

OPTIMIZERS = {
    # lower-case --optimizer_type: (class path for ss_optimizer, log text, package that must be installed)
    "adamw": ("torch.optim.adamw.AdamW", "use AdamW optimizer", None),
    "adamw8bit": ("bitsandbytes.optim.adamw.AdamW8bit", "use 8-bit AdamW optimizer", "bitsandbytes"),
    "pagedadamw": ("bitsandbytes.optim.adamw.PagedAdamW", "use PagedAdamW optimizer", "bitsandbytes"),
    "pagedadamw8bit": ("bitsandbytes.optim.adamw.PagedAdamW8bit", "use 8-bit PagedAdamW optimizer", "bitsandbytes"),
    "pagedadamw32bit": ("bitsandbytes.optim.adamw.PagedAdamW32bit", "use 32-bit PagedAdamW optimizer", "bitsandbytes"),
    "lion": ("lion_pytorch.lion_pytorch.Lion", "use Lion optimizer", "lion_pytorch"),
    "lion8bit": ("bitsandbytes.optim.lion.Lion8bit", "use 8-bit Lion optimizer", "bitsandbytes"),
    "pagedlion8bit": ("bitsandbytes.optim.lion.PagedLion8bit", "use 8-bit Paged Lion optimizer", "bitsandbytes"),
    "sgdnesterov": ("torch.optim.sgd.SGD", "use SGD with Nesterov optimizer", None),
    "sgdnesterov8bit": ("bitsandbytes.optim.sgd.SGD8bit", "use 8-bit SGD with Nesterov optimizer", "bitsandbytes"),
    "dadaptation": ("dadaptation.experimental.dadapt_adam_preprint.DAdaptAdamPreprint", "use D-Adaptation AdamPreprint optimizer", "dadaptation"),
    "dadaptadam": ("dadaptation.dadapt_adam.DAdaptAdam", "use D-Adaptation Adam optimizer", "dadaptation"),
    "dadaptlion": ("dadaptation.dadapt_lion.DAdaptLion", "use D-Adaptation Lion optimizer", "dadaptation"),
    "prodigy": ("prodigyopt.prodigy.Prodigy", "use Prodigy optimizer", "prodigyopt"),
    "adafactor": ("transformers.optimization.Adafactor", "use Adafactor optimizer", None),
    "adamwschedulefree": ("schedulefree.adamw_schedulefree.AdamWScheduleFree", "use AdamWScheduleFree optimizer", "schedulefree"),
}
MISSING_PACKAGE = {
    "bitsandbytes": "No bitsandbytes / bitsandbytesがインストールされていないようです",
    "lion_pytorch": "No lion_pytorch / lion_pytorch がインストールされていないようです",
    "prodigyopt": "No Prodigy / Prodigy がインストールされていないようです",
    "dadaptation": "No dadaptation / dadaptation がインストールされていないようです",
    "schedulefree": "No schedulefree / schedulefreeがインストールされていないようです",
}
TORCH_OPTIMIZERS = {"Adam", "AdamW", "SGD", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"}
NETWORK_MODULES = {"networks.lora", "networks.dylora", "networks.lora_fa", "networks.oft", "lycoris.kohya"}


def prepare_accelerator(args, behaviour):
    """Returns the TensorBoard run folder, or None when nothing is tracked."""
    missing = set(behaviour["missing_packages"])
    run_dir = None
    if args.logging_dir is not None:
        run_dir = args.logging_dir + "/" + (args.log_prefix or "") + time.strftime("%Y%m%d%H%M%S", time.localtime())
    log_with = args.log_with or ("tensorboard" if run_dir else None)
    frames = [(script("train_network.py"), 594, "train", "accelerator = train_util.prepare_accelerator(args)")]
    if log_with in ("tensorboard", "all") and run_dir is None:
        raise Crash("ValueError: logging_dir is required when log_with is tensorboard / Tensorboardを使う場合、logging_dirを指定してください",
                    frames + [(script("library/train_util.py"), 5452, "prepare_accelerator", "raise ValueError(")])
    if log_with in ("wandb", "all") and "wandb" in missing:
        raise Crash("ImportError: No wandb / wandb がインストールされていないようです",
                    frames + [(script("library/train_util.py"), 5459, "prepare_accelerator", 'raise ImportError("No wandb / wandb がインストールされていないようです")')])
    print("accelerator device:", behaviour["device"])
    return run_dir if log_with in ("tensorboard", "all") else None


def load_model(args, missing):
    name = args.pretrained_model_name_or_path
    log.info("loading model for process 0/1", "train_util.py:5574")
    frames = [
        (script("train_network.py"), 602, "train", "model_version, text_encoder, vae, unet = self.load_target_model(args, weight_dtype, accelerator)"),
        (script("train_network.py"), 180, "load_target_model", "text_encoder, vae, unet, _ = train_util.load_target_model(args, weight_dtype, accelerator)"),
        (script("library/train_util.py"), 5576, "load_target_model", "text_encoder, vae, unet, load_stable_diffusion_format = _load_target_model("),
    ]
    if name is None:
        raise Crash("TypeError: stat: path should be string, bytes, os.PathLike or integer, not NoneType",
                    frames + [(script("library/train_util.py"), 5528, "_load_target_model", "load_stable_diffusion_format = os.path.isfile(name_or_path)  # determine SD or Diffusers")])
    if os.path.isfile(name):
        log.info(f"load StableDiffusion checkpoint: {name}", "train_util.py:5530")
        for part in ("u-net", "vae", "text encoder"):
            log.info(f"loading {part}: <All keys matched successfully>", "model_util.py:1011")
    elif os.path.isfile(os.path.join(name, "model_index.json")):
        log.info(f"load Diffusers pretrained models: {name}", "train_util.py:5536")
        log.info("U-Net converted to original U-Net", "train_util.py:5561")
    else:
        log.info(f"load Diffusers pretrained models: {name}", "train_util.py:5536")
        frames += [
            (script("library/train_util.py"), 5538, "_load_target_model", "pipe = StableDiffusionPipeline.from_pretrained(name_or_path, tokenizer=None, safety_checker=None)"),
            (package("huggingface_hub/utils/_validators.py"), 114, "_inner_fn", "return fn(*args, **kwargs)"),
        ]
        if name.count("/") > 1:
            # diffusers refuses such a name before asking the Hub; sd-scripts only catches OSError.
            raise Crash(f'ValueError: The provided pretrained_model_name_or_path "{name}" is neither a valid local path nor a valid repo id. Please check the parameter.',
                        frames + [(package("diffusers/pipelines/pipeline_utils.py"), 706, "from_pretrained", "raise ValueError(")])
        log.error("model is not found as a file or in Hugging Face, perhaps file name is wrong? / 指定したモデル名のファイル、"
                  f"またはHugging Faceのモデルが見つかりません。ファイル名が誤っているかもしれません: {name}", "train_util.py:5540")
        raise Crash(f"OSError: Cannot load model {name}: model is not cached locally and an error occurred while trying to fetch metadata from the Hub."
                    " Please check out the root cause in the stacktrace above.",
                    frames + [(package("diffusers/pipelines/pipeline_utils.py"), 722, "from_pretrained", "cached_folder = cls.download("),
                              (package("diffusers/pipelines/pipeline_utils.py"), 1573, "download", "raise EnvironmentError(")])
    if args.mem_eff_attn:
        log.info("Enable memory efficient attention for U-Net", "train_util.py:3363")
    elif args.xformers:
        log.info("Enable xformers for U-Net", "train_util.py:3367")
        if "xformers" in missing:
            raise Crash("ImportError: No xformers / xformersがインストールされていないようです", [
                (script("train_network.py"), 181, "load_target_model", "train_util.replace_unet_modules(unet, args.mem_eff_attn, args.xformers, args.sdpa)"),
                (script("library/train_util.py"), 3371, "replace_unet_modules", 'raise ImportError("No xformers / xformersがインストールされていないようです")'),
            ])
    elif args.sdpa:
        log.info("Enable SDPA for U-Net", "train_util.py:3375")


def cache_latents(args, datasets):
    for i, dataset in enumerate(datasets):
        log.info(f"[Dataset {i}]", "train_util.py:2627")
        log.info("caching latents with caching strategy.", "train_util.py:1120")
        log.info("caching latents...", "train_util.py:1170")
        for image in quick_bar(dataset.images):
            if args.cache_latents_to_disk:
                path = fake_dataset.latent_cache_path(image[0], image[3])
                if not os.path.exists(path):
                    fake_files.write_latent_cache(path)


def create_network(args, missing):
    """Imports the module and logs what networks.lora logs. Returns the text encoder LR, the
    optimizer's param groups as (description, lr) and the network's keyword arguments."""
    print("import network module:", args.network_module)
    if args.network_module not in NETWORK_MODULES or (args.network_module == "lycoris.kohya" and "lycoris" in missing):
        raise Crash(f"ModuleNotFoundError: No module named '{args.network_module}'", [
            (script("train_network.py"), 644, "train", "network_module = importlib.import_module(args.network_module)"),
            (stdlib("importlib/__init__.py"), 126, "import_module", "return _bootstrap._gcd_import(name[level:], package, level)"),
        ])
    net_kwargs = {}
    for arg in args.network_args or []:
        key, value = arg.split("=", 1)
        net_kwargs[key] = value
    net_kwargs.setdefault("dropout", args.network_dropout)
    dim = args.network_dim if args.network_dim is not None else 4
    alpha = args.network_alpha if args.network_alpha is not None else 1.0
    log.info(f"create LoRA network. base dim (rank): {dim}, alpha: {alpha}", "lora.py:935")
    rank_dropout = net_kwargs.get("rank_dropout")
    module_dropout = net_kwargs.get("module_dropout")
    log.info(f"neuron dropout: p={args.network_dropout}, rank dropout: p={None if rank_dropout is None else float(rank_dropout)},"
             f" module dropout: p={None if module_dropout is None else float(module_dropout)}", "lora.py:936")
    conv_dim = net_kwargs.get("conv_dim")
    if conv_dim is not None:
        log.info(f"apply LoRA to Conv2d with kernel size (3,3). dim (rank): {int(conv_dim)}, alpha: {float(net_kwargs.get('conv_alpha', 1.0))}", "lora.py:940")
    unet_modules = 278 if conv_dim is not None else 192
    log.info("create LoRA for Text Encoder:", "lora.py:1030")
    log.info("create LoRA for Text Encoder: 72 modules.", "lora.py:1035")
    log.info(f"create LoRA for U-Net: {unet_modules} modules.", "lora.py:1043")
    train_unet = not args.network_train_text_encoder_only
    train_te = not args.network_train_unet_only
    if train_te:
        log.info("enable LoRA for text encoder: 72 modules", "lora.py:1084")
    if train_unet:
        log.info(f"enable LoRA for U-Net: {unet_modules} modules", "lora.py:1089")
    if args.network_weights is not None:
        if not os.path.isfile(args.network_weights):
            raise Crash(f"FileNotFoundError: [Errno 2] No such file or directory: '{args.network_weights}'", [
                (script("train_network.py"), 713, "train", "info = network.load_weights(args.network_weights)"),
                (script("networks/lora.py"), 1095, "load_weights", 'weights_sd = load_file(file)'),
            ])
        print(f"load network weights from {args.network_weights}: <All keys matched successfully>")

    if args.text_encoder_lr is None or isinstance(args.text_encoder_lr, (int, float)):
        te_lr = args.text_encoder_lr
    else:
        te_lr = args.text_encoder_lr[0] if args.text_encoder_lr else None
    groups = []
    for description, lr, wanted in (("textencoder", te_lr, train_te), ("unet", args.unet_lr, train_unet)):
        if not wanted:
            continue
        lr = lr if lr is not None else args.learning_rate
        if not lr:
            log.info("NO LR skipping!", "lora.py:1188")
            continue
        groups.append((description, lr))
    if not groups:
        raise Crash("ValueError: optimizer got an empty parameter list", [
            (script("train_network.py"), 767, "train", "optimizer_name, optimizer_args, optimizer = train_util.get_optimizer(args, trainable_params)"),
            (package("torch/optim/optimizer.py"), 383, "__init__", 'raise ValueError("optimizer got an empty parameter list")'),
        ])
    return te_lr, groups, net_kwargs


def prepare_optimizer(args, missing):
    """Logs the optimizer line and returns ss_optimizer's value."""
    name = args.optimizer_type or ("AdamW8bit" if args.use_8bit_adam else "Lion" if args.use_lion_optimizer else "AdamW")
    kwargs = {}
    for arg in args.optimizer_args or []:
        key, value = arg.split("=")
        kwargs[key] = ast.literal_eval(value)
    frames = [(script("train_network.py"), 767, "train", "optimizer_name, optimizer_args, optimizer = train_util.get_optimizer(args, trainable_params)")]
    known = OPTIMIZERS.get(name.lower())
    if known is None:
        if name not in TORCH_OPTIMIZERS:
            raise Crash(f"AttributeError: module 'torch.optim' has no attribute '{name}'",
                        frames + [(script("library/train_util.py"), 5238, "get_optimizer", "optimizer_class = getattr(optimizer_module, optimizer_type)")])
        class_path, text, needs = f"torch.optim.{name.lower()}.{name}", f"use {name} | {kwargs}", None
    else:
        class_path, text, needs = known
        text = f"{text} | {kwargs}"
    if needs in missing:
        raise Crash(f"ImportError: {MISSING_PACKAGE[needs]}",
                    frames + [(script("library/train_util.py"), 4894, "get_optimizer", f'raise ImportError("{MISSING_PACKAGE[needs]}")')])
    log.info(text, "train_util.py:5096")
    if name.lower().startswith("dadapt") or name.lower() == "prodigy":
        lr = args.learning_rate
        if lr <= 0.1:
            log.warning(f"learning rate is too low. If using D-Adaptation or Prodigy, set learning rate around 1.0"
                        f" / 学習率が低すぎるようです。D-AdaptationまたはProdigyの使用時は1.0前後の値を指定してください: lr={lr}", "train_util.py:5010")
            log.warning("recommend option: lr=1.0 / 推奨は1.0です", "train_util.py:5014")
    arguments = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return class_path + (f"({arguments})" if arguments else "")


def check_scheduler(args):
    """get_scheduler_fix's checks; returns the warmup in steps."""
    total = args.max_train_steps
    warmup = int(args.lr_warmup_steps * total) if isinstance(args.lr_warmup_steps, float) else args.lr_warmup_steps
    frames = [(script("train_network.py"), 811, "train", "lr_scheduler = train_util.get_scheduler_fix(args, optimizer, accelerator.num_processes)")]
    known = {"linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt",
             "reduce_lr_on_plateau", "cosine_with_min_lr", "warmup_stable_decay", "piecewise_constant"}
    name = args.lr_scheduler
    if name.startswith("adafactor"):
        return warmup
    if name not in known:
        raise Crash(f"ValueError: '{name}' is not a valid SchedulerType", frames + [
            (script("library/train_util.py"), 5288, "get_scheduler_fix", "name = SchedulerType(name) if name in SchedulerType.__members__.values() else DiffusersSchedulerType(name)"),
        ])
    if name == "constant" and warmup:
        raise Crash("ValueError: constant does not require `num_warmup_steps`. Set None or 0.", frames + [
            (script("library/train_util.py"), 5330, "get_scheduler_fix", "return wrap_check_needless_num_warmup_steps(schedule_func(optimizer, **lr_scheduler_kwargs))"),
            (script("library/train_util.py"), 5296, "wrap_check_needless_num_warmup_steps", 'raise ValueError(f"{name} does not require `num_warmup_steps`. Set None or 0.")'),
        ])
    return warmup


def resume(args):
    """--resume <state dir>: accelerate's load_state with sd-scripts' hook; the saved step or None."""
    if not args.resume:
        return None
    log.info(f"resume training from local state: {args.resume}", "train_util.py:4777")
    if not os.path.isdir(args.resume):
        raise Crash(f"ValueError: Tried to find {args.resume} but folder does not exist", [
            (script("train_network.py"), 975, "train", "train_util.resume_from_local_or_hf_if_specified(accelerator, args)"),
            (script("library/train_util.py"), 4778, "resume_from_local_or_hf_if_specified", "accelerator.load_state(args.resume)"),
            (package("accelerate/accelerator.py"), 3377, "load_state", 'raise ValueError(f"Tried to find {input_dir} but folder does not exist")'),
        ])
    log.info(f"Loading states from {args.resume}", "accelerator.py:3390")
    steps = None
    state_file = os.path.join(args.resume, "train_state.json")
    if os.path.exists(state_file):
        with open(state_file, "r", encoding="utf-8") as f:
            data = json.load(f)
        steps = data["current_step"]
        log.info(f"load train state from {state_file}: {data}", "train_network.py:969")
    for line in ("All model weights loaded successfully", "All optimizer states loaded successfully",
                 "All scheduler states loaded successfully", "All dataloader sampler states loaded successfully"):
        log.info(line, "checkpointing.py:232")
    if args.mixed_precision == "fp16":
        log.info("GradScaler state loaded successfully", "checkpointing.py:273")
    log.info("All random states loaded successfully", "checkpointing.py:295")
    log.info("Loading in 0 custom states", "accelerator.py:3478")
    return steps
