"""Pixels without numpy or Pillow: the PNGs SaveImage writes and the JPEG previews.

An "image" travelling through the fake graph is a small dict instead of a tensor:
    {"width": W, "height": H, "batch": B, "seed": S}      gradient, one per batch item
    {"width": W, "height": H, "batch": B, "color": 0xRRGGBB}   solid (EmptyImage)
The pixels are only made when a PNG is written, so big sizes cost nothing until then.
"""
import json
import struct
import zlib

# An 8x8 baseline JPEG (solid grey-blue). Previews are only looked at as "a JPEG", and the
# real ones vary with the model, so one fixed valid image is enough [ref §2 Binary frames].
PREVIEW_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb0043000201010101010201010102020202020403020202"
    "020504040304060506060605060606070908060709070606080b08090a0a0a0a0a06080b0c0b0a0c090a0a0aff"
    "db004301020202020202050303050a0706070a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a"
    "0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0affc00011080008000803012200021101031101ff"
    "c4001500010100000000000000000000000000000005ffc40014100100000000000000000000000000000000ff"
    "c40014010100000000000000000000000000000007ffc40014110100000000000000000000000000000000ffda"
    "000c03010002110311003f008e015066ffd9"
)


def _chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def _rows(image, index):
    """Raw scanlines (filter byte 0 + RGB) for batch item `index`."""
    w, h = image["width"], image["height"]
    if "color" in image:
        c = image["color"]
        row = b"\x00" + bytes(((c >> 16) & 0xFF, (c >> 8) & 0xFF, c & 0xFF)) * w
        return row * h
    # A gradient whose colours depend on the seed: red runs left to right, green top to
    # bottom, blue is constant; seed + index shifts all three, so each image differs.
    seed = (image.get("seed", 0) + index) % 0x1000000
    red = bytes(((x * 256 // w) + seed * 53) % 256 for x in range(w))
    blue = (seed * 151 + 64) % 256
    out = bytearray()
    line = bytearray(3 * w)
    line[0::3] = red
    line[2::3] = bytes([blue]) * w
    for y in range(h):
        line[1::3] = bytes([((y * 256 // h) + seed * 97) % 256]) * w
        out += b"\x00"
        out += line
    return bytes(out)


def png_bytes(image, index, text_chunks):
    """An 8-bit RGB PNG; text chunks go before IDAT, where Pillow puts them [image-metadata §2]."""
    header = struct.pack(">IIBBBBB", image["width"], image["height"], 8, 2, 0, 0, 0)
    parts = [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header)]
    for keyword, text in text_chunks:
        # json.dumps escapes non-ASCII, so the text always fits tEXt (Latin-1).
        parts.append(_chunk(b"tEXt", keyword.encode("latin-1") + b"\x00" + text.encode("latin-1")))
    parts.append(_chunk(b"IDAT", zlib.compress(_rows(image, index), 4)))  # SaveImage compress_level=4
    parts.append(_chunk(b"IEND", b""))
    return b"".join(parts)


def metadata_chunks(prompt, extra_pnginfo):
    """SaveImage's PngInfo: "prompt", then one chunk per extra_pnginfo key, each json.dumps'd."""
    chunks = []
    if prompt is not None:
        chunks.append(("prompt", json.dumps(prompt)))
    if extra_pnginfo is not None:
        for key in extra_pnginfo:
            chunks.append((key, json.dumps(extra_pnginfo[key])))
    return chunks


def png_size(path):
    """(width, height) of a PNG file, or None for anything else (LoadImage on a non-PNG)."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if len(head) == 24 and head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
        return struct.unpack(">II", head[16:24])
    return None
