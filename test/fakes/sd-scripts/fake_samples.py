"""Sample images during training [ref §5.3, §4.4; train_util sample_images_common]: when to sample,
the prompt file (.txt lines with `--n/--w/--h/--d/--l/--s/--ss`, .toml, .json), the log lines, the
sampler's bar, and flat-colour PNGs named like the real ones in `<output_dir>/sample/`.
"""
import json
import os
import re
import time

import fake_files
from fake_console import Bar, log
from fake_errors import Crash, script

OPTIONS = [
    (r"w (\d+)", "width", int), (r"h (\d+)", "height", int), (r"d (\d+)", "seed", int),
    (r"s (\d+)", "sample_steps", lambda v: max(1, min(1000, int(v)))), (r"l ([\d\.]+)", "scale", float),
    (r"g ([\d\.]+)", "guidance_scale", float), (r"n (.+)", "negative_prompt", str), (r"ss (.+)", "sample_sampler", str),
]


def line_to_prompt(line):
    parts = line.split(" --")
    prompt = {"prompt": parts[0]}
    for part in parts:
        for pattern, key, convert in OPTIONS:
            m = re.match(pattern, part, re.IGNORECASE)
            if m:
                prompt[key] = convert(m.group(1))
                break
    return prompt


def due(args, epoch, steps):
    """Whether sample_images() generates at this call: epoch=None after a step, the 1-based
    epoch at an epoch end, steps=0 before training (--sample_at_first)."""
    if steps == 0:
        return bool(args.sample_at_first)
    if args.sample_every_n_steps is None and args.sample_every_n_epochs is None:
        return False
    if args.sample_every_n_epochs is not None:
        return epoch is not None and epoch % args.sample_every_n_epochs == 0
    return steps % args.sample_every_n_steps == 0 and epoch is None


def read_prompts(path):
    if path.endswith(".txt"):
        with open(path, "r", encoding="utf-8") as f:
            return [line.strip() for line in f if line.strip() and line[0] != "#"]
    if path.endswith(".toml"):
        import tomllib

        with open(path, "rb") as f:
            data = tomllib.load(f)
        return [dict(**{k: v for k, v in data["prompt"].items() if k != "subset"}, **subset) for subset in data["prompt"]["subset"]]
    if path.endswith(".json"):
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    # The real code never assigns the prompt list for other endings.
    raise Crash("UnboundLocalError: local variable 'prompts' referenced before assignment", [
        (script("library/train_util.py"), 6442, "sample_images_common", "for i in range(len(prompts)):"),
    ])


def sample_images(args, epoch, steps, sample_ms):
    if not due(args, epoch, steps):
        return
    log.info("", "train_util.py:6393")
    log.info(f"generating sample images at step / サンプル画像生成 ステップ: {steps}", "train_util.py:6394")
    if not os.path.isfile(args.sample_prompts):
        log.error(f"No prompt file / プロンプトファイルがありません: {args.sample_prompts}", "train_util.py:6396")
        return
    prompts = read_prompts(args.sample_prompts)
    save_dir = args.output_dir + "/sample"
    os.makedirs(save_dir, exist_ok=True)
    for i, prompt in enumerate(prompts):
        prompt = line_to_prompt(prompt) if isinstance(prompt, str) else dict(prompt)
        sample_steps = prompt.get("sample_steps", 30)
        width = prompt.get("width", 512)
        height = prompt.get("height", 512)
        seed = prompt.get("seed")
        height = max(64, height - height % 8)
        width = max(64, width - width % 8)
        for line in (f"prompt: {prompt.get('prompt', '')}", f"negative_prompt: {prompt.get('negative_prompt')}", f"height: {height}",
                     f"width: {width}", f"sample_steps: {sample_steps}", f"scale: {prompt.get('scale', 7.5)}",
                     f"sample_sampler: {prompt.get('sample_sampler', args.sample_sampler)}"):
            log.info(line, "train_util.py:6542")
        if seed is not None:
            log.info(f"seed: {seed}", "train_util.py:6550")
        bar = Bar(sample_steps)
        time.sleep(sample_ms / 1000)
        bar.n = sample_steps
        bar.close()
        ts = time.strftime("%Y%m%d%H%M%S", time.localtime())
        number = f"e{epoch:06d}" if epoch is not None else f"{steps:06d}"
        name = f"{'' if args.output_name is None else args.output_name + '_'}{number}_{i:02d}_{ts}{'' if seed is None else f'_{seed}'}.png"
        colour = ((steps * 37 + i * 91) % 256, (steps * 13 + i * 57 + 64) % 256, (i * 101 + 128) % 256)
        with open(os.path.join(save_dir, name), "wb") as f:
            f.write(fake_files.png_bytes(width, height, colour))
