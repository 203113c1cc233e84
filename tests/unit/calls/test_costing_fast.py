"""The pipeline's pricing shortcuts give what the general path gives.

- ``costing._priced`` passes a chat reply's ``service_tier`` (read where pydantic keeps it) instead of the
  reply: the cost must equal ``compute_cost`` given the reply itself, bit for bit, over models, usages
  (cached, reasoning, audio tokens), service tiers (call, usage, reply) and per-call prices;
- ``HiddenParams`` becomes a plain dict once priced: the same reads, copies, pickles and JSON.
"""

from __future__ import annotations

import copy
import json
import pickle
import random
from types import SimpleNamespace
from typing import Any

import pytest

from litellm.calls import costing
from litellm.calls.costing import HiddenParams, cost_for
from litellm.core.types import ModelResponse
from litellm.cost.calculator import compute_cost

MODELS = [
    ("gpt-4o-mini", "openai"),
    ("o3", "openai"),
    ("gpt-5", "openai"),
    ("claude-sonnet-4-5", "anthropic"),
    ("gemini-2.5-pro", "gemini"),
    ("grok-4", "xai"),
    ("no-such-model", "openai"),
]
USAGES: list[dict[str, Any]] = [
    {"prompt_tokens": 6, "completion_tokens": 9, "total_tokens": 15},
    {
        "prompt_tokens": 2000,
        "completion_tokens": 900,
        "total_tokens": 2900,
        "prompt_tokens_details": {"cached_tokens": 1536, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 640, "audio_tokens": 0},
    },
    {
        "prompt_tokens": 300000,
        "completion_tokens": 12,
        "prompt_tokens_details": {"cached_tokens": 1000, "audio_tokens": 40},
        "completion_tokens_details": {"reasoning_tokens": 2, "audio_tokens": 3},
        "service_tier": "flex",
    },
    {
        "prompt_tokens": 50,
        "completion_tokens": 5,
        "cache_read_input_tokens": 20,
        "cache_creation_input_tokens": 10,
    },
]
TIERS = [None, "flex", "priority", "default", "batch"]
CUSTOM = [
    None,
    {"input_cost_per_token": 1e-6, "output_cost_per_token": 3e-6},
    {"input_cost_per_second": 0.002},
    {"base_model": "gpt-4o"},
]


def _reply(tier: Any, how: str) -> ModelResponse:
    data: dict[str, Any] = {"id": "c", "created": 1, "model": "m", "choices": [], "usage": USAGES[0]}
    if how == "field":
        data["service_tier"] = tier
    response = ModelResponse.model_validate(data)
    if how == "assigned":
        response.service_tier = tier
    elif how == "object_setattr":
        object.__setattr__(response, "service_tier", tier)
    return response


def _ctx(model: str, provider: str, usage: Any, call_type: str, custom: Any, tier: Any, stream: bool) -> Any:
    return SimpleNamespace(
        provider_model=model,
        model=f"{provider}/{model}",
        custom_llm_provider=provider,
        call_type=call_type,
        raw_usage=usage,
        stream=stream,
        metadata={"base_model": "gpt-4o"} if custom == {"base_model": "gpt-4o"} else {},
        custom_pricing=custom,
        optional_params={"service_tier": tier} if tier else {},
        cache_hit=False,
    )


def _general(ctx: Any, response: Any) -> Any:
    """What _priced did before it read the reply's tier itself."""
    return compute_cost(
        model=ctx.provider_model or ctx.model,
        custom_llm_provider=ctx.custom_llm_provider,
        call_type=ctx.call_type,
        usage=ctx.raw_usage
        if ctx.raw_usage is not None and not ctx.stream
        else getattr(response, "usage", None),
        response=response,
        custom_pricing=ctx.custom_pricing,
        base_model=(ctx.metadata or {}).get("base_model") or (ctx.custom_pricing or {}).get("base_model"),
        service_tier=(ctx.optional_params or {}).get("service_tier"),
        extra={},
    )


def _facts(result: Any) -> tuple[Any, ...]:
    return (
        repr(result.response_cost),
        [(k, repr(v)) for k, v in result.breakdown.items()],
        result.model_map_key,
        result.model_map_value,
        result.failure_reason,
    )


def test_the_reply_tier_shortcut_prices_as_the_reply_does() -> None:
    rng = random.Random(11)
    checked = priced = 0
    for _ in range(600):
        model, provider = rng.choice(MODELS)
        reply = _reply(
            rng.choice(TIERS), rng.choice(["field", "field", "absent", "assigned", "object_setattr"])
        )
        ctx = _ctx(
            model,
            provider,
            copy.deepcopy(rng.choice(USAGES)),
            rng.choice(["completion", "acompletion"]),
            rng.choice(CUSTOM),
            rng.choice(TIERS),
            stream=rng.random() < 0.2,
        )
        got, want = cost_for(ctx, reply), _general(ctx, reply)
        assert _facts(got) == _facts(want)
        checked += 1
        priced += got.response_cost is not None
    assert priced > checked // 2  # most cases are priced, not failures


@pytest.mark.parametrize("how", ["field", "absent", "assigned", "object_setattr"])
@pytest.mark.parametrize("tier", [None, "flex", "", 3])
def test_reply_tier_reads_what_getattr_reads(how: str, tier: Any) -> None:
    reply = _reply(tier, how)
    assert costing._TIER_IS_EXTRA
    assert costing._reply_tier(reply) == getattr(reply, "service_tier", None)
    assert type(costing._reply_tier(reply)) is type(getattr(reply, "service_tier", None))


def _hidden() -> tuple[HiddenParams, ModelResponse]:
    reply = _reply("default", "field")
    ctx = _ctx("gpt-4o-mini", "openai", USAGES[1], "acompletion", None, None, stream=False)
    ctx.raw_response = {"usage": USAGES[1], "service_tier": "default"}
    ctx.cost = None
    hidden = HiddenParams({"custom_llm_provider": "openai", "_response_ms": 1.5}, ctx, reply)
    return hidden, reply  # the caller keeps the (weakly held) reply alive


def test_hidden_params_read_the_same_before_and_after_pricing() -> None:
    fresh, _reply_kept = _hidden()
    cost = fresh["response_cost"]
    assert cost is not None and cost > 0
    assert type(fresh).get is dict.get  # plain dict methods from now on
    assert fresh.get("response_cost") == cost and len(fresh) == 3
    assert list(fresh) == ["custom_llm_provider", "_response_ms", "response_cost"]
    assert fresh == {"custom_llm_provider": "openai", "_response_ms": 1.5, "response_cost": cost}
    for copied in (fresh.copy(), copy.copy(fresh), copy.deepcopy(fresh), pickle.loads(pickle.dumps(fresh))):
        assert type(copied) is dict and copied == fresh
    assert json.dumps(fresh) == json.dumps(dict(fresh))
    assert repr(fresh) == repr(dict(fresh))
    for read in (len, list, repr, lambda h: h.copy(), lambda h: "response_cost" in h, lambda h: h.items()):
        other, _other_reply = _hidden()
        read(other)
        assert dict(other.items()) == dict(fresh.items())
