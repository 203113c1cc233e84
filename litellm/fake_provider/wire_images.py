"""Fake OpenAI image endpoints: ``POST /v1/images/generations`` (JSON), ``/v1/images/edits`` and
``/v1/images/variations`` (multipart), also under Azure's deployment paths.

Answers ``n`` images (default 1) as URLs (``https://fake-provider.invalid/images/<id>.png``) or, with
``response_format=b64_json`` and always for gpt-image-* models, a base64 1x1 PNG. dall-e-3 adds a
``revised_prompt``; gpt-image-* add ``usage`` (input text tokens, input image tokens for edits, and the
output image tokens OpenAI documents per quality for a 1024x1024 image: low 272, medium 1056, high 4160)
and ``size`` / ``quality`` / ``background`` / ``output_format``.

Must not: start threads or loops (``server`` does).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiohttp import web

from litellm.fake_provider import app as _app
from litellm.fake_provider import content, faults
from litellm.fake_provider.wire_audio import multipart_prelude

PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
_OUTPUT_TOKENS = {"low": 272, "medium": 1056, "high": 4160, "auto": 1056}
_SIZES = {"256x256", "512x512", "1024x1024", "1792x1024", "1024x1792", "1536x1024", "1024x1536", "auto"}


def images_json(fields: dict[str, Any], model: str, image_count: int = 0) -> dict[str, Any]:
    n = int(fields.get("n") or 1)
    gpt_image = model.startswith("gpt-image")
    b64 = gpt_image or fields.get("response_format") == "b64_json"
    prompt = str(fields.get("prompt") or "")
    items = []
    for _ in range(n):
        item: dict[str, Any] = (
            {"b64_json": PNG_1X1}
            if b64
            else {"url": f"https://fake-provider.invalid/images/{uuid.uuid4().hex}.png"}
        )
        if model.startswith("dall-e-3"):
            item["revised_prompt"] = f"A detailed rendering of: {prompt}"
        items.append(item)
    body: dict[str, Any] = {"created": int(time.time()), "data": items}
    if gpt_image:
        quality = str(fields.get("quality") or "auto")
        text_tokens = content.estimate_tokens(prompt)
        image_tokens = 323 * image_count
        output = _OUTPUT_TOKENS.get(quality, 1056) * n
        body.update(
            {
                "size": fields.get("size") or "1024x1024",
                "quality": "medium" if quality == "auto" else quality,
                "background": fields.get("background") or "opaque",
                "output_format": fields.get("output_format") or "png",
                "usage": {
                    "input_tokens": text_tokens + image_tokens,
                    "input_tokens_details": {"text_tokens": text_tokens, "image_tokens": image_tokens},
                    "output_tokens": output,
                    "total_tokens": text_tokens + image_tokens + output,
                },
            }
        )
    return body


def _check(fields: dict[str, Any], model: str, flavour: faults.Flavour, need_prompt: bool) -> None:
    if need_prompt and not fields.get("prompt"):
        raise _app._Reject(_app._json_response(400, faults.openai_missing_param("prompt"), flavour))
    size = fields.get("size")
    if size is not None and size not in _SIZES:
        message = f"Invalid value: '{size}'. Supported values are: {', '.join(sorted(_SIZES))}."
        raise _app._Reject(_app._json_response(400, faults.openai_error(400, model, message), flavour))
    n = fields.get("n")
    if n is not None and (not str(n).isdigit() or not 1 <= int(n) <= 10):
        message = f"Invalid value for 'n': {n!r}; it must be between 1 and 10."
        raise _app._Reject(_app._json_response(400, faults.openai_error(400, model, message), flavour))


async def generations(request: web.Request) -> web.StreamResponse:
    flavour, deployment = _app._azure_or_openai(request)
    try:
        body, _controls, model = await _app._prelude(request, flavour, deployment)
        _check(body, model, flavour, need_prompt=True)
    except _app._Reject as reject:
        return reject.response
    return _app._json_response(200, images_json(body, model or "dall-e-2"), flavour)


async def _multipart(request: web.Request, need_prompt: bool) -> web.StreamResponse:
    flavour, deployment = _app._azure_or_openai(request)
    try:
        fields, files, _controls, model = await multipart_prelude(request, flavour, deployment)
        image = files.get("image")
        if image is None:
            raise _app._Reject(_app._json_response(400, faults.openai_missing_param("image"), flavour))
        _check(fields, model, flavour, need_prompt)
    except _app._Reject as reject:
        return reject.response
    count = len(image) if isinstance(image, list) else 1
    return _app._json_response(200, images_json(fields, model or "dall-e-2", count), flavour)


async def edits(request: web.Request) -> web.StreamResponse:
    return await _multipart(request, need_prompt=True)


async def variations(request: web.Request) -> web.StreamResponse:
    return await _multipart(request, need_prompt=False)


def add_routes(app: web.Application, add: Any) -> None:
    for prefix in ("/v1", "", "/openai/deployments/{deployment}"):
        add("POST", f"{prefix}/images/generations", generations)
        add("POST", f"{prefix}/images/edits", edits)
        add("POST", f"{prefix}/images/variations", variations)
