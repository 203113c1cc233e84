"""Replicate: model ids -> prediction URLs, input bodies, prediction replies, follow-up requests, stream
events and errors (shapes from Replicate's HTTP API reference, ``tests/fixtures/replicate``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litellm.providers.base import Credentials, StreamErrorEvent
from litellm.providers.registry import get_adapter
from litellm.providers.replicate import FOLLOW_UP_KEY, split_model

FIXTURES = Path(__file__).parents[2] / "fixtures" / "replicate"
MSGS = [{"role": "system", "content": "Be funny."}, {"role": "user", "content": "Tell me a joke"}]
VERSION = "02e509c789964a7ea8736978a43525956ef40397be9033abf9fd2badfe68c9e3"


def _build(model, params=None, stream=False):
    return get_adapter("replicate").build_request(
        model, list(MSGS), dict(params or {}), Credentials(api_key="r8_k"), stream=stream
    )


def test_model_ids():
    assert split_model("meta/meta-llama-3-8b-instruct") == ("models", "meta/meta-llama-3-8b-instruct", None)
    assert split_model(f"meta/llama-2-70b-chat:{VERSION}") == ("version", "meta/llama-2-70b-chat", VERSION)
    assert split_model(VERSION) == ("version", "", VERSION)
    assert split_model("deployments/acme/my-llama") == ("deployments", "acme/my-llama", None)


def test_official_model_create_request_waits_synchronously():
    req = _build(
        "meta/meta-llama-3-8b-instruct", {"max_tokens": 64, "temperature": 0.5, "stop": ["\n", "###"]}
    )
    assert req.url == "https://api.replicate.com/v1/models/meta/meta-llama-3-8b-instruct/predictions"
    assert req.headers["Authorization"] == "Bearer r8_k" and req.headers["Prefer"] == "wait=60"
    assert req.body == {
        "input": {
            "prompt": "Be funny. Tell me a joke",
            "max_new_tokens": 64,
            "temperature": 0.5,
            "stop_sequences": "\n,###",
        }
    }


def test_pinned_version_posts_to_predictions_with_version_and_system_prompt():
    req = _build(f"meta/llama-2-70b-chat:{VERSION}", {"supports_system_prompt": True}, stream=True)
    assert req.url == "https://api.replicate.com/v1/predictions"
    assert req.body["version"] == VERSION
    assert req.body["input"]["system_prompt"].endswith("Be funny.\n<</SYS>>\n [/INST]\n")
    assert req.body["input"]["prompt"] == "<s>[INST] Tell me a joke [/INST]\n"
    assert "Prefer" not in req.headers  # a streamed call reads the stream URL instead


def test_deployment_url_and_old_model_token_names():
    req = _build("deployments/acme/vicuna-13b", {"max_tokens": 5})
    assert req.url == "https://api.replicate.com/v1/deployments/acme/vicuna-13b/predictions"
    assert req.body["input"]["max_length"] == 5


def test_succeeded_prediction_is_a_completion_with_usage_from_metrics():
    data = json.loads((FIXTURES / "prediction_succeeded.json").read_text())
    out = get_adapter("replicate").parse_response("meta/meta-llama-3-8b-instruct", data)
    assert out["choices"][0]["message"]["content"] == "Why did the chicken cross the road?"
    assert out["choices"][0]["finish_reason"] == "stop"
    assert out["usage"] == {"prompt_tokens": 17, "completion_tokens": 7, "total_tokens": 24}
    assert FOLLOW_UP_KEY not in out
    assert get_adapter("replicate").follow_up_request("m", out, Credentials(), stream=False) is None


def test_pending_prediction_asks_for_a_poll_or_the_stream():
    adapter = get_adapter("replicate")
    data = json.loads((FIXTURES / "prediction_starting.json").read_text())
    out = adapter.parse_response("meta/meta-llama-3-8b-instruct", data)
    assert out["choices"][0]["finish_reason"] is None and out[FOLLOW_UP_KEY]["status"] == "starting"
    poll = adapter.follow_up_request("m", out, Credentials(api_key="r8_k"), stream=False)
    assert (poll.method, poll.url) == (
        "GET",
        "https://api.replicate.com/v1/predictions/gm3qorzdhgbfurvjtvhg6dckhu",
    )
    assert poll.headers["Authorization"] == "Bearer r8_k"
    stream = adapter.follow_up_request("m", out, Credentials(api_key="r8_k"), stream=True)
    assert stream.url.startswith("https://stream-b.svc.rno2.c.replicate.net/v1/streams/")
    assert stream.headers["Accept"] == "text/event-stream"


def test_failed_prediction_raises_with_its_id():
    from litellm.core.exceptions import APIError

    data = json.loads((FIXTURES / "prediction_starting.json").read_text())
    data.update(status="failed", error="CUDA out of memory")
    with pytest.raises(APIError, match=r"gm3qorzdhgbfurvjtvhg6dckhu.*CUDA out of memory"):
        get_adapter("replicate").parse_response("m", data)


def test_stream_events():
    adapter = get_adapter("replicate")
    state = adapter.new_stream_state("m")
    chunks = []
    for block in (FIXTURES / "stream.txt").read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if line]
        if not lines:
            continue
        event = lines[0].split(": ", 1)[1]
        data = "\n".join(line[len("data: ") :] for line in lines if line.startswith("data: "))
        chunks += adapter.parse_stream_event(state, event, data)
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == "Why did the chicken"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    with pytest.raises(StreamErrorEvent):
        adapter.parse_stream_event(state, "error", '{"detail": "boom"}')


def test_problem_json_errors():
    adapter = get_adapter("replicate")
    info = adapter.classify_error(
        401,
        {
            "title": "Unauthenticated",
            "detail": "You did not pass a valid authentication token",
            "status": 401,
        },
        {},
    )
    assert info.kind == "AuthenticationError" and "valid authentication token" in info.message
    assert adapter.classify_error(429, {"detail": "Request was throttled."}, {}).kind == "RateLimitError"
    assert (
        adapter.classify_error(422, {"detail": "input: prompt is required"}, {}).kind
        == "UnprocessableEntityError"
    )
