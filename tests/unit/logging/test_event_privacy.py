"""Before any hook or destination sees an event: secrets masked, and content removed if a masking hook failed.

* URL userinfo in ``api_base`` and credential-named metadata fields (any case, any depth) are masked in
  the kwargs, ``litellm_params`` and the payload, for every event kind; the caller's dicts are untouched.
* A ``logging_hook`` / ``async_logging_hook`` that raises, times out or returns the wrong shape fails
  closed: the event is delivered with message and response content removed, counted with the reason.
"""

from __future__ import annotations

import copy
import json
import threading

import pytest
from logging_fakes import CANARY_CONTENT, FakeCtx, Recorder, ctx_for

from litellm.core.redact import REDACTED_MARKER
from litellm.dispatch import dispatcher as dispatch_mod
from litellm.integrations.custom_logger import CustomLogger

# Deliberately not shaped like a provider key (no "sk-" prefix): only name-based masking can catch it.
CANARY = "zebra7f3a9c21e0d4b5a6c8"


def leaks(obj) -> bool:
    text = json.dumps(obj, default=repr)
    return CANARY in text or CANARY[:-4] in text


class SecretCtx(FakeCtx):
    """A context whose metadata and api_base carry secrets, as a careless caller would pass them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.api_base = f"http://user:{CANARY}@127.0.0.1:9/v1?key={CANARY}"
        self.metadata = {
            "api_key": CANARY,
            "Authorization": f"Bearer {CANARY}",
            "nested": {"TOKEN": CANARY, "keep": "visible", "list": [{"password": CANARY}]},
            "clientSecret": CANARY,
            "note": f"see http://admin:{CANARY}@db.internal/",
            "max_tokens": 12,
            "user_api_key_team_id": "team-1",
        }
        self.metadata_before = copy.deepcopy(self.metadata)

    def pre_call_kwargs(self) -> dict:
        kwargs = super().pre_call_kwargs()
        kwargs["api_base"] = self.api_base
        kwargs["metadata"] = self.metadata
        kwargs["litellm_params"] = {"metadata": self.metadata, "api_base": self.api_base}
        kwargs["optional_params"] = {
            "temperature": 0.1,
            "extra_headers": {"Authorization": f"Bearer {CANARY}"},
        }
        return kwargs

    def build_kwargs(self) -> dict:
        if self._kwargs is None:
            kwargs = super().build_kwargs()
            kwargs.update(self.pre_call_kwargs())
            payload = kwargs["standard_logging_object"]
            payload["metadata"] = dict(self.metadata)
            payload["api_base"] = self.api_base
            payload["hidden_params"] = {"api_base": self.api_base}
            payload["model_parameters"] = {"temperature": 0.1, "api_key": CANARY}
        return self._kwargs


class AllKinds(Recorder):
    pass


def test_secrets_in_api_base_and_metadata_never_reach_a_hook_for_any_event_kind(dispatcher):
    rec = AllKinds()
    ctx = SecretCtx(ctx_for(rec).callbacks)
    dispatcher.emit_pre_call(ctx)
    dispatcher.emit_success(ctx)
    assert dispatcher.flush(5)
    assert rec.hooks() == ["log_pre_api_call", "log_post_api_call", "log_success_event"]
    for _hook, kwargs, *_ in rec.calls:
        assert not leaks(kwargs), kwargs
        assert kwargs["api_base"].startswith("http://****@127.0.0.1:9/v1")
    kwargs = rec.calls[-1][1]
    metadata = kwargs["metadata"]
    assert metadata["nested"]["keep"] == "visible" and metadata["max_tokens"] == 12
    assert metadata["user_api_key_team_id"] == "team-1"  # an identifier, not a credential
    assert not leaks(kwargs["standard_logging_object"])
    assert ctx.metadata == ctx.metadata_before  # the caller's dict is never rewritten


def test_an_event_without_secrets_is_passed_on_as_built(dispatcher):
    rec = Recorder()
    ctx = ctx_for(rec)
    dispatcher.emit_success(ctx)
    assert dispatcher.flush(5)
    assert rec.calls[0][1] is ctx.build_kwargs()  # nothing to mask: no copy


class Raising(CustomLogger):
    def logging_hook(self, kwargs, result, call_type):
        raise RuntimeError("masking bug")

    async def async_logging_hook(self, kwargs, result, call_type):
        raise RuntimeError("masking bug")


class WrongShape(CustomLogger):
    def logging_hook(self, kwargs, result, call_type):
        kwargs["messages"] = "masked in place, forgot to return"


def _assert_content_removed(kwargs, result):
    text = json.dumps([kwargs, result], default=repr)
    assert CANARY_CONTENT not in text
    assert REDACTED_MARKER in json.dumps(kwargs["standard_logging_object"], default=repr)
    assert kwargs["standard_logging_object"]["total_tokens"] == 8  # numbers kept


@pytest.mark.parametrize("is_async", [False, True])
def test_a_logging_hook_that_raises_fails_closed(dispatcher, is_async):
    rec = Recorder()
    result = {"choices": [{"message": {"content": CANARY_CONTENT}}]}
    dispatcher.emit_success(ctx_for(Raising(), rec, is_async=is_async, result=result))
    assert dispatcher.flush(5)
    assert rec.wait_for(1)
    _hook, kwargs, response_obj, *_ = rec.calls[0]
    _assert_content_removed(kwargs, response_obj)
    stats = dispatcher.stats()
    assert stats["per_callback"]["Raising"]["fail_closed"] == {"logging_hook_raised": 1}
    assert stats["fail_closed"] == 1


def test_a_logging_hook_returning_the_wrong_shape_fails_closed(dispatcher):
    rec = Recorder()
    dispatcher.emit_success(ctx_for(WrongShape(), rec))
    assert dispatcher.flush(5)
    _hook, kwargs, response_obj, *_ = rec.calls[0]
    _assert_content_removed(kwargs, response_obj)
    assert dispatcher.stats()["per_callback"]["WrongShape"]["fail_closed"] == {"logging_hook_bad_return": 1}


def test_a_hung_logging_hook_fails_closed_every_time_it_cannot_finish():
    release = threading.Event()

    class Hung(CustomLogger):
        def logging_hook(self, kwargs, result, call_type):
            release.wait(30)
            return kwargs, result

    d = dispatch_mod.Dispatcher(hook_timeout=0.2)
    name = "test_a_hung_logging_hook_fails_closed_every_time_it_cannot_finish.<locals>.Hung"
    try:
        rec, hung = Sink(), Hung()
        d.emit_success(ctx_for(hung, rec, index=0))
        d.emit_success(ctx_for(hung, rec, index=1))
        assert rec.wait_for(2)
        for kwargs, response_obj in rec.events:
            _assert_content_removed(kwargs, response_obj)
        reasons = d.stats()["per_callback"][name]["fail_closed"]
        # the first times out; the second finds it stuck (or, on a starved machine where the first never
        # started, times out too): content removed either way
        assert sum(reasons.values()) == 2
        assert set(reasons) <= {"logging_hook_timed_out", "logging_hook_stuck"}
    finally:
        release.set()
        d.shutdown(5)


class Sink(CustomLogger):
    def __init__(self):
        super().__init__()
        self.events: list = []
        self.cond = threading.Condition()

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        with self.cond:
            self.events.append((kwargs, response_obj))
            self.cond.notify_all()

    def wait_for(self, n, timeout=5.0):
        with self.cond:
            return self.cond.wait_for(lambda: len(self.events) >= n, timeout)


def test_mask_shallow_gives_the_same_answer_once_names_are_known_plain(monkeypatch):
    # _mask_shallow remembers names that are neither credentials nor header dicts; a dict of only such
    # names is returned at once. Every answer must equal the first, full walk's.
    from litellm.dispatch import privacy

    monkeypatch.setattr(privacy, "_plain_keys", set())
    cases = [
        {"temperature": 0.2, "max_tokens": 5, "tools": [{"name": "t"}], "user": "u"},
        {"api_key": "sk-abcdefghijklmnopqrstuvwx", "temperature": 0.2},
        {"headers": {"Authorization": "Bearer abcdefghijklmnop"}, "extra_headers": "not a dict"},
        {"client_secret": True, "session_token": 3, "password": "", "secret": None},
        {1: "a", (2, 3): "b", "seed": 7},
        {"temperature": 0.1, "x_api_key": ["k1", "k2"]},
    ]
    first = [copy.deepcopy(privacy._mask_shallow(case)) for case in cases]
    assert privacy._plain_keys >= {"temperature", "max_tokens", "tools", "user", "seed"}
    assert not privacy._plain_keys & {"api_key", "headers", "extra_headers", "client_secret", "x_api_key"}
    for _ in range(2):
        assert [privacy._mask_shallow(case) for case in cases] == first
    assert privacy._mask_shallow(cases[0]) is cases[0]  # nothing to mask: the same dict
    assert first[1]["api_key"] != cases[1]["api_key"] and first[5]["x_api_key"] == "****"
