"""Image input tokens as OpenAI bills them, from an image part's detail and (when readable) its size.

OpenAI's documented rule for tile-billed models: ``low`` detail costs the base tokens; ``high`` / ``auto``
scale the image to fit 2048 x 2048, then so its short side is at most 768 px, and cost the base tokens plus
a per-tile price for every 512 px tile. Base and tile prices per model family come from OpenAI's vision
pricing docs (gpt-4o / gpt-4.1: 85 + 170, gpt-4o-mini: 2833 + 5667, gpt-5: 70 + 140, o1 / o3: 75 + 150).
Patch-billed models (gpt-4.1-mini / nano, o4-mini) cost ceil(patches x multiplier), 32 px patches, at most
1536 patches.

Sizes are read only from inline ``data:`` URIs (the first bytes of PNG, GIF, JPEG, WebP); an image URL is
never fetched, so a URL in ``auto`` or ``high`` detail costs the base tokens, as LiteLLM estimates it. Pure.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct

__all__ = ["image_dimensions", "image_tokens"]

_TILE_COSTS: tuple[tuple[str, int, int], ...] = (
    # longest prefix first: "gpt-4o-mini" before "gpt-4o"
    ("gpt-4o-mini", 2833, 5667),
    ("gpt-4o", 85, 170),
    ("chatgpt-4o", 85, 170),
    ("gpt-4.5", 85, 170),
    ("gpt-4.1", 85, 170),
    ("gpt-5", 70, 140),
    ("o1", 75, 150),
    ("o3", 75, 150),
    ("computer-use", 65, 129),
)
_PATCH_MULTIPLIERS: tuple[tuple[str, float], ...] = (
    ("gpt-4.1-mini", 1.62),
    ("gpt-4.1-nano", 2.46),
    ("gpt-5-mini", 1.62),
    ("gpt-5-nano", 2.46),
    ("o4-mini", 1.72),
)
_DEFAULT_TILE = (85, 170)
_PATCH_BUDGET = 1536
_HEADER_CHARS = 65_536


def _family(model: str) -> str:
    return model.rsplit("/", 1)[-1].lower()


def _patch_tokens(multiplier: float, dims: tuple[int, int] | None) -> int:
    if dims is None:
        return math.ceil(_PATCH_BUDGET * multiplier)
    w, h = dims
    patches = math.ceil(w / 32) * math.ceil(h / 32)
    if patches > _PATCH_BUDGET:
        shrink = math.sqrt(32 * 32 * _PATCH_BUDGET / (w * h))
        w_p, h_p = w * shrink / 32, h * shrink / 32
        shrink *= min(math.floor(w_p) / w_p, math.floor(h_p) / h_p)
        patches = math.ceil(math.floor(w * shrink) / 32) * math.ceil(math.floor(h * shrink) / 32)
    return math.ceil(patches * multiplier)


def image_tokens(model: str, url: str, detail: str = "auto") -> int:
    """Billed tokens for one image part sent to ``model`` (see module docstring)."""
    name = _family(model)
    dims = image_dimensions(url)
    for prefix, multiplier in _PATCH_MULTIPLIERS:
        if name.startswith(prefix):
            return _patch_tokens(multiplier, dims)
    base, tile = next(((b, t) for prefix, b, t in _TILE_COSTS if name.startswith(prefix)), _DEFAULT_TILE)
    if detail == "low" or dims is None:
        return base
    w, h = dims
    scale = min(1.0, 2048 / max(w, h))
    fitted_w, fitted_h = w * scale, h * scale
    scale = min(1.0, 768 / min(fitted_w, fitted_h))
    w, h = max(1, math.floor(fitted_w * scale)), max(1, math.floor(fitted_h * scale))
    tiles = math.ceil(w / 512) * math.ceil(h / 512)
    return base + tiles * tile


def image_dimensions(url: str) -> tuple[int, int] | None:
    """(width, height) of an inline ``data:...;base64,`` image, or None (URLs, unreadable data)."""
    if not isinstance(url, str) or not url.startswith("data:"):
        return None
    comma = url.find(",", 0, 256)
    if comma < 0 or not url[:comma].endswith(";base64"):
        return None
    chunk = url[comma + 1 : comma + 1 + _HEADER_CHARS]
    chunk = chunk[: len(chunk) - len(chunk) % 4]
    try:
        head = base64.b64decode(chunk, validate=False)
    except (binascii.Error, ValueError):
        return None
    try:
        dims = _dimensions(head)
    except (struct.error, IndexError, ValueError):
        return None
    if dims is None or dims[0] <= 0 or dims[1] <= 0:
        return None
    return dims


def _dimensions(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        kind = data[12:16]
        if kind == b"VP8 ":
            w, h = struct.unpack("<HH", data[26:30])
            return w & 0x3FFF, h & 0x3FFF
        if kind == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if kind == b"VP8X":
            return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
        return None
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC)
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return w, h
            i += 2 + length
        return None
    return None
