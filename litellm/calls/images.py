"""Image calls as specs: ``image_generation`` (``/images/generations``, JSON), ``image_edit``
(``/images/edits``, multipart) and ``image_variation`` (``/images/variations``, multipart), sync and async.

Each returns :class:`~litellm.core.types_calls.ImageResponse` and is priced from the price map: per token
when the provider reports image-token usage and the entry prices tokens (gpt-image-*), else per image or
per pixel for the size, quality and n asked (``[quality/]WxH/model`` entries, as LiteLLM files them).
The logging record shows the prompt and, for uploads and ``b64_json`` answers, a size and content type
instead of the bytes.

Must not: send, retry or log (the pipeline does).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from litellm.calls.endpoints import (
    Upload,
    endpoint_request,
    finish,
    json_object,
    read_upload,
    wire_model,
)
from litellm.calls.pipeline import arun, run
from litellm.calls.spec import CallSpec, Prepared
from litellm.core.types_calls import ImageResponse

__all__ = [
    "IMAGE_EDIT",
    "IMAGE_GENERATION",
    "IMAGE_VARIATION",
    "aimage_edit",
    "aimage_generation",
    "aimage_variation",
    "image_edit",
    "image_generation",
    "image_variation",
]

IMAGE_PARAMS = frozenset(
    {
        "n", "size", "quality", "style", "response_format", "user", "background", "moderation",
        "output_compression", "output_format", "partial_images", "input_fidelity",
    }
)  # fmt: skip
EDIT_PARAMS = IMAGE_PARAMS - {"style", "moderation"}
VARIATION_PARAMS = frozenset({"n", "size", "response_format", "user"})

#: a 1x1 transparent PNG: the ``b64_json`` a mock returns when asked for one
_MOCK_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="


def _image_type(b64: str) -> str:
    head = base64.b64decode(b64[:16] + "=" * (-len(b64[:16]) % 4), validate=False)
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def _loggable(data: dict[str, Any]) -> dict[str, Any]:
    """The answer for the logging record: every ``b64_json`` replaced by its size and content type."""
    items = []
    for item in data.get("data") or []:
        if isinstance(item, dict) and isinstance(item.get("b64_json"), str):
            b64 = item["b64_json"]
            item = {k: v for k, v in item.items() if k != "b64_json"}
            item["b64_json"] = {"size_bytes": len(b64) * 3 // 4, "content_type": _image_type(b64)}
        items.append(item)
    return {**data, "data": items}


def _cost_extra(p: Prepared, data: Mapping[str, Any]) -> dict[str, Any]:
    params = p.params
    n = params.get("n")
    if n is None and isinstance(data.get("data"), list) and data["data"]:
        n = len(data["data"])
    return {
        "size": params.get("size") or data.get("size") or "1024x1024",
        "quality": params.get("quality") or data.get("quality"),
        "n": n or 1,
    }


def _parse(p: Prepared, content: bytes, headers: Mapping[str, str] | None, started: float) -> ImageResponse:
    data = json_object(p, content)
    native = getattr(p.adapter, "parse_image_generation_response", None)
    if native is not None and p.spec.name == "image_generation":
        data = native(p.model, data)
    response = ImageResponse.model_validate(data)
    return finish(
        p,
        response,
        _loggable(data),
        started,
        headers,
        usage=data.get("usage"),
        cost_extra=_cost_extra(p, data),
        cost_call_type="image_generation",
    )


def _mock(p: Prepared, mock: Any) -> ImageResponse:
    """``mock_response``: an image URL (str), a dict / ImageResponse as is; n images of it."""
    if isinstance(mock, ImageResponse):
        data = mock.model_dump(exclude_none=True)
    elif isinstance(mock, dict):
        data = dict(mock)
    else:
        n = int(p.params.get("n") or 1)
        if p.params.get("response_format") == "b64_json":
            item: dict[str, Any] = {"b64_json": _MOCK_PNG}
        else:
            item = {"url": str(mock) if mock is not None else "https://example.com/mock-image.png"}
        data = {"created": int(p.ctx.start_time), "data": [dict(item) for _ in range(n)]}
    response = ImageResponse.model_validate(data)
    return finish(
        p,
        response,
        _loggable(data),
        p.ctx.start_time,
        None,
        usage=data.get("usage"),
        cost_extra=_cost_extra(p, data),
        cost_call_type="image_generation",
    )


# ---------------------------------------------------------------------------------------------------
# image_generation
# ---------------------------------------------------------------------------------------------------


def _build_generation(p: Prepared) -> Any:
    """A native adapter's own image endpoint (``build_image_generation_request``: Imagen on Vertex AI
    and the Gemini API), else OpenAI's ``/images/generations`` beside the adapter's chat URL."""
    build = getattr(p.adapter, "build_image_generation_request", None)
    if build is not None:
        from litellm.calls.endpoints import request_headers

        request = build(p.model, p.inputs["prompt"], p.params, p.creds)
        headers = request_headers(p)
        if headers:
            request.headers.update(headers)
        return request
    body = {"model": wire_model(p), "prompt": p.inputs["prompt"], **p.params}
    return endpoint_request(p, "images/generations", body=body)


IMAGE_GENERATION = CallSpec(
    name="image_generation",
    build=_build_generation,
    parse=_parse,
    mock=_mock,
    log_input=lambda inputs: inputs["prompt"],
    openai_params=IMAGE_PARAMS,
    cacheable=False,
)


def _need(value: Any, name: str, call: str) -> None:
    if not isinstance(value, str) or not value:
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(f"{call}: {name} must be a non-empty string, got {value!r}.", "")


def image_generation(prompt: str, model: str | None = None, **kwargs: Any) -> ImageResponse:
    """Generate images (OpenAI ``/images/generations``; dall-e-2, dall-e-3, gpt-image-1, ...)."""
    _need(prompt, "prompt", "image_generation")
    return run(IMAGE_GENERATION, model or "dall-e-2", {"prompt": prompt}, kwargs)


async def aimage_generation(prompt: str, model: str | None = None, **kwargs: Any) -> ImageResponse:
    """Async :func:`image_generation`."""
    _need(prompt, "prompt", "aimage_generation")
    return await arun(IMAGE_GENERATION, model or "dall-e-2", {"prompt": prompt}, kwargs)


# ---------------------------------------------------------------------------------------------------
# image_edit / image_variation (multipart uploads)
# ---------------------------------------------------------------------------------------------------


def _uploads(value: Any, field: str) -> list[Upload] | Exception:
    try:
        if isinstance(value, list):
            return [read_upload(v, field, f"image_{i}.png") for i, v in enumerate(value)]
        return [read_upload(value, field, "image.png")]
    except Exception as exc:  # raised by build, so the call is logged once like any other failure
        return exc


def _upload_inputs(image: Any, mask: Any = None, prompt: str | None = None) -> dict[str, Any]:
    inputs: dict[str, Any] = {"image": _uploads(image, "image")}
    if mask is not None:
        inputs["mask"] = _uploads(mask, "mask")
    if prompt is not None:
        inputs["prompt"] = prompt
    return inputs


def _describe(value: Any) -> Any:
    if isinstance(value, Exception):
        return {"error": str(value)}
    return [u.describe() for u in value]


def _log_upload(inputs: dict[str, Any]) -> Any:
    out: dict[str, Any] = {"image": _describe(inputs["image"])}
    if "mask" in inputs:
        out["mask"] = _describe(inputs["mask"])
    if "prompt" in inputs:
        out["prompt"] = inputs["prompt"]
    return [{"role": "user", "content": inputs.get("prompt") or "", "files": out}]


def _multipart(p: Prepared, path: str) -> Any:
    files: list[tuple[str, Any]] = []
    images = p.inputs["image"]
    if isinstance(images, Exception):
        raise images
    # gpt-image-* take several images as image[]; dall-e-2 takes one "image"
    field = "image[]" if len(images) > 1 else "image"
    files.extend((field, img.as_part()) for img in images)
    mask = p.inputs.get("mask")
    if isinstance(mask, Exception):
        raise mask
    if mask:
        files.append(("mask", mask[0].as_part()))
    files.append(("model", wire_model(p)))
    if p.inputs.get("prompt") is not None:
        files.append(("prompt", p.inputs["prompt"]))
    for key, value in p.params.items():
        if value is not None and key != "stream":
            files.append((key, value))
    return endpoint_request(p, path, files=files)


IMAGE_EDIT = CallSpec(
    name="image_edit",
    build=lambda p: _multipart(p, "images/edits"),
    parse=_parse,
    mock=_mock,
    log_input=_log_upload,
    openai_params=EDIT_PARAMS,
    cacheable=False,
)


def _build_variation(p: Prepared) -> Any:
    native = getattr(p.adapter, "build_image_variation_request", None)
    if native is None:
        return _multipart(p, "images/variations")
    uploads = p.inputs["image"]
    if isinstance(uploads, Exception):
        raise uploads
    from litellm.calls.endpoints import request_headers

    return native(
        p.model, [u.as_part() for u in uploads], p.params, p.creds, extra_headers=request_headers(p)
    )


def _parse_variation(p: Prepared, content: bytes, headers: Any, started: float) -> Any:
    native = getattr(p.adapter, "parse_image_variation_response", None)
    if native is None:
        return _parse(p, content, headers, started)
    data = native(p.model, content, headers.get("content-type"))  # Topaz answers image bytes
    response = ImageResponse.model_validate(data)
    return finish(p, response, _loggable(data), started, headers, cost_extra=_cost_extra(p, data))


IMAGE_VARIATION = CallSpec(
    name="image_variation",
    build=_build_variation,
    parse=_parse_variation,
    mock=_mock,
    log_input=_log_upload,
    openai_params=VARIATION_PARAMS,
    cacheable=False,
)


def image_edit(
    image: Any = None, prompt: str | None = None, model: str | None = None, **kwargs: Any
) -> ImageResponse:
    """Edit images (OpenAI ``/images/edits``): ``image`` is a path, bytes, an open binary file, a
    ``(filename, bytes[, content_type])`` tuple, or a list of them (gpt-image-1); ``mask`` likewise."""
    _need(prompt, "prompt", "image_edit")
    inputs = _upload_inputs(image, kwargs.pop("mask", None), prompt)
    return run(IMAGE_EDIT, model or "dall-e-2", inputs, kwargs)


async def aimage_edit(
    image: Any = None, prompt: str | None = None, model: str | None = None, **kwargs: Any
) -> ImageResponse:
    """Async :func:`image_edit`."""
    _need(prompt, "prompt", "aimage_edit")
    inputs = _upload_inputs(image, kwargs.pop("mask", None), prompt)
    return await arun(IMAGE_EDIT, model or "dall-e-2", inputs, kwargs)


def image_variation(image: Any, model: str | None = None, **kwargs: Any) -> ImageResponse:
    """Variations of one image (OpenAI ``/images/variations``, dall-e-2)."""
    return run(IMAGE_VARIATION, model or "dall-e-2", _upload_inputs(image), kwargs)


async def aimage_variation(image: Any, model: str | None = None, **kwargs: Any) -> ImageResponse:
    """Async :func:`image_variation`."""
    return await arun(IMAGE_VARIATION, model or "dall-e-2", _upload_inputs(image), kwargs)
