"""Topaz Labs image enhancement as ``image_variation("topaz/<model>", image)``: ``POST /image/v1/enhance``.

Owns: :class:`TopazAdapter` with the image-variation hooks the images spec calls
(``build_image_variation_request`` / ``parse_image_variation_response``): a multipart upload of
``image`` with ``model`` (Topaz's model names, e.g. ``Standard V2``, ``Low Resolution V2``, ``CGI``,
``High Resolution V2``, ``Text Refine``), ``size`` as ``output_width`` / ``output_height``, and Topaz's own
fields passed through (``output_format``, ``face_enhancement``, ``crop_to_fill``...); the key
(TOPAZ_API_KEY) goes in ``X-API-Key``; base TOPAZ_API_BASE or ``https://api.topazlabs.com``. The
synchronous endpoint answers with the enhanced image's bytes, returned base64 as ``b64_json`` (Topaz
gives no URL). Topaz serves no chat: a chat call is refused naming what it serves.

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping, Sequence
from typing import Any

from litellm.providers._common import error_fields, kind_for_status, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamState

__all__ = ["DEFAULT_API_BASE", "TopazAdapter", "make_adapter"]

DEFAULT_API_BASE = "https://api.topazlabs.com"
_ACCEPT = {"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "tiff": "image/tiff"}


class TopazAdapter:
    """Topaz Labs Image API (enhance / upscale)."""

    name = "topaz"
    api_key_env = "TOPAZ_API_KEY"
    api_base_env = "TOPAZ_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {"api_key": ("TOPAZ_API_KEY",), "api_base": ("TOPAZ_API_BASE",)}

    def __repr__(self) -> str:
        return "TopazAdapter()"

    # ---- image variation -----------------------------------------------------------------------

    def build_image_variation_request(
        self,
        model: str,
        images: Sequence[tuple[str, bytes, str]],
        params: Mapping[str, Any],
        credentials: Credentials,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ProviderRequest:
        if len(images) != 1:
            raise make_error(
                "BadRequestError",
                "Topaz enhances one image per call: pass a single image.",
                model=model,
                provider=self.name,
            )
        files: list[tuple[str, Any]] = [("image", images[0]), ("model", model)]
        output_format = params.get("output_format")
        for key, value in params.items():
            if value is None or key in ("response_format", "n", "user", "stream"):
                continue
            if key == "size":
                width, sep, height = str(value).partition("x")
                if not sep or not width.isdigit() or not height.isdigit():
                    raise make_error(
                        "BadRequestError",
                        f"size must be '<width>x<height>' in pixels, got {value!r}.",
                        model=model,
                        provider=self.name,
                    )
                files += [("output_width", width), ("output_height", height)]
            elif isinstance(value, bool):
                files.append((key, "true" if value else "false"))
            else:
                files.append((key, str(value)))
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        headers = {"Accept": _ACCEPT.get(str(output_format or "jpeg").lower(), "image/jpeg")}
        if credentials.api_key:
            headers["X-API-Key"] = credentials.api_key
        if extra_headers:
            headers.update(extra_headers)
        return ProviderRequest(url=f"{base}/image/v1/enhance", headers=headers, files=files)

    def parse_image_variation_response(
        self, model: str, content: bytes, content_type: str | None
    ) -> dict[str, Any]:
        if not content:
            raise ValueError("Topaz answered with an empty image")
        return {
            "created": int(time.time()),
            "data": [{"b64_json": base64.b64encode(content).decode("ascii")}],
        }

    # ---- chat: not served ----------------------------------------------------------------------

    def supported_params(self, model: str) -> frozenset[str]:
        return frozenset()

    def build_request(
        self,
        model: str,
        messages: list[dict[str, Any]],
        optional_params: dict[str, Any],
        credentials: Credentials,
        *,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProviderRequest:
        raise make_error(
            "BadRequestError",
            "Topaz serves image enhancement only: call image_variation(image, model='topaz/Standard V2').",
            model=model,
            provider=self.name,
        )

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("Topaz has no chat completions")

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model)

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        return []

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message = ""
        if isinstance(body, Mapping):
            message = str(body.get("message") or body.get("detail") or body.get("error") or "")
        if not message:
            message = error_fields(body)[0] or f"HTTP {status_code}"
        return ErrorInfo(kind_for_status(status_code), message)


def make_adapter(name: str = "topaz") -> TopazAdapter:
    return TopazAdapter()
