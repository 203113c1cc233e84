"""Hidden params are read through their own ``get`` (dict's C method once a HiddenParams is priced)
instead of choosing ``dict.get`` or a Python ``mapping.get`` wrapper by type: the response head and the
CallInfo are what the old selection gave, for every kind of hidden params."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import pytest

from litellm.calls.costing import HiddenParams
from litellm.core.types import ModelResponse
from litellm.proxy import handlers
from litellm.proxy.backend import CallInfo, DirectBackend, RouterBackend, hidden_params
from litellm.proxy.handlers import LLMRoute


class _Mapping(Mapping[str, Any]):
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Any:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


class _Shouting(dict):
    """A dict whose own ``get`` differs from dict's: the old code called it too (not a plain dict)."""

    def get(self, key: Any, default: Any = None) -> Any:
        value = dict.get(self, key, default)
        return value.upper() if isinstance(value, str) else value


_PLAIN = (dict, HiddenParams)


def _old_get(hidden: Any) -> Any:
    return dict.get if type(hidden) in _PLAIN else (lambda mapping, key: mapping.get(key))


def _old_raw_headers(
    route: LLMRoute, call_id: str, info: Any, result: Any, started: Any
) -> dict[bytes, bytes]:
    """LLMRoute._raw_headers before this change (the oracle)."""
    headers = {
        b"x-litellm-call-id": call_id.encode("latin-1"),
        b"x-litellm-version": route.state.version.encode(),
    }
    hidden = handlers._hidden(result) if result is not None else {}
    get = _old_get(hidden)
    if info is not None:
        api_base = get(hidden, "api_base") or info.api_base
        headers[b"x-litellm-model-group"] = info.model_group.encode("latin-1")
        if info.model_id:
            headers[b"x-litellm-model-id"] = str(info.model_id).encode("latin-1")
        if api_base:
            headers[b"x-litellm-model-api-base"] = str(api_base).split("?")[0].encode("latin-1")
        headers[b"x-litellm-attempted-retries"] = handlers._latin1(info.attempted_retries)
        headers[b"x-litellm-attempted-fallbacks"] = handlers._latin1(info.attempted_fallbacks)
        if info.max_retries is not None:
            headers[b"x-litellm-max-retries"] = handlers._latin1(info.max_retries)
    if hidden:
        cost = hidden.get("response_cost")
        if cost is not None:
            headers[b"x-litellm-response-cost"] = handlers._latin1(cost)
        ms = get(hidden, "_response_ms")
        if ms is not None:
            headers[b"x-litellm-response-duration-ms"] = handlers._ms(ms)
            if started is not None:
                headers[b"x-litellm-overhead-duration-ms"] = handlers._ms(
                    max(0.0, (time.time() - started) * 1000.0 - ms)
                )
        extra = get(hidden, "additional_headers")
        if extra:
            for key, value in extra.items():
                if value is None:
                    continue
                for name in handlers._extra_names(key):
                    headers[name] = handlers._latin1(value)
    return headers


def _priced_hidden(data: dict[str, Any], cost: Any) -> HiddenParams:
    ctx = SimpleNamespace(cost=SimpleNamespace(response_cost=cost), raw_response=None, call_type="x")
    return HiddenParams(data, ctx, None)


def _with_hidden(hidden: Any) -> ModelResponse:
    response = ModelResponse()
    response.__pydantic_private__["_hidden_params"] = hidden  # type: ignore[index]
    return response


def _kinds(data: dict[str, Any], cost: Any) -> list[Any]:
    """Fresh results, one per kind of hidden params (a HiddenParams prices itself once read)."""
    priced = _priced_hidden(dict(data), cost)
    len(priced)  # priced now: its class is the plain-dict one
    return [
        lambda: _with_hidden(_priced_hidden(dict(data), cost)),
        lambda: _with_hidden(_priced_hidden(dict(data), cost) if not data else priced.copy()),
        lambda: _with_hidden(dict(data)),
        lambda: SimpleNamespace(_hidden_params=_Mapping(dict(data))),
        lambda: SimpleNamespace(_hidden_params=_Shouting(data)),
        lambda: SimpleNamespace(),
    ]


def _cases(n: int) -> Any:
    rnd = random.Random(11)
    for _ in range(n):
        data: dict[str, Any] = {}
        for key, choices in (
            ("api_base", [None, "", "http://h/v1?q=1", "http://x"]),
            ("_response_ms", [None, 0.0, 12.5, 7]),
            ("model_group", [None, "", "grp", "other"]),
            ("model_id", [None, "id-1", 5]),
            ("custom_llm_provider", [None, "openai"]),
            (
                "additional_headers",
                [
                    None,
                    {},
                    {"llm_provider-x-ratelimit-limit-tokens": "100", "x-litellm-attempted-retries": 2},
                    {"x-litellm-attempted-fallbacks": 1, "llm_provider-x-request-id": "abc"},
                ],
            ),
        ):
            if rnd.random() < 0.7:
                data[key] = rnd.choice(choices)
        yield rnd, data, rnd.choice([None, 2.5e-06, 0.0])


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: 1_700_000_000.25)


def test_raw_headers_match_the_old_selection(frozen_time: None) -> None:
    route = LLMRoute(SimpleNamespace(version="1.2.3"), "acompletion", "completion")
    checked = 0
    for rnd, data, cost in _cases(300):
        info = rnd.choice([None, CallInfo("g", "dep", "http://i/v1", None, None, 1, 0, 3)])
        started = rnd.choice([None, 1_700_000_000.0])
        for make in _kinds(data, cost):
            assert route._raw_headers("c", info, make(), started) == _old_raw_headers(
                route, "c", info, make(), started
            )
            checked += 1
    assert checked == 1800


def _old_info(result: Any, model: str, alias: dict[str, str]) -> CallInfo:
    """RouterBackend.call's CallInfo before this change (the oracle)."""
    hidden = hidden_params(result) or {}
    get = _old_get(hidden)
    extra = get(hidden, "additional_headers") or {}
    group = str(get(hidden, "model_group") or model)
    fallbacks = extra.get("x-litellm-attempted-fallbacks")
    if fallbacks is None:
        fallbacks = 0 if group == alias.get(model, model) else 1
    return CallInfo(
        model_group=group,
        model_id=get(hidden, "model_id"),
        api_base=get(hidden, "api_base"),
        provider=get(hidden, "custom_llm_provider"),
        attempted_retries=int(extra.get("x-litellm-attempted-retries") or 0),
        attempted_fallbacks=int(fallbacks),
    )


class _Router:
    def __init__(self, result: Any) -> None:
        self.result = result

    async def acompletion(self, model: str, **kwargs: Any) -> Any:
        return self.result


def test_router_backend_info_matches_the_old_selection() -> None:
    direct = DirectBackend(
        [{"model_name": "grp", "litellm_params": {"model": "openai/x"}, "model_info": {"id": "1"}}]
    )

    async def run() -> int:
        checked = 0
        for _rnd, data, cost in _cases(300):
            for make in _kinds(data, cost):
                result = make()

                backend = RouterBackend(_Router(result), direct)
                got, info = await backend.call("acompletion", "grp", {"messages": []})
                assert got is result
                assert info == _old_info(make(), "grp", direct.alias)
                checked += 1
        return checked

    assert asyncio.run(run()) == 1800
