"""Topaz Labs' Image API in the fake provider: ``POST /image/v1/enhance``.

Owns the synchronous enhance endpoint: a multipart upload (``image``, ``model``, ``output_width`` /
``output_height``, ``output_format``) answered with image bytes (a tiny PNG or JPEG header plus the
requested size, so tests can see what was asked); the ``X-API-Key`` check (missing or ``invalid*``: 401
``{"message": ...}``); no ``image`` part: 400; ``x-fake-error`` injection. Must not import ``litellm``
outside this package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import faults
from litellm.fake_provider.app import STATE_KEY, _record
from litellm.fake_provider.wire_google import json_response

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff\xe0"


def _text(value: object) -> str:
    """A form value as text (aiohttp keeps a part sent with a non-text content type as bytes)."""
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


async def enhance(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    fields = {k: (f"<file {len(v.file.read())} bytes>" if hasattr(v, "file") else v) for k, v in form.items()}
    _record(request.app[STATE_KEY], request, fields)
    key = request.headers.get("X-API-Key", "")
    if not key or key.startswith("invalid"):
        return json_response(401, {"message": "Unauthorized: invalid API key"})
    controls = faults.parse_controls(request.headers, str(form.get("model") or ""))
    if isinstance(controls.error, int):
        return json_response(
            controls.error, {"message": f"error {controls.error} (injected by the fake provider)"}
        )
    if "image" not in form:
        return json_response(400, {"message": "image is required"})
    fmt = str(form.get("output_format") or "jpeg")
    head, ctype = (_PNG, "image/png") if fmt == "png" else (_JPEG, "image/jpeg")
    size = f"{_text(form.get('output_width')) or 0}x{_text(form.get('output_height')) or 0}".encode()
    return web.Response(body=head + b"fake-enhanced:" + size, content_type=ctype)


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/image/v1/enhance", enhance)
