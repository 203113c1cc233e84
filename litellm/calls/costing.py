"""The pipeline's one door to the cost module (imported on first use, so core stays below cost)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from litellm.core.types import ModelResponse


@dataclass(slots=True)
class _NoCost:
    response_cost: float | None = None
    breakdown: dict[str, float] = field(default_factory=dict)
    model_map_key: str | None = None
    model_map_value: dict[str, Any] | None = None
    failure_reason: str | None = None


def cost_for(ctx: Any, response: Any) -> Any:
    """Cost of a finished call from its context and (assembled) response; never raises.

    A cache hit costs 0; what the call would have cost is kept as ``ctx.saved_cache_cost`` (the
    payload's ``saved_cache_cost``)."""
    if response is None:
        return _NoCost(failure_reason="no response to price")
    if getattr(ctx, "cache_hit", None):
        would_have = _priced(ctx, response)
        ctx.saved_cache_cost = would_have.response_cost or 0.0
        return _NoCost(
            response_cost=0.0, breakdown={"total_cost": 0.0}, model_map_key=would_have.model_map_key
        )
    return _priced(ctx, response)


def _priced(ctx: Any, response: Any) -> Any:
    compute_cost = _compute_cost or _load_calculator()
    try:
        raw_usage = ctx.raw_usage
        usage = raw_usage if raw_usage is not None and not ctx.stream else getattr(response, "usage", None)
        if type(response) is ModelResponse and ctx.call_type in _WEAK_OK and _TIER_IS_EXTRA:
            # beyond usage, a chat completion's price reads only the reply's service_tier (see
            # _reply_tier): that one value is passed, in a dict the calculator reads without getattr
            response = {"service_tier": _reply_tier(response)}
        metadata = ctx.metadata
        base_model = metadata.get("base_model") if metadata else None
        custom_pricing = ctx.custom_pricing
        if not base_model:
            base_model = custom_pricing.get("base_model") if custom_pricing else None
        optional_params = ctx.optional_params
        return compute_cost(
            model=ctx.provider_model or ctx.model,
            custom_llm_provider=ctx.custom_llm_provider,
            call_type=ctx.call_type,
            usage=usage,
            response=response,
            custom_pricing=custom_pricing,
            base_model=base_model,
            service_tier=optional_params.get("service_tier") if optional_params else None,
            extra={},
        )
    except Exception as exc:  # a pricing bug must never fail a call or lose the event
        return _NoCost(failure_reason=f"{type(exc).__name__}: {exc}")


_compute_cost: Any = None


def _load_calculator() -> Any:
    global _compute_cost
    from litellm.cost.calculator import compute_cost

    _compute_cost = compute_cost
    return compute_cost


_ABSENT: Any = object()
# ModelResponse declares no service_tier: a reply's is an extra field, which getattr reaches through
# pydantic's __getattr__ (an AttributeError raised and caught inside whenever the reply has none)
_TIER_IS_EXTRA = (
    not hasattr(ModelResponse, "service_tier")
    and "service_tier" not in ModelResponse.model_fields
    and "service_tier" not in ModelResponse.__private_attributes__
)


def _reply_tier(response: ModelResponse) -> Any:
    """``getattr(response, "service_tier", None)``, read where pydantic keeps an undeclared field: the
    instance dict (set with object.__setattr__), else the extras."""
    value = response.__dict__.get("service_tier", _ABSENT)
    if value is _ABSENT:
        extra = response.__pydantic_extra__
        value = extra.get("service_tier") if extra else None
    return value


# call types whose price needs nothing of the response beyond the dict it was built from (see below)
_WEAK_OK = frozenset({"completion", "acompletion"})


class HiddenParams(dict):
    """``response._hidden_params``, whose ``response_cost`` is computed when first read.

    Pricing is a few µs to tens of µs; most callers never look at it and the logging payload prices
    the call on the dispatcher's worker. Reading the key (or iterating, copying, comparing) prices it
    once, on the reader's thread, with the same function the payload uses.
    """

    __slots__ = ("_ctx", "_response", "_weak")

    def __init__(self, data: dict[str, Any], ctx: Any, response: Any) -> None:
        super().__init__(data)
        self._ctx = ctx
        # The response holds these params, so a strong reference back to it is a cycle that only the
        # cyclic GC frees (a call's whole object tree, tens of µs of GC work per call). A chat
        # completion's price reads only its usage (``ctx.raw_usage``) and ``service_tier``, both in
        # the dict it was validated from (``ctx.raw_response``): the response is held weakly, and
        # that dict prices it the same if the caller dropped the response before reading the cost.
        self._weak = ctx is not None and ctx.raw_response is not None and ctx.call_type in _WEAK_OK
        self._response = weakref.ref(response) if self._weak else response

    def _materialise(self) -> None:
        ctx = self._ctx
        if ctx is None:
            self.__class__ = _Priced  # type: ignore[assignment]
            return
        self._ctx = None
        if ctx.cost is None:
            response = self._response
            if self._weak:
                response = response() if response is not None else None
                if response is None:
                    response = ctx.raw_response
            ctx.cost = cost_for(ctx, response)
        self._response = None
        dict.__setitem__(self, "response_cost", ctx.cost.response_cost)
        # Priced: from now on a plain dict. Readers call get/len/iter a dozen times per proxied request,
        # and dict's own methods spare each of those a Python call (same slots, so the class can change).
        self.__class__ = _Priced  # type: ignore[assignment]

    def __getitem__(self, key: Any) -> Any:
        if key == "response_cost":
            self._materialise()
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key == "response_cost":
            self._materialise()
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        if key == "response_cost":
            self._materialise()
        return dict.__contains__(self, key)

    def __iter__(self) -> Any:
        self._materialise()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._materialise()
        return dict.__len__(self)

    def __eq__(self, other: object) -> bool:
        self._materialise()
        return dict.__eq__(self, other)

    __hash__ = None

    def __repr__(self) -> str:
        self._materialise()
        return dict.__repr__(self)

    def keys(self) -> Any:
        self._materialise()
        return dict.keys(self)

    def items(self) -> Any:
        self._materialise()
        return dict.items(self)

    def values(self) -> Any:
        self._materialise()
        return dict.values(self)

    def copy(self) -> dict[str, Any]:
        self._materialise()
        return dict(dict.items(self))

    def __reduce__(self) -> Any:
        self._materialise()
        return (dict, (dict(dict.items(self)),))


class _Priced(dict):
    """A :class:`HiddenParams` once priced: dict's own methods, the same copy and pickle results."""

    __slots__ = ("_ctx", "_response", "_weak")

    __hash__ = None

    def __reduce__(self) -> Any:
        return (dict, (dict(dict.items(self)),))
