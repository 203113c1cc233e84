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


def _old_custom_pricing(lp: dict[str, Any]) -> dict[str, Any] | None:
    pricing = {k: lp[k] for k in pipeline._PRICING_KEYS if lp.get(k) is not None}
    if lp.get("base_model"):
        pricing["base_model"] = lp["base_model"]
    return pricing or None


def _old_num_retries(lp: dict[str, Any]) -> int:
    for value in (lp.get("num_retries"), lp.get("max_retries"), settings.num_retries):
        if value is not None:
            return max(0, int(value))
    return 0


LPS = [
    {},
    {"api_key": "k", "metadata": {}},
    {"input_cost_per_token": None},
    {"input_cost_per_token": 0.0},
    {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
    {"input_cost_per_second": 0.1, "output_cost_per_second": None},
    {"base_model": ""},
    {"base_model": None, "output_cost_per_second": 3},
    {"base_model": "gpt-4o"},
    {"base_model": "gpt-4o", "input_cost_per_token": 1e-6},
    {"num_retries": None},
    {"num_retries": 0},
    {"num_retries": "3"},
    {"num_retries": -2},
    {"max_retries": 4},
    {"num_retries": None, "max_retries": 2.7},
    {"num_retries": 1, "max_retries": 5},
    {"max_retries": None},
]


@pytest.mark.parametrize("module_retries", [None, 0, 2, "5"])
def test_custom_pricing_and_retries_match(monkeypatch: pytest.MonkeyPatch, module_retries: Any) -> None:
    monkeypatch.setattr(settings, "num_retries", module_retries)
    for lp in LPS:
        assert pipeline._custom_pricing(lp) == _old_custom_pricing(lp), lp
        assert pipeline._num_retries(lp) == _old_num_retries(lp), lp
        assert type(pipeline._num_retries(lp)) is type(_old_num_retries(lp))


def test_model_id_from_model_info_of_any_mapping() -> None:
    from types import MappingProxyType

    for info, expected in (
        ({"id": "a"}, "a"),
        (MappingProxyType({"id": "b"}), "b"),
        ("x", None),
        (None, None),
    ):
        kwargs = {"api_key": "sk-x", "model_info": info, "mock_response": "hi"}
        p = pipeline._prepare(pipeline.COMPLETION, "openai/gpt-4o-mini", {"messages": []}, kwargs, False)
        assert p.ctx.model_id == expected


def test_openai_supported_params_match_set_difference() -> None:
    from litellm.providers.openai_compat import PROVIDERS, _openai_supported

    models = ["gpt-4o", "gpt-4o-mini", "o1", "o3-mini", "o4-mini", "gpt-5", "gpt-5-chat-latest", "gpt-5-mini",
              "gpt-3.5-turbo", "ft:gpt-4o:org", "my-model", "openai/o1", "azure/gpt-5"]  # fmt: skip
    checked = 0
    for name, spec in PROVIDERS.items():
        if not spec.openai_model_rules:
            continue
        adapter = resolve(f"{name}/x").adapter
        for model in models:
            got = adapter.supported_params(model)
            assert got == _openai_supported(model) - spec.unsupported, (name, model)
            assert adapter.supported_params(model) is got  # made once
            checked += 1
    assert checked >= len(models)


def test_aenrich_makes_no_coroutine_without_follow_up() -> None:
    import asyncio

    from litellm.calls import follow_ups

    p = pipeline._prepare(
        pipeline.COMPLETION,
        "openai/gpt-4o-mini",
        {"messages": []},
        {"api_key": "sk-x", "mock_response": "hi"},
        True,
    )
    assert follow_ups.aenrich(p, object()) is None

    class Polling:
        poll_interval_s = 0.0

        def follow_up_request(self, model: str, parsed: Any, creds: Any, *, stream: bool) -> None:
            seen.append(parsed)
            return None  # finished: nothing more to send

    seen: list[Any] = []
    p.adapter = Polling()
    p.ctx.raw_response = {"id": "job"}
    pending = follow_ups.aenrich(p, object())
    assert asyncio.iscoroutine(pending)
    assert asyncio.run(pending) is None
    assert seen == [{"id": "job"}]


def test_arun_awaits_an_async_aenrich_and_skips_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Specs with an ``async def`` aenrich (batches, assistants, resources) are still awaited."""
    import asyncio
    import dataclasses

    calls: list[str] = []

    async def async_enrich(p: Any, result: Any) -> None:
        calls.append("async")

    def sync_none(p: Any, result: Any) -> None:
        calls.append("none")

    class Reply:
        status = 200
        headers: dict[str, str] = {}

        async def read(self) -> bytes:
            return b'{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'

        def release(self) -> None:
            pass

    class Transport:
        async def send(self, request: Any, *, timeout: Any, stream: bool) -> Any:
            calls.append("send")
            return Reply()

    for hook, expected in ((async_enrich, ["send", "async"]), (sync_none, ["send", "none"])):
        calls.clear()
        spec = dataclasses.replace(pipeline.COMPLETION, aenrich=hook)
        kwargs = {"api_key": "sk-x", "api_base": "http://127.0.0.1:9/v1", "client": Transport()}
        result = asyncio.run(
            pipeline.arun(
                spec, "openai/gpt-4o-mini", {"messages": [{"role": "user", "content": "q"}]}, kwargs
            )
        )
        assert result.choices[0].message.content == "hi"
        assert calls == expected


def test_arun_reaches_the_cache_only_when_one_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """No lookup/store coroutine without a cache; with one, a miss is stored and the next call is a hit."""
    import asyncio

    from litellm.caching import Cache

    seen: list[str] = []
    lookup, store = pipeline._acache_lookup, pipeline._acache_store

    async def spy_lookup(p: Any) -> Any:
        seen.append("lookup")
        return await lookup(p)

    async def spy_store(p: Any, response: Any) -> Any:
        seen.append("store")
        return await store(p, response)

    monkeypatch.setattr(pipeline, "_acache_lookup", spy_lookup)
    monkeypatch.setattr(pipeline, "_acache_store", spy_store)
    kwargs = {"api_key": "sk-x", "mock_response": "hello"}
    msgs = [{"role": "user", "content": "cache me"}]
    asyncio.run(pipeline.acompletion("openai/gpt-4o-mini", msgs, **kwargs))
    assert seen == []
    monkeypatch.setattr(settings, "cache", Cache(type="local"))

    class Reply:
        status = 200
        headers: dict[str, str] = {}

        async def read(self) -> bytes:
            return b'{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'

        def release(self) -> None:
            pass

    class Transport:
        async def send(self, request: Any, *, timeout: Any, stream: bool) -> Any:
            seen.append("send")
            return Reply()

    sent = {"api_key": "sk-x", "api_base": "http://127.0.0.1:9/v1", "client": Transport(), "caching": True}
    first = asyncio.run(pipeline.acompletion("openai/gpt-4o-mini", msgs, **sent))
    second = asyncio.run(pipeline.acompletion("openai/gpt-4o-mini", msgs, **sent))
    assert seen == ["lookup", "send", "store", "lookup"]
    assert second._hidden_params.get("cache_hit") is True
    assert second.choices[0].message.content == first.choices[0].message.content == "hi"


def test_call_spec_async_name_is_a_plus_name() -> None:
    import dataclasses

    from litellm.calls.registry import CALLS

    specs = [pipeline.COMPLETION, pipeline.EMBEDDING, dataclasses.replace(pipeline.COMPLETION, name="other")]
    for spec in specs:
        assert spec.async_name == "a" + spec.name
    assert dataclasses.replace(pipeline.COMPLETION) == pipeline.COMPLETION
    assert "async_name" not in repr(pipeline.COMPLETION)
    assert len(CALLS) > 2


def _old_build_body(self: Any, model: str, messages: list, optional_params: Any, *, stream: bool) -> dict:
    from litellm.providers.openai_compat import normalize_response_format, openai_family

    spec = self.spec
    body: dict[str, Any] = {"model": self.wire_model(model), "messages": messages}
    renames = self._renames
    max_to_completion = spec.openai_model_rules and openai_family(model) in ("o", "gpt5")
    for key, value in optional_params.items():
        if value is None or key == "stream":
            continue
        if key == "stream_options":
            if stream:
                body[key] = value
            continue
        if key == "response_format":
            value = normalize_response_format(value)
        elif key == "tool_choice" and isinstance(value, str) and value in self._tool_choice_renames:
            value = self._tool_choice_renames[value]
        elif key == "max_tokens" and max_to_completion:
            key = "max_completion_tokens"
        body[renames.get(key, key)] = value
    if spec.name == "deepseek" and "reasoning_effort" in body and "thinking" not in body:
        if body["reasoning_effort"] != "none":
            body["thinking"] = {"type": "enabled"}
    for key, value in spec.body_defaults:
        body.setdefault(key, value)
    if stream:
        body["stream"] = True
    return body


def test_openai_compat_build_body_matches_old() -> None:
    from litellm.providers.openai_compat import PROVIDERS

    models = ["gpt-4o", "o1", "o3-mini", "gpt-5", "gpt-5-chat-latest", "my-model", "deepseek-reasoner"]
    params_list = [
        {},
        {"max_tokens": 10},
        {"max_tokens": None, "temperature": 0.1},
        {"max_tokens": 5, "stream_options": {"include_usage": True}, "stream": True},
        {"tool_choice": "required", "response_format": {"type": "json_object"}, "max_completion_tokens": 3},
        {"reasoning_effort": "low", "max_tokens": 7},
    ]
    checked = 0
    for name in PROVIDERS:
        try:
            adapter = resolve(f"{name}/x").adapter
        except Exception:
            continue
        if not hasattr(adapter, "build_body"):
            continue
        for model, params, stream in itertools.product(models, params_list, (False, True)):
            msgs = [{"role": "user", "content": "q"}]
            new = adapter.build_body(model, msgs, dict(params), stream=stream)
            old = _old_build_body(adapter, model, msgs, dict(params), stream=stream)
            assert new == old and list(new) == list(old), (name, model, params, stream)
            checked += 1
    assert checked > 100
