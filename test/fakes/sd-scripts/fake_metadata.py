"""The safetensors `__metadata__` of a LoRA, as train_network.py and sai_model_spec.py build it
[ref §7.2]: every value is str(value), nested ones are JSON inside the string, and the keys differ
between --dataset_config runs and folder runs.
"""
import datetime
import json
import os
import time

import fake_files

COMMIT = "48d368fa557731ad0488c07304dfeba8c07910eb"
MINIMUM_KEYS = ["ss_v2", "ss_base_model_version", "ss_network_module", "ss_network_dim", "ss_network_alpha", "ss_network_args"]


def base_model_version(args):
    if not args.v2:
        return "sd_v1"
    return "sd_v2_v" if args.v_parameterization else "sd_v2"


def training_metadata(args, run, datasets, use_user_config):
    """The dict built right after the banner. `run`: session_id, started_at, text_encoder_lr,
    num_batches, num_epochs, optimizer, net_kwargs."""
    m = {
        "ss_session_id": run["session_id"],
        "ss_training_started_at": run["started_at"],
        "ss_output_name": args.output_name,
        "ss_learning_rate": args.learning_rate,
        "ss_text_encoder_lr": run["text_encoder_lr"],
        "ss_unet_lr": args.unet_lr,
        "ss_num_train_images": sum(d.num_train_images for d in datasets),
        "ss_num_validation_images": 0,
        "ss_num_reg_images": sum(d.num_reg_images for d in datasets),
        "ss_num_batches_per_epoch": run["num_batches"],
        "ss_num_epochs": run["num_epochs"],
        "ss_gradient_checkpointing": args.gradient_checkpointing,
        "ss_gradient_accumulation_steps": args.gradient_accumulation_steps,
        "ss_max_train_steps": args.max_train_steps,
        "ss_lr_warmup_steps": args.lr_warmup_steps,
        "ss_lr_scheduler": args.lr_scheduler,
        "ss_network_module": args.network_module,
        "ss_network_dim": args.network_dim,
        "ss_network_alpha": args.network_alpha,
        "ss_network_dropout": args.network_dropout,
        "ss_mixed_precision": args.mixed_precision,
        "ss_full_fp16": bool(args.full_fp16),
        "ss_v2": bool(args.v2),
        "ss_base_model_version": base_model_version(args),
        "ss_clip_skip": args.clip_skip,
        "ss_max_token_length": args.max_token_length,
        "ss_cache_latents": bool(args.cache_latents),
        "ss_seed": args.seed,
        "ss_lowram": args.lowram,
        "ss_noise_offset": args.noise_offset,
        "ss_multires_noise_iterations": args.multires_noise_iterations,
        "ss_multires_noise_discount": args.multires_noise_discount,
        "ss_adaptive_noise_scale": args.adaptive_noise_scale,
        "ss_zero_terminal_snr": args.zero_terminal_snr,
        "ss_training_comment": args.training_comment,
        "ss_sd_scripts_commit_hash": COMMIT,
        "ss_optimizer": run["optimizer"],
        "ss_max_grad_norm": args.max_grad_norm,
        "ss_caption_dropout_rate": args.caption_dropout_rate,
        "ss_caption_dropout_every_n_epochs": args.caption_dropout_every_n_epochs,
        "ss_caption_tag_dropout_rate": args.caption_tag_dropout_rate,
        "ss_face_crop_aug_range": args.face_crop_aug_range,
        "ss_prior_loss_weight": args.prior_loss_weight,
        "ss_min_snr_gamma": args.min_snr_gamma,
        "ss_scale_weight_norms": args.scale_weight_norms,
        "ss_ip_noise_gamma": args.ip_noise_gamma,
        "ss_debiased_estimation": bool(args.debiased_estimation_loss),
        "ss_noise_offset_random_strength": args.noise_offset_random_strength,
        "ss_ip_noise_gamma_random_strength": args.ip_noise_gamma_random_strength,
        "ss_loss_type": args.loss_type,
        "ss_huber_schedule": args.huber_schedule,
        "ss_huber_scale": args.huber_scale,
        "ss_huber_c": args.huber_c,
        "ss_fp8_base": bool(args.fp8_base),
        "ss_fp8_base_unet": bool(args.fp8_base_unet),
        "ss_validation_seed": args.validation_seed,
        "ss_validation_split": args.validation_split,
        "ss_max_validation_steps": args.max_validation_steps,
        "ss_validate_every_n_epochs": args.validate_every_n_epochs,
        "ss_validate_every_n_steps": args.validate_every_n_steps,
        "ss_resize_interpolation": args.resize_interpolation,
    }
    if use_user_config:
        m.update(_dataset_config_keys(datasets))
    else:
        m.update(_folder_keys(args, datasets[0]))
    if args.network_args:
        m["ss_network_args"] = json.dumps(run["net_kwargs"])
    if args.pretrained_model_name_or_path is not None:
        name = args.pretrained_model_name_or_path
        if os.path.exists(name):
            m["ss_sd_model_hash"] = fake_files.model_hash(name)
            m["ss_new_sd_model_hash"] = fake_files.sha256_file(name)
            name = os.path.basename(name)
        m["ss_sd_model_name"] = name
    if args.vae is not None:
        name = args.vae
        if os.path.exists(name):
            m["ss_vae_hash"] = fake_files.model_hash(name)
            m["ss_new_vae_hash"] = fake_files.sha256_file(name)
            name = os.path.basename(name)
        m["ss_vae_name"] = name
    return {k: str(v) for k, v in m.items()}


def _bucket_limits(d):
    return (d.min_bucket_reso, d.max_bucket_reso) if d.enable_bucket else (None, None)


def _dataset_config_keys(datasets):
    datasets_metadata, tag_frequency, dirs = [], {}, {}
    for d in datasets:
        low, high = _bucket_limits(d)
        entry = {
            "is_dreambooth": True, "batch_size_per_device": d.batch_size, "num_train_images": d.num_train_images,
            "num_reg_images": d.num_reg_images, "resolution": list(d.resolution), "enable_bucket": bool(d.enable_bucket),
            "min_bucket_reso": low, "max_bucket_reso": high, "tag_frequency": d.tag_frequency,
            "bucket_info": d.bucket_info, "resize_interpolation": d.resize_interpolation, "subsets": [],
        }
        for s in d.subsets:
            entry["subsets"].append({
                "img_count": s.img_count, "num_repeats": s.num_repeats, "color_aug": bool(s.color_aug),
                "flip_aug": bool(s.flip_aug), "random_crop": bool(s.random_crop), "shuffle_caption": bool(s.shuffle_caption),
                "keep_tokens": s.keep_tokens, "keep_tokens_separator": s.keep_tokens_separator,
                "secondary_separator": s.secondary_separator, "enable_wildcard": bool(s.enable_wildcard),
                "caption_prefix": s.caption_prefix, "caption_suffix": s.caption_suffix,
                "resize_interpolation": s.resize_interpolation, "image_dir": os.path.basename(s.image_dir),
                "class_tokens": s.class_tokens, "is_reg": s.is_reg,
            })
            if not s.is_reg:
                base = name = os.path.basename(s.image_dir)
                i = 2
                while name in dirs:
                    name = f"{base} ({i})"
                    i += 1
                dirs[name] = {"n_repeats": s.num_repeats, "img_count": s.img_count}
        datasets_metadata.append(entry)
        for dir_name, frequency in d.tag_frequency.items():
            tag_frequency.setdefault(dir_name, frequency)
    return {"ss_datasets": json.dumps(datasets_metadata), "ss_tag_frequency": json.dumps(tag_frequency), "ss_dataset_dirs": json.dumps(dirs)}


def _folder_keys(args, d):
    dirs, reg_dirs = {}, {}
    for s in d.subsets:
        (reg_dirs if s.is_reg else dirs)[os.path.basename(s.image_dir)] = {"n_repeats": s.num_repeats, "img_count": s.img_count}
    low, high = _bucket_limits(d)
    return {
        "ss_batch_size_per_device": args.train_batch_size,
        "ss_total_batch_size": args.train_batch_size * args.gradient_accumulation_steps,
        "ss_resolution": args.resolution,
        "ss_color_aug": bool(args.color_aug),
        "ss_flip_aug": bool(args.flip_aug),
        "ss_random_crop": bool(args.random_crop),
        "ss_shuffle_caption": bool(args.shuffle_caption),
        "ss_enable_bucket": bool(d.enable_bucket),
        "ss_bucket_no_upscale": bool(d.bucket_no_upscale and d.enable_bucket),
        "ss_min_bucket_reso": low,
        "ss_max_bucket_reso": high,
        "ss_keep_tokens": args.keep_tokens,
        "ss_dataset_dirs": json.dumps(dirs),
        "ss_reg_dataset_dirs": json.dumps(reg_dirs),
        "ss_tag_frequency": json.dumps(d.tag_frequency),
        "ss_bucket_info": json.dumps(d.bucket_info),
    }


def model_spec(args):
    """sai_model_spec.build_metadata for an SD 1.x/2.x LoRA; `date` is taken at each save."""
    timestamp = time.time()
    if args.v2:
        architecture = "stable-diffusion-v2-768-v/lora" if args.v_parameterization else "stable-diffusion-v2-512/lora"
    else:
        architecture = "stable-diffusion-v1/lora"
    title = args.metadata_title if args.metadata_title is not None else args.output_name
    if title is None:
        title = f"LoRA@{timestamp}"
    reso = args.resolution or ((768, 768) if args.v2 and args.v_parameterization else (512, 512))
    spec = {
        "modelspec.architecture": architecture,
        "modelspec.implementation": "diffusers",
        "modelspec.title": title,
        "modelspec.resolution": f"{reso[0]}x{reso[1]}",
        "modelspec.sai_model_spec": "1.0.1",
    }
    for key in ("description", "author"):
        if getattr(args, f"metadata_{key}") is not None:
            spec[f"modelspec.{key}"] = getattr(args, f"metadata_{key}")
    spec["modelspec.date"] = datetime.datetime.fromtimestamp(int(timestamp)).isoformat()
    for key in ("license", "usage_hint", "thumbnail", "tags", "merged_from", "trigger_phrase"):
        if getattr(args, f"metadata_{key}") is not None:
            spec[f"modelspec.{key}"] = getattr(args, f"metadata_{key}")
    spec["modelspec.prediction_type"] = "v" if args.v_parameterization else "epsilon"
    if args.min_timestep is not None or args.max_timestep is not None:
        spec["modelspec.timestep_range"] = f"{args.min_timestep or 0},{args.max_timestep if args.max_timestep is not None else 1000}"
    if args.clip_skip is not None:
        spec["modelspec.encoder_layer"] = f"{args.clip_skip}"
    spec["modelspec.implementation_version"] = f"sd-scripts/{COMMIT}"
    return spec


def minimum(metadata):
    return {k: metadata[k] for k in MINIMUM_KEYS if k in metadata}
