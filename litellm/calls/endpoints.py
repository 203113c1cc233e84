"""Shared pieces of the non-chat call specs (text completion, images, moderation, audio, rerank).

Each call type is a :class:`~litellm.calls.spec.CallSpec` run by :func:`litellm.calls.pipeline.run` /
``arun``; this module holds what their pure build / parse / mock functions have in common: the
OpenAI-wire request for an endpoint beside the adapter's chat URL, reading a JSON object reply,
finishing a typed response (hidden params, the JSON-ready ``raw_response`` the logging record shows,
``raw_usage``) and pricing it with the facts usage does not carry (image size and quality, audio
seconds, speech characters, rerank search units), and turning an upload (path, bytes, file object)
into a multipart part.

Must not: send, retry, sleep, log or emit events (the pipeline does), or import the package root.
"""

from __future__ import annotations

import json
import mimetypes
import os
import time
from collections.abc import Mapping
from typing import Any

from litellm.calls.spec import Prepared
from litellm.core.settings import settings

__all__ = [
    "Upload",
    "endpoint_request",
    "finish",
    "json_object",
    "price",
    "read_upload",
    "wire_model",
]


def _exc() -> Any:
    from litellm.core import exceptions

    return exceptions


def wire_model(p: Prepared) -> str:
    """The model name the provider expects on the wire (an adapter may rewrite it)."""
    rewrite = getattr(p.adapter, "wire_model", None)
    return rewrite(p.model) if rewrite is not None else p.model


def request_headers(p: Prepared) -> dict[str, str] | None:
    lp = p.call.lp
    headers = dict(getattr(settings, "headers", None) or {})  # litellm.headers: sent on every call
    headers.update(lp.get("extra_headers") or lp.get("headers") or {})
    return headers or None


def endpoint_request(
    p: Prepared,
    path: str,
    *,
    body: dict[str, Any] | None = None,
    files: list[tuple[str, Any]] | None = None,
) -> Any:
    """The OpenAI-wire request to ``path`` for this call (extra_body merged into a JSON body)."""
    from litellm.providers.openai_endpoints import openai_endpoint_request

    extra_body = p.call.lp.get("extra_body")
    if extra_body and body is not None:
        body = {**body, **extra_body}
    elif extra_body and files is not None:
        files = [*files, *((k, v) for k, v in extra_body.items() if v is not None)]
    return openai_endpoint_request(
        p.adapter, p.model, p.creds, path, body=body, files=files, extra_headers=request_headers(p)
    )


def json_object(p: Prepared, content: bytes) -> dict[str, Any]:
    data = json.loads(content)
    if not isinstance(data, dict):
        raise _exc().APIResponseValidationError(
            f"Expected a JSON object from {p.provider}, got {type(data).__name__}", p.provider, p.model
        )
    return data


def price(
    p: Prepared, response: Any, usage: Any, extra: Mapping[str, Any], call_type: str | None = None
) -> Any:
    """The call's cost with the type's pricing facts; stored on the context so the record, the
    budget and ``_hidden_params["response_cost"]`` all read this one result."""
    from litellm.cost.calculator import compute_cost

    ctx = p.ctx
    cost = compute_cost(
        model=ctx.provider_model or ctx.model,
        custom_llm_provider=ctx.custom_llm_provider,
        call_type=call_type or ctx.call_type,
        usage=usage,
        response=response,
        custom_pricing=ctx.custom_pricing,
        base_model=(ctx.metadata or {}).get("base_model") or (ctx.custom_pricing or {}).get("base_model"),
        extra=extra,
    )
    ctx.cost = cost
    return cost


def finish(
    p: Prepared,
    response: Any,
    raw: dict[str, Any],
    started: float,
    headers: Mapping[str, str] | None,
    *,
    usage: Any = None,
    cost_extra: Mapping[str, Any] | None = None,
    cost_call_type: str | None = None,
) -> Any:
    """Attach hidden params and timing, record the JSON-ready answer and usage for the logging
    record, and price the call when the type needs facts beyond usage (``cost_extra``)."""
    from litellm.calls.pipeline import _hidden

    ctx = p.ctx
    response_ms = (time.time() - started) * 1000.0
    hidden = _hidden(ctx, response_ms, headers)
    private = response.__pydantic_private__
    private["_hidden_params"] = hidden
    private["_response_ms"] = response_ms
    ctx.raw_response = raw
    ctx.raw_usage = usage
    if cost_extra is not None:
        cost = price(p, response, usage, cost_extra, cost_call_type)
        hidden["response_cost"] = cost.response_cost
    return response


# ---------------------------------------------------------------------------------------------------
# Uploads (transcription, image edit / variation)
# ---------------------------------------------------------------------------------------------------


class Upload:
    """One uploaded file, read once. A cache key sees its sha256 and content type (``model_dump``), so
    the same bytes under another file name hit; a logging record sees :meth:`describe`."""

    __slots__ = ("content_type", "data", "name")

    def __init__(self, name: str, data: bytes, content_type: str) -> None:
        self.name, self.data, self.content_type = name, data, content_type

    def as_part(self) -> tuple[str, bytes, str]:
        """The multipart part: ``(filename, bytes, content type)``."""
        return self.name, self.data, self.content_type

    def describe(self) -> dict[str, Any]:
        """What a logging record shows for an upload: never the bytes."""
        return {"filename": self.name, "content_type": self.content_type, "size_bytes": len(self.data)}

    def model_dump(self, **_: Any) -> dict[str, Any]:
        import hashlib

        return {"sha256": hashlib.sha256(self.data).hexdigest(), "content_type": self.content_type}


def read_upload(value: Any, field: str, default_name: str) -> Upload:
    """An :class:`Upload` from a path, bytes, an open binary file, or a tuple
    ``(filename, content[, content_type])`` as the openai SDK accepts."""
    name: str | None = None
    content_type: str | None = None
    if isinstance(value, tuple):
        if not 2 <= len(value) <= 4:
            raise _bad(field, value)
        name = value[0]
        content_type = value[2] if len(value) > 2 else None
        value = value[1]
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    elif isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        if not os.path.isfile(path):
            raise _exc().BadRequestError(
                f"{field}: no file at {path!r}. Pass a path to an existing file, the bytes, or an open "
                "binary file object.",
                "",
                None,
            )
        with open(path, "rb") as f:
            data = f.read()
        name = name or os.path.basename(path)
    elif hasattr(value, "read"):
        data = value.read()
        if isinstance(data, str):
            raise _exc().BadRequestError(
                f"{field}: the file object was opened in text mode; open it with mode 'rb'.", "", None
            )
        name = name or os.path.basename(str(getattr(value, "name", "") or "")) or None
    else:
        raise _bad(field, value)
    name = name or default_name
    if content_type is None:
        content_type = _sniff(data) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Upload(name, data, content_type)


def _bad(field: str, value: Any) -> Exception:
    return _exc().BadRequestError(
        f"{field}: expected a file path, bytes, an open binary file or a (filename, content) tuple, "
        f"got {type(value).__name__}.",
        "",
        None,
    )


_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"RIFF", 0, "audio/wav"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\xff\xfb", 0, "audio/mpeg"),
    (b"\xff\xf3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"OggS", 0, "audio/ogg"),
    (b"ftyp", 4, "audio/mp4"),
    (b"\x1aE\xdf\xa3", 0, "audio/webm"),
    (b"\x89PNG", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
)


def _sniff(data: bytes) -> str | None:
    for magic, offset, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if kind == "audio/wav" and data[8:12] == b"WEBP":
                return "image/webp"
            return kind
    return None
