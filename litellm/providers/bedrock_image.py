"""Bedrock image generation through InvokeModel: Stability (SD3 / Stable Image, and SDXL's older body)
and Amazon Titan Image Generator / Nova Canvas.

Owns the request bodies from OpenAI's image params (``size`` -> width/height or the nearest aspect ratio,
``n``, ``quality`` "hd" -> Titan/Nova "premium", ``style``; model-specific knobs such as ``seed``,
``negative_prompt``, ``cfg_scale`` pass through) and the replies turned into OpenAI's image list
(``b64_json`` items: Bedrock returns image bytes, never URLs).

Facts from the Bedrock user guide's model parameter pages (Stability AI Diffusion / SD3 / Stable Image,
Amazon Titan Image Generator, Amazon Nova Canvas). Must not send, log or read the environment.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

__all__ = ["build_image_body", "parse_image_body"]

# SD3 / Stable Image take an aspect ratio, not a size
_ASPECTS = {
    "1:1": 1.0,
    "16:9": 16 / 9,
    "21:9": 21 / 9,
    "2:3": 2 / 3,
    "3:2": 3 / 2,
    "4:5": 4 / 5,
    "5:4": 5 / 4,
    "9:16": 9 / 16,
    "9:21": 9 / 21,
}


def _family(model_id: str) -> str:
    from litellm.providers.bedrock_converse import base_model_id

    base = base_model_id(model_id)
    if base.startswith("stability.stable-diffusion-xl"):
        return "sdxl"
    if base.startswith("stability."):
        return "stability"
    if base.startswith(("amazon.titan-image", "amazon.nova-canvas")):
        return "titan"
    raise ValueError(
        "bedrock image generation supports stability.* (SD3, Stable Image, SDXL), amazon.titan-image-* and "
        f"amazon.nova-canvas-*; got {model_id!r}."
    )


def _size(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, str) or "x" not in value:
        return None
    w, _, h = value.lower().partition("x")
    try:
        return int(w), int(h)
    except ValueError:
        return None


def _aspect(size: tuple[int, int]) -> str:
    ratio = size[0] / size[1]
    return min(_ASPECTS, key=lambda name: abs(_ASPECTS[name] - ratio))


def build_image_body(model_id: str, prompt: str, params: Mapping[str, Any]) -> dict[str, Any]:
    fam = _family(model_id)
    params = {k: v for k, v in params.items() if v is not None}
    n = int(params.pop("n", 1) or 1)
    size = _size(params.pop("size", None))
    quality = params.pop("quality", None)
    style = params.pop("style", None)
    for key in ("response_format", "user", "background", "moderation", "output_compression"):
        params.pop(key, None)
    if fam == "stability":
        if n != 1:
            raise ValueError(
                f"{model_id} returns one image per request; call image_generation() once per image."
            )
        body: dict[str, Any] = {"prompt": prompt, "mode": "text-to-image"}
        if size is not None:
            body["aspect_ratio"] = _aspect(size)
        output_format = params.pop("output_format", None)
        if output_format in ("png", "jpeg"):
            body["output_format"] = output_format
        body.update(params)  # seed, negative_prompt, aspect_ratio given natively
        return body
    if fam == "sdxl":
        body = {"text_prompts": [{"text": prompt, "weight": 1}], "samples": n}
        if size is not None:
            body["width"], body["height"] = size
        if style:
            body["style_preset"] = style
        body.update(params)  # cfg_scale, steps, seed
        return body
    config: dict[str, Any] = {"numberOfImages": n}
    if size is not None:
        config["width"], config["height"] = size
    if quality is not None:
        config["quality"] = "premium" if quality in ("hd", "high", "premium") else "standard"
    for ours, theirs in (("cfg_scale", "cfgScale"), ("seed", "seed")):
        if ours in params:
            config[theirs] = params.pop(ours)
    text: dict[str, Any] = {"text": prompt}
    negative = params.pop("negative_prompt", None) or params.pop("negativeText", None)
    if negative:
        text["negativeText"] = negative
    if style:
        text["style"] = style  # Nova Canvas visual styles
    body = {"taskType": "TEXT_IMAGE", "textToImageParams": text, "imageGenerationConfig": config}
    body.update(params)
    return body


def parse_image_body(model_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Any of the three reply shapes -> ``{"created", "data": [{"b64_json": ...}]}``."""
    from litellm.providers._common import make_error

    if data.get("error"):  # Titan / Nova: a content-filter verdict or a generation failure
        raise make_error(
            "ContentPolicyViolationError", str(data["error"]), model=model_id, provider="bedrock"
        )
    images: list[str] = []
    if isinstance(data.get("images"), list):  # Titan / Nova / SD3 / Stable Image
        images = [i for i in data["images"] if isinstance(i, str)]
    elif isinstance(data.get("artifacts"), list):  # SDXL
        artifacts = [a.get("base64") for a in data["artifacts"] if isinstance(a, Mapping)]
        images = [b64 for b64 in artifacts if isinstance(b64, str) and b64]
    reasons = data.get("finish_reasons")
    if isinstance(reasons, list) and any(reasons):
        # Stability reports a content filter per image ("Filter reason: prompt")
        message = f"Bedrock refused the image: {', '.join(str(r) for r in reasons if r)}"
        raise make_error("ContentPolicyViolationError", message, model=model_id, provider="bedrock")
    return {"created": int(time.time()), "data": [{"b64_json": b64} for b64 in images]}
