"""Routing strategies: pick one deployment among the healthy candidates, and say why.

Each strategy is a small class with one method, ``pick(candidates, stats, request) -> (index, reason)``;
``stats`` are the state store's :class:`~litellm.router.state.DeploymentStats` for the candidates, in the
same order. Strategies are pure (no I/O, no state of their own beyond caches of static facts) so one
instance serves every request and any state store.

* ``simple-shuffle``: random by ``weight``, else by ``rpm``, else by ``tpm``, else uniform.
* ``least-busy``: fewest requests in flight (ties broken at random).
* ``latency-based-routing``: EWMA of latency (per output token when known; time to first token for
  streams). The default is LiteLLM's rule, the global minimum (with ``lowest_latency_buffer``: random
  among those within the buffer of it). ``selection: "p2c"`` is power-of-two-choices instead (two random
  candidates, the faster wins, requests in flight counted as added latency), which does not herd every
  request onto one deployment; ``bench/router_load_balance.py`` measures both. Against the fake provider,
  whose latency does not grow with load, herding costs nothing and the global minimum did as well or
  better, so it stays the default. Beyond LiteLLM: ``probe`` (2 % by default) re-measures the deployment
  measured longest ago, because with the global minimum alone a deployment that was slow once is never
  tried again until ``ttl`` passes, even after it recovered (``bench/router_load_balance.py``,
  "recovery"), and ``lowest_latency_buffer`` keeps LiteLLM's "random among
  those within buffer of the best". Samples older than ``ttl`` count as unknown; unknown deployments are
  tried first so every deployment gets measured.
* ``usage-based-routing-v2``: skip deployments at their rpm/tpm for the current minute, then the lowest
  tpm use wins. The limit itself is enforced atomically by the state store when the Router acquires.
* ``cost-based-routing``: lowest price per token (deployment prices, else the price map).

Must not call providers or touch the state store.
"""

from __future__ import annotations

import random
import time
from typing import Any

from litellm.router.deployments import Deployment
from litellm.router.state import DeploymentStats

__all__ = [
    "STRATEGIES",
    "CostBased",
    "CustomRoutingStrategyBase",
    "LatencyBased",
    "LeastBusy",
    "NoDeploymentWithinLimits",
    "RoutingRequest",
    "RoutingStrategy",
    "SimpleShuffle",
    "UsageBasedV2",
    "make_strategy",
]


class NoDeploymentWithinLimits(Exception):
    """Every candidate is at its rpm/tpm limit for this minute."""


class RoutingRequest:
    """What a strategy may know about the request."""

    __slots__ = ("input_tokens", "model_group", "stream")

    def __init__(self, model_group: str, stream: bool = False, input_tokens: int = 0) -> None:
        self.model_group = model_group
        self.stream = stream
        self.input_tokens = input_tokens


class RoutingStrategy:
    """One interface for every strategy. ``needs_stats``: False when only cooldowns matter."""

    name = "base"
    needs_stats = True
    #: True when the strategy treats rpm/tpm as limits (the Router then acquires against rpm)
    enforces_limits = False
    #: True when the strategy needs the request's input token count
    needs_tokens = False

    def __init__(self, args: dict[str, Any] | None = None, rng: random.Random | None = None) -> None:
        self.args = dict(args or {})
        self.rng = rng or random.Random()

    def pick(
        self, candidates: list[Deployment], stats: list[DeploymentStats], request: RoutingRequest
    ) -> tuple[int, str]:
        raise NotImplementedError


class SimpleShuffle(RoutingStrategy):
    name = "simple-shuffle"
    needs_stats = False

    def __init__(self, args: dict[str, Any] | None = None, rng: random.Random | None = None) -> None:
        super().__init__(args, rng)
        # by the candidates themselves (a Deployment hashes by identity and is replaced, never changed)
        self._weights: dict[tuple[Deployment, ...], tuple[list[float] | None, float, str]] = {}

    def _weights_for(self, candidates: list[Deployment]) -> tuple[list[float] | None, float, str]:
        """(weights or None for uniform, their sum, reason) for this candidate set (cached)."""
        key = tuple(candidates)
        found = self._weights.get(key)
        if found is None:
            found = (None, 0.0, "uniform shuffle")
            for attr in ("weight", "rpm", "tpm"):
                values = [getattr(d, attr) for d in candidates]
                if any(v is not None for v in values):
                    weights = [float(v or 0.0) for v in values]
                    total = sum(weights)
                    found = (weights, total, f"shuffle weighted by {attr}") if total > 0 else found
                    break
            if len(self._weights) > 1024:
                self._weights.clear()
            self._weights[key] = found
        return found

    def pick(
        self, candidates: list[Deployment], stats: list[DeploymentStats], request: RoutingRequest
    ) -> tuple[int, str]:
        n = len(candidates)
        if n == 1:
            return 0, "only candidate"
        weights, total, reason = self._weights_for(candidates)
        point = self.rng.random()
        if weights is None:
            return min(int(point * n), n - 1), reason
        point *= total
        for i, w in enumerate(weights):
            point -= w
            if point < 0:
                return i, reason
        return n - 1, reason


def _argmin_random(values: list[Any], rng: random.Random) -> int:
    best = min(values)
    ties = values.count(best)
    i = values.index(best)
    for _ in range(int(rng.random() * ties) if ties > 1 else 0):  # the k-th of the tied, at random
        i = values.index(best, i + 1)
    return i


_BUSY_REASONS: dict[int, str] = {}  # "least busy (n in flight)" for small n, formatted once


class LeastBusy(RoutingStrategy):
    name = "least-busy"

    def pick(
        self, candidates: list[Deployment], stats: list[DeploymentStats], request: RoutingRequest
    ) -> tuple[int, str]:
        i = _argmin_random([s.in_flight for s in stats], self.rng)
        n = stats[i].in_flight
        reason = _BUSY_REASONS.get(n)
        if reason is None:
            reason = f"least busy ({n} in flight)"
            if n < 256:
                _BUSY_REASONS[n] = reason
        return i, reason


class LatencyBased(RoutingStrategy):
    """``routing_strategy_args``: ``ttl`` (s, default 3600), ``lowest_latency_buffer`` (0..1),
    ``selection`` ("lowest", LiteLLM's global minimum and the default, or "p2c"), ``probe`` (share of
    requests sent to the deployment measured longest ago, default 0.02; 0 is LiteLLM's behaviour)."""

    name = "latency-based-routing"

    def __init__(self, args: dict[str, Any] | None = None, rng: random.Random | None = None) -> None:
        super().__init__(args, rng)
        self.ttl = float(self.args.get("ttl", 3600.0))
        self.buffer = float(self.args.get("lowest_latency_buffer", 0.0))
        self.selection = str(self.args.get("selection", "lowest"))
        if self.selection not in ("p2c", "lowest"):
            raise ValueError("routing_strategy_args['selection'] must be 'p2c' or 'lowest'")
        self.probe = float(self.args.get("probe", 0.02))
        if not 0 <= self.probe < 1:
            raise ValueError("routing_strategy_args['probe'] is a share of requests, from 0 to below 1")

    def pick(
        self, candidates: list[Deployment], stats: list[DeploymentStats], request: RoutingRequest
    ) -> tuple[int, str]:
        now = time.time()
        stream, ttl, lowest = request.stream, self.ttl, self.selection == "lowest"
        scores: list[float | None] = []
        for s in stats:
            if s.latency_n == 0 or now - s.latency_at > ttl:
                scores.append(None)  # no recent sample
                continue
            value = s.ttft if stream and s.ttft is not None else s.latency
            # "lowest" is LiteLLM's rule, the average alone; for p2c queued work adds to the wait
            scores.append(value if value is None or lowest else value * (1 + s.in_flight))
        if None in scores:
            unknown = [i for i, v in enumerate(scores) if v is None]
            return self.rng.choice(unknown), "no recent latency sample: measuring"
        if self.probe and self.rng.random() < self.probe:  # else a deployment that recovered is never seen
            i = min(range(len(stats)), key=lambda j: stats[j].latency_at)
            return i, "probe: re-measuring the deployment measured longest ago"
        what = "time to first token" if request.stream else "latency"
        known: list[float] = [v for v in scores if v is not None]
        if self.selection == "p2c" and len(candidates) > 2:
            a, b = self.rng.sample(range(len(candidates)), 2)
            i = a if known[a] <= known[b] else b
            return i, f"lower {what} of two random candidates ({known[i] * 1000:.1f} ms)"
        best = min(known)
        if self.buffer > 0:
            within = [i for i, v in enumerate(known) if v <= best * (1 + self.buffer)]
            i = self.rng.choice(within)
            return i, f"{what} within {self.buffer:.0%} of the lowest"
        i = _argmin_random(known, self.rng)
        return i, f"lowest {what} ({best * 1000:.1f} ms)"


class UsageBasedV2(RoutingStrategy):
    name = "usage-based-routing-v2"
    enforces_limits = True
    needs_tokens = True

    def pick(
        self, candidates: list[Deployment], stats: list[DeploymentStats], request: RoutingRequest
    ) -> tuple[int, str]:
        if len(stats) != len(candidates):
            raise ValueError("one stats record per candidate")
        tokens = request.input_tokens
        usable = []
        for i, d in enumerate(candidates):
            s = stats[i]
            if d.rpm is not None and s.rpm + 1 > d.rpm:
                continue
            if d.tpm is not None and s.tpm + tokens > d.tpm:
                continue
            usable.append(i)
        if not usable:
            raise NoDeploymentWithinLimits(
                f"every deployment of {request.model_group!r} is at its rpm/tpm limit for this minute"
            )
        i = (
            usable[0]
            if len(usable) == 1
            else usable[_argmin_random([stats[j].tpm for j in usable], self.rng)]
        )
        s = stats[i]
        return i, f"lowest tpm use this minute ({s.tpm} tokens, {s.rpm} requests)"


class CostBased(RoutingStrategy):
    name = "cost-based-routing"
    needs_stats = False

    def __init__(self, args: dict[str, Any] | None = None, rng: random.Random | None = None) -> None:
        super().__init__(args, rng)
        self._prices: dict[str, float] = {}
        self._reasons: dict[float, str] = {}  # the reason text of each price (formatting costs a µs)

    def price(self, d: Deployment) -> float:
        cached = self._prices.get(d.id)
        if cached is not None:
            return cached
        lp, info = d.litellm_params, d.model_info
        inp = lp.get("input_cost_per_token", info.get("input_cost_per_token"))
        out = lp.get("output_cost_per_token", info.get("output_cost_per_token"))
        if inp is None or out is None:
            try:
                from litellm.cost.model_info import get_model_info

                found = get_model_info(lp.get("base_model") or d.model, d.provider)
                inp = found.get("input_cost_per_token") if inp is None else inp
                out = found.get("output_cost_per_token") if out is None else out
            except Exception:  # not in the price map: priced as very expensive, so known prices win
                pass
        price = float("inf") if inp is None and out is None else float(inp or 0) + float(out or 0)
        self._prices[d.id] = price
        return price

    def pick(
        self, candidates: list[Deployment], stats: list[DeploymentStats], request: RoutingRequest
    ) -> tuple[int, str]:
        known = self._prices
        prices = [known.get(d.id) or self.price(d) for d in candidates]
        i = _argmin_random(prices, self.rng)
        reason = self._reasons.get(prices[i])
        if reason is None:
            price = prices[i]
            if price == float("inf"):
                reason = "no known price for any candidate"
            else:
                reason = f"lowest price per token (${price * 1e6:.4g} per 1M in+out)"
            self._reasons[price] = reason
        return i, reason


STRATEGIES: dict[str, type[RoutingStrategy]] = {
    "simple-shuffle": SimpleShuffle,
    "least-busy": LeastBusy,
    "latency-based-routing": LatencyBased,
    "usage-based-routing-v2": UsageBasedV2,
    "usage-based-routing": UsageBasedV2,
    "cost-based-routing": CostBased,
}


def make_strategy(name: str, args: dict[str, Any] | None = None) -> RoutingStrategy:
    cls = STRATEGIES.get(name)
    if cls is None:
        raise ValueError(f"routing_strategy {name!r} is not one of: {', '.join(sorted(STRATEGIES))}")
    return cls(args)


class CustomRoutingStrategyBase:
    """LiteLLM's base class for ``Router.set_custom_routing_strategy``: override one or both methods and
    return an element of ``router.get_model_list(model)`` (the chosen deployment's dict)."""

    async def async_get_available_deployment(
        self,
        model: str,
        messages: list[dict[str, str]] | None = None,
        input: str | list[object] | None = None,
        specific_deployment: bool | None = False,
        request_kwargs: dict[str, object] | None = None,
    ) -> dict[str, Any] | None:
        return self.get_available_deployment(model, messages, input, specific_deployment, request_kwargs)

    def get_available_deployment(
        self,
        model: str,
        messages: list[dict[str, str]] | None = None,
        input: str | list[object] | None = None,
        specific_deployment: bool | None = False,
        request_kwargs: dict[str, object] | None = None,
    ) -> dict[str, Any] | None:
        raise NotImplementedError(
            f"{type(self).__name__} implements neither get_available_deployment nor "
            "async_get_available_deployment"
        )


class CustomStrategyAdapter(RoutingStrategy):
    """Wraps a user's ``CustomRoutingStrategyBase``-style object (``async_get_available_deployment`` /
    ``get_available_deployment`` returning a deployment dict) set by ``set_custom_routing_strategy``."""

    name = "custom"
    needs_stats = False

    def __init__(self, custom: Any) -> None:
        super().__init__(None)
        if not (
            hasattr(custom, "async_get_available_deployment") or hasattr(custom, "get_available_deployment")
        ):
            raise TypeError(
                "set_custom_routing_strategy needs an object with async_get_available_deployment(...) "
                "and/or get_available_deployment(...) (see CustomRoutingStrategyBase)"
            )
        self.custom = custom

    def pick(
        self, candidates: list[Deployment], stats: list[DeploymentStats], request: RoutingRequest
    ) -> tuple[int, str]:  # the Router calls the user's methods itself; kept for the interface
        raise NotImplementedError
