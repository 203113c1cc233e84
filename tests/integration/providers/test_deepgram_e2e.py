"""Deepgram transcription through the pipeline against the fake provider's /v1/listen.

The transcription spec runs here with the two lines ``litellm.calls.audio`` needs to call an adapter's
native transcription hooks (``_native_build`` / ``_native_parse`` below mirror them exactly); the cost is
the price map's per-second price for ``deepgram/<model>`` times the reply's ``metadata.duration``.
"""

from __future__ import annotations

import asyncio
import json
import struct

import pytest

from litellm.calls import audio
from litellm.calls.endpoints import request_headers
from litellm.calls.pipeline import arun, run

pytestmark = pytest.mark.integration


def _native_build(p):
    native = getattr(p.adapter, "build_transcription_request", None)
    if native is None:
        return audio._build_transcription(p)
    upload = p.inputs["file"]
    if isinstance(upload, Exception):
        raise upload
    headers = request_headers(p)
    return native(p.model, upload.data, upload.content_type, p.params, p.creds, extra_headers=headers)


def _native_parse(p, content, headers, started):
    native = getattr(p.adapter, "parse_transcription_response", None)
    if native is None:
        return audio._parse_transcription(p, content, headers, started)
    return audio._transcription_from(p, native(p.model, json.loads(content), p.params), started, headers)


SPEC = audio.TRANSCRIPTION  # the public spec calls the adapter's native hooks itself


def _wav(seconds: float, rate: int = 8000) -> bytes:
    data = b"\x00\x00" * int(rate * seconds)
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVE"
        + b"fmt "
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def _call(fake_url, model="deepgram/nova-2", **kw):
    kw.setdefault("api_key", "dg-test")
    upload = audio._upload(("meeting.wav", _wav(2.0), "audio/wav"))
    return run(SPEC, model, {"file": upload}, {"api_base": fake_url + "/v1", **kw})


def test_transcription_priced_per_second(fake_provider, fake_url):
    response = _call(fake_url, language="en", punctuate=True)
    assert response.text == "Hello from the fake deepgram server."
    assert response.duration == pytest.approx(2.0)
    assert response._hidden_params["response_cost"] == pytest.approx(2.0 * 7.167e-05)
    sent = fake_provider.requests[-1]
    assert sent["path"] == "/v1/listen"
    assert sent["query"] == {"model": "nova-2", "language": "en", "punctuate": "true"}
    assert sent["headers"]["authorization"] == "Token dg-test"
    assert sent["headers"]["content-type"] == "audio/wav"
    assert sent["json"]["audio_bytes"] == 44 + 32000


def test_async_diarized(fake_url):
    async def go():
        upload = audio._upload(("call.wav", _wav(1.0), "audio/wav"))
        return await arun(
            SPEC,
            "deepgram/nova-2",
            {"file": upload},
            {"api_base": fake_url + "/v1", "api_key": "k", "diarize": True},
        )

    response = asyncio.run(go())
    assert "Speaker 0:" in response.text and "Speaker 1:" in response.text


def test_errors(fake_url, fake_provider):
    from litellm.core.exceptions import AuthenticationError, RateLimitError

    with pytest.raises(AuthenticationError, match="INVALID_AUTH"):
        _call(fake_url, api_key="invalid-key")
    with pytest.raises(RateLimitError):
        _call(fake_url, extra_headers={"x-fake-error": "429"})
    fake_provider.clear_requests()
    with pytest.raises(AuthenticationError, match="DEEPGRAM_API_KEY"):
        _call(fake_url, api_key=None)
    assert fake_provider.requests == []


def test_model_missing_from_the_price_map_costs_null(fake_url):
    response = _call(fake_url, model="deepgram/nova-9-imaginary")
    assert response.text
    assert response._hidden_params["response_cost"] is None
