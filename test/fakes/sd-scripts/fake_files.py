"""Files the trainer writes and reads, in their real formats but tiny: safetensors LoRAs with
sd-scripts' metadata [ref §7], PNG sample images [ref §5.3], accelerate state folders [ref §5.2],
latent caches, and image sizes read from file headers (what the `imagesize` package does).
"""
import hashlib
import io
import json
import math
import os
import pickle
import struct
import time
import zipfile
import zlib

def _pack(values, dtype):
    if dtype == "F16":
        return b"".join(struct.pack("<e", v) for v in values)
    if dtype == "BF16":
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    return b"".join(struct.pack("<f", v) for v in values)


def lora_tensors(dim, alpha, dtype, seed):
    """Three tensors of one LoRA module, in the names and shapes networks.lora uses (scaled down):
    {name: (dtype, shape, bytes)}. The values drift with `seed` so every checkpoint differs."""
    base = "lora_unet_down_blocks_0_attentions_0_proj_in"
    down = [math.sin(seed * 0.37 + i) * 0.01 for i in range(dim * 4)]
    up = [math.cos(seed * 0.11 + i) * 0.001 for i in range(4 * dim)]
    return {
        f"{base}.alpha": (dtype, [], _pack([alpha], dtype)),
        f"{base}.lora_down.weight": (dtype, [dim, 4, 1, 1], _pack(down, dtype)),
        f"{base}.lora_up.weight": (dtype, [4, dim, 1, 1], _pack(up, dtype)),
    }


def safetensors_bytes(tensors, metadata=None):
    """The safetensors layout: u64 LE header length, a JSON header (`__metadata__` first, all
    strings; tensors with dtype, shape and data_offsets) padded with spaces to 8 bytes, the data."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    data, offset = b"", 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def read_safetensors_metadata(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length)).get("__metadata__", {})


def addnet_hashes(tensors, metadata):
    """sshs_model_hash / sshs_legacy_hash [train_util precalculate_safetensors_hashes]: sha256 of the
    tensor data of the file saved with the ss_* keys only, and the old 8-hex hash at 1 MiB."""
    blob = safetensors_bytes(tensors, {k: v for k, v in metadata.items() if k.startswith("ss_")})
    (length,) = struct.unpack("<Q", blob[:8])
    legacy = hashlib.sha256(blob[0x100000:0x110000]).hexdigest()[:8]
    return hashlib.sha256(blob[8 + length:]).hexdigest(), legacy


def write_slowly(path, blob, pause_s):
    """Writes in place, not atomically, pausing halfway as a large write would take time."""
    with open(path, "wb") as f:
        half = len(blob) // 2
        f.write(blob[:half])
        if pause_s > 0:
            f.flush()
            time.sleep(pause_s)
        f.write(blob[half:])


def torch_pickle_bytes(obj):
    """What torch.save writes: a zip archive holding data.pkl (here a plain pickle of lists)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps(obj))
        z.writestr("archive/version", "3\n")
    return buffer.getvalue()


def model_hash(path):
    """The old A1111 hash: sha256 of 64 KiB at offset 1 MiB, 8 hex digits."""
    with open(path, "rb") as f:
        f.seek(0x100000)
        return hashlib.sha256(f.read(0x10000)).hexdigest()[:8]


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# ------------------------------------------------------------------ PNG

def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png_bytes(width, height, rgb):
    """An 8-bit RGB PNG of one colour."""
    row = b"\x00" + bytes(rgb) * width
    return b"".join([
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),
        _chunk(b"IDAT", zlib.compress(row * height, 6)),
        _chunk(b"IEND", b""),
    ])


# ------------------------------------------------------------------ state folders, caches

def write_state_folder(folder, tensors, train_state, fp16):
    """accelerate's save_state as sd-scripts uses it: the LoRA only, optimizer, scheduler, samplers,
    RNG states, the fp16 grad scaler, plus train_state.json. Returns the files in write order."""
    os.makedirs(folder, exist_ok=True)
    files = {
        "model.safetensors": safetensors_bytes(tensors),
        "optimizer.bin": torch_pickle_bytes({"state": {}, "param_groups": []}),
        "scheduler.bin": torch_pickle_bytes({"last_epoch": train_state["current_step"]}),
        "sampler.bin": torch_pickle_bytes({"epoch": train_state["current_epoch"]}),
        "sampler_1.bin": torch_pickle_bytes({"epoch": train_state["current_epoch"]}),
    }
    if fp16:
        files["scaler.pt"] = torch_pickle_bytes({"scale": 65536.0})
    files["random_states_0.pkl"] = pickle.dumps({"step": train_state["current_step"]})
    for name, blob in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(blob)
    return list(files)


def write_latent_cache(path):
    """A `<stem>_<W>x<H>_sd.npz` next to the image, as --cache_latents_to_disk leaves it."""
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }"
    header += " " * (-(10 + len(header) + 1) % 64) + "\n"
    empty_array = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin-1")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("latents.npy", empty_array)


# ------------------------------------------------------------------ image sizes

def image_size(path):
    """(width, height) from the file header of a PNG, JPEG, WebP or BMP; None when unreadable."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if head[:8] == b"\x89PNG\r\n\x1a\n":
                return struct.unpack(">II", head[16:24])
            if head[:2] == b"BM":
                w, h = struct.unpack("<ii", head[18:26])
                return w, abs(h)
            if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
                return _webp_size(head)
            if head[:2] == b"\xff\xd8":
                f.seek(2)
                return _jpeg_size(f)
    except (OSError, struct.error):
        return None
    return None


def _webp_size(head):
    kind = head[12:16]
    if kind == b"VP8 ":
        w, h = struct.unpack("<HH", head[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if kind == b"VP8L":
        b = head[21:25]
        w = 1 + (((b[1] & 0x3F) << 8) | b[0])
        h = 1 + (((b[3] & 0xF) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
        return w, h
    if kind == b"VP8X":
        w = 1 + int.from_bytes(head[24:27], "little")
        h = 1 + int.from_bytes(head[27:30], "little")
        return w, h
    return None


def _jpeg_size(f):
    while True:
        marker = f.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        if marker[1] in (0xD8, 0x01) or 0xD0 <= marker[1] <= 0xD7:
            continue
        (length,) = struct.unpack(">H", f.read(2))
        if 0xC0 <= marker[1] <= 0xCF and marker[1] not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">xHH", f.read(5))
            return w, h
        f.seek(length - 2, 1)
