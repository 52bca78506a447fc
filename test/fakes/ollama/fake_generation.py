"""What the double "generates": a caption-like answer chosen by hashing the prompt and the image
bytes, split into tokens the way a stream delivers them. Nothing here is a model: the point is
that the same request always gives the same text and different images give different text."""
import base64
import hashlib
import re

FRAMINGS = ["close-up", "upper body", "cowboy shot", "full body", "portrait", "from below", "from above",
            "side view"]
POSES = ["standing with arms crossed", "sitting on a bench", "running", "looking over the shoulder",
         "holding a sword", "waving", "leaning against a wall", "jumping", "kneeling", "walking away"]
BACKGROUNDS = ["city street at night", "forest clearing", "simple white background", "classroom",
               "rooftop at sunset", "beach", "rainy alley", "library", "mountain path", "space station corridor"]
DETAILS = ["soft lighting", "dramatic shadows", "motion blur", "warm colors", "high contrast", "film grain"]

# Tokens as a stream carries them: a word with its leading space, or one punctuation mark.
TOKEN = re.compile(r"\s*[\w'-]+|\s*[^\w\s]")
# What one image costs in prompt tokens (llava's 576 patches) [ref §4].
IMAGE_TOKENS = 576
STD_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


class Base64Error(Exception):
    pass


def decode_image(text):
    """Go's base64.StdEncoding as json.Unmarshal applies it to []byte: standard alphabet, padded,
    CR/LF skipped. The error text is Go's [ref §0 trap 4]."""
    if not isinstance(text, str):
        raise TypeError("image is not a string")
    chars = [(i, c) for i, c in enumerate(text) if c not in "\r\n"]
    data = "".join(c for _, c in chars)
    for k, (i, c) in enumerate(chars):
        if c == "=":
            quantum_pos = k % 4
            rest = data[k:]
            # Padding may only finish the last quantum: "xx==" or "xxx=".
            if quantum_pos < 2 or rest != "=" * (4 - quantum_pos):
                raise Base64Error(f"illegal base64 data at input byte {i}")
            break
        if c not in STD_ALPHABET:
            raise Base64Error(f"illegal base64 data at input byte {i}")
    if len(data) % 4:
        # Go reports where the incomplete quantum starts.
        start = chars[len(data) - len(data) % 4][0]
        raise Base64Error(f"illegal base64 data at input byte {start}")
    return base64.b64decode(data)


def answer(prompt, images, sees_images):
    """The whole answer for a prompt and the decoded images. A model that cannot see images
    answers from the prompt alone [ref §0 trap 5], so its answer ignores them."""
    digest = hashlib.sha256(prompt.encode("utf-8"))
    if sees_images:
        for image in images:
            digest.update(hashlib.sha256(image).digest())
    seed = int.from_bytes(digest.digest()[:8], "big")

    def pick(options):
        nonlocal seed
        seed, index = divmod(seed, len(options))
        return options[index]

    return f"{pick(FRAMINGS)}, {pick(POSES)}, {pick(BACKGROUNDS)}, {pick(DETAILS)}."


def tokens(text):
    return TOKEN.findall(text)


def prompt_token_count(prompt, image_count):
    return len(tokens(prompt)) + 8 + image_count * IMAGE_TOKENS  # 8: the chat template's markers


def context_tokens(prompt, answer_text):
    """/api/generate's `context`: token ids of prompt and answer (stable small ints here)."""
    return [int.from_bytes(hashlib.sha256(t.encode("utf-8")).digest()[:2], "big")
            for t in tokens(prompt) + tokens(answer_text)]
