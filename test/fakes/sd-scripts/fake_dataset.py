"""The dataset side of train_network.py [ref §2, §3]: the folder convention of --train_data_dir,
the parameters of each dataset and subset (subset, dataset, general, command line, default),
image and caption discovery, regularization balancing, buckets, the `[Dataset 0]` block, and the
numbers the banner and the metadata report. DreamBooth-style datasets only. The config file
itself is read and validated in fake_dataset_config.py.
"""
import json
import math
import os
from dataclasses import dataclass, field, fields

import fake_files
from fake_console import log, quick_bar
from fake_dataset_config import DATASET_ASCENDABLE
from fake_errors import Crash, dataset_frames

IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".webp", ".bmp", ".PNG", ".JPG", ".JPEG", ".WEBP", ".BMP"]


# ------------------------------------------------------------------ --train_data_dir [ref §2.1]

def subsets_from_folders(train_data_dir, reg_data_dir):
    def generate(base_dir, is_reg):
        if base_dir is None or not os.path.isdir(base_dir):
            return []
        subsets = []
        for name in sorted(os.listdir(base_dir)):
            if not os.path.isdir(os.path.join(base_dir, name)):
                continue
            tokens = name.split("_")
            try:
                repeats = int(tokens[0])
            except ValueError:
                log.warning(f"ignore directory without repeats / 繰り返し回数のないディレクトリを無視します: {name}", "config_util.py:613")
                continue
            if repeats < 1:
                continue
            subsets.append({"image_dir": os.path.join(base_dir, name), "num_repeats": repeats, "is_reg": is_reg, "class_tokens": "_".join(tokens[1:])})
        return subsets

    return generate(train_data_dir, False) + generate(reg_data_dir, True)


# ------------------------------------------------------------------ blueprint [config_util]

@dataclass
class Subset:
    image_dir: str = None
    num_repeats: int = 1
    shuffle_caption: bool = False
    caption_separator: str = ","
    keep_tokens: int = 0
    keep_tokens_separator: str = None
    secondary_separator: str = None
    enable_wildcard: bool = False
    color_aug: bool = False
    flip_aug: bool = False
    face_crop_aug_range: tuple = None
    random_crop: bool = False
    caption_prefix: str = None
    caption_suffix: str = None
    caption_dropout_rate: float = 0.0
    caption_dropout_every_n_epochs: int = 0
    caption_tag_dropout_rate: float = 0.0
    token_warmup_min: int = 1
    token_warmup_step: float = 0
    custom_attributes: dict = None
    resize_interpolation: str = None
    is_reg: bool = False
    class_tokens: str = None
    caption_extension: str = ".caption"
    cache_info: bool = False
    alpha_mask: bool = False
    img_count: int = 0


@dataclass
class Dataset:
    resolution: tuple = None
    network_multiplier: float = 1.0
    resize_interpolation: str = None
    batch_size: int = 1
    enable_bucket: bool = False
    min_bucket_reso: int = 256
    max_bucket_reso: int = 1024
    bucket_reso_steps: int = 64
    bucket_no_upscale: bool = False
    prior_loss_weight: float = 1.0
    subsets: list = field(default_factory=list)
    images: list = field(default_factory=list)  # [path, repeats, is_reg, size, bucket]
    num_train_images: int = 0
    num_reg_images: int = 0
    tag_frequency: dict = field(default_factory=dict)
    bucket_info: dict = None
    length: int = 0


def _fallback(name, sources, default):
    """BlueprintGenerator.search_value: the first source whose value is not None."""
    for source in sources:
        value = source.get(name)
        if value is not None:
            return value
    return default


def _as_resolution(value):
    return (value, value) if isinstance(value, int) else tuple(value) if value is not None else None


def build_datasets(user_config, args):
    """generate_dataset_group_by_blueprint: every dataset loads its images, then the info block is
    logged, then each dataset makes its buckets. Returns the datasets."""
    argparse_config = dict(vars(args))
    argparse_config["batch_size"] = args.train_batch_size
    argparse_config["num_repeats"] = args.dataset_repeats
    general = dict(user_config.get("general", {}))
    general["resolution"] = _as_resolution(general.get("resolution"))
    datasets = []
    for dataset_config in user_config.get("datasets", []):
        dataset_config = dict(dataset_config)
        dataset_config["resolution"] = _as_resolution(dataset_config.get("resolution"))
        dataset = Dataset(**{
            f.name: _fallback(f.name, [dataset_config, general, argparse_config], f.default)
            for f in fields(Dataset) if f.name in DATASET_ASCENDABLE or f.name == "prior_loss_weight"
        })
        subsets = [
            Subset(**{f.name: _fallback(f.name, [sub, dataset_config, general, argparse_config], f.default)
                      for f in fields(Subset) if f.name != "img_count"})
            for sub in dataset_config.get("subsets", [])
        ]
        check_resolution(dataset)
        load_dataset(dataset, subsets)
        datasets.append(dataset)
    log.info(info_block(datasets), "config_util.py:580")
    for i, dataset in enumerate(datasets):
        log.info(f"[Prepare dataset {i}]", "config_util.py:592")
        make_buckets(dataset)
    return datasets


# ------------------------------------------------------------------ images and captions [ref §3]

def glob_images(directory):
    found = set()
    for name in os.listdir(directory):
        if not name.startswith(".") and any(name.endswith(ext) for ext in IMAGE_EXTENSIONS):
            found.add(os.path.join(directory, name))
    return sorted(found)


def read_caption(image_path, extension):
    base = os.path.splitext(image_path)[0]
    tokens = base.split("_")
    face_crop_base = "_".join(tokens[:-4]) if len(tokens) >= 5 else base
    for candidate in (base + extension, face_crop_base + extension):
        if os.path.isfile(candidate):
            with open(candidate, "rb") as f:
                raw = f.read()
            caption_frames = [("library/train_util.py", 2130, "__init__", "img_paths, captions, sizes = load_dreambooth_dir(subset)"),
                              ("library/train_util.py", 2069, "load_dreambooth_dir", "cap_for_img = read_caption(img_path, subset.caption_extension, subset.enable_wildcard)")]
            try:
                lines = raw.decode("utf-8").splitlines(keepends=True)
            except UnicodeDecodeError as e:
                log.error(f"illegal char in file (not UTF-8) / ファイルにUTF-8以外の文字があります: {candidate}", "train_util.py:1962")
                raise Crash(f"UnicodeDecodeError: {e}", dataset_frames(*caption_frames, ("library/train_util.py", 1963, "read_caption", "raise e")))
            if not lines:
                raise Crash(f"AssertionError: caption file is empty / キャプションファイルが空です: {candidate}",
                            dataset_frames(*caption_frames, ("library/train_util.py", 1964, "read_caption",
                                                             'assert len(lines) > 0, f"caption file is empty / キャプションファイルが空です: {cap_path}"')))
            return lines[0].strip()
    return None


def check_resolution(dataset):
    """DreamBoothDataset.__init__'s checks of resolution and bucket sizes."""
    where = ("library/train_util.py", 1921, "__init__", 'assert resolution is not None, f"resolution is required / resolution（解像度）指定は必須です"')
    if dataset.resolution is None:
        raise Crash("AssertionError: resolution is required / resolution（解像度）指定は必須です", dataset_frames(where))
    if not dataset.enable_bucket:
        return
    steps = dataset.bucket_reso_steps
    if dataset.min_bucket_reso % steps:
        adjusted = dataset.min_bucket_reso - dataset.min_bucket_reso % steps
        log.warning("min_bucket_reso is adjusted to be multiple of bucket_reso_steps"
                    f" / min_bucket_resoがbucket_reso_stepsの倍数になるように調整されました: {dataset.min_bucket_reso} -> {adjusted}", "train_util.py:753")
        dataset.min_bucket_reso = adjusted
    if dataset.max_bucket_reso % steps:
        adjusted = dataset.max_bucket_reso + steps - dataset.max_bucket_reso % steps
        log.warning("max_bucket_reso is adjusted to be multiple of bucket_reso_steps"
                    f" / max_bucket_resoがbucket_reso_stepsの倍数になるように調整されました: {dataset.max_bucket_reso} -> {adjusted}", "train_util.py:760")
        dataset.max_bucket_reso = adjusted
    bucket_frames = [("library/train_util.py", 1931, "__init__", "min_bucket_reso, max_bucket_reso = self.adjust_min_max_bucket_reso_by_steps(")]
    if min(dataset.resolution) < dataset.min_bucket_reso:
        raise Crash("AssertionError: min_bucket_reso must be equal or less than resolution / min_bucket_resoは最小解像度より大きくできません。解像度を大きくするかmin_bucket_resoを小さくしてください",
                    dataset_frames(*bucket_frames, ("library/train_util.py", 766, "adjust_min_max_bucket_reso_by_steps", "assert (")))
    if max(dataset.resolution) > dataset.max_bucket_reso:
        raise Crash("AssertionError: max_bucket_reso must be equal or greater than resolution / max_bucket_resoは最大解像度より小さくできません。解像度を小さくするかmin_bucket_resoを大きくしてください",
                    dataset_frames(*bucket_frames, ("library/train_util.py", 769, "adjust_min_max_bucket_reso_by_steps", "assert (")))


def load_dataset(dataset, subsets):
    """DreamBoothDataset.__init__: images per subset, captions, tag frequency, reg balancing."""
    log.info("prepare images.", "train_util.py:2112")
    reg_images = []
    for subset in subsets:
        if subset.num_repeats < 1:
            log.warning(
                f"ignore subset with image_dir='{subset.image_dir}': num_repeats is less than 1 / num_repeatsが1を下回っているためサブセットを無視します: {subset.num_repeats}",
                "train_util.py:2118")
            continue
        if any(s.image_dir == subset.image_dir for s in dataset.subsets):
            log.warning(
                f"ignore duplicated subset with image_dir='{subset.image_dir}': use the first one / 既にサブセットが登録されているため、重複した後発のサブセットを無視します",
                "train_util.py:2125")
            continue
        paths, captions = load_directory(dataset, subset)
        if not paths:
            log.warning(f"ignore subset with image_dir='{subset.image_dir}': no images found / 画像が見つからないためサブセットを無視します", "train_util.py:2133")
            continue
        count = subset.num_repeats * len(paths)
        if subset.is_reg:
            dataset.num_reg_images += count
        else:
            dataset.num_train_images += count
        for path in paths:
            image = [path, subset.num_repeats, subset.is_reg, None, None]
            (reg_images if subset.is_reg else dataset.images).append(image)
        subset.img_count = len(paths)
        dataset.subsets.append(subset)

    log.info(f"{dataset.num_train_images} train images with repeats.", "train_util.py:2158")
    log.info(f"{dataset.num_reg_images} reg images with repeats.", "train_util.py:2162")
    if dataset.num_train_images < dataset.num_reg_images:
        log.warning("some of reg images are not used / 正則化画像の数が多いので、一部使用されない正則化画像があります", "train_util.py:2164")
    if dataset.num_reg_images == 0:
        log.warning("no regularization images / 正則化画像が見つかりませんでした", "train_util.py:2167")
    else:
        # Reg images are registered round-robin, gaining repeats until they match the training images.
        n, first_loop = 0, True
        while n < dataset.num_train_images:
            for image in reg_images:
                if first_loop:
                    dataset.images.append(image)
                    n += image[1]
                else:
                    image[1] += 1
                    n += 1
                if n >= dataset.num_train_images:
                    break
            first_loop = False


def load_directory(dataset, subset):
    if not os.path.isdir(subset.image_dir):
        log.warning(f"not directory: {subset.image_dir}", "train_util.py:1974")
        return [], []
    paths = glob_images(subset.image_dir)
    log.info("get image size from name of cache files", "train_util.py:2005")
    cached = 0
    for _ in quick_bar(paths):
        pass
    for path in paths:
        if _cached_latent_size(path) is not None:
            cached += 1
    log.info(f"set image size from cache files: {cached}/{len(paths)}", "train_util.py:2035")
    log.info(f"found directory {subset.image_dir} contains {len(paths)} image files", "train_util.py:2059")
    captions, missing = [], []
    for path in quick_bar(paths, desc="read caption"):
        caption = read_caption(path, subset.caption_extension)
        if caption is None and subset.class_tokens is None:
            log.warning(
                f"neither caption file nor class tokens are found. use empty caption for {path} / キャプションファイルもclass tokenも見つかりませんでした。空のキャプションを使用します: {path}",
                "train_util.py:2072")
            captions.append("")
            missing.append(path)
        elif caption is None:
            captions.append(subset.class_tokens)
            missing.append(path)
        else:
            captions.append(caption)
    frequency = dataset.tag_frequency.setdefault(os.path.basename(subset.image_dir), {})
    for caption in captions:
        for tag in caption.split(","):
            tag = tag.strip().lower()
            if tag:
                frequency[tag] = frequency.get(tag, 0) + 1
    if missing:
        count = len(missing)
        log.warning(
            f"No caption file found for {count} images. Training will continue without captions for these images. If class token exists, it will be used."
            f" / {count}枚の画像にキャプションファイルが見つかりませんでした。これらの画像についてはキャプションなしで学習を続行します。class tokenが存在する場合はそれを使います。",
            "train_util.py:2091")
        for i, path in enumerate(missing):
            if i >= 5:
                log.warning(path + f"... and {count - 5} more", "train_util.py:2098")
                break
            log.warning(path, "train_util.py:2100")
    if subset.cache_info:
        info_file = os.path.join(subset.image_dir, "metadata_cache.json")
        log.info(f"cache image info for / 画像情報をキャッシュします : {info_file}", "train_util.py:2104")
        sizes = [fake_files.image_size(p) or dataset.resolution for p in quick_bar(paths, desc="get image size")]
        with open(info_file, "w", encoding="utf-8") as f:
            json.dump({p: {"caption": c, "resolution": list(s)} for p, c, s in zip(paths, captions, sizes)}, f, ensure_ascii=False, indent=2)
        log.info(f"cache image info done for / 画像情報を出力しました : {info_file}", "train_util.py:2111")
    return paths, captions


def latent_cache_path(image_path, size):
    return f"{os.path.splitext(image_path)[0]}_{size[0]:04d}x{size[1]:04d}_sd.npz"


def _cached_latent_size(image_path):
    stem = os.path.basename(os.path.splitext(image_path)[0]) + "_"
    folder = os.path.dirname(image_path)
    for name in os.listdir(folder):
        if name.startswith(stem) and name.endswith("_sd.npz"):
            w, _, h = name[len(stem):-len("_sd.npz")].partition("x")
            if w.isdigit() and h.isdigit():
                return int(w), int(h)
    return None


# ------------------------------------------------------------------ the info block and buckets

def info_block(datasets):
    info = ""
    for i, d in enumerate(datasets):
        info += (f"[Dataset {i}]\n  batch_size: {d.batch_size}\n  resolution: {d.resolution}\n"
                 f"  resize_interpolation: {d.resize_interpolation}\n  enable_bucket: {d.enable_bucket}\n")
        if d.enable_bucket:
            info += (f"  min_bucket_reso: {d.min_bucket_reso}\n  max_bucket_reso: {d.max_bucket_reso}\n"
                     f"  bucket_reso_steps: {d.bucket_reso_steps}\n  bucket_no_upscale: {d.bucket_no_upscale}\n\n")
        else:
            info += "\n"
        for j, s in enumerate(d.subsets):
            rows = [
                f"[Subset {j} of Dataset {i}]", f'  image_dir: "{s.image_dir}"', f"  image_count: {s.img_count}",
                f"  num_repeats: {s.num_repeats}", f"  shuffle_caption: {s.shuffle_caption}", f"  keep_tokens: {s.keep_tokens}",
                f"  caption_dropout_rate: {s.caption_dropout_rate}", f"  caption_dropout_every_n_epochs: {s.caption_dropout_every_n_epochs}",
                f"  caption_tag_dropout_rate: {s.caption_tag_dropout_rate}", f"  caption_prefix: {s.caption_prefix}",
                f"  caption_suffix: {s.caption_suffix}", f"  color_aug: {s.color_aug}", f"  flip_aug: {s.flip_aug}",
                f"  face_crop_aug_range: {s.face_crop_aug_range}", f"  random_crop: {s.random_crop}",
                # The real block has these two trailing commas.
                f"  token_warmup_min: {s.token_warmup_min},", f"  token_warmup_step: {s.token_warmup_step},",
                f"  alpha_mask: {s.alpha_mask}", f"  resize_interpolation: {s.resize_interpolation}",
                f"  custom_attributes: {s.custom_attributes}",
                f"  is_reg: {s.is_reg}", f"  class_tokens: {s.class_tokens}", f"  caption_extension: {s.caption_extension}",
            ]
            info += "".join(f"  {row}\n" for row in rows) + "\n"
    return info


def _bucket_resolutions(max_reso, min_size, max_size, divisible):
    max_area = max_reso[0] * max_reso[1]
    resos = {(int(math.sqrt(max_area) // divisible) * divisible,) * 2}
    width = min_size
    while width <= max_size:
        height = min(max_size, int((max_area // width) // divisible) * divisible)
        if height >= min_size:
            resos.add((width, height))
            resos.add((height, width))
        width += divisible
    return sorted(resos)


def _select_bucket(dataset, predefined, size):
    width, height = size
    aspect = width / height
    if dataset.enable_bucket and dataset.bucket_no_upscale:
        max_area = dataset.resolution[0] * dataset.resolution[1]
        steps = dataset.bucket_reso_steps
        if width * height > max_area:
            rw = math.sqrt(max_area * aspect)
            rh = max_area / rw
            round_steps = lambda x: int(x + 0.5) - int(x + 0.5) % steps  # noqa: E731
            bw = round_steps(rw)
            bh_w = round_steps(bw / aspect)
            bh = round_steps(rh)
            bw_h = round_steps(bh * aspect)
            if abs(bw / bh_w - aspect) < abs(bw_h / bh - aspect):
                resized = (bw, int(bw / aspect + 0.5))
            else:
                resized = (int(bh * aspect + 0.5), bh)
        else:
            resized = (width, height)
        reso = (resized[0] - resized[0] % steps, resized[1] - resized[1] % steps)
    else:
        reso = size if size in predefined else min(predefined, key=lambda r: abs(r[0] / r[1] - aspect))
    return reso, (reso[0] / reso[1]) - aspect


def make_buckets(dataset):
    """BaseDataset.make_buckets: image sizes, buckets (or the one fixed-size bucket), batches."""
    log.info("loading image sizes.", "train_util.py:992")
    for image in quick_bar(dataset.images):
        if image[3] is None:
            image[3] = _cached_latent_size(image[0]) or fake_files.image_size(image[0]) or dataset.resolution
    log.info("make buckets" if dataset.enable_bucket else "prepare dataset", "train_util.py:1015" if dataset.enable_bucket else "train_util.py:1017")
    if not dataset.enable_bucket:
        predefined = [dataset.resolution]
    elif dataset.bucket_no_upscale:
        predefined = []
        log.warning(
            "min_bucket_reso and max_bucket_reso are ignored if bucket_no_upscale is set, because bucket reso is defined by image size automatically"
            " / bucket_no_upscaleが指定された場合は、bucketの解像度は画像サイズから自動計算されるため、min_bucket_resoとmax_bucket_resoは無視されます",
            "train_util.py:1032")
    else:
        predefined = _bucket_resolutions(dataset.resolution, dataset.min_bucket_reso, dataset.max_bucket_reso, dataset.bucket_reso_steps)
    counts, errors = {}, []
    for image in dataset.images:
        reso, error = _select_bucket(dataset, predefined, tuple(image[3]))
        image[4] = reso
        errors.append(abs(error))
        counts[reso] = counts.get(reso, 0) + image[1]
    if dataset.enable_bucket:
        dataset.bucket_info = {"buckets": {}}
        log.info("number of images (including repeats) / 各bucketの画像枚数（繰り返し回数を含む）", "train_util.py:1061")
        for i, reso in enumerate(sorted(counts)):
            dataset.bucket_info["buckets"][i] = {"resolution": reso, "count": counts[reso]}
            log.info(f"bucket {i}: resolution {reso}, count: {counts[reso]}", "train_util.py:1066")
        mean_error = sum(errors) / len(errors) if errors else 0
        dataset.bucket_info["mean_img_ar_error"] = mean_error
        log.info(f"mean ar error (without repeats): {mean_error}", "train_util.py:1074")
    dataset.length = sum(math.ceil(count / dataset.batch_size) for count in counts.values())
