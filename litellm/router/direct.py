"""The direct path: a router request's first attempt as plain straight-line code.

Most requests name one group, take the first deployment picked and succeed. For those the generator flow
(:mod:`litellm.router.flow`) and its driver are pure overhead: three generator frames resumed per
operation, a driver loop, per-request override and hook bookkeeping. Here the same steps run inline: the
common pick written out, the flow's helpers (``_pick_fast``, ``_routed``, ``_call_kwargs``, ``_settle``)
for the rest, so the logging event, the response's hidden params, usage, latency, in-flight counts and
cooldowns come out identical (``tests/unit/router/test_direct_path.py`` compares the two).

When it does not apply (a stream, per-request fallbacks/retries/mock switches, a remote state store, a
custom strategy, tag filtering or pre-call checks, router hooks on an async call) the flow runs from the
start. When the pick cannot be made inline (unknown model, no capacity, waiting for a parallel slot) the
flow runs from the start too: nothing was counted yet. When the call fails, the deployment is released
and the flow carries on from that failure (``Resume``): retries, cooldowns and fallbacks are the flow's.

Must not decide anything the flow decides differently; every rule lives in the flow's helpers.
"""

from __future__ import annotations

import inspect
import time
from types import CoroutineType
from typing import Any

from litellm.calls.registry import CALLS, get_call
from litellm.router.drivers import drive_async, drive_sync
from litellm.router.flow import _ACCEPTS, Resume, _stdlib_log
from litellm.router.hooks import RouterAttempt, current_hooks
from litellm.router.state import BLANK_STATS
from litellm.router.strategies import CustomStrategyAdapter, NoDeploymentWithinLimits, RoutingRequest

__all__ = ["DirectPath"]

_NOT_FAILED: frozenset[str] = frozenset()


class DirectPath:
    """Mixed into Router, after RequestFlow."""

    def _direct_pick(self: Any, model: str, kwargs: dict[str, Any], is_async: bool) -> tuple[Any, ...] | None:
        """(deployment, group, metadata, attempt, call kwargs, healthy deployments), the deployment
        acquired; None when the flow must run the request (nothing acquired then).

        The common case (no deployment cooling down or budgeted, the pick accepted) is written out
        here rather than through ``_pick_fast`` / ``_routed`` / ``_call_kwargs``: each helper is a frame
        and code that is cold after a network call, several µs per request; anything else goes to
        those helpers. ``tests/unit/router/test_direct_path.py`` holds both ways to the same output."""
        st, strategy = self.state, self.strategy
        if not (
            st.local
            and not self.enable_tag_filtering
            and not self.enable_pre_call_checks
            and not isinstance(strategy, CustomStrategyAdapter)
            and not kwargs.get("stream")
            and self._REQUEST_OVERRIDES.isdisjoint(kwargs)
            # on a sync call router hooks matter only once a call failed (fallback events): the flow's
            and not (is_async and current_hooks().by_hook)
        ):
            return None
        try:
            group, deps, _, wildcard = self.table.resolve(model)
        except LookupError:
            return None
        # the request a strategy sees, made only when one looks at it (not for a lone deployment)
        request = RoutingRequest(group) if strategy.needs_tokens else None
        skipped: dict[str, str] = {}
        if request is not None:  # the token estimate only (no tag or context-window filter here)
            deps = self._static_filter(deps, kwargs, request, skipped, group)
        now = time.time()
        s = None
        if not strategy.needs_stats and not self._budget_periods and now >= st.cooled_until:
            stats = None  # only cooldowns would be read, and none is active: blank, made if a strategy picks
        else:
            stats = st.snapshot([d.id for d in deps], self._budget_periods, strategy.needs_stats)
            for s in stats:
                if s.cooldown_until > now:
                    break
            else:
                s = None
        dep = None
        if s is None and not self._budgeted and deps:  # every deployment may serve
            if len(deps) == 1 and not strategy.enforces_limits:
                index, reason = 0, "only candidate"
            else:
                if stats is None:
                    stats = [BLANK_STATS] * len(deps)
                try:
                    index, reason = strategy.pick(deps, stats, request or RoutingRequest(group))
                except NoDeploymentWithinLimits:
                    return None
            dep = deps[index]
            limit = dep.rpm if strategy.enforces_limits else None
            if st.acquire(dep.id, limit, dep.max_parallel_requests) is not None:
                return None  # at a limit: the flow picks again, waits or refuses
            healthy = deps
            routing = {"chosen": dep.id, "deployment": dep.model, "reason": reason, "skipped": skipped}
        else:
            try:
                picked = self._pick_fast(group, deps, request or RoutingRequest(group), _NOT_FAILED, skipped)
            except Exception:  # no capacity and the like: the flow raises it again, with its fallbacks
                return None
            if picked is None:
                return None
            dep, routing, healthy = picked
        if _stdlib_log.isEnabledFor(10):  # DEBUG: the flow's helper logs the pick
            meta = self._routed(group, dep, routing, 0, 0)
        else:
            meta = {
                "model_group": group,
                "deployment": dep.model,
                "model_info": dep.model_info,
                "api_base": dep.api_base,
                "caching_groups": self.caching_groups,
                "attempted_retries": 0,
                "attempted_fallbacks": 0,
                "routing": routing,
            }
        attempt = RouterAttempt(meta)
        base = dep.call_kwargs
        if base is not None and wildcard is None and _ACCEPTS[0] and "metadata" not in kwargs:
            kw = {**base, **kwargs}
            kw["metadata"] = meta
            kw["litellm_attempt"] = attempt
        else:
            kw = self._call_kwargs(dep, group, wildcard, kwargs, meta, attempt, False)
        return dep, group, meta, attempt, kw, healthy

    def _sync(self: Any, call_type: str, model: str, kwargs: dict[str, Any]) -> Any:
        """A sync request of ``call_type`` (any name of the call registry)."""
        if call_type not in CALLS:
            raise _not_available(call_type)
        picked = self._direct_pick(model, kwargs, False)
        if picked is None:
            return drive_sync(self, self.flow(call_type, model, kwargs, False))
        dep, group, meta, attempt, kw, healthy = picked
        started = time.perf_counter()
        try:
            result = get_call(call_type)(**kw)
        except Exception as exc:
            self.state.release(dep.id)
            error = exc
        except BaseException:  # interrupted: no retry, the event goes now
            self.state.release(dep.id)
            attempt.give_up()
            raise
        else:
            attempt.committed = True
            self._settle(dep, group, meta, result, started)
            return result
        resume = Resume(dep, healthy, error, attempt)
        return drive_sync(self, self.flow(call_type, model, kwargs, False, resume))

    async def _async(self: Any, call_type: str, model: str, kwargs: dict[str, Any]) -> Any:
        """An async request of ``call_type`` (an ``a``-prefixed name of the call registry)."""
        if call_type not in CALLS:
            raise _not_available(call_type)
        picked = self._direct_pick(model, kwargs, True)
        if picked is None:
            return await drive_async(self, self.flow(call_type, model, kwargs, True))
        dep, group, meta, attempt, kw, healthy = picked
        started = time.perf_counter()
        try:
            result = get_call(call_type)(**kw)
            # a coroutine as a rule: known awaitable without inspect's call
            if type(result) is CoroutineType or inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            self.state.release(dep.id)
            error = exc
        except BaseException:  # cancelled: no retry, the event goes now
            self.state.release(dep.id)
            attempt.give_up()
            raise
        else:
            attempt.committed = True
            self._settle(dep, group, meta, result, started)
            return result
        resume = Resume(dep, healthy, error, attempt)
        return await drive_async(self, self.flow(call_type, model, kwargs, True, resume))


def _not_available(call_type: str) -> Exception:
    return NotImplementedError(
        f"Router: the call type {call_type!r} is not available yet (litellm.calls.registry has: "
        f"{', '.join(sorted(CALLS))})"
    )
