"""Topaz Labs through the image-variation spec against the fake provider's ``/image/v1/enhance``.

The spec runs with the two lines ``litellm.calls.images`` needs to call an adapter's native
image-variation hooks (``_native_build`` / ``_native_parse`` below mirror them); the request's multipart
fields and the binary answer (returned as ``b64_json``) are checked, plus errors and the refused chat.
"""

from __future__ import annotations

import asyncio
import base64

import pytest

from litellm.calls import images
from litellm.calls.endpoints import finish, request_headers
from litellm.calls.pipeline import arun, run
from litellm.core.types_calls import ImageResponse
from litellm.providers.base import Credentials
from litellm.providers.registry import get_adapter

pytestmark = pytest.mark.integration
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _native_build(p):
    native = getattr(p.adapter, "build_image_variation_request", None)
    if native is None:
        return images._multipart(p, "images/variations")
    uploads = p.inputs["image"]
    if isinstance(uploads, Exception):
        raise uploads
    parts = [u.as_part() for u in uploads]
    return native(p.model, parts, p.params, p.creds, extra_headers=request_headers(p))


def _native_parse(p, content, headers, started):
    native = getattr(p.adapter, "parse_image_variation_response", None)
    if native is None:
        return images._parse(p, content, headers, started)
    data = native(p.model, content, headers.get("content-type"))
    response = ImageResponse.model_validate(data)
    return finish(
        p, response, images._loggable(data), started, headers, cost_extra=images._cost_extra(p, data)
    )


SPEC = images.IMAGE_VARIATION  # the public spec calls the adapter's native hooks itself


def _call(fake_url, **kw):
    kw.setdefault("api_key", "tz-key")
    return run(
        SPEC,
        "topaz/Standard V2",
        images._upload_inputs(("photo.png", PNG, "image/png")),
        {"api_base": fake_url, **kw},
    )


def test_enhance_upload_and_binary_answer(fake_provider, fake_url):
    response = _call(fake_url, size="2048x1536", output_format="png", face_enhancement=True)
    image = base64.b64decode(response.data[0].b64_json)
    assert image.startswith(b"\x89PNG") and image.endswith(b"2048x1536")
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/image/v1/enhance"
    assert sent["headers"]["x-api-key"] == "tz-key" and sent["headers"]["accept"] == "image/png"
    assert sent["json"]["model"] == "Standard V2" and sent["json"]["face_enhancement"] == "true"
    assert sent["json"]["image"] == f"<file {len(PNG)} bytes>"

    async def again():
        return await arun(
            SPEC, "topaz/CGI", images._upload_inputs(PNG), {"api_base": fake_url, "api_key": "tz-key"}
        )

    assert base64.b64decode(asyncio.run(again()).data[0].b64_json).startswith(b"\xff\xd8")


def test_errors_and_bad_size(fake_url):
    from litellm.core.exceptions import AuthenticationError, BadRequestError, RateLimitError

    with pytest.raises(AuthenticationError, match="invalid API key"):
        _call(fake_url, api_key="invalid")
    with pytest.raises(RateLimitError):
        _call(fake_url, extra_headers={"x-fake-error": "429"})
    with pytest.raises(BadRequestError, match="width"):
        _call(fake_url, size="large")


def test_chat_is_refused_naming_image_variation():
    from litellm.core.exceptions import BadRequestError

    with pytest.raises(BadRequestError, match="image_variation"):
        get_adapter("topaz").build_request("Standard V2", [], {}, Credentials(api_key="k"), stream=False)
