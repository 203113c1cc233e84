"""perf6 (H3): the event hand-off's shortcuts give what the code they replace gave.

Oracles: the previous ``Dispatcher._all_refuse`` (one ``lane_refusal`` call per target), the previous
``CallContext._litellm_params`` (a ``**`` spread), ``messages`` set through its property and
``pre_call_kwargs`` built with ``start_dt`` and the ``messages`` property.
"""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from typing import Any

import pytest

from litellm.calls.context import CallContext, snapshot
from litellm.dispatch import dispatcher as dispatch_mod
from litellm.dispatch.callbacks import _BrokenTarget
from litellm.dispatch.lanes import lane_refusal
from litellm.integrations.custom_logger import CustomLogger

# -- Dispatcher._all_refuse ------------------------------------------------------------------------------


def _old_all_refuse(self: Any, targets: tuple) -> bool:
    token = self._lanes_token
    for target in targets:
        if target.config_error is not None:
            continue
        cached = target.lane_cache
        if cached is None or cached[0] != token or lane_refusal(cached[1]) is None:
            return False
    for target in targets:
        if target.config_error is not None:
            reason = target.config_reason
        else:
            reason = lane_refusal(target.lane_cache[1]) or "backlog_full"
        self._counters_for(target.name).drop(reason)
    with self._lock:
        self._events_dropped += 1
    return True


class _L(CustomLogger):
    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        pass


class _M(CustomLogger):
    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        pass


_STATES = [
    {},
    {"stuck": True},
    {"hung_until": time.monotonic() + 3600},  # hung for a while yet
    {"hung_until": 1.0},  # a timeout long past (not yet cleared)
    {"saturated": True},
    {"stuck": True, "saturated": True},
    {"hung_until": 1.0, "saturated": True},
]


def _set_up(d: Any, logger: Any, state: dict | None) -> Any:
    """The logger's target with a lane in ``state`` (None: no lane cached yet)."""
    target = dispatch_mod._targets[id(logger)]
    target.lane_cache = None
    if state is not None:
        lane = d._lane_for(target)
        lane.stuck = state.get("stuck", False)
        lane.hung_until = state.get("hung_until", 0.0)
        lane.saturated = state.get("saturated", False)
    return target


def _dropped(d: Any) -> dict:
    return {name: c.snapshot() for name, c in d._counters.items()}


@pytest.mark.parametrize("with_broken", [False, True])
def test_all_refuse_answers_and_counts_as_before(with_broken: bool) -> None:
    a, b = _L(), _M()
    cbs = dispatch_mod.build_callback_set((a, b), (), (), ())
    broken = _BrokenTarget("nowhere", "no keys")
    checked = 0
    for state_a, state_b in itertools.product([None, *_STATES], repeat=2):
        results = []
        for impl in (_old_all_refuse, dispatch_mod.Dispatcher._all_refuse):
            d = dispatch_mod.Dispatcher()
            try:
                targets = (_set_up(d, a, state_a), _set_up(d, b, state_b))
                if with_broken:
                    targets = (broken, *targets)
                assert cbs._success_t  # (the set resolves the same targets)
                answer = impl(d, targets)
                results.append((answer, _dropped(d), d._events_dropped))
            finally:
                d.shutdown(1)
        assert results[0] == results[1], (state_a, state_b)
        checked += 1
    assert checked == 64


def test_all_refuse_refuses_when_every_lane_would_drop() -> None:
    a = _L()
    dispatch_mod.build_callback_set((a,), (), (), ())
    d = dispatch_mod.Dispatcher()
    try:
        target = _set_up(d, a, {"stuck": True})
        assert d._all_refuse((target,)) is True
        target = _set_up(d, a, {"hung_until": 1.0})  # a past timeout does not refuse
        assert d._all_refuse((target,)) is False
    finally:
        d.shutdown(1)


# -- CallContext -----------------------------------------------------------------------------------------


def _old_litellm_params(self: CallContext) -> dict:
    return {
        "metadata": self.metadata,
        "litellm_call_id": self.litellm_call_id,
        "litellm_trace_id": self.trace_id,
        "api_base": self.api_base,
        "custom_llm_provider": self.custom_llm_provider,
        "model_id": self.model_id,
        "stream": self.stream,
        "otel_parent_context": self.otel_parent,
        **({"custom_pricing": True} if self.custom_pricing else {}),
    }


def _old_pre_call_kwargs(self: CallContext) -> dict:
    messages = self.messages
    if self.turn_off_message_logging:
        from litellm.core.redact import redact_messages

        messages = redact_messages(self.messages)
    return {
        "model": self.provider_model or self.model,
        "messages": messages,
        "optional_params": self.optional_params,
        "litellm_params": _old_litellm_params(self),
        "litellm_call_id": self.litellm_call_id,
        "call_type": self.call_type,
        "stream": self.stream,
        "start_time": self.start_dt,
        "custom_llm_provider": self.custom_llm_provider,
        "api_base": self.api_base,
        "user": self.user,
        "metadata": self.metadata,
    }


_MESSAGES = [
    [{"role": "user", "content": "hi"}],
    [{"role": "user", "content": [{"type": "text", "text": "x"}]}, {"role": "assistant", "content": None}],
    [],
    None,
    ({"role": "user", "content": "a tuple"},),
]


def _ctx(messages: Any, callbacks: Any, **kw: Any) -> CallContext:
    return CallContext(
        call_type="acompletion",
        is_async=True,
        model="openai/gpt-4o-mini",
        messages=messages,
        stream=kw.pop("stream", False),
        callbacks=callbacks,
        metadata={"user_api_key_hash": "abc", "tags": ["t"]},
        optional_params=kw.pop("optional_params", {}),
        user="someone",
        turn_off_message_logging=kw.pop("turn_off_message_logging", False),
    )


@pytest.mark.parametrize("messages", _MESSAGES)
@pytest.mark.parametrize("callbacks", [None, object()])
def test_messages_are_set_as_the_property_sets_them(messages: Any, callbacks: Any) -> None:
    ctx = _ctx(messages, callbacks)
    via_property = _ctx(None, callbacks)
    via_property.messages = messages  # the setter's rule
    assert ctx.messages == via_property.messages == messages
    if callbacks is None:
        assert ctx.messages is messages
    elif isinstance(messages, (list, tuple)) and messages:
        assert ctx.messages is not messages  # a snapshot: shares no container with the caller
        assert ctx.messages == snapshot(messages)
        assert ctx.messages[0] is not messages[0]


@pytest.mark.parametrize("custom_pricing", [None, {}, {"input_cost_per_token": 1e-6}])
@pytest.mark.parametrize("turn_off", [False, True])
@pytest.mark.parametrize("stream", [False, True])
def test_pre_call_kwargs_and_litellm_params_match_the_old_build(
    custom_pricing: Any, turn_off: bool, stream: bool
) -> None:
    for messages in _MESSAGES:
        ctx = _ctx(messages, object(), stream=stream, turn_off_message_logging=turn_off)
        ctx.custom_pricing = custom_pricing
        ctx.provider_model = "gpt-4o-mini"
        ctx.api_base = "http://127.0.0.1:1/v1"
        ctx.custom_llm_provider = "openai"
        new, old = ctx._litellm_params(), _old_litellm_params(ctx)
        assert list(new.items()) == list(old.items())
        new, old = ctx.pre_call_kwargs(), _old_pre_call_kwargs(ctx)
        assert list(new) == list(old)
        assert new["litellm_params"] == old["litellm_params"]
        assert list(new["litellm_params"]) == list(old["litellm_params"])
        assert new == old
        assert type(new["start_time"]) is datetime
        if not turn_off:
            assert new["messages"] is ctx.messages
