"""`NetworkTrainer.train()` of train_network.py for an SD 1.x LoRA, in the real order
[ref §4.3-§4.5, §5, §6]: the dataset, the startup (fake_setup.py), the banner, the loop with its
bar and loss recorder, saves (fake_checkpoints.py), samples, TensorBoard events and the end.
Nothing is learned: a step is a sleep and the loss a deterministic curve drawn from --seed.
"""
import math
import os
import random
import time

import fake_checkpoints
import fake_dataset
import fake_dataset_config
import fake_metadata
import fake_samples
import fake_setup
import fake_tensorboard
from fake_console import Bar, log
from fake_errors import Crash, out_of_memory, package, script

DTYPES = {"no": "torch.float32", "fp16": "torch.float16", "bf16": "torch.bfloat16"}


class LossRecorder:
    """train_util.LossRecorder: the running mean in the first epoch, then a window one epoch long."""

    def __init__(self):
        self.losses = []
        self.total = 0.0

    def add(self, epoch, step, loss):
        if epoch == 0:
            self.losses.append(loss)
        else:
            while len(self.losses) <= step:
                self.losses.append(0.0)
            self.total -= self.losses[step]
            self.losses[step] = loss
        self.total += loss

    @property
    def moving_average(self):
        return self.total / len(self.losses) if self.losses else 0


def lr_factor(name, step, warmup, total, cycles, power):
    """The LR multiplier of diffusers' schedules after `step` scheduler steps."""
    if name == "constant":
        return 1.0
    if step < warmup:
        return step / max(1, warmup)
    if name == "constant_with_warmup":
        return 1.0
    progress = (step - warmup) / max(1, total - warmup)
    if name == "linear":
        return max(0.0, (total - step) / max(1, total - warmup))
    if name == "cosine":
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))
    if name == "cosine_with_restarts":
        return 0.0 if progress >= 1.0 else max(0.0, 0.5 * (1.0 + math.cos(math.pi * ((cycles * progress) % 1.0))))
    if name == "polynomial":
        return max(0.0, 1.0 - progress) ** power
    return 1.0


class Trainer:
    def __init__(self, args, behaviour):
        self.args = args
        self.behaviour = behaviour
        self.missing = set(behaviour["missing_packages"])
        self.files = fake_checkpoints.Checkpoints(args, behaviour)
        self.tracker = None

    # ------------------------------------------------------------------ train()

    def train(self):
        args = self.args
        session_id = random.randint(0, 2**32)
        started_at = time.time()
        verify_training_args(args)
        prepare_dataset_args(args)
        log.setup(args)
        if args.seed is None:
            args.seed = random.randint(0, 2**32)
        self.rng = random.Random(args.seed)
        log.info(f"Using {'v2' if args.v2 else 'v1'} tokenizer", "strategy_sd.py:26")

        datasets = self.prepare_datasets()
        batches = sum(d.length for d in datasets)
        if batches == 0:
            log.error(
                "No data found. Please verify arguments (train_data_dir must be the parent of folders with images) / 画像がありません。"
                "引数指定を確認してください（train_data_dirには画像があるフォルダではなく、画像があるフォルダの親フォルダを指定する必要があります）",
                "train_network.py:576")
            return
        if args.cache_latents and any(s.color_aug or s.random_crop for d in datasets for s in d.subsets):
            raise Crash("AssertionError: when caching latents, either color_aug or random_crop cannot be used / latentをキャッシュするときはcolor_augとrandom_cropは使えません",
                        [(script("train_network.py"), 582, "train", "assert (")])

        log.info("preparing accelerator", "train_network.py:593")
        run_dir = fake_setup.prepare_accelerator(args, self.behaviour)
        fake_setup.load_model(args, self.missing)
        if args.cache_latents:
            fake_setup.cache_latents(args, datasets)
        te_lr, lr_groups, net_kwargs = fake_setup.create_network(args, self.missing)
        print("prepare optimizer, data loader etc.")
        optimizer = fake_setup.prepare_optimizer(args, self.missing)

        updates_per_epoch = math.ceil(batches / args.gradient_accumulation_steps)
        if args.max_train_epochs is not None:
            args.max_train_steps = args.max_train_epochs * updates_per_epoch
            print(f"override steps. steps for {args.max_train_epochs} epochs is / 指定エポックまでのステップ数: {args.max_train_steps}")
        warmup = fake_setup.check_scheduler(args)
        if args.full_fp16:
            print("enable full fp16 training.")
        elif args.full_bf16:
            print("enable full bf16 training.")
        if args.fp8_base or args.fp8_base_unet:
            print("enable fp8 training for U-Net.")
            if not args.fp8_base_unet:
                print("enable fp8 training for Text Encoder.")

        steps_from_state = fake_setup.resume(args)
        num_epochs = math.ceil(args.max_train_steps / updates_per_epoch)
        if args.save_n_epoch_ratio is not None and args.save_n_epoch_ratio > 0:
            args.save_every_n_epochs = math.floor(num_epochs / args.save_n_epoch_ratio) or 1

        print("running training / 学習開始")
        print(f"  num train images * repeats / 学習画像の数×繰り返し回数: {sum(d.num_train_images for d in datasets)}")
        print("  num validation images * repeats / 学習画像の数×繰り返し回数: 0")
        print(f"  num reg images / 正則化画像の数: {sum(d.num_reg_images for d in datasets)}")
        print(f"  num batches per epoch / 1epochのバッチ数: {batches}")
        print(f"  num epochs / epoch数: {num_epochs}")
        print(f"  batch size per device / バッチサイズ: {', '.join(str(d.batch_size) for d in datasets)}")
        print(f"  gradient accumulation steps / 勾配を合計するステップ数 = {args.gradient_accumulation_steps}")
        print(f"  total optimization steps / 学習ステップ数: {args.max_train_steps}")

        run = {"session_id": session_id, "started_at": started_at, "text_encoder_lr": te_lr, "num_batches": batches,
               "num_epochs": num_epochs, "optimizer": optimizer, "net_kwargs": net_kwargs}
        self.files.metadata = fake_metadata.training_metadata(args, run, datasets, args.dataset_config is not None)
        time.sleep(self.behaviour["hash_pause_ms"] / 1000)

        initial_step, epoch_to_start = self.initial_step(steps_from_state, batches)
        if run_dir is not None:
            self.tracker = fake_tensorboard.Writer(run_dir, args.log_tracker_name or "network_train")
        self.loop(batches, num_epochs, initial_step, epoch_to_start, lr_groups, warmup)

    def prepare_datasets(self):
        args = self.args
        if args.dataset_config is not None:
            log.info(f"Loading dataset config from {args.dataset_config}", "train_network.py:519")
            try:
                user_config = fake_dataset_config.load_user_config(args.dataset_config)
            except fake_dataset_config.ConfigUnreadable as e:
                if e.logged:
                    log.error(e.logged, "config_util.py:693")
                raise Crash(e.exception_line, [
                    (script("train_network.py"), 520, "train", "user_config = config_util.load_user_config(args.dataset_config)"),
                    *e.frames,
                ])
            if any(getattr(args, a) is not None for a in ("train_data_dir", "reg_data_dir", "in_json")):
                log.warning("ignoring the following options because config file is found: train_data_dir, reg_data_dir, in_json"
                            " / 設定ファイルが利用されるため以下のオプションは無視されます: train_data_dir, reg_data_dir, in_json", "train_network.py:523")
        elif args.in_json is None:
            log.info("Using DreamBooth method.", "train_network.py:530")
            user_config = {"datasets": [{"subsets": fake_dataset.subsets_from_folders(args.train_data_dir, args.reg_data_dir)}]}
        else:
            raise Crash("NotImplementedError: the sd-scripts double does not train fine-tuning datasets (--in_json)")
        try:
            fake_dataset_config.validate_user_config(user_config)
        except fake_dataset_config.ConfigInvalid as e:
            log.error("Invalid user config / ユーザ設定の形式が正しくないようです", "config_util.py:375")
            raise Crash(f"voluptuous.error.MultipleInvalid: {e}", [
                (script("train_network.py"), 555, "train", "blueprint = blueprint_generator.generate(user_config, args)"),
                (script("library/config_util.py"), 409, "generate", "sanitized_user_config = self.sanitizer.sanitize_user_config(user_config)"),
                (script("library/config_util.py"), 372, "sanitize_user_config", "return self.user_config_validator(user_config)"),
                (package("voluptuous/schema_builder.py"), 272, "__call__", "return self._compiled([], data)"),
                (package("voluptuous/schema_builder.py"), 595, "validate_dict", "return base_validate(path, iteritems(data), out)"),
                (package("voluptuous/schema_builder.py"), 433, "validate_mapping", "raise er.MultipleInvalid(errors)"),
            ])
        return fake_dataset.build_datasets(user_config, args)

    def initial_step(self, steps_from_state, batches):
        """Where the loop starts: without --skip_until_initial_step only the first epoch moves and
        global_step starts again at 0 [ref §5.2]."""
        args = self.args
        initial_step = 0
        updates_per_epoch = math.ceil(batches / args.gradient_accumulation_steps)
        if args.initial_epoch is not None or args.initial_step is not None:
            if steps_from_state is not None:
                log.warning("steps from the state is ignored because initial_step is specified / initial_stepが指定されているため、stateからのステップ数は無視されます", "train_network.py:1236")
            initial_step = args.initial_step if args.initial_step is not None else (args.initial_epoch - 1) * updates_per_epoch
        elif steps_from_state is not None:
            initial_step = steps_from_state
        if initial_step > 0 and args.max_train_steps <= initial_step:
            raise Crash(f"AssertionError: max_train_steps should be greater than initial step / max_train_stepsは初期ステップより大きい必要があります: {args.max_train_steps} vs {initial_step}",
                        [(script("train_network.py"), 1250, "train", "assert (")])
        epoch_to_start = 0
        if initial_step > 0:
            epoch_to_start = initial_step // updates_per_epoch
            if args.skip_until_initial_step:
                if not args.resume:
                    log.info("initial_step is specified but not resuming. lr scheduler will be started from the beginning"
                             " / initial_stepが指定されていますがresumeしていないため、lr schedulerは最初から始まります", "train_network.py:1262")
                log.info(f"skipping {initial_step} steps / {initial_step}ステップをスキップします", "train_network.py:1265")
                initial_step *= args.gradient_accumulation_steps
                epoch_to_start = initial_step // updates_per_epoch
            else:
                initial_step = 0
        return initial_step, epoch_to_start

    # ------------------------------------------------------------------ the loop

    def loop(self, batches, num_epochs, initial_step, epoch_to_start, lr_groups, warmup):
        args, behaviour, files = self.args, self.behaviour, self.files
        global_step = 0
        recorder = LossRecorder()
        fake_samples.sample_images(args, 0, 0, behaviour["sample_ms"])
        if initial_step > 0:
            for skip_epoch in range(epoch_to_start):
                log.info(f"skipping epoch {skip_epoch + 1} because initial_step (multiplied) is {initial_step}", "train_network.py:1342")
                initial_step -= batches
            global_step = initial_step
        dtype = DTYPES[args.mixed_precision]
        device = {"cuda": "cuda:0", "mps": "mps:0"}.get(behaviour["device"], behaviour["device"])
        log.info(f"unet dtype: {dtype}, device: {device}", "train_network.py:1347")
        log.info(f"text_encoder [0] dtype: {dtype}, device: {device}", "train_network.py:1353")

        bar = Bar(args.max_train_steps - initial_step, desc="steps", smoothing=0)
        micro_steps = 0
        workers = min(args.max_data_loader_n_workers, os.cpu_count() or 1)
        dataset_epoch = [0] * max(1, min(workers, batches))
        for epoch in range(epoch_to_start, num_epochs):
            print(f"\nepoch {epoch + 1}/{num_epochs}\n")
            files.current_epoch = epoch + 1
            files.metadata["ss_epoch"] = str(epoch + 1)
            # Each DataLoader worker (or the main process without workers) logs when it first sees
            # the new epoch; workers that are not persistent start again from epoch 0.
            for i in range(len(dataset_epoch)):
                previous = dataset_epoch[i] if args.persistent_data_loader_workers or workers == 0 else 0
                if epoch + 1 > previous:
                    log.info(f"epoch is incremented. current_epoch: {previous}, epoch: {epoch + 1}", "train_util.py:784")
                dataset_epoch[i] = epoch + 1
            count = batches
            if initial_step > 0:
                # accelerate's skip_first_batches(initial_step - 1), then one more batch skipped
                # below; enumerate() numbers the remaining batches from 0 again.
                count = batches - (initial_step - 1)
                initial_step = 1
            accumulated = 0
            for step in range(count):
                files.current_step = global_step
                if initial_step > 0:
                    initial_step -= 1
                    continue
                accumulated += 1
                sync = accumulated % args.gradient_accumulation_steps == 0 or step == count - 1
                if behaviour["oom_at_step"] is not None and global_step + 1 == behaviour["oom_at_step"]:
                    time.sleep(behaviour["step_ms"] / 2000)
                    raise out_of_memory()
                time.sleep(behaviour["step_ms"] / 1000)
                loss = self.loss(micro_steps, global_step + 1, args.max_train_steps)
                micro_steps += 1
                if sync:
                    bar.update(1)
                    global_step += 1
                    fake_samples.sample_images(args, None, global_step, behaviour["sample_ms"])
                    bar.unpause()
                    if args.save_every_n_steps is not None and global_step % args.save_every_n_steps == 0:
                        files.save_model(files.step_name(global_step), global_step, epoch)
                        if args.save_state:
                            files.save_state_stepwise(global_step)
                        remove = files.remove_step_no(global_step)
                        if remove is not None:
                            files.remove_model(files.step_name(remove))
                recorder.add(epoch, step, loss)
                average = recorder.moving_average
                bar.set_postfix(avr_loss=average)
                if self.tracker:
                    logs = {"loss/current": loss, "loss/average": average}
                    factor = lr_factor(args.lr_scheduler, global_step, warmup, args.max_train_steps, args.lr_scheduler_num_cycles, args.lr_scheduler_power)
                    for description, lr in lr_groups:
                        logs[f"lr/{description}"] = lr * factor
                    # generate_step_logs' for-else: lr/textencoder is the first group, then lr/group<i>.
                    lrs = [lr * factor for _, lr in lr_groups]
                    first = 0
                    if not args.network_train_unet_only:
                        logs["lr/textencoder"] = lrs[0]
                        first = 1
                    for i in range(first, len(lrs)):
                        logs[f"lr/group{i}"] = lrs[i]
                    self.tracker.log(logs, global_step)
                if global_step >= args.max_train_steps:
                    break
            if self.tracker:
                self.tracker.log({"loss/epoch_average": recorder.moving_average}, epoch + 1)
            if args.save_every_n_epochs is not None and (epoch + 1) % args.save_every_n_epochs == 0 and epoch + 1 < num_epochs:
                files.save_model(files.epoch_name(epoch + 1), global_step, epoch + 1)
                remove = files.remove_epoch_no(epoch + 1)
                if remove is not None:
                    files.remove_model(files.epoch_name(remove))
                if args.save_state:
                    files.save_state_on_epoch_end(epoch + 1)
            fake_samples.sample_images(args, epoch + 1, global_step, behaviour["sample_ms"])
            bar.unpause()

        files.metadata["ss_training_finished_at"] = str(time.time())
        if self.tracker:
            self.tracker.close()
        if not behaviour["exit_zero_without_saving"]:
            if args.save_state or args.save_state_on_train_end:
                files.save_state_on_train_end()
            files.save_model(files.last_name(), global_step, num_epochs)
            log.info("model saved.", "train_network.py:1729")
        # The bar is a local of train(): when train() returns, tqdm's __del__ closes it.
        bar.close()

    def loss(self, index, step, total):
        """A plausible LoRA loss: a slow decay under heavy per-step noise, NaN from nan_at_step on."""
        nan_at = self.behaviour["nan_at_step"]
        if nan_at is not None and step >= nan_at:
            return float("nan")
        base = 0.07 + 0.05 * math.exp(-index / max(1.0, total / 3))
        return max(0.004, base * math.exp(self.rng.gauss(0.0, 0.45)))

    # ------------------------------------------------------------------ files [ref §5]

def verify_training_args(args):
    if args.v2 and args.clip_skip is not None:
        log.warning("v2 with clip_skip will be unexpected / v2でclip_skipを使用することは想定されていません", "train_util.py:4422")
    if args.cache_latents_to_disk and not args.cache_latents:
        args.cache_latents = True
        log.warning("cache_latents_to_disk is enabled, so cache_latents is also enabled / cache_latents_to_diskが有効なため、cache_latentsを有効にします", "train_util.py:4426")
    if args.sample_every_n_epochs is not None and args.sample_every_n_epochs <= 0:
        log.warning("sample_every_n_epochs is less than or equal to 0, so it will be disabled / sample_every_n_epochsに0以下の値が指定されたため無効になります", "train_util.py:4463")
        args.sample_every_n_epochs = None
    if args.sample_every_n_steps is not None and args.sample_every_n_steps <= 0:
        log.warning("sample_every_n_steps is less than or equal to 0, so it will be disabled / sample_every_n_stepsに0以下の値が指定されたため無効になります", "train_util.py:4469")
        args.sample_every_n_steps = None


def prepare_dataset_args(args):
    if args.caption_extention is not None:
        args.caption_extension = args.caption_extention
        args.caption_extention = None
    if args.resolution is not None:
        frames = [(script("train_network.py"), 495, "train", "train_util.prepare_dataset_args(args, True)")]
        try:
            resolution = tuple(int(r) for r in args.resolution.split(","))
        except ValueError as e:
            raise Crash(f"ValueError: {e}", frames + [(script("library/train_util.py"), 5410, "prepare_dataset_args",
                                                       'args.resolution = tuple([int(r) for r in args.resolution.split(",")])')])
        except AttributeError:
            raise Crash(f"AttributeError: '{type(args.resolution).__name__}' object has no attribute 'split'", frames + [
                (script("library/train_util.py"), 5410, "prepare_dataset_args", 'args.resolution = tuple([int(r) for r in args.resolution.split(",")])')])
        if len(resolution) == 1:
            resolution = (resolution[0], resolution[0])
        if len(resolution) != 2:
            raise Crash(f"AssertionError: resolution must be 'size' or 'width,height' / resolution（解像度）は'サイズ'または'幅','高さ'で指定してください: {resolution}",
                        frames + [(script("library/train_util.py"), 5413, "prepare_dataset_args", "assert (")])
        args.resolution = resolution
    if args.face_crop_aug_range is not None:
        args.face_crop_aug_range = tuple(float(r) for r in args.face_crop_aug_range.split(","))
