"""--dataset_config [ref §2.2]: reading the TOML/JSON file and validating it as sd-scripts'
ConfigSanitizer does with voluptuous: the same schemas, the same messages, the same order (keys in
the file's order, nested errors before missing required keys), the first error reported.
"""
import json
import os

from fake_errors import package, script


class ConfigInvalid(Exception):
    """voluptuous.error.MultipleInvalid: its str() is the first error."""


class ConfigUnreadable(Exception):
    """The file is missing, of an unknown kind, or not valid TOML/JSON: the exception's last
    traceback line, the frames inside load_user_config, and the error logged before it."""

    def __init__(self, exception_line, frames, logged=None):
        super().__init__(exception_line)
        self.exception_line = exception_line
        self.frames = frames
        self.logged = logged


def load_user_config(path):
    def raised_at(line, source, *inner):
        return [(script("library/config_util.py"), line, "load_user_config", source), *inner]

    if not os.path.isfile(path):
        raise ConfigUnreadable(f"ValueError: file not found / ファイルが見つかりません: {path}",
                               raised_at(678, 'raise ValueError(f"file not found / ファイルが見つかりません: {file}")'))
    name = os.path.basename(path).lower()
    if name.endswith(".json"):
        try:
            with open(path, "r", encoding="utf-8") as f:
                return json.load(f)
        except json.JSONDecodeError as e:
            raise ConfigUnreadable(
                f"json.decoder.JSONDecodeError: {e}",
                raised_at(683, "config = json.load(f)"),
                f"Error on parsing JSON config file. Please check the format. / JSON 形式の設定ファイルの読み込みに失敗しました。文法が正しいか確認してください。: {path}",
            )
    if name.endswith(".toml"):
        import tomllib

        try:
            with open(path, "rb") as f:
                return tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise ConfigUnreadable(
                f"toml.decoder.TomlDecodeError: {e}",
                raised_at(691, "config = toml.load(file)", (package("toml/decoder.py"), 511, "loads", "raise TomlDecodeError(str(err), original, pos)")),
                f"Error on parsing TOML config file. Please check the format. / TOML 形式の設定ファイルの読み込みに失敗しました。文法が正しいか確認してください。: {path}",
            )
    raise ConfigUnreadable(f"ValueError: not supported config file format / 対応していない設定ファイルの形式です: {path}",
                           raised_at(698, 'raise ValueError(f"not supported config file format / 対応していない設定ファイルの形式です: {file}")'))


# ConfigSanitizer's schemas [config_util]: key -> expected kind.
SUBSET_ASCENDABLE = {
    "color_aug": "bool", "face_crop_aug_range": "float_pair", "flip_aug": "bool", "num_repeats": "int",
    "random_crop": "bool", "shuffle_caption": "bool", "keep_tokens": "int", "keep_tokens_separator": "str",
    "secondary_separator": "str", "caption_separator": "str", "enable_wildcard": "bool", "token_warmup_min": "int",
    "token_warmup_step": "float_or_int", "caption_prefix": "str", "caption_suffix": "str", "custom_attributes": "dict",
    "resize_interpolation": "str",
}
DROPOUT_ASCENDABLE = {"caption_dropout_every_n_epochs": "int", "caption_dropout_rate": "float_or_int", "caption_tag_dropout_rate": "float_or_int"}
DREAMBOOTH_ASCENDABLE = {"caption_extension": "str", "class_tokens": "str", "cache_info": "bool"}
DREAMBOOTH_DISTINCT = {"image_dir": "str", "is_reg": "bool", "alpha_mask": "bool"}
FINETUNING_DISTINCT = {"metadata_file": "str", "image_dir": "str", "alpha_mask": "bool"}
DATASET_ASCENDABLE = {
    "batch_size": "int", "bucket_no_upscale": "bool", "bucket_reso_steps": "int", "enable_bucket": "bool",
    "max_bucket_reso": "int", "min_bucket_reso": "int", "validation_seed": "int", "validation_split": "float",
    "resolution": "resolution", "network_multiplier": "float", "resize_interpolation": "str",
}
GENERAL = {**DATASET_ASCENDABLE, **SUBSET_ASCENDABLE, **DREAMBOOTH_ASCENDABLE, **DROPOUT_ASCENDABLE}
DREAMBOOTH_SUBSET = {**SUBSET_ASCENDABLE, **DREAMBOOTH_DISTINCT, **DREAMBOOTH_ASCENDABLE, **DROPOUT_ASCENDABLE}
FINETUNING_SUBSET = {**SUBSET_ASCENDABLE, **FINETUNING_DISTINCT, **DROPOUT_ASCENDABLE}
DREAMBOOTH_DATASET = {**DATASET_ASCENDABLE, **SUBSET_ASCENDABLE, **DREAMBOOTH_ASCENDABLE, **DROPOUT_ASCENDABLE}
FINETUNING_DATASET = {**DATASET_ASCENDABLE, **SUBSET_ASCENDABLE, **DROPOUT_ASCENDABLE}


def _path(path):
    return " @ data[" + "][".join(repr(p) for p in path) + "]" if path else ""


def _type_error(kind, value):
    """voluptuous' message for a value of the wrong type, or None when it fits. isinstance checks,
    so `true` passes for an int and `1` fails for a float, as in the real validator."""
    if kind == "bool":
        return None if isinstance(value, bool) else "expected bool"
    if kind == "int":
        return None if isinstance(value, int) else "expected int"
    if kind == "str":
        return None if isinstance(value, str) else "expected str"
    if kind == "float":
        return None if isinstance(value, float) else "expected float"
    if kind == "float_or_int":
        return None if isinstance(value, (float, int)) else "expected float"
    if kind == "dict":
        return None if isinstance(value, dict) else "expected dict"
    if kind == "float_pair":
        ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, float) for v in value)
        return None if ok else "expected float"
    if kind == "resolution":
        pair = isinstance(value, (list, tuple)) and len(value) == 2 and all(isinstance(v, int) for v in value)
        return None if isinstance(value, int) or pair else "expected int"
    raise AssertionError(kind)


def _check_mapping(data, schema, path, errors, required=(), nested=None):
    """voluptuous' mapping validation: keys in the data's order (extra keys, wrong types with
    'for dictionary value'), nested lists through `nested`, then missing required keys."""
    if not isinstance(data, dict):
        errors.append("expected a dictionary" + _path(path))
        return
    for key, value in data.items():
        if nested and key in nested:
            nested[key](value, path + [key], errors)
        elif key in schema:
            problem = _type_error(schema[key], value)
            if problem:
                errors.append(problem + " for dictionary value" + _path(path + [key]))
        else:
            errors.append("extra keys not allowed" + _path(path + [key]))
    for key in required:
        if key not in data:
            errors.append("required key not provided" + _path(path + [key]))


def _check_list(value, path, errors, check_item):
    if not isinstance(value, list):
        errors.append("expected a list for dictionary value" + _path(path))
        return
    for i, item in enumerate(value):
        before = len(errors)
        check_item(item, path + [i], errors)
        if len(errors) > before:
            return  # a nested error stops the list there, as voluptuous re-raises it


def _check_dataset(dataset, path, errors):
    subsets = dataset.get("subsets", []) if isinstance(dataset, dict) else []
    finetuning = [isinstance(s, dict) and "metadata_file" in s for s in subsets]
    if subsets and all(finetuning):
        subset_schema, required, dataset_schema = FINETUNING_SUBSET, ("metadata_file",), FINETUNING_DATASET
    elif not any(finetuning):
        subset_schema, required, dataset_schema = DREAMBOOTH_SUBSET, ("image_dir",), DREAMBOOTH_DATASET
    else:
        errors.append(
            "DreamBooth subset and fine tuning subset cannot be mixed in the same dataset. Please split them into separate datasets."
            " / DreamBoothのサブセットとfine tuninのサブセットを同一のデータセットに混在させることはできません。別々のデータセットに分割してください。"
            + _path(path)
        )
        return

    def check_subset(subset, subset_path, errs):
        _check_mapping(subset, subset_schema, subset_path, errs, required)

    _check_mapping(dataset, dataset_schema, path, errors,
                   nested={"subsets": lambda v, p, e: _check_list(v, p, e, check_subset)})


def validate_user_config(config):
    """Raises ConfigInvalid with voluptuous' first message, e.g.
    "extra keys not allowed @ data['datasets'][0]['subsets'][0]['foo']"."""
    errors = []
    _check_mapping(config, {}, [], errors, nested={
        "general": lambda v, p, e: _check_mapping(v, GENERAL, p, e),
        "datasets": lambda v, p, e: _check_list(v, p, e, _check_dataset),
    })
    if errors:
        raise ConfigInvalid(errors[0])
    for dataset in config.get("datasets", []):
        if any("metadata_file" in s for s in dataset.get("subsets", [])):
            raise ConfigInvalid("the sd-scripts double trains DreamBooth-style subsets only (image_dir, no metadata_file)")
