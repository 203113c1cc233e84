"""What callbacks receive matches LiteLLM 1.110.2: model names without the provider prefix, the assembled
response for streamed calls, and objects of their own (issue 8; issue 9 item 2).

Reference values were read from LiteLLM 1.110.2 (``/tmp/ref/venv``) with the same calls.
"""

from __future__ import annotations

from typing import Any

import pytest

from litellm.calls.pipeline import acompletion, completion, flush_callbacks
from litellm.core.settings import settings
from litellm.core.types import ModelResponse
from litellm.cost.calculator import completion_cost
from litellm.integrations.custom_logger import CustomLogger


class Recorder(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.pre: list[tuple[Any, Any]] = []
        self.success: list[tuple[dict, Any]] = []

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: dict) -> None:
        self.pre.append((model, kwargs.get("model")))

    def log_success_event(self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self.success.append((kwargs, response_obj))

    async def async_log_success_event(
        self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.success.append((kwargs, response_obj))


@pytest.fixture
def recorder() -> Recorder:
    rec = Recorder()
    settings.callbacks = [rec]
    return rec


MSGS = [{"role": "user", "content": "hello there friend"}]


@pytest.mark.parametrize(
    ("model", "logged", "provider"),
    [
        ("openai/gpt-4o", "gpt-4o", "openai"),
        ("gpt-4o", "gpt-4o", "openai"),
        ("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5", "anthropic"),
        ("claude-sonnet-4-5", "claude-sonnet-4-5", "anthropic"),
        ("azure/my-deploy", "my-deploy", "azure"),
    ],
)
def test_model_is_logged_without_provider_prefix(
    recorder: Recorder, model: str, logged: str, provider: str
) -> None:
    completion(model=model, messages=MSGS, mock_response="hi")
    assert flush_callbacks(5)
    kwargs, _ = recorder.success[-1]
    payload = kwargs["standard_logging_object"]
    assert kwargs["model"] == logged
    assert payload["model"] == logged
    assert payload["custom_llm_provider"] == provider == kwargs["custom_llm_provider"]
    assert payload["hidden_params"]["litellm_model_name"] == model  # as passed, as LiteLLM does
    assert payload["model_group"] == ""  # LiteLLM: "" outside a Router


def test_priced_model_map_key_is_the_bare_name(recorder: Recorder) -> None:
    completion(model="openai/gpt-4o", messages=MSGS, mock_response="hi")
    assert flush_callbacks(5)
    payload = recorder.success[-1][0]["standard_logging_object"]
    assert payload["model_map_information"]["model_map_key"] == "gpt-4o"
    assert payload["response_cost"] == pytest.approx(0.000225, abs=1e-9)  # 10 in, 20 out: as LiteLLM


def test_streamed_success_gets_the_assembled_response(recorder: Recorder) -> None:
    stream = completion(
        model="gpt-4o", messages=MSGS, mock_response="Hello world, this is a test", stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream)
    assert flush_callbacks(5)
    kwargs, response_obj = recorder.success[-1]
    assert isinstance(response_obj, ModelResponse)
    assert response_obj is kwargs["complete_streaming_response"]
    assert response_obj.choices[0].message.content == text == "Hello world, this is a test"
    # the logged cost is the price of exactly what the hook was handed
    assert kwargs["response_cost"] == pytest.approx(
        completion_cost(completion_response=response_obj), abs=1e-12
    )
    assert response_obj._hidden_params["response_cost"] == kwargs["response_cost"]
    assert response_obj._hidden_params["custom_llm_provider"] == "openai"
    payload = kwargs["standard_logging_object"]
    assert payload["response_cost"] == kwargs["response_cost"]
    assert payload["completion_tokens"] == response_obj.usage.completion_tokens


async def test_async_streamed_success_gets_the_assembled_response(recorder: Recorder) -> None:
    stream = await acompletion(model="gpt-4o", messages=MSGS, mock_response="abc def ghi", stream=True)
    async for _ in stream:
        pass
    assert flush_callbacks(5)
    kwargs, response_obj = recorder.success[-1]
    assert isinstance(response_obj, ModelResponse)
    assert response_obj.choices[0].message.content == "abc def ghi"
    assert kwargs["complete_streaming_response"] is response_obj


def test_function_callback_gets_the_assembled_response() -> None:
    seen: list[Any] = []

    def on_success(kwargs: dict, response: Any, start: Any, end: Any) -> None:
        seen.append((response, kwargs.get("complete_streaming_response")))

    settings.success_callback = [on_success]
    for _ in completion(model="gpt-4o", messages=MSGS, mock_response="one two", stream=True):
        pass
    assert flush_callbacks(5)
    response, assembled = seen[-1]
    assert isinstance(response, ModelResponse) and response is assembled
    assert response.choices[0].message.content == "one two"


class Mutator(CustomLogger):
    """A logger that edits what it is given, as a masking logger would."""

    def __init__(self) -> None:
        super().__init__()
        self.logged: list[Any] = []

    def logging_hook(self, kwargs: dict, result: Any, call_type: Any) -> tuple[dict, Any]:
        for message in kwargs["messages"]:
            message["content"] = "[masked]"
        return kwargs, result

    def log_success_event(self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any) -> None:
        kwargs["messages"].append({"role": "user", "content": "appended by a logger"})
        self.logged.append(kwargs["standard_logging_object"]["messages"])


def test_hooks_never_touch_the_callers_messages() -> None:
    logger = Mutator()
    settings.callbacks = [logger]
    messages = [{"role": "user", "content": "my e-mail is a@b.c"}]
    completion(model="gpt-4o", messages=messages, mock_response="ok")
    assert flush_callbacks(5)
    assert logger.logged  # the hooks ran
    assert messages == [{"role": "user", "content": "my e-mail is a@b.c"}]


def test_caller_mutating_its_list_after_the_call_does_not_change_the_record(recorder: Recorder) -> None:
    messages = [{"role": "user", "content": [{"type": "text", "text": "original"}]}]
    completion(model="gpt-4o", messages=messages, mock_response="ok")
    messages[0]["content"][0]["text"] = "changed"  # reused right after the call, before delivery
    messages.append({"role": "user", "content": "later"})
    assert flush_callbacks(5)
    logged = recorder.success[-1][0]["standard_logging_object"]["messages"]
    assert logged == [{"role": "user", "content": [{"type": "text", "text": "original"}]}]


class ResponseMasker(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Any] = []

    def logging_hook(self, kwargs: dict, result: Any, call_type: Any) -> tuple[dict, Any]:
        result.choices[0].message.content = "[masked]"
        return kwargs, result

    def log_success_event(self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self.seen.append(response_obj)


def test_a_masking_logging_hook_never_rewrites_the_callers_response() -> None:
    logger = ResponseMasker()
    settings.callbacks = [logger]
    response = completion(model="gpt-4o", messages=MSGS, mock_response="my e-mail is a@b.c")
    assert flush_callbacks(5)
    assert logger.seen[-1].choices[0].message.content == "[masked]"  # the destinations see the mask
    assert response.choices[0].message.content == "my e-mail is a@b.c"  # the caller's object is untouched
    assert logger.seen[-1] is not response
    assert response._hidden_params["response_cost"] == logger.seen[-1]._hidden_params["response_cost"]
