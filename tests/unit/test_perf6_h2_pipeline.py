"""perf6 (H2): the pipeline's shortcuts give what the code they replace gave.

Each old function is kept here as the oracle and compared with the new one over varied inputs.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from litellm.calls import pipeline
from litellm.core.settings import settings
from litellm.providers.params import split_params
from litellm.providers.registry import resolve


def _old_optional_params(adapter: Any, model: str, call: Any, drop: bool) -> dict[str, Any]:
    params = split_params(adapter, model, call.openai, drop)
    if call.extra:
        params = {**params, **call.extra}
    return params


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # the same error, same text
        return ("error", type(exc).__name__, str(exc))


KWARGS = [
    {},
    {"api_key": "k", "metadata": {"a": 1}},
    {"top_k": 3},
    {"top_k": None, "foo": "bar"},
    {"temperature": 0.2},
    {"temperature": None},
    {"temperature": 0.5, "top_k": 2, "api_base": "http://x"},
    {"logit_bias": {"1": 2}, "n": 1},
    {"n": 2, "stop": ["x"], "user": "u"},
    {"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "auto"},
    {"response_format": {"type": "json_object"}, "seed": 1},
    {"reasoning_effort": "low", "thinking": {"type": "enabled"}},
    {"allowed_openai_params": ["logit_bias"], "logit_bias": {"1": 1}},
]
MODELS = ["openai/gpt-4o-mini", "anthropic/claude-3-5-sonnet", "groq/llama3-8b", "ollama/llama3", "gpt-4o"]


@pytest.mark.parametrize("model", MODELS)
def test_optional_params_matches_split_params(model: str) -> None:
    resolved = resolve(model)
    for kwargs, drop in itertools.product(KWARGS, (False, True)):
        call = pipeline._Call(dict(kwargs))
        new = _outcome(pipeline._optional_params, resolved.adapter, resolved.model, call, drop)
        old = _outcome(_old_optional_params, resolved.adapter, resolved.model, call, drop)
        assert new == old, (model, kwargs, drop)
        if new[0] == "ok":  # a fresh dict: the pipeline adds stream_options / pops tools in place
            assert new[1] is not call.openai and new[1] is not call.extra


def _old_headers(lp: dict[str, Any]) -> dict[str, str] | None:
    headers = dict(settings.headers or {})
    headers.update(lp.get("extra_headers") or lp.get("headers") or {})
    return headers or None


HEADER_CASES = [
    ({}, None),
    ({"extra_headers": {"X-A": "1"}}, None),
    ({"headers": {"X-B": "2"}}, None),
    ({"extra_headers": {}, "headers": {"X-B": "2"}}, None),
    ({"extra_headers": {"X-A": "1"}, "headers": {"X-B": "2"}}, None),
    ({"extra_headers": None}, {"X-S": "s"}),
    ({}, {"X-S": "s", "Authorization": "Bearer override"}),
    ({"extra_headers": {"X-S": "mine"}}, {"X-S": "s"}),
    ({"extra_headers": [("X-P", "pairs")]}, None),
    ({}, {}),
]


@pytest.mark.parametrize(("lp_extra", "module_headers"), HEADER_CASES)
def test_build_chat_headers_match(
    monkeypatch: pytest.MonkeyPatch, lp_extra: dict, module_headers: Any
) -> None:
    monkeypatch.setattr(settings, "headers", module_headers, raising=False)
    seen: dict[str, Any] = {}

    class Adapter:
        def build_request(self, model, messages, params, creds, *, stream, extra_headers, extra_body):
            seen["headers"] = extra_headers
            seen["body"] = extra_body
            return "request"

    p = pipeline.Prepared(pipeline.COMPLETION, {"messages": [{"role": "user", "content": "hi"}]}, False)
    p.call = pipeline._Call({**lp_extra, "extra_body": {"x": 1}})
    p.adapter = Adapter()
    p.model = "m"
    assert pipeline._build_chat(p) == "request"
    assert seen["headers"] == _old_headers(p.call.lp)
    assert seen["body"] == {"x": 1}
    if seen["headers"] is not None:  # the adapter may update it: never the caller's or the module's dict
        assert seen["headers"] is not lp_extra.get("extra_headers") and seen["headers"] is not module_headers


def test_build_chat_request_unchanged_end_to_end() -> None:
    """The whole wire request for an OpenAI deployment, with and without headers."""
    for extra in ({}, {"extra_headers": {"X-Trace": "t"}}):
        kwargs = {"api_key": "sk-x", "api_base": "http://127.0.0.1:9/v1", **extra}
        p = pipeline._prepare(
            pipeline.COMPLETION,
            "openai/gpt-4o-mini",
            {"messages": [{"role": "user", "content": "hi"}]},
            kwargs,
            False,
        )
        req = pipeline._build_chat(p)
        expected = p.adapter.build_request(
            p.model,
            p.inputs["messages"],
            p.params,
            p.creds,
            stream=False,
            extra_headers=_old_headers(p.call.lp),
            extra_body=None,
        )
        assert (req.url, req.headers, req.body) == (expected.url, expected.headers, expected.body)
