"""The deployment table (ids, env references, router-only params, resolution, aliases, wildcards, bad
input) and the policy types (per-exception lookup, coercion), without any call."""

from __future__ import annotations

import pytest

from litellm.router.deployments import Deployment, DeploymentTable, parse_duration
from litellm.router.policies import AllowedFailsPolicy, RetryPolicy, coerce_policy, policy_value


def entry(name="g", model="openai/gpt-4o", **lp):
    return {"model_name": name, "litellm_params": {"model": model, **lp}}


def test_ids_are_stable_and_model_info_id_wins():
    a, b = Deployment(entry(api_key="k")), Deployment(entry(api_key="k"))
    assert a.id == b.id and len(a.id) == 64
    assert Deployment(entry(api_key="other")).id != a.id
    d = Deployment({**entry(), "model_info": {"id": "mine", "mode": "chat"}})
    assert d.id == "mine" and d.model_info == {"id": "mine", "mode": "chat"}


def test_router_only_params_are_not_sent_and_numbers_are_read():
    d = Deployment(
        {
            **entry(
                rpm=10,
                weight=2,
                max_parallel_requests=3,
                tags=["a"],
                max_budget=1,
                budget_duration="1h",
                stream_timeout=5,
                timeout=30,
                api_key="k",
            ),
            "tpm": 1000,
        }
    )
    assert d.params == {"model": "openai/gpt-4o", "timeout": 30, "api_key": "k"}
    assert (d.rpm, d.tpm, d.weight, d.max_parallel_requests) == (10, 1000, 2, 3)
    assert d.tags == ("a",) and d.max_budget == 1 and d.budget_duration == 3600
    assert d.stream_timeout == 5 and d.timeout == 30 and d.provider == "openai"
    assert "k" not in repr(d)


def test_env_references_resolve_recursively(monkeypatch):
    monkeypatch.setenv("DEP_KEY", "sk-env")
    d = Deployment(entry(api_key="os.environ/DEP_KEY", extra_headers={"x": "os.environ/DEP_KEY"}))
    assert d.params["api_key"] == "sk-env" and d.params["extra_headers"] == {"x": "sk-env"}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"litellm_params": {"model": "x"}}, "model_name"),
        ({"model_name": "g"}, "litellm_params"),
        ({"model_name": "g", "litellm_params": {"api_key": "k"}}, "'model'"),
        (entry(rpm="lots"), "rpm must be a number"),
        (entry(weight=-1), "weight must not be negative"),
        (entry(budget_duration="fortnight", max_budget=1), "budget_duration"),
    ],
)
def test_bad_entries_say_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message):
        Deployment(bad)


def test_durations():
    assert parse_duration("30s") == 30 and parse_duration("10m") == 600 and parse_duration("1d") == 86400
    assert parse_duration(90) == 90 and parse_duration("1mo") == 30 * 86400


def test_resolution_order_aliases_and_wildcards():
    table = DeploymentTable()
    table.set_aliases({"gpt4": "g", "hidden": {"model": "g", "hidden": True}})
    table.set(
        [
            {**entry("g", "openai/gpt-4o"), "model_info": {"id": "d1"}},
            entry("g", "azure/gpt-4o-eu"),
            entry("anthropic/*", "anthropic/*"),
            entry("openai/*", "openai/*"),
        ]
    )
    assert table.resolve("d1")[1:3] == ([table.by_id["d1"]], True)
    assert table.resolve("g")[0] == "g" and len(table.resolve("g")[1]) == 2
    assert table.resolve("gpt4")[0] == "g" and table.resolve("hidden")[0] == "g"
    assert table.resolve("azure/gpt-4o-eu")[1] == [table.by_group["g"][1]]
    group, _deps, specific, wildcard = table.resolve("anthropic/claude-x")
    assert group == "anthropic/*" and wildcard == "anthropic/claude-x" and not specific
    with pytest.raises(LookupError):
        table.resolve("mistral/x")
    with pytest.raises(ValueError, match="share the id"):
        table.set([{**entry(), "model_info": {"id": "x"}}, {**entry("h"), "model_info": {"id": "x"}}])


def test_policy_lookup_walks_the_exception_classes():
    from litellm.core import exceptions as ex

    policy = RetryPolicy(BadRequestErrorRetries=0, RateLimitErrorRetries=4, DefaultRetries=1)
    assert policy_value(policy, ex.RateLimitError("x", "openai", "m"), "Retries") == 4
    assert policy_value(policy, ex.ContextWindowExceededError("x", "m", "openai"), "Retries") == 0
    assert policy_value(policy, ex.InternalServerError("x", "openai", "m"), "Retries") == 1
    assert policy_value(policy, ex.Timeout("x", "m", "openai"), "Retries") == 1
    fails = AllowedFailsPolicy(TimeoutErrorAllowedFails=7)
    assert policy_value(fails, ex.Timeout("x", "m", "openai"), "AllowedFails") == 7
    assert policy_value(fails, ex.RateLimitError("x", "openai", "m"), "AllowedFails") is None
    assert policy_value({"RateLimitErrorRetries": 2}, ex.RateLimitError("x", "openai", "m"), "Retries") == 2


def test_policy_coercion_errors_are_clear():
    assert coerce_policy({"RateLimitErrorRetries": 1}, RetryPolicy, "retry_policy").RateLimitErrorRetries == 1
    with pytest.raises(ValueError, match="Known fields"):
        coerce_policy({"RateLimitRetries": 1}, RetryPolicy, "retry_policy")
    with pytest.raises(TypeError, match="RetryPolicy or a dict"):
        coerce_policy(3, RetryPolicy, "retry_policy")


def test_router_constructor_rejects_bad_arguments():
    from litellm.router import Router

    with pytest.raises(TypeError, match="unsupported arguments: made_up"):
        Router(model_list=[], made_up=1)
    with pytest.raises(TypeError, match="fallbacks"):
        Router(model_list=[], fallbacks=["gpt-4"])
    with pytest.raises(ValueError, match="routing_strategy"):
        Router(model_list=[], routing_strategy="random")


def test_litellm_arguments_not_implemented_are_accepted_and_get_available_deployment():
    from litellm.router import Router

    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {"model": "openai/a", "mock_response": "x"},
                "model_info": {"id": "a"},
            },
            {
                "model_name": "g",
                "litellm_params": {"model": "openai/b", "mock_response": "x"},
                "model_info": {"id": "b"},
            },
        ],
        polling_interval=1,
    )
    router.state.set_cooldown("a", 30, "test")
    assert router.get_available_deployment("g", messages=[])["model_info"]["id"] == "b"
    assert router.completion(model="g", messages=[], specific_deployment=True).model == "b"
