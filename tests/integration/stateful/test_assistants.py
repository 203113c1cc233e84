"""Assistants v2 with LiteLLM's signatures against the fake provider: assistants, threads, messages,
runs polled to completion, streamed runs feeding an AssistantEventHandler, Azure, one event each."""

from __future__ import annotations

from typing import Any

import pytest
from openai.lib.streaming import AssistantEventHandler, AsyncAssistantEventHandler

import litellm
from litellm.calls import assistants as A
from litellm.integrations.custom_logger import CustomLogger


class Events(CustomLogger):
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])


@pytest.fixture
def events() -> Events:
    logger = Events()
    litellm.callbacks = [logger]
    return logger


def test_an_assistant_answers_on_a_thread_and_the_run_is_priced(fake_provider, fake_url, events):
    kw = {"api_base": fake_url + "/v1", "api_key": "sk-a"}
    assistant = A.create_assistants(
        custom_llm_provider="openai", model="gpt-4o-mini", name="helper", instructions="be kind", **kw
    )
    request = fake_provider.requests[-1]
    assert request["path"] == "/v1/assistants" and request["headers"]["openai-beta"] == "assistants=v2"
    assert request["json"] == {"model": "gpt-4o-mini", "name": "helper", "instructions": "be kind"}
    assert type(assistant).__name__ == "Assistant" and assistant.name == "helper"

    thread = A.create_thread(custom_llm_provider="openai", messages=[{"role": "user", "content": "hi"}], **kw)
    message = A.add_message(
        custom_llm_provider="openai", thread_id=thread.id, role="user", content="and?", **kw
    )
    assert message.content[0].text.value == "and?"
    run = A.run_thread(custom_llm_provider="openai", thread_id=thread.id, assistant_id=assistant.id, **kw)
    assert run.status == "completed" and run.usage.completion_tokens == 9
    polls = [r for r in fake_provider.requests if r["path"] == f"/v1/threads/{thread.id}/runs/{run.id}"]
    assert len(polls) == 2  # queued -> in_progress -> completed, one step per poll
    page = A.get_messages(custom_llm_provider="openai", thread_id=thread.id, **kw)
    assert [m.role for m in page.data] == ["assistant", "user", "user"]
    assert page.data[0].content[0].text.value.startswith("Hello from the fake provider")
    assert A.get_thread(custom_llm_provider="openai", thread_id=thread.id, **kw).id == thread.id
    assert assistant.id in [a.id for a in A.get_assistants(custom_llm_provider="openai", **kw).data]
    assert A.delete_thread(custom_llm_provider="openai", thread_id=thread.id, **kw).deleted is True
    assert A.delete_assistant(custom_llm_provider="openai", assistant_id=assistant.id, **kw).deleted is True

    assert litellm.flush_callbacks(5)
    by_type = {p["call_type"]: p for p in events.payloads}
    info = litellm.get_model_info("gpt-4o-mini")
    run_event = by_type["run_thread"]
    assert run_event["prompt_tokens"] == run.usage.prompt_tokens
    assert run_event["response_cost"] == pytest.approx(
        run.usage.prompt_tokens * info["input_cost_per_token"]
        + run.usage.completion_tokens * info["output_cost_per_token"]
    )
    assert by_type["create_assistants"]["response_cost"] == 0.0


def test_a_streamed_run_feeds_an_assistant_event_handler(fake_url, events):
    kw = {"api_base": fake_url + "/v1", "api_key": "k"}
    assistant = A.create_assistants(custom_llm_provider="openai", model="gpt-4o-mini", **kw)
    thread = A.create_thread(custom_llm_provider="openai", messages=[{"role": "user", "content": "hi"}], **kw)

    class Collect(AssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.deltas: list[str] = []
            self.done: list[Any] = []

        def on_text_delta(self, delta, snapshot):
            self.deltas.append(delta.value)

        def on_message_done(self, message):
            self.done.append(message)

    handler = Collect()
    with A.run_thread_stream(
        custom_llm_provider="openai",
        thread_id=thread.id,
        assistant_id=assistant.id,
        event_handler=handler,
        **kw,
    ) as stream:
        stream.until_done()
    assert "".join(handler.deltas) == handler.done[0].content[0].text.value
    assert stream.get_final_run().status == "completed"
    assert litellm.flush_callbacks(5)
    streamed = [p for p in events.payloads if p["call_type"] == "run_thread_stream"]
    assert len(streamed) == 1 and streamed[0]["response_cost"] > 0


async def test_async_twins_and_azure(fake_provider, fake_url):
    kw = {
        "custom_llm_provider": "azure",
        "api_base": fake_url,
        "api_key": "az",
        "api_version": "2024-05-01-preview",
    }
    assistant = await A.acreate_assistants(model="gpt-4o-mini", **kw)
    request = fake_provider.requests[-1]
    assert request["path"] == "/openai/assistants" and request["headers"]["api-key"] == "az"
    thread = await A.acreate_thread(**kw)
    await A.a_add_message(thread_id=thread.id, role="user", content="hello", **kw)
    run = await A.arun_thread(thread_id=thread.id, assistant_id=assistant.id, **kw)
    assert run.status == "completed"

    class Count(AsyncAssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.n = 0

        async def on_text_delta(self, delta, snapshot):
            self.n += 1

    handler = Count()
    async with await A.arun_thread_stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handler, **kw
    ) as stream:
        await stream.until_done()
    assert handler.n == 9
    assert len((await A.aget_messages(thread_id=thread.id, **kw)).data) == 3
    assert (await A.aget_thread(thread_id=thread.id, **kw)).id == thread.id
    assert (await A.adelete_thread(thread_id=thread.id, **kw)).deleted
    assert (await A.adelete_assistant(assistant_id=assistant.id, **kw)).deleted


def test_unknown_ids_and_errors_are_mapped(fake_url):
    kw = {"api_base": fake_url + "/v1", "api_key": "k"}
    with pytest.raises(litellm.NotFoundError):
        A.get_thread(custom_llm_provider="openai", thread_id="thread_missing", **kw)
    with pytest.raises(litellm.RateLimitError):
        A.get_assistants(custom_llm_provider="openai", extra_headers={"x-fake-error": "429"}, **kw)
