"""The direct path (a request's first attempt run inline, ``litellm.router.direct``) and the generator flow
give the same observable result: the logging event's router fields, the response's hidden params, the
state store's counters and the routing decision; a failed first attempt carries on in the flow (retries,
cooldowns, one event) exactly as if the flow had made it."""

from __future__ import annotations

import asyncio
import random

import pytest

from litellm.calls.pipeline import flush_callbacks
from litellm.core.settings import settings
from litellm.integrations.custom_logger import CustomLogger
from litellm.router import Router
from litellm.router.drivers import drive_async, drive_sync
from litellm.router.hooks import pipeline_accepts_attempt

pytestmark = pytest.mark.skipif(
    not pipeline_accepts_attempt(), reason="the pipeline does not take litellm_attempt yet"
)

MSGS = [{"role": "user", "content": "hello there"}]
STRATEGIES = [
    "simple-shuffle",
    "least-busy",
    "latency-based-routing",
    "usage-based-routing-v2",
    "cost-based-routing",
]


class Recorder(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, dict]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("success", kwargs))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.events.append(("failure", kwargs))


@pytest.fixture
def recorder(monkeypatch):
    rec = Recorder()
    monkeypatch.setattr(settings, "callbacks", [rec])
    return rec


def make_router(strategy: str, first_mock: object = "hi", deployments: int = 2, **kw) -> Router:
    model_list = [
        {
            "model_name": "g",
            "litellm_params": {
                "model": f"openai/m{i}",
                "api_key": "k",
                "api_base": f"http://deployment-{i}.invalid/v1",
                "mock_response": first_mock if i == 0 else "hi",
                "rpm": 1000,
                "tpm": 10**6,
            },
            "model_info": {"id": f"dep-{i}"},
        }
        for i in range(deployments)
    ]
    router = Router(model_list=model_list, routing_strategy=strategy, **kw)
    router.strategy.rng = random.Random(3)
    return router


def via_flow(router: Router, **kwargs):
    return drive_sync(router, router.flow("completion", "g", {"messages": MSGS, **kwargs}, False))


def observed(router: Router, response, recorder: Recorder) -> dict:
    assert flush_callbacks(5)
    assert len(recorder.events) == 1
    kind, event = recorder.events.pop()
    payload = event["standard_logging_object"]
    md = dict(payload["metadata"])
    hidden = response._hidden_params
    chosen = hidden["model_id"]
    stats = router.state.snapshot([chosen])[0]
    return {
        "kind": kind,
        "model_id": payload["model_id"],
        "model_group": payload["model_group"],
        "api_base": payload["api_base"],
        "metadata": {k: md.get(k) for k in ("model_group", "deployment", "model_info", "api_base",
                                            "caching_groups", "attempted_retries", "attempted_fallbacks",
                                            "user_field")},
        "routing": {k: v for k, v in md["routing"].items() if k != "reason"},
        "reason_kind": md["routing"]["reason"].split(" (")[0],
        "hidden": {k: hidden.get(k) for k in ("model_id", "model_group", "litellm_model_name", "api_base",
                                              "additional_headers")},
        "state": (stats.in_flight, stats.rpm, stats.tpm > 0, stats.latency_n),
    }  # fmt: skip


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_direct_path_and_flow_log_and_count_the_same(strategy, recorder):
    direct = make_router(strategy)
    response = direct.completion(model="g", messages=MSGS, metadata={"user_field": 7})
    got = observed(direct, response, recorder)
    flow = make_router(strategy)
    response = via_flow(flow, metadata={"user_field": 7})
    want = observed(flow, response, recorder)
    assert got == want
    assert got["metadata"]["user_field"] == 7
    assert got["state"][:2] == (0, 1)  # released, counted once


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_failed_first_attempt_retries_in_the_flow_like_the_flow_itself(strategy, recorder):
    def run(direct: bool):
        # dep-0 always fails with a retryable error; num_retries=1 moves the retry to dep-1
        router = make_router(strategy, "litellm.InternalServerError", num_retries=1, retry_after=0)
        outcomes = []
        for _ in range(6):  # whichever the first pick is, every request ends on dep-1 with one event
            response = router.completion(model="g", messages=MSGS) if direct else via_flow(router)
            outcomes.append(observed(router, response, recorder))
        failures = router.state.snapshot(["dep-0"])[0]
        return outcomes, (failures.in_flight, failures.cooldown_until > 0)

    got, got_dep0 = run(True)
    want, want_dep0 = run(False)
    assert {o["model_id"] for o in got} == {"dep-1"}
    assert got == want
    assert got_dep0 == want_dep0
    assert got_dep0[0] == 0  # the failed attempt's slot was released


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_lone_deployment_and_a_cooled_one_give_what_the_flow_gives(strategy, recorder):
    # the direct path's other branches: the "only candidate" pick (no RoutingRequest made) and a
    # deployment cooling down (the pick through _pick_fast)
    def prepared(deployments: int) -> Router:
        router = make_router(strategy, deployments=deployments)
        if deployments == 2:
            router.state.set_cooldown("dep-0", 60, "test")
        return router

    for deployments in (1, 2):
        direct = prepared(deployments)
        got = observed(direct, direct.completion(model="g", messages=MSGS), recorder)
        flow = prepared(deployments)
        want = observed(flow, via_flow(flow), recorder)
        assert got == want
        assert got["model_id"] == ("dep-0" if deployments == 1 else "dep-1")

        async def main(deployments: int = deployments) -> tuple[dict, dict]:
            direct = prepared(deployments)
            got = observed(direct, await direct.acompletion(model="g", messages=MSGS), recorder)
            flow = prepared(deployments)
            response = await drive_async(flow, flow.flow("acompletion", "g", {"messages": MSGS}, True))
            return got, observed(flow, response, recorder)

        got, want = asyncio.run(main())
        assert got == want


def test_async_direct_path_matches_the_async_flow(recorder):
    async def main():
        direct = make_router("least-busy")
        r1 = await direct.acompletion(model="g", messages=MSGS)
        got = observed(direct, r1, recorder)
        flow = make_router("least-busy")
        r2 = await drive_async(flow, flow.flow("acompletion", "g", {"messages": MSGS}, True))
        return got, observed(flow, r2, recorder)

    got, want = asyncio.run(main())
    assert got == want


def test_unknown_model_and_stream_and_overrides_take_the_flow(recorder):
    router = make_router("simple-shuffle")
    with pytest.raises(Exception, match="no model group"):
        router.completion(model="nope", messages=MSGS)
    assert flush_callbacks(5)
    assert [k for k, _ in recorder.events] == ["failure"]
    recorder.events.clear()
    chunks = list(router.completion(model="g", messages=MSGS, stream=True))
    assert chunks
    response = router.completion(model="g", messages=MSGS, num_retries=0)
    assert response._hidden_params["model_group"] == "g"
    assert flush_callbacks(5)
    assert [k for k, _ in recorder.events] == ["success", "success"]
