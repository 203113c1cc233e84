"""CallContext.build_kwargs: the kwargs every hook gets start with exactly what pre_call_kwargs() holds."""

from __future__ import annotations

from litellm.calls.context import CallContext
from litellm.calls.payload import usage_numbers


def _ctx(**kw) -> CallContext:
    ctx = CallContext(
        call_type="acompletion",
        is_async=True,
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "hi"}],
        stream=False,
        callbacks=None,
        metadata={"user_api_key_hash": "abc", "tags": ["t"]},
        optional_params=kw.pop("optional_params", {}),
        user="someone",
    )
    ctx.provider_model = "gpt-4o-mini"
    ctx.custom_llm_provider = "openai"
    ctx.api_base = "http://127.0.0.1:1/v1"
    ctx.end_time = ctx.start_time + 0.25
    ctx.completion_start_time = kw.pop("completion_start_time", None)
    return ctx


def test_build_kwargs_begins_with_the_pre_call_kwargs_in_order():
    for completion_start in (None, 1.0):
        ctx = _ctx(completion_start_time=completion_start)
        pre = ctx.pre_call_kwargs()
        kwargs = ctx.build_kwargs()
        keys = list(kwargs)
        assert keys[: len(pre)] == list(pre)
        assert keys[len(pre) : len(pre) + 2] == ["end_time", "completion_start_time"]
        assert {k: kwargs[k] for k in pre} == pre
        assert kwargs["end_time"] == ctx.end_dt


def test_model_parameters_of_no_params_match_the_general_path():
    for stream in (False, True):
        for params in ({}, {"temperature": 0.1, "api_key": "sk-x", "headers": {"a": "b"}}):
            ctx = _ctx(optional_params=params)
            ctx.stream = stream
            payload = ctx.build_payload(None, None)
            assert payload["model_parameters"] == ctx._model_parameters()


def test_usage_numbers_read_dicts_and_objects_alike():
    class Usage:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    cases = [
        {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
        {"input_tokens": 3, "output_tokens": 4},
        {"prompt_tokens": 3},
        {},
    ]
    expected = [(3, 4, 7), (3, 4, 7), (3, 0, 3), (0, 0, 0)]
    assert [usage_numbers(c) for c in cases] == expected
    assert [usage_numbers(Usage(**c)) for c in cases] == expected
    assert usage_numbers(None) == (0, 0, 0)
