"""Deepgram: the /v1/listen request (raw audio body, options as query parameters, Token auth), the reply
as OpenAI's verbose transcription (shape from Deepgram's API reference, ``tests/fixtures/deepgram``),
diarized transcripts and error bodies."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from litellm.providers.base import Credentials
from litellm.providers.deepgram import parse_listen_response
from litellm.providers.registry import get_adapter

FIXTURES = Path(__file__).parents[2] / "fixtures" / "deepgram"


def test_listen_request():
    req = get_adapter("deepgram").build_transcription_request(
        "nova-2",
        b"RIFF....WAVE",
        "audio/wav",
        {
            "language": "en",
            "punctuate": True,
            "smart_format": False,
            "keyterm": ["LiteLLM", "Deepgram"],
            "response_format": "json",
        },
        Credentials(api_key="dg-key"),
    )
    url = urlsplit(req.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://api.deepgram.com/v1/listen"
    assert parse_qsl(url.query) == [
        ("model", "nova-2"),
        ("language", "en"),
        ("punctuate", "true"),
        ("smart_format", "false"),
        ("keyterm", "LiteLLM"),
        ("keyterm", "Deepgram"),
    ]
    assert req.headers == {"Content-Type": "audio/wav", "Authorization": "Token dg-key"}
    assert req.content == b"RIFF....WAVE" and req.body is None


def test_reply_is_openais_verbose_shape():
    data = json.loads((FIXTURES / "listen_response.json").read_text())
    out = get_adapter("deepgram").parse_transcription_response("nova-2", data, {"language": "en"})
    assert out["text"] == "Yeah. As as much as, it's worth celebrating,"
    assert out["duration"] == pytest.approx(25.933313)
    assert out["task"] == "transcribe" and out["language"] == "en"
    assert out["words"][0] == {"word": "Yeah.", "start": 0.08, "end": 0.32}


def test_diarized_words_become_speaker_lines():
    words = [
        {"word": "hi", "start": 0, "end": 1, "speaker": 0, "punctuated_word": "Hi."},
        {"word": "hello", "start": 1, "end": 2, "speaker": 1, "punctuated_word": "Hello"},
        {"word": "there", "start": 2, "end": 3, "speaker": 1},
    ]
    data = {
        "metadata": {"duration": 3},
        "results": {"channels": [{"alternatives": [{"transcript": "x", "words": words}]}]},
    }
    assert parse_listen_response(data)["text"] == "Speaker 0: Hi.\nSpeaker 1: Hello there"


def test_chat_is_refused_and_errors_map():
    from litellm.core.exceptions import BadRequestError

    adapter = get_adapter("deepgram")
    with pytest.raises(BadRequestError, match="transcription"):
        adapter.build_request("nova-2", [], {}, Credentials(api_key="k"), stream=False)
    info = adapter.classify_error(
        401, {"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials.", "request_id": "r"}, {}
    )
    assert info.kind == "AuthenticationError" and info.message == "INVALID_AUTH: Invalid credentials."
    assert adapter.classify_error(402, {"err_code": "ASR_PAYMENT_REQUIRED", "err_msg": "no credits"}, {}).kind
