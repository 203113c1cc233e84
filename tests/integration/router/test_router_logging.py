"""One logging event per router request, whatever the retries and fallbacks, carrying the model group,
the deployment's id and api_base, the attempts made and the routing decision; CustomLogger router hooks."""

from __future__ import annotations

import threading

import openai
import pytest

from litellm.calls.pipeline import flush_callbacks
from litellm.core.settings import settings
from litellm.integrations.custom_logger import CustomLogger
from litellm.router import Router
from litellm.router.hooks import pipeline_accepts_attempt

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not pipeline_accepts_attempt(), reason="the pipeline does not take litellm_attempt yet"
    ),
]

MSGS = [{"role": "user", "content": "hello"}]


class Recorder(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, dict]] = []
        self.hooks: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        with self.lock:
            self.events.append(("success", kwargs))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        with self.lock:
            self.events.append(("failure", kwargs))


@pytest.fixture
def recorder(monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(settings, "callbacks", [rec])
    return rec


def dep(fake_url, group, model, **extra):
    return {
        "model_name": group,
        "litellm_params": {"model": model, "api_base": f"{fake_url}/v1", "api_key": "sk-test", **extra},
    }


def test_one_success_event_after_retries_and_a_fallback(fake_url, recorder):
    router = Router(
        model_list=[dep(fake_url, "a", "openai/fake-error-500"), dep(fake_url, "b", "openai/ok-b")],
        num_retries=1,
        retry_after=0,
        fallbacks=[{"a": ["b"]}],
        routing_strategy_args={},
    )
    router.completion(model="a", messages=MSGS, metadata={"user_field": 1})
    assert flush_callbacks(5)
    assert [k for k, _ in recorder.events] == ["success"]
    payload = recorder.events[0][1]["standard_logging_object"]
    b_id = router.get_model_ids("b")[0]
    assert payload["model_id"] == b_id
    assert payload["model_group"] == "b"
    assert payload["api_base"] == f"{fake_url}/v1"
    md = payload["metadata"]
    assert md["user_field"] == 1
    assert md["attempted_retries"] == 1 and md["attempted_fallbacks"] == 1
    assert md["deployment"] == "openai/ok-b" and md["model_info"]["id"] == b_id
    assert md["routing"]["chosen"] == b_id and md["routing"]["reason"]


def test_one_failure_event_when_the_router_gives_up(fake_url, recorder):
    router = Router(
        model_list=[dep(fake_url, "a", "openai/fake-error-503"), dep(fake_url, "a", "openai/fake-error-502")],
        num_retries=2,
        retry_after=0,
    )
    with pytest.raises(openai.APIStatusError):
        router.completion(model="a", messages=MSGS)
    assert flush_callbacks(5)
    assert [k for k, _ in recorder.events] == ["failure"]
    md = recorder.events[0][1]["standard_logging_object"]["metadata"]
    assert md["attempted_retries"] == 2 and md["model_group"] == "a"
    assert md["routing"]["chosen"] in router.get_model_ids("a") and md["routing"]["reason"]


async def test_one_event_for_a_stream_that_fell_back(fake_url, recorder):
    router = Router(
        model_list=[
            dep(fake_url, "a", "openai/broken", extra_headers={"x-fake-stream-error-after": "0"}),
            dep(fake_url, "b", "openai/fine"),
        ],
        num_retries=0,
        fallbacks=[{"a": ["b"]}],
    )
    stream = await router.acompletion(model="a", messages=MSGS, stream=True)
    async for _ in stream:
        pass
    assert flush_callbacks(5)
    assert [k for k, _ in recorder.events] == ["success"]
    assert recorder.events[0][1]["standard_logging_object"]["metadata"]["attempted_fallbacks"] == 1


class Hooks(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def async_pre_routing_hook(
        self, model, request_kwargs, messages=None, input=None, specific_deployment=False
    ):
        self.calls.append("pre_routing")
        return None

    async def async_filter_deployments(
        self, model, healthy_deployments, messages, request_kwargs=None, parent_otel_span=None
    ):
        self.calls.append("filter")
        return [d for d in healthy_deployments if d["litellm_params"]["model"] != "openai/filtered-out"]

    async def async_pre_call_deployment_hook(self, kwargs, call_type):
        self.calls.append("pre_call")
        kwargs["temperature"] = 0.25
        return kwargs

    async def async_post_call_failure_deployment_hook(
        self, request_data, exception, call_type, fallback_depth=None
    ):
        self.calls.append(f"failure:{type(exception).__name__}")

    async def async_post_call_success_deployment_hook(self, request_data, response, call_type):
        self.calls.append("success")

    async def log_success_fallback_event(self, original_model_group, kwargs, original_exception):
        self.calls.append(f"fallback_ok:{original_model_group}")

    async def log_failure_fallback_event(self, original_model_group, kwargs, original_exception):
        self.calls.append(f"fallback_failed:{original_model_group}")


async def test_router_hooks_are_called(fake_url, fake_provider, monkeypatch):
    hooks = Hooks()
    monkeypatch.setattr(settings, "callbacks", [hooks])
    router = Router(
        model_list=[
            dep(fake_url, "a", "openai/fake-error-500"),
            dep(fake_url, "b", "openai/filtered-out"),
            dep(fake_url, "b", "openai/kept"),
            dep(fake_url, "c", "openai/fake-error-401"),
        ],
        num_retries=0,
        fallbacks=[{"a": ["b"]}, {"c": ["a"]}],
    )
    fake_provider.clear_requests()
    for _ in range(3):
        r = await router.acompletion(model="a", messages=MSGS)
        assert r.model.endswith("kept")
    assert fake_provider.requests[-1]["json"]["temperature"] == 0.25
    assert hooks.calls[:6] == [
        "pre_routing", "filter", "pre_call", "failure:InternalServerError", "filter", "pre_call",
    ]  # fmt: skip
    assert "success" in hooks.calls and "fallback_ok:a" in hooks.calls
    with pytest.raises(openai.AuthenticationError):
        await router.acompletion(model="c", messages=MSGS)
    assert hooks.calls[-1] == "fallback_failed:c"


def test_sync_calls_fire_fallback_events(fake_url, monkeypatch):
    hooks = Hooks()
    monkeypatch.setattr(settings, "callbacks", [hooks])
    router = Router(
        model_list=[dep(fake_url, "a", "openai/fake-error-500"), dep(fake_url, "b", "openai/kept")],
        num_retries=0,
        fallbacks=[{"a": ["b"]}],
    )
    router.completion(model="a", messages=MSGS)
    assert hooks.calls == ["fallback_ok:a"]


async def test_cancelled_request_releases_its_slot_and_logs_once(fake_url, recorder):
    import asyncio

    router = Router(
        model_list=[dep(fake_url, "g", "openai/slow", extra_headers={"x-fake-hang": "5"})],
        num_retries=2,
    )
    task = asyncio.create_task(router.acompletion(model="g", messages=MSGS))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert flush_callbacks(5)
    assert [k for k, _ in recorder.events] == ["failure"]
    assert router.state.snapshot(router.get_model_ids())[0].in_flight == 0


def test_requests_the_router_refuses_still_log_one_failure(recorder):
    import openai

    router = Router(
        model_list=[
            {"model_name": "g", "litellm_params": {"model": "openai/gpt-4o", "mock_response": "x", "rpm": 1}}
        ],
        routing_strategy="usage-based-routing-v2",
    )
    router.completion(model="g", messages=MSGS)
    with pytest.raises(openai.RateLimitError):
        router.completion(model="g", messages=MSGS, metadata={"mine": 1})
    with pytest.raises(openai.BadRequestError):
        router.completion(model="unknown-group", messages=MSGS)
    assert flush_callbacks(5)
    assert [k for k, _ in recorder.events] == ["success", "failure", "failure"]
    limited = recorder.events[1][1]["standard_logging_object"]
    assert limited["error_information"]["error_class"] == "RateLimitError"
    assert limited["metadata"]["mine"] == 1 and limited["model"] == "g"
    unknown = recorder.events[2][1]["standard_logging_object"]
    assert "unknown-group" in unknown["error_str"]
