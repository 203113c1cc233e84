"""Router against the fake provider: resolution, retries, Retry-After, fallbacks of each kind, cooldowns
and their expiry, streams falling back before their first chunk, pre-call checks, tags, budgets."""

from __future__ import annotations

import asyncio
import time
import uuid

import openai
import pytest

from litellm.router import Router

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]


def dep(fake_url: str, group: str, model: str = "openai/fake-model", **extra):
    params = {"model": model, "api_base": f"{fake_url}/v1", "api_key": "sk-test"}
    headers = extra.pop("headers", None)
    if headers:
        params["extra_headers"] = headers
    params.update(extra)
    return {"model_name": group, "litellm_params": params}


def models_called(fake_provider) -> list[str]:
    return [r["json"]["model"] for r in fake_provider.requests if r.get("json")]


def test_group_alias_id_model_name_and_env_refs(fake_url, monkeypatch):
    monkeypatch.setenv("ROUTER_TEST_KEY", "sk-from-env")
    monkeypatch.setenv("ROUTER_TEST_BASE", f"{fake_url}/v1")
    entry = {
        "model_name": "main",
        "litellm_params": {
            "model": "openai/m1",
            "api_key": "os.environ/ROUTER_TEST_KEY",
            "api_base": "os.environ/ROUTER_TEST_BASE",
        },
        "model_info": {"id": "dep-1"},
    }
    router = Router(model_list=[entry], model_group_alias={"alias": "main"})
    for model in ("main", "alias", "dep-1", "openai/m1"):
        r = router.completion(model=model, messages=MSGS)
        assert r.choices[0].message.content.startswith("Hello from the fake provider")
        assert r._hidden_params["model_id"] == "dep-1"
        assert r._hidden_params["model_group"] == "main"
    assert router.get_model_list()[0]["litellm_params"]["api_key"] == "sk-from-env"
    assert "alias" in router.get_model_names()
    with pytest.raises(openai.BadRequestError, match=r"no model group.*Known: alias, main"):
        router.completion(model="nope", messages=MSGS)


def test_missing_env_reference_is_a_clear_error(fake_url):
    entry = dep(fake_url, "g", api_key="os.environ/ROUTER_SURELY_UNSET_VAR")
    with pytest.raises(ValueError, match="ROUTER_SURELY_UNSET_VAR"):
        Router(model_list=[entry])


def test_retries_until_success(fake_url, fake_provider, fake_key):
    headers = {"x-fake-fail-times": "2", "x-fake-key": fake_key, "x-fake-error": "503"}
    router = Router(model_list=[dep(fake_url, "g", headers=headers)], num_retries=2, retry_after=0)
    t0 = time.perf_counter()
    r = router.completion(model="g", messages=MSGS)
    assert r.choices[0].message.content
    assert len(fake_provider.requests) == 3
    assert time.perf_counter() - t0 < 5


def test_retries_exhausted_raise_the_provider_error(fake_url, fake_provider, fake_key):
    headers = {
        "x-fake-fail-times": "10",
        "x-fake-key": fake_key,
        "x-fake-error": "500",
        "x-fake-retry-after-ms": "10",
    }
    router = Router(model_list=[dep(fake_url, "g", headers=headers)], num_retries=1)
    with pytest.raises(openai.InternalServerError):
        router.completion(model="g", messages=MSGS)
    assert len(fake_provider.requests) == 2


def test_retry_after_is_honoured_when_no_other_deployment(fake_url, fake_provider, fake_key):
    headers = {
        "x-fake-fail-times": "1",
        "x-fake-key": fake_key,
        "x-fake-error": "429",
        "x-fake-retry-after-ms": "400",
    }
    router = Router(model_list=[dep(fake_url, "g", headers=headers)], num_retries=1)
    t0 = time.perf_counter()
    router.completion(model="g", messages=MSGS)
    assert time.perf_counter() - t0 >= 0.4
    assert len(fake_provider.requests) == 2


def test_retry_goes_to_another_deployment_at_once(fake_url, fake_provider, monkeypatch):
    import litellm.router.drivers as drivers

    slept: list[float] = []
    monkeypatch.setattr(drivers.time, "sleep", slept.append)
    router = Router(
        model_list=[dep(fake_url, "g", "openai/fake-error-500"), dep(fake_url, "g", "openai/good")],
        num_retries=1,
    )
    for _ in range(5):
        r = router.completion(model="g", messages=MSGS)
        assert r.model.endswith("good")
    assert "fake-error-500" in models_called(fake_provider)
    assert slept == []  # no backoff: a healthy deployment was there


def test_bad_request_is_not_retried(fake_url, fake_provider):
    router = Router(model_list=[dep(fake_url, "g", "openai/fake-error-400")], num_retries=3)
    with pytest.raises(openai.BadRequestError):
        router.completion(model="g", messages=MSGS)
    assert len(fake_provider.requests) == 1


def test_retry_policy_per_exception_class(fake_url, fake_provider):
    router = Router(
        model_list=[dep(fake_url, "g", "openai/fake-error-400")],
        num_retries=0,
        retry_policy={"BadRequestErrorRetries": 2},
        retry_after=0,
    )
    with pytest.raises(openai.BadRequestError):
        router.completion(model="g", messages=MSGS)
    assert len(fake_provider.requests) == 3


def test_fallbacks_in_order(fake_url, fake_provider):
    router = Router(
        model_list=[
            dep(fake_url, "a", "openai/fake-error-500"),
            dep(fake_url, "b", "openai/fake-error-503"),
            dep(fake_url, "c", "openai/ok-c"),
        ],
        num_retries=0,
        fallbacks=[{"a": ["b", "c"]}],
    )
    r = router.completion(model="a", messages=MSGS)
    assert r._hidden_params["model_group"] == "c"
    headers = r._hidden_params["additional_headers"]
    assert headers["x-litellm-model-group"] == "c" and headers["x-litellm-attempted-fallbacks"] == 2
    assert models_called(fake_provider) == ["fake-error-500", "fake-error-503", "ok-c"]


def test_fallbacks_exhausted_raise_the_original_error(fake_url):
    router = Router(
        model_list=[dep(fake_url, "a", "openai/fake-error-500"), dep(fake_url, "b", "openai/fake-error-401")],
        num_retries=0,
        fallbacks=[{"a": ["b"]}],
    )
    with pytest.raises(openai.InternalServerError):
        router.completion(model="a", messages=MSGS)


def test_context_window_and_content_policy_fallbacks(fake_url, fake_provider):
    router = Router(
        model_list=[
            dep(fake_url, "small", "openai/fake-context-window"),
            dep(fake_url, "strict", "openai/fake-content-policy"),
            dep(fake_url, "big", "openai/big"),
            dep(fake_url, "lenient", "openai/lenient"),
            dep(fake_url, "generic", "openai/generic"),
        ],
        num_retries=2,
        context_window_fallbacks=[{"small": ["big"]}],
        content_policy_fallbacks=[{"strict": ["lenient"]}],
        fallbacks=[{"small": ["generic"]}, {"strict": ["generic"]}],
    )
    assert router.completion(model="small", messages=MSGS).model.endswith("big")
    assert router.completion(model="strict", messages=MSGS).model.endswith("lenient")
    # no retries on those 400s: one request each, then the fallback
    assert models_called(fake_provider) == ["fake-context-window", "big", "fake-content-policy", "lenient"]


def test_default_fallbacks_and_per_request_fallbacks(fake_url):
    router = Router(
        model_list=[
            dep(fake_url, "a", "openai/fake-error-500"),
            dep(fake_url, "d", "openai/dflt"),
            dep(fake_url, "e", "openai/e"),
        ],
        num_retries=0,
        default_fallbacks=["d"],
    )
    assert router.completion(model="a", messages=MSGS).model.endswith("dflt")
    assert router.completion(model="a", messages=MSGS, fallbacks=["e"]).model.endswith("e")
    assert router.completion(
        model="e", messages=MSGS, mock_testing_fallbacks=True, fallbacks=["d"]
    ).model.endswith("dflt")


def test_cooldown_after_immediate_429_then_expiry(fake_url, fake_provider):
    bad = dep(fake_url, "g", "openai/fake-error-429")
    good = dep(fake_url, "g", "openai/good")
    router = Router(model_list=[bad, good], num_retries=1, cooldown_time=0.5)
    bad_id = router.get_model_ids("g")[0]
    # until the bad one has been hit once, traffic is shared; after it, it is cooled down
    for _ in range(20):
        router.completion(model="g", messages=MSGS)
        if "fake-error-429" in models_called(fake_provider):
            break
    stats = router.state.snapshot([bad_id])[0]
    assert stats.cooldown_until > time.time()
    assert "RateLimitError" in stats.cooldown_reason
    fake_provider.clear_requests()
    for _ in range(10):
        router.completion(model="g", messages=MSGS)
    assert set(models_called(fake_provider)) == {"good"}
    time.sleep(0.55)
    assert router.state.snapshot([bad_id])[0].cooldown_until == 0.0
    fake_provider.clear_requests()
    for _ in range(30):
        router.completion(model="g", messages=MSGS)
        if "fake-error-429" in models_called(fake_provider):
            break
    assert "fake-error-429" in models_called(fake_provider)  # back in rotation after expiry


def test_allowed_fails_before_cooldown_and_retry_after_sets_its_length(fake_url, fake_key):
    headers = {"x-fake-retry-after": "7"}
    router = Router(
        model_list=[
            dep(fake_url, "g", "openai/fake-error-500", headers=headers),
            dep(fake_url, "g", "openai/ok"),
        ],
        num_retries=0,
        allowed_fails=2,
        fallbacks=[],
    )
    bad_id = router.get_model_ids("g")[0]
    fails = 0
    while fails < 3:
        before = time.time()
        try:
            router.completion(model=bad_id, messages=MSGS)
        except openai.InternalServerError:
            fails += 1
            until = router.state.snapshot([bad_id])[0].cooldown_until
            if fails <= 2:
                assert until == 0.0, "cooled before allowed_fails were used up"
    # the provider's Retry-After (7 s) from the failure on, not cooldown_time (5 s)
    assert router.state.snapshot([bad_id])[0].cooldown_until - before >= 6.99


def test_allowed_fails_policy_per_class(fake_url):
    router = Router(
        model_list=[dep(fake_url, "g", "openai/fake-error-429"), dep(fake_url, "g", "openai/ok")],
        num_retries=0,
        allowed_fails_policy={"RateLimitErrorAllowedFails": 3},
    )
    bad_id = router.get_model_ids("g")[0]
    for _ in range(3):
        with pytest.raises(openai.RateLimitError):
            router.completion(model=bad_id, messages=MSGS)
    assert router.state.snapshot([bad_id])[0].cooldown_until == 0.0
    with pytest.raises(openai.RateLimitError):
        router.completion(model=bad_id, messages=MSGS)
    assert router.state.snapshot([bad_id])[0].cooldown_until > time.time()


def test_client_errors_never_cool_a_deployment(fake_url):
    router = Router(model_list=[dep(fake_url, "g", "openai/fake-error-400")], num_retries=0, allowed_fails=0)
    for _ in range(3):
        with pytest.raises(openai.BadRequestError):
            router.completion(model="g", messages=MSGS)
    assert router.state.snapshot(router.get_model_ids())[0].cooldown_until == 0.0


def test_every_deployment_cooled_still_tries_the_least_bad(fake_url, fake_provider):
    router = Router(
        model_list=[dep(fake_url, "g", "openai/m1"), dep(fake_url, "g", "openai/m2")], num_retries=0
    )
    a, b = router.get_model_ids("g")
    router.state.set_cooldown(a, 30, "test")
    router.state.set_cooldown(b, 10, "test")
    r = router.completion(model="g", messages=MSGS)
    assert r._hidden_params["model_id"] == b  # the one that recovers first


def test_disable_cooldowns(fake_url):
    router = Router(
        model_list=[dep(fake_url, "g", "openai/fake-error-429"), dep(fake_url, "g", "openai/ok")],
        num_retries=0,
        disable_cooldowns=True,
    )
    bad_id = router.get_model_ids("g")[0]
    with pytest.raises(openai.RateLimitError):
        router.completion(model=bad_id, messages=MSGS)
    assert router.state.snapshot([bad_id])[0].cooldown_until == 0.0


async def test_async_stream_falls_back_before_first_chunk(fake_url, fake_provider):
    router = Router(
        model_list=[
            dep(fake_url, "a", "openai/broken", headers={"x-fake-stream-error-after": "0"}),
            dep(fake_url, "b", "openai/fine"),
        ],
        num_retries=0,
        fallbacks=[{"a": ["b"]}],
    )
    stream = await router.acompletion(model="a", messages=MSGS, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text.startswith("Hello from the fake provider")
    assert models_called(fake_provider) == ["broken", "fine"]
    hidden = stream._hidden_params  # what the proxy reads for its headers
    assert hidden["model_group"] == "b" and hidden["model_id"] == router.get_model_ids("b")[0]
    assert hidden["additional_headers"]["x-litellm-attempted-fallbacks"] == 1
    await router.aclose()


async def test_async_stream_failing_after_first_chunk_is_the_callers(fake_url, fake_provider):
    router = Router(
        model_list=[
            dep(fake_url, "a", "openai/broken", headers={"x-fake-stream-error-after": "3"}),
            dep(fake_url, "b", "openai/fine"),
        ],
        num_retries=0,
        fallbacks=[{"a": ["b"]}],
    )
    stream = await router.acompletion(model="a", messages=MSGS, stream=True)
    got = []
    with pytest.raises(openai.APIError):
        async for c in stream:
            got.append(c)
    assert got and models_called(fake_provider) == ["broken"]
    await asyncio.sleep(0)
    assert router.state.snapshot(router.get_model_ids("a"))[0].in_flight == 0


def test_sync_stream_http_error_retries_then_streams(fake_url, fake_provider, fake_key):
    headers = {"x-fake-fail-times": "1", "x-fake-key": fake_key, "x-fake-error": "503"}
    router = Router(model_list=[dep(fake_url, "g", headers=headers)], num_retries=1, retry_after=0)
    stream = router.completion(model="g", messages=MSGS, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text.startswith("Hello")
    dep_id = router.get_model_ids("g")[0]
    stats = router.state.snapshot([dep_id])[0]
    assert stats.in_flight == 0 and stats.ttft is not None and stats.tpm > 0


def test_pre_call_checks_skip_small_context_windows(fake_url, fake_provider):
    small = dep(fake_url, "g", "openai/small")
    small["model_info"] = {"max_input_tokens": 50}
    big = dep(fake_url, "g", "openai/gpt-4o")  # 128k window from the price map
    router = Router(model_list=[small, big], enable_pre_call_checks=True, num_retries=0)
    long_msgs = [{"role": "user", "content": "word " * 400}]
    for _ in range(10):
        r = router.completion(model="g", messages=long_msgs)
        assert r.model.endswith("gpt-4o")
        assert r._hidden_params["model_id"] == router.get_model_ids("g")[1]
    only_small = Router(
        model_list=[small, dep(fake_url, "wide", "openai/wide")],
        enable_pre_call_checks=True,
        context_window_fallbacks=[{"g": ["wide"]}],
    )
    assert only_small.completion(model="g", messages=long_msgs).model.endswith("wide")


def test_tag_routing(fake_url):
    router = Router(
        model_list=[
            dep(fake_url, "g", "openai/paid", tags=["paid"]),
            dep(fake_url, "g", "openai/free", tags=["free", "default"]),
        ],
        enable_tag_filtering=True,
    )
    for _ in range(5):
        assert router.completion(model="g", messages=MSGS, metadata={"tags": ["paid"]}).model.endswith("paid")
        assert router.completion(model="g", messages=MSGS).model.endswith("free")
        assert router.completion(model="g", messages=MSGS, tags=["other"]).model.endswith("free")


def test_deployment_budget_moves_traffic(fake_url):
    pricey = dep(fake_url, "g", "openai/gpt-4o", max_budget=1e-9, budget_duration="1h")
    cheap = dep(fake_url, "g", "openai/gpt-4o-mini")
    router = Router(model_list=[pricey, cheap], num_retries=0)
    pricey_id = router.get_model_ids("g")[0]
    router.completion(model=pricey_id, messages=MSGS)  # spends more than the budget
    for _ in range(10):
        assert router.completion(model="g", messages=MSGS).model.endswith("gpt-4o-mini")


async def test_max_parallel_requests_bounds_in_flight(fake_url):
    router = Router(
        model_list=[dep(fake_url, "g", headers={"x-fake-latency-ms": "30"}, max_parallel_requests=2)],
    )
    dep_id = router.get_model_ids("g")[0]
    peak = 0

    async def watch():
        nonlocal peak
        for _ in range(200):
            peak = max(peak, router.state.snapshot([dep_id])[0].in_flight)
            await asyncio.sleep(0.002)

    watcher = asyncio.create_task(watch())
    await asyncio.gather(*(router.acompletion(model="g", messages=MSGS) for _ in range(8)))
    watcher.cancel()
    assert peak == 2


def test_timeout_is_passed_and_maps_to_timeout_error(fake_url):
    router = Router(model_list=[dep(fake_url, "g", headers={"x-fake-hang": "5"}, timeout=0.2)], num_retries=0)
    t0 = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        router.completion(model="g", messages=MSGS)
    assert time.perf_counter() - t0 < 2


def test_unknown_call_type_is_a_clear_error(fake_url):
    router = Router(model_list=[dep(fake_url, "g")])
    with pytest.raises(NotImplementedError, match="not available yet"):
        router.route("acreate_fine_tuning_job_surely_missing", model="g")
    with pytest.raises(AttributeError):
        router.no_such_method  # noqa: B018


def test_deployment_table_methods(fake_url):
    router = Router(model_list=[dep(fake_url, "g", "openai/m1")])
    added = router.add_deployment({**dep(fake_url, "g", "openai/m2"), "model_info": {"id": "new-one"}})
    assert added["model_info"]["id"] == "new-one" and added.litellm_params.model == "openai/m2"
    assert router.add_deployment({**dep(fake_url, "g", "openai/m2"), "model_info": {"id": "new-one"}}) is None
    assert len(router.get_model_list("g")) == 2
    assert router.get_deployment("new-one").model_name == "g"
    assert router.get_model_info("new-one")["litellm_params"]["model"] == "openai/m2"
    assert router.delete_deployment("new-one")["model_info"]["id"] == "new-one"
    assert router.get_deployment("new-one") is None
    router.set_model_list([dep(fake_url, "h", "openai/m3")])
    assert router.get_model_names() == ["h"]
    assert router.completion(model="h", messages=MSGS).model.endswith("m3")


def test_wildcard_group(fake_url):
    router = Router(
        model_list=[
            {
                "model_name": "openai/*",
                "litellm_params": {"model": "openai/*", "api_base": f"{fake_url}/v1", "api_key": "k"},
            }
        ]
    )
    assert router.completion(model="openai/anything-" + uuid.uuid4().hex[:6], messages=MSGS).model.startswith(
        "anything-"
    )


async def test_ahealth_check(fake_url):
    router = Router(model_list=[dep(fake_url, "g", "openai/ok"), dep(fake_url, "g", "openai/fake-error-401")])
    result = await router.ahealth_check()
    assert result["healthy_count"] == 1 and result["unhealthy_count"] == 1
    assert "sk-test" not in repr(result)


async def test_embeddings_sync_and_async_through_the_router(fake_url, fake_provider):
    router = Router(
        model_list=[
            dep(fake_url, "emb", "openai/text-embedding-3-small"),
            dep(fake_url, "emb", "openai/fake-error-500"),
        ],
        num_retries=1,
    )
    for result in (
        router.embedding(model="emb", input=["a", "b"]),
        await router.aembedding(model="emb", input="c"),
    ):
        assert result.data and len(result.data[0]["embedding"]) == 16
        assert result._hidden_params["model_group"] == "emb"
    assert all(r["path"].endswith("/embeddings") for r in fake_provider.requests)


def test_stream_timeout_applies_to_streams_only(fake_url):
    router = Router(
        model_list=[dep(fake_url, "g", headers={"x-fake-hang": "5"}, timeout=10, stream_timeout=0.3)],
        num_retries=0,
    )
    t0 = time.perf_counter()
    with pytest.raises(openai.APITimeoutError):
        router.completion(model="g", messages=MSGS, stream=True)
    assert time.perf_counter() - t0 < 3
    kw = router.table.by_group["g"][0].call_kwargs
    assert kw["timeout"] == 10  # the non-stream default stays the deployment's timeout


def test_streamed_spend_counts_against_a_deployment_budget(fake_url):
    pricey = dep(fake_url, "g", "openai/gpt-4o", max_budget=1e-9, budget_duration="1h")
    cheap = dep(fake_url, "g", "openai/gpt-4o-mini")
    router = Router(model_list=[pricey, cheap], num_retries=0)
    pricey_id = router.get_model_ids("g")[0]
    for _ in router.completion(model=pricey_id, messages=MSGS, stream=True):
        pass
    assert router.state.snapshot([pricey_id], {pricey_id: 3600.0})[0].spend > 1e-9
    for _ in range(5):
        stream = router.completion(model="g", messages=MSGS, stream=True)
        assert stream.model == "gpt-4o-mini"
        stream.close()
