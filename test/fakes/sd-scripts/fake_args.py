"""train_network.py's command line: every flag of `setup_parser()` with its type, default,
nargs and choices, in the order and grouping of the real parser (sd-scripts v0.10.1,
48d368fa), so that usage text, defaults and argparse's own errors ("unrecognized arguments",
"invalid choice", exit code 2) are the real ones [ref §1.3]. Flags the double does not act on
are accepted and ignored, as a real run would ignore them for an SD 1.5 LoRA.
"""
import argparse
import json
import os

from fake_console import log


def int_or_float(value):
    """--lr_warmup_steps / --lr_decay_steps: a step count, a ratio below 1, or "N%"."""
    if value.endswith("%"):
        try:
            return float(value[:-1]) / 100.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"Value '{value}' is not a valid percentage")
    try:
        float_value = float(value)
        if float_value >= 1:
            return int(value)
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not an int or float")


def flag(name):
    return name, {"action": "store_true"}


def opt(name, kind, default=None, **extra):
    return name, {"type": kind, "default": default, **extra}


FLAGS = [
    # utils.add_logging_arguments
    opt("console_log_level", str, choices=['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL']),
    opt("console_log_file", str),
    flag("console_log_simple"),
    # train_util.add_sd_models_arguments
    flag("v2"),
    flag("v_parameterization"),
    opt("pretrained_model_name_or_path", str),
    opt("tokenizer_cache_dir", str),
    # sai_model_spec.add_model_spec_arguments
    opt("metadata_title", str),
    opt("metadata_author", str),
    opt("metadata_description", str),
    opt("metadata_license", str),
    opt("metadata_tags", str),
    opt("metadata_usage_hint", str),
    opt("metadata_thumbnail", str),
    opt("metadata_merged_from", str),
    opt("metadata_trigger_phrase", str),
    opt("metadata_preprocessor", str),
    opt("metadata_is_negative_embedding", str),
    # train_util.add_dataset_arguments
    opt("train_data_dir", str),
    flag("cache_info"),
    flag("shuffle_caption"),
    opt("caption_separator", str, default=','),
    opt("caption_extension", str, default='.caption'),
    opt("caption_extention", str),
    opt("keep_tokens", int, default=0),
    opt("keep_tokens_separator", str, default=''),
    opt("secondary_separator", str),
    flag("enable_wildcard"),
    opt("caption_prefix", str),
    opt("caption_suffix", str),
    flag("color_aug"),
    flag("flip_aug"),
    opt("face_crop_aug_range", str),
    flag("random_crop"),
    flag("debug_dataset"),
    opt("resolution", str),
    flag("cache_latents"),
    opt("vae_batch_size", int, default=1),
    flag("cache_latents_to_disk"),
    flag("skip_cache_check"),
    flag("enable_bucket"),
    opt("min_bucket_reso", int, default=256),
    opt("max_bucket_reso", int, default=1024),
    opt("bucket_reso_steps", int, default=64),
    flag("bucket_no_upscale"),
    opt("resize_interpolation", str, choices=['lanczos', 'nearest', 'bilinear', 'linear', 'bicubic', 'cubic', 'area']),
    opt("token_warmup_min", int, default=1),
    opt("token_warmup_step", float, default=0),
    flag("alpha_mask"),
    opt("dataset_class", str),
    opt("caption_dropout_rate", float, default=0.0),
    opt("caption_dropout_every_n_epochs", int, default=0),
    opt("caption_tag_dropout_rate", float, default=0.0),
    opt("reg_data_dir", str),
    opt("in_json", str),
    opt("dataset_repeats", int, default=1),
    # train_util.add_training_arguments
    opt("output_dir", str),
    opt("output_name", str),
    opt("huggingface_repo_id", str),
    opt("huggingface_repo_type", str),
    opt("huggingface_path_in_repo", str),
    opt("huggingface_token", str),
    opt("huggingface_repo_visibility", str),
    flag("save_state_to_huggingface"),
    flag("resume_from_huggingface"),
    flag("async_upload"),
    opt("save_precision", str, choices=[None, 'float', 'fp16', 'bf16']),
    opt("save_every_n_epochs", int),
    opt("save_every_n_steps", int),
    opt("save_n_epoch_ratio", int),
    opt("save_last_n_epochs", int),
    opt("save_last_n_epochs_state", int),
    opt("save_last_n_steps", int),
    opt("save_last_n_steps_state", int),
    flag("save_state"),
    flag("save_state_on_train_end"),
    opt("resume", str),
    opt("train_batch_size", int, default=1),
    opt("max_token_length", int, choices=[None, 150, 225]),
    flag("mem_eff_attn"),
    flag("torch_compile"),
    opt("dynamo_backend", str, default='inductor', choices=['eager', 'aot_eager', 'inductor', 'aot_ts_nvfuser', 'nvprims_nvfuser', 'cudagraphs', 'ofi', 'fx2trt', 'onnxrt', 'tensort', 'ipex', 'tvm']),
    flag("xformers"),
    flag("sdpa"),
    opt("vae", str),
    opt("max_train_steps", int, default=1600),
    opt("max_train_epochs", int),
    opt("max_data_loader_n_workers", int, default=8),
    flag("persistent_data_loader_workers"),
    opt("seed", int),
    flag("gradient_checkpointing"),
    opt("gradient_accumulation_steps", int, default=1),
    opt("mixed_precision", str, default='no', choices=['no', 'fp16', 'bf16']),
    flag("full_fp16"),
    flag("full_bf16"),
    flag("fp8_base"),
    opt("ddp_timeout", int),
    flag("ddp_gradient_as_bucket_view"),
    flag("ddp_static_graph"),
    opt("clip_skip", int),
    opt("logging_dir", str),
    opt("log_with", str, choices=['tensorboard', 'wandb', 'all']),
    opt("log_prefix", str),
    opt("log_tracker_name", str),
    opt("wandb_run_name", str),
    opt("log_tracker_config", str),
    opt("wandb_api_key", str),
    flag("log_config"),
    opt("noise_offset", float),
    flag("noise_offset_random_strength"),
    opt("multires_noise_iterations", int),
    opt("ip_noise_gamma", float),
    flag("ip_noise_gamma_random_strength"),
    opt("multires_noise_discount", float, default=0.3),
    opt("adaptive_noise_scale", float),
    flag("zero_terminal_snr"),
    opt("min_timestep", int),
    opt("max_timestep", int),
    opt("loss_type", str, default='l2', choices=['l1', 'l2', 'huber', 'smooth_l1']),
    opt("huber_schedule", str, default='snr', choices=['constant', 'exponential', 'snr']),
    opt("huber_c", float, default=0.1),
    opt("huber_scale", float, default=1.0),
    flag("lowram"),
    flag("highvram"),
    opt("sample_every_n_steps", int),
    flag("sample_at_first"),
    opt("sample_every_n_epochs", int),
    opt("sample_prompts", str),
    opt("sample_sampler", str, default='ddim', choices=['ddim', 'pndm', 'lms', 'euler', 'euler_a', 'heun', 'dpm_2', 'dpm_2_a', 'dpmsolver', 'dpmsolver++', 'dpmsingle', 'k_lms', 'k_euler', 'k_euler_a', 'k_dpm_2', 'k_dpm_2_a']),
    opt("config_file", str),
    flag("output_config"),
    opt("prior_loss_weight", float, default=1.0),
    # train_util.add_masked_loss_arguments
    opt("conditioning_data_dir", str),
    flag("masked_loss"),
    # deepspeed_utils.add_deepspeed_arguments
    flag("deepspeed"),
    opt("zero_stage", int, default=2, choices=[0, 1, 2, 3]),
    opt("offload_optimizer_device", str, choices=[None, 'cpu', 'nvme']),
    opt("offload_optimizer_nvme_path", str),
    opt("offload_param_device", str, choices=[None, 'cpu', 'nvme']),
    opt("offload_param_nvme_path", str),
    flag("zero3_init_flag"),
    flag("zero3_save_16bit_model"),
    flag("fp16_master_weights_and_gradients"),
    # train_util.add_optimizer_arguments
    opt("optimizer_type", str, default=''),
    flag("use_8bit_adam"),
    flag("use_lion_optimizer"),
    opt("learning_rate", float, default=2e-06),
    opt("max_grad_norm", float, default=1.0),
    opt("optimizer_args", str, nargs='*'),
    opt("lr_scheduler_type", str, default=''),
    opt("lr_scheduler_args", str, nargs='*'),
    opt("lr_scheduler", str, default='constant'),
    opt("lr_warmup_steps", int_or_float, default=0),
    opt("lr_decay_steps", int_or_float, default=0),
    opt("lr_scheduler_num_cycles", int, default=1),
    opt("lr_scheduler_power", float, default=1),
    flag("fused_backward_pass"),
    opt("lr_scheduler_timescale", int),
    opt("lr_scheduler_min_lr_ratio", float),
    # config_util.add_config_arguments
    opt("dataset_config", str),
    # custom_train_functions.add_custom_train_arguments
    opt("min_snr_gamma", float),
    flag("scale_v_pred_loss_like_noise_pred"),
    opt("v_pred_like_loss", float),
    flag("debiased_estimation_loss"),
    flag("weighted_captions"),
    # train_network.setup_parser
    flag("cpu_offload_checkpointing"),
    flag("no_metadata"),
    opt("save_model_as", str, default='safetensors', choices=[None, 'ckpt', 'pt', 'safetensors']),
    opt("unet_lr", float),
    opt("text_encoder_lr", float, nargs='*'),
    flag("fp8_base_unet"),
    opt("network_weights", str),
    opt("network_module", str),
    opt("network_dim", int),
    opt("network_alpha", float, default=1),
    opt("network_dropout", float),
    opt("network_args", str, nargs='*'),
    flag("network_train_unet_only"),
    flag("network_train_text_encoder_only"),
    opt("training_comment", str),
    flag("dim_from_weights"),
    opt("scale_weight_norms", float),
    opt("base_weights", str, nargs='*'),
    opt("base_weights_multiplier", float, nargs='*'),
    flag("no_half_vae"),
    flag("skip_until_initial_step"),
    opt("initial_epoch", int),
    opt("initial_step", int),
    opt("validation_seed", int),
    opt("validation_split", float, default=0.0),
    opt("validate_every_n_steps", int),
    opt("validate_every_n_epochs", int),
    opt("max_validation_steps", int),
]


def build_parser():
    parser = argparse.ArgumentParser()
    for name, options in FLAGS:
        parser.add_argument("--" + name, **options)
    return parser


def read_config_from_file(args, parser):
    """--config_file [ref §1.4]: every table flattened into one namespace, then the real command line
    parsed on top of it; values keep their TOML types and unknown keys are kept and ignored."""
    if not args.config_file:
        return args
    import tomllib

    config_path = args.config_file if args.config_file.endswith(".toml") else args.config_file + ".toml"
    if args.output_config:
        write_config(args, parser, config_path)
        raise SystemExit(0)
    if not os.path.exists(config_path):
        log.info(f"{config_path} not found.", "train_util.py:4741")
        raise SystemExit(1)
    log.info(f"Loading settings from {config_path}...", "train_util.py:4744")
    with open(config_path, "rb") as f:
        config = tomllib.load(f)
    flat = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    args = parser.parse_args(namespace=argparse.Namespace(**flat))
    args.config_file = os.path.splitext(args.config_file)[0]
    return args


def write_config(args, parser, config_path):
    """--output_config: the non-default arguments as TOML, then exit 0 (exit 1 if the file exists)."""
    if os.path.exists(config_path):
        log.error(f"Config file already exists. Aborting... / 出力先の設定ファイルが既に存在します: {config_path}", "train_util.py:4707")
        raise SystemExit(1)
    defaults = vars(parser.parse_args([]))
    values = {k: v for k, v in vars(args).items() if k not in ("config_file", "output_config", "wandb_api_key") and v != defaults.get(k)}
    with open(config_path, "w", encoding="utf-8") as f:
        for key, value in values.items():
            f.write(f"{key} = {_toml_value(value)}\n")
    log.info(f"Saved config file / 設定ファイルを保存しました: {config_path}", "train_util.py:4735")


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[ " + ", ".join(_toml_value(v) for v in value) + ",]"
    return json.dumps(str(value), ensure_ascii=False)
