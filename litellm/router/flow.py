"""One router request, written once for sync and async: pick, call, retry, cool down, fall back.

The request is a generator (:meth:`RequestFlow.flow`) that yields the few operations which differ between
sync and async code (the pipeline call, reading a stream's first chunk, sleeping, a remote state-store
operation, awaiting CustomLogger hooks); :mod:`litellm.router.drivers` runs it. In-memory state is called
inline (no yield), so the default Router pays a few dict operations per request. Tag and context-window
filters are :mod:`litellm.router.filters`.

Rules (LiteLLM's, where it documents them):

* retries: ``num_retries`` (or the RetryPolicy entry for the exception class) per model group; a retry goes
  to another healthy deployment at once when there is one, else waits (exponential backoff, or the
  provider's Retry-After, at least ``retry_after``). 400-class errors are not retried unless a policy
  says so; 401/403/404 only when another deployment can serve the request.
* cooldowns: a deployment that fails more than ``allowed_fails`` times in a minute (or the
  AllowedFailsPolicy number for the class; at once on 401/404/429 by default) is skipped for
  ``cooldown_time`` seconds or the provider's Retry-After. Client errors (other 4xx) never cool one down.
  When every deployment is cooling down, the one whose cooldown ends first is tried anyway.
* fallbacks: after the group gives up, the fallback groups in order (context-window and content-policy
  lists for those errors, else ``fallbacks``, ``"*"``, ``default_fallbacks``); each gets its own retries.
  A stream falls back only before its first chunk.

Must not import the package root nor know any provider; calls go through ``litellm.calls.registry``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from litellm.calls.registry import get_call
from litellm.router.deployments import Deployment
from litellm.router.drivers import CALL, HOOK, PEEK, SLEEP, STATE, Flow
from litellm.router.filters import RequestFilters
from litellm.router.hooks import RouterAttempt, current_hooks, emit_refusal, pipeline_accepts_attempt
from litellm.router.policies import policy_value
from litellm.router.state import DeploymentStats
from litellm.router.strategies import CustomStrategyAdapter, NoDeploymentWithinLimits, RoutingRequest
from litellm.router.streams import RouterStream

__all__ = ["RequestFlow", "Resume"]

_ACCEPTS: list[bool | None] = [None]
_stdlib_log = logging.getLogger("litellm.router")
_NO_OV: dict[str, Any] = {}

_RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 522, 524, 529})
_IMMEDIATE_COOLDOWN = frozenset({401, 404, 429})
_SWITCH_ONLY = frozenset({401, 403, 404})  # retried only on another deployment
_MAX_COOLDOWN_S = 300.0
_PARALLEL_WAIT_S = 0.005


def _exc() -> Any:
    from litellm.core import exceptions

    return exceptions


def _retry_after(exc: BaseException) -> float | None:
    from litellm.core.http import retry_after_seconds

    headers = getattr(exc, "headers", None)
    if not headers:
        response = getattr(exc, "response", None)
        headers = getattr(response, "headers", None)
    try:
        return retry_after_seconds({k.lower(): v for k, v in dict(headers).items()}) if headers else None
    except Exception:
        return None


def _no_capacity(message: str, model: str, retry_after: float | None = None) -> Exception:
    headers = {"retry-after": str(max(1, int(retry_after + 0.999)))} if retry_after else None
    err = _exc().RateLimitError(message, "litellm_router", model, headers=headers)
    err._router_no_capacity = True
    return err


def _is_stream(result: Any) -> bool:
    return hasattr(result, "__anext__") or hasattr(result, "__next__")


class Resume:
    """A first attempt made outside the flow (:mod:`litellm.router.direct`) that failed: the deployment
    (already released), the healthy deployments of its pick, the error and the request's attempt."""

    __slots__ = ("attempt", "dep", "error", "healthy")

    def __init__(
        self, dep: Deployment, healthy: list[Deployment], error: Exception, attempt: RouterAttempt
    ) -> None:
        self.dep, self.healthy, self.error, self.attempt = dep, healthy, error, attempt


class RequestFlow(RequestFilters):
    """Mixed into Router: the per-request algorithm. Reads the Router's configuration attributes."""

    # -- entry -----------------------------------------------------------------------------------

    def flow(
        self: Any,
        call_type: str,
        model: str,
        kwargs: dict[str, Any],
        is_async: bool,
        resume: Resume | None = None,
    ) -> Flow:
        """The request. ``resume``: the direct path's first attempt failed; carry on from that failure
        (its deployment is released, its attempt kept) exactly as if this flow had made it."""
        hooks = current_hooks().by_hook
        ov = (
            {k: kwargs.pop(k) for k in self._REQUEST_OVERRIDES if k in kwargs}
            if kwargs.keys() & self._REQUEST_OVERRIDES
            else _NO_OV
        )
        if resume is not None:
            attempt = resume.attempt
        else:
            attempt = RouterAttempt()
            attempt.metadata = {"attempted_retries": 0, "attempted_fallbacks": 0}
        if resume is None and is_async and "async_pre_routing_hook" in hooks:
            results = yield (
                HOOK,
                hooks["async_pre_routing_hook"],
                "async_pre_routing_hook",
                (),
                {
                    "model": model,
                    "request_kwargs": kwargs,
                    "messages": kwargs.get("messages"),
                    "input": kwargs.get("input"),
                    "specific_deployment": model in self.table.by_id,
                },
            )
            for r in results:
                if r is None:
                    continue
                get = r.get if isinstance(r, dict) else lambda k, r=r: getattr(r, k, None)
                model = get("model") or model
                if get("messages") is not None:
                    kwargs["messages"] = get("messages")
        group_model, depth, tried = model, 0, [model]
        chain: list[str] | None = None
        original: BaseException | None = None
        while True:
            try:
                result = yield from self._try_group(
                    group_model, kwargs, call_type, is_async, attempt, hooks, ov, depth, resume
                )
                resume = None
            except Exception as exc:
                resume = None
                if original is None:
                    original = exc
                if getattr(exc, "_router_unknown_model", False) and depth == 0:
                    if not attempt.give_up():
                        emit_refusal(call_type, is_async, model, kwargs, exc, attempt.metadata)
                    raise
                if chain is None:
                    chain = self._fallback_chain(model, original, ov)
                nxt = next((g for g in chain if g not in tried), None)
                if nxt is None or depth >= ov.get("max_fallbacks", self.max_fallbacks):
                    if depth:
                        yield from self._fallback_event(
                            "log_failure_fallback_event", hooks, model, kwargs, original, is_async
                        )
                    attempt.metadata["attempted_fallbacks"] = depth
                    if not attempt.give_up():  # nothing reached the pipeline: the router says why
                        emit_refusal(call_type, is_async, model, kwargs, original, attempt.metadata)
                    raise original from None if original is exc else exc
                depth += 1
                tried.append(nxt)
                group_model = nxt
                attempt.metadata["attempted_fallbacks"] = depth
                continue
            if depth:
                yield from self._fallback_event(
                    "log_success_fallback_event", hooks, model, kwargs, original, is_async
                )
            return result

    def _fallback_event(
        self: Any, name: str, hooks: dict, model: str, kwargs: dict, exc: Any, is_async: bool
    ) -> Flow:
        if name in hooks:
            yield (
                HOOK,
                hooks[name],
                name,
                (),
                {"original_model_group": model, "kwargs": kwargs, "original_exception": exc},
            )

    def _fallback_chain(self: Any, model: str, exc: BaseException, ov: dict[str, Any]) -> list[str]:
        ex = _exc()
        specific = None
        if isinstance(exc, ex.ContextWindowExceededError):
            specific = _lookup(ov.get("context_window_fallbacks", self.context_window_fallbacks), model)
        elif isinstance(exc, ex.ContentPolicyViolationError):
            specific = _lookup(ov.get("content_policy_fallbacks", self.content_policy_fallbacks), model)
        if specific:
            return specific
        generic = ov.get("fallbacks", self.fallbacks)
        if generic and all(isinstance(g, str) for g in generic):  # per-request: a plain list of groups
            return list(generic)
        return _lookup(generic, model) or _lookup(generic, "*") or list(self.default_fallbacks or [])

    # -- one model group ---------------------------------------------------------------------------

    def _try_group(
        self: Any,
        model: str,
        kwargs: dict[str, Any],
        call_type: str,
        is_async: bool,
        attempt: RouterAttempt,
        hooks: dict,
        ov: dict[str, Any],
        depth: int,
        resume: Resume | None = None,
    ) -> Flow:
        try:
            group, deps, specific, wildcard = self.table.resolve(model)
        except LookupError:
            err = _exc().BadRequestError(
                f"Router: no model group, alias or deployment named {model!r}. "
                f"Known: {', '.join(self.table.known_names()) or '(none)'}. Add it to model_list.",
                model,
                None,
            )
            err._router_unknown_model = True
            raise err from None
        if depth == 0 and ov:
            _mock_testing(ov, model)
        request = RoutingRequest(group, bool(kwargs.get("stream")))
        skipped: dict[str, str] = {}
        if self.enable_tag_filtering or self.enable_pre_call_checks or self.strategy.needs_tokens:
            deps = self._static_filter(deps, kwargs, request, skipped, group)
        retries = 0
        failed: set[str] = set()
        while True:
            if resume is not None:  # the direct path's attempt on this group failed
                dep, healthy, error = resume.dep, resume.healthy, resume.error
                resume = None
            else:
                picked = None
                if (
                    self.state.local
                    and not isinstance(self.strategy, CustomStrategyAdapter)
                    and not (is_async and "async_filter_deployments" in hooks)
                ):
                    picked = self._pick_fast(group, deps, request, failed, skipped)
                if picked is None:
                    picked = yield from self._pick(
                        group, deps, specific, request, failed, skipped, kwargs, is_async, hooks
                    )
                dep, routing, healthy = picked
                meta = self._routed(group, dep, routing, attempt.metadata["attempted_retries"], depth)
                attempt.metadata = meta
                try:
                    return (
                        yield from self._call(
                            dep, group, wildcard, call_type, kwargs, attempt, meta, is_async, hooks, request
                        )
                    )
                except Exception as exc:
                    error = exc
            if getattr(error, "_router_no_capacity", False):
                raise error
            failed.add(dep.id)
            yield from self._after_failure(dep, group, error, is_async, hooks, kwargs, call_type, depth)
            others = any(d.id not in failed for d in healthy)
            if not self._should_retry(error, group, ov, retries, others):
                raise error
            retries += 1
            attempt.metadata["attempted_retries"] += 1
            if not others:
                from litellm.core.http import backoff_delay

                delay = max(float(self.retry_after or 0), backoff_delay(retries - 1, _retry_after(error)))
                yield (SLEEP, delay)

    def _routed(
        self: Any, group: str, dep: Deployment, routing: dict[str, Any], retries: int, depth: int
    ) -> dict[str, Any]:
        """The metadata of an attempt on ``dep`` (the event's and the response's router facts)."""
        if _stdlib_log.isEnabledFor(10):  # DEBUG
            from litellm.core.log import get_logger

            get_logger("litellm.router").debug(
                "routed", model_group=group, model_id=dep.id, deployment=dep.model,
                reason=routing["reason"], skipped=routing["skipped"],
            )  # fmt: skip
        return {
            "model_group": group,
            "deployment": dep.model,
            "model_info": dep.model_info,
            "api_base": dep.api_base,
            "caching_groups": self.caching_groups,
            "attempted_retries": retries,
            "attempted_fallbacks": depth,
            "routing": routing,
        }

    def _should_retry(self: Any, exc: BaseException, group: str, ov: dict, done: int, others: bool) -> bool:
        policy = self.model_group_retry_policy.get(group) or self.retry_policy
        limit = policy_value(policy, exc, "Retries")
        explicit = limit is not None
        if limit is None:
            limit = ov.get("num_retries", self.num_retries)
        if done >= int(limit or 0):
            return False
        if explicit:
            return True
        ex = _exc()
        if isinstance(exc, (ex.Timeout, ex.APIConnectionError)):
            return True
        status = getattr(exc, "status_code", None)
        if status in _SWITCH_ONLY:
            return others
        return status in _RETRYABLE_STATUS

    # -- filters and the pick ----------------------------------------------------------------------

    def _candidates(
        self: Any,
        group: str,
        deps: list[Deployment],
        stats: list[DeploymentStats],
        failed: set[str],
        skipped: dict[str, str],
        now: float,
    ) -> tuple[list[Deployment], list[DeploymentStats], list[Deployment], str]:
        """(candidates, their stats, healthy deployments, reason prefix) from a snapshot."""
        cands: list[Deployment] = []
        cstats: list[DeploymentStats] = []
        cooled: list[tuple[float, int]] = []
        for i, (d, s) in enumerate(zip(deps, stats)):  # noqa: B905 (same length by construction)
            if s.cooldown_until > now:
                skipped[d.id] = f"cooling down: {s.cooldown_reason}"
                cooled.append((s.cooldown_until, i))
            elif d.max_budget is not None and s.spend >= d.max_budget:
                skipped[d.id] = f"over budget ({s.spend:.6g} >= {d.max_budget:g} per {d.budget_duration:g}s)"
            else:
                cands.append(d)
                cstats.append(s)
        healthy = cands
        if failed and len(cands) > 1:
            fresh = [i for i, d in enumerate(cands) if d.id not in failed]
            if fresh:
                for d in cands:
                    if d.id in failed:
                        skipped[d.id] = "failed earlier in this request"
                cands, cstats = [cands[i] for i in fresh], [cstats[i] for i in fresh]
        if cands:
            return cands, cstats, healthy, ""
        if not cooled:
            raise _no_capacity(f"Router: every deployment of {group!r} is over its budget", group)
        _, i = min(cooled)
        prefix = "every deployment cooling down, trying the one that recovers first; "
        return [deps[i]], [stats[i]], healthy, prefix

    def _choose(
        self: Any,
        group: str,
        cands: list[Deployment],
        cstats: list[DeploymentStats],
        request: RoutingRequest,
        now: float,
    ) -> tuple[int, str]:
        """A built-in strategy's pick."""
        strategy = self.strategy
        if len(cands) == 1 and not strategy.enforces_limits:
            return 0, "only candidate"
        try:
            return strategy.pick(cands, cstats, request)
        except NoDeploymentWithinLimits as exc:
            raise _no_capacity(f"Router: {exc}", group, 60 - now % 60) from None

    def _acquired(
        self: Any, group: str, dep: Deployment, refused: str | None, n_cands: int, now: float
    ) -> bool | None:
        """After an acquire: True = taken; False = pick again without it; None = wait for a slot."""
        if refused is None:
            return True
        if n_cands > 1:  # another process or task took its last slot since the snapshot
            return False
        if refused == "rpm":
            raise _no_capacity(
                f"Router: every deployment of {group!r} is at its rpm limit for this minute",
                group,
                60 - now % 60,
            )
        return None

    def _pick_fast(
        self: Any,
        group: str,
        deps: list[Deployment],
        request: RoutingRequest,
        failed: set[str],
        static_skipped: dict[str, str],
    ) -> tuple[Deployment, dict[str, Any], list[Deployment]] | None:
        """The pick without a generator: in-memory state, a built-in strategy, no filter hook. None when
        it has to wait for a parallel slot (the generator path does that)."""
        st = self.state
        strategy = self.strategy
        while True:
            skipped = static_skipped.copy() if static_skipped else {}
            stats = st.snapshot([d.id for d in deps], self._budget_periods, strategy.needs_stats)
            now = time.time()
            for s in stats:
                if s.cooldown_until > now:
                    break
            else:
                s = None
            if failed or self._budgeted or s is not None:
                cands, cstats, healthy, prefix = self._candidates(group, deps, stats, failed, skipped, now)
            else:  # none cooling, over budget or failed: _candidates would copy them all
                cands = healthy = deps
                cstats, prefix = stats, ""
            if len(cands) == 1 and not strategy.enforces_limits:
                index, reason = 0, "only candidate"
            else:
                try:
                    index, reason = strategy.pick(cands, cstats, request)
                except NoDeploymentWithinLimits as exc:
                    raise _no_capacity(f"Router: {exc}", group, 60 - now % 60) from None
            dep = cands[index]
            refused = st.acquire(
                dep.id, dep.rpm if strategy.enforces_limits else None, dep.max_parallel_requests
            )
            taken = True if refused is None else self._acquired(group, dep, refused, len(cands), now)
            if taken:
                routing = {
                    "chosen": dep.id,
                    "deployment": dep.model,
                    "reason": prefix + reason,
                    "skipped": skipped,
                }
                return dep, routing, healthy
            if taken is None:
                return None
            static_skipped = {**static_skipped, dep.id: "at its limit"}
            deps = [d for d in deps if d.id != dep.id]

    def _pick(
        self: Any,
        group: str,
        deps: list[Deployment],
        specific: bool,
        request: RoutingRequest,
        failed: set[str],
        static_skipped: dict[str, str],
        kwargs: dict,
        is_async: bool,
        hooks: dict,
    ) -> Flow:
        st = self.state
        waited = 0.0
        while True:
            skipped = static_skipped.copy() if static_skipped else {}
            ids = [d.id for d in deps]
            if st.local:
                stats = st.snapshot(ids, self._budget_periods, self.strategy.needs_stats)
            else:
                stats = yield (STATE, "snapshot", (ids, self._budget_periods))
            now = time.time()
            cands, cstats, healthy, prefix = self._candidates(group, deps, stats, failed, skipped, now)
            if is_async and "async_filter_deployments" in hooks and not specific:
                cands, cstats = yield from self._hook_filter(group, cands, cstats, kwargs, hooks)
            if isinstance(self.strategy, CustomStrategyAdapter):
                index, reason = yield from self._strategy_pick(
                    group, cands, cstats, request, kwargs, is_async
                )
            else:
                index, reason = self._choose(group, cands, cstats, request, now)
            dep = cands[index]
            limit = dep.rpm if self.strategy.enforces_limits else None
            if st.local:
                refused = st.acquire(dep.id, limit, dep.max_parallel_requests)
            else:
                refused = yield (STATE, "acquire", (dep.id, limit, dep.max_parallel_requests))
            taken = self._acquired(group, dep, refused, len(cands), now)
            if taken:
                routing = {
                    "chosen": dep.id,
                    "deployment": dep.model,
                    "reason": prefix + reason,
                    "skipped": skipped,
                }
                return dep, routing, healthy
            if taken is False:
                static_skipped = {**static_skipped, dep.id: f"at its {refused} limit"}
                deps = [d for d in deps if d.id != dep.id]
                continue
            timeout = float(kwargs.get("timeout") or dep.timeout or self.timeout or 600)
            if waited >= timeout:
                raise _no_capacity(f"Router: no free slot (max_parallel_requests) on {group!r}", group)
            yield (SLEEP, _PARALLEL_WAIT_S)
            waited += _PARALLEL_WAIT_S

    def _hook_filter(self: Any, group: str, cands: list, cstats: list, kwargs: dict, hooks: dict) -> Flow:
        dicts = [d.as_dict() for d in cands]
        results = yield (
            HOOK,
            hooks["async_filter_deployments"],
            "async_filter_deployments",
            (),
            {
                "model": group,
                "healthy_deployments": dicts,
                "messages": kwargs.get("messages"),
                "request_kwargs": kwargs,
            },
        )
        keep = None
        for r in results:
            if isinstance(r, list):
                ids = {(x.get("model_info") or {}).get("id") for x in r if isinstance(x, dict)}
                keep = ids if keep is None else keep & ids
        if keep is None:
            return cands, cstats
        pairs = [(d, s) for d, s in zip(cands, cstats, strict=True) if d.id in keep]
        if not pairs:
            raise _no_capacity(
                f"Router: async_filter_deployments removed every deployment of {group!r}", group
            )
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _strategy_pick(
        self: Any,
        group: str,
        cands: list,
        cstats: list,
        request: RoutingRequest,
        kwargs: dict,
        is_async: bool,
    ) -> Flow:
        strategy = self.strategy
        if not isinstance(strategy, CustomStrategyAdapter):
            if len(cands) == 1:
                return 0, "only candidate"
            return strategy.pick(cands, cstats, request)
        custom = strategy.custom
        args = {
            "model": group,
            "messages": kwargs.get("messages"),
            "input": kwargs.get("input"),
            "specific_deployment": False,
            "request_kwargs": kwargs,
        }
        if is_async and hasattr(custom, "async_get_available_deployment"):
            chosen = (yield (HOOK, [custom], "async_get_available_deployment", (), args))[0]
        else:
            chosen = custom.get_available_deployment(**args)
        chosen_id = (chosen.get("model_info") or {}).get("id") if isinstance(chosen, dict) else None
        for i, d in enumerate(cands):
            if d.id == chosen_id:
                return i, "custom routing strategy"
        raise ValueError(
            f"custom routing strategy returned a deployment not among the candidates of {group!r}"
        )

    # -- the call ----------------------------------------------------------------------------------

    def _call(
        self: Any,
        dep: Deployment,
        group: str,
        wildcard: str | None,
        call_type: str,
        kwargs: dict[str, Any],
        attempt: RouterAttempt,
        meta: dict[str, Any],
        is_async: bool,
        hooks: dict,
        request: RoutingRequest,
    ) -> Flow:
        kw = self._call_kwargs(dep, group, wildcard, kwargs, meta, attempt, request.stream)
        if is_async and "async_pre_call_deployment_hook" in hooks:
            results = yield (
                HOOK,
                hooks["async_pre_call_deployment_hook"],
                "async_pre_call_deployment_hook",
                (kw, call_type),
                {},
            )
            for r in results:
                if isinstance(r, dict):
                    kw = r
        st = self.state
        started = time.perf_counter()
        try:
            result = yield (CALL, get_call(call_type), kw)
            ttft = None
            if request.stream and _is_stream(result):
                first = yield (PEEK, result)
                ttft = time.perf_counter() - started
        except BaseException as exc:  # release never blocks (remote stores queue it), so no yield here
            st.release(dep.id)
            if not isinstance(exc, Exception):  # cancelled or interrupted: no retry, the event goes now
                attempt.give_up()
            raise
        attempt.committed = True
        if ttft is not None:
            hidden = getattr(result, "_hidden_params", None)
            if isinstance(hidden, dict):
                _annotate(hidden, dep, group, meta)
            prompt = request.input_tokens or len(str(kwargs.get("messages") or "")) // 4
            return RouterStream(result, first, self._stream_end(dep, started, ttft), prompt)
        self._settle(dep, group, meta, result, started)
        if is_async and "async_post_call_success_deployment_hook" in hooks:
            results = yield (
                HOOK,
                hooks["async_post_call_success_deployment_hook"],
                "async_post_call_success_deployment_hook",
                (kw, result, call_type),
                {},
            )
            for r in results:
                if r is not None:
                    result = r
        return result

    def _call_kwargs(
        self: Any,
        dep: Deployment,
        group: str,
        wildcard: str | None,
        kwargs: dict[str, Any],
        meta: dict[str, Any],
        attempt: RouterAttempt,
        stream: bool,
    ) -> dict[str, Any]:
        """The pipeline's kwargs for an attempt on ``dep``: the deployment's, the request's, the router's
        metadata and the attempt."""
        base = dep.call_kwargs
        if base is None:
            base = dep.call_kwargs = self._base_kwargs(dep)
        kw = {**base, **kwargs}
        if wildcard is not None and "*" in dep.model:
            prefix = group.split("*", 1)[0]
            kw["model"] = dep.model.replace(
                "*", wildcard[len(prefix) :] if wildcard.startswith(prefix) else wildcard, 1
            )
        user_md = kwargs.get("metadata")
        kw["metadata"] = {**user_md, **meta} if user_md else meta
        if stream and "timeout" not in kwargs and (dep.stream_timeout or self.stream_timeout):
            kw["timeout"] = dep.stream_timeout or self.stream_timeout
        accepts = _ACCEPTS[0]
        if accepts is None:
            accepts = _ACCEPTS[0] = pipeline_accepts_attempt()
        if accepts:
            kw["litellm_attempt"] = attempt
        return kw

    def _settle(
        self: Any, dep: Deployment, group: str, meta: dict[str, Any], result: Any, started: float
    ) -> None:
        """After a successful (non-streamed) call: usage, latency and spend to the state store (which
        frees the deployment's slot), the router's facts to the response's hidden params."""
        latency = time.perf_counter() - started
        usage = getattr(result, "usage", None)
        if usage is not None:
            tokens = getattr(usage, "total_tokens", 0)
            if type(tokens) is not int:
                tokens = int(tokens or 0)
            out_tokens = getattr(usage, "completion_tokens", 0)
            if out_tokens:
                latency /= int(out_tokens)
        else:
            tokens = 0
        private = getattr(result, "__pydantic_private__", None)
        hidden = private.get("_hidden_params") if private else getattr(result, "_hidden_params", None)
        if dep.max_budget is not None:
            spend = float(hidden.get("response_cost") or 0.0) if isinstance(hidden, dict) else 0.0
            self.state.release(
                dep.id, tokens=tokens, latency=latency, spend=spend, spend_period=dep.budget_duration
            )
        else:
            self.state.release(dep.id, tokens=tokens, latency=latency)
        if isinstance(hidden, dict):
            _annotate(hidden, dep, group, meta)

    def _base_kwargs(self: Any, dep: Deployment) -> dict[str, Any]:
        """What every call to ``dep`` starts from (computed once per deployment)."""
        base = {**self.default_litellm_params, **dep.params, "model_info": dep.model_info}
        timeout = dep.timeout or self.timeout
        if timeout is not None:
            base["timeout"] = timeout
        if "num_retries" not in dep.params:
            base["num_retries"] = 0  # the Router retries; the pipeline must not multiply them
        return base

    def _stream_end(self: Any, dep: Deployment, started: float, ttft: float) -> Any:
        st = self.state

        def on_end(error: BaseException | None, usage: Any) -> None:
            latency = time.perf_counter() - started
            tokens = _field(usage, "total_tokens")
            spend = _stream_cost(dep, usage) if dep.max_budget is not None else 0.0
            st.release_nowait(
                dep.id,
                tokens=tokens,
                latency=latency if error is None else None,
                ttft=ttft,
                spend=spend,
                spend_period=dep.budget_duration,
            )

        return on_end

    def _after_failure(
        self: Any,
        dep: Deployment,
        group: str,
        exc: BaseException,
        is_async: bool,
        hooks: dict,
        kwargs: dict,
        call_type: str,
        depth: int,
    ) -> Flow:
        if self.alerter is not None:
            self.alerter.deployment_failed(group, dep, exc)
        if not self.disable_cooldowns:
            allowed = self._allowed_fails(exc)
            if allowed is not None:
                st = self.state
                if st.local:
                    fails = st.record_failure(dep.id)
                else:
                    fails = yield (STATE, "record_failure", (dep.id,))
                if fails > allowed:
                    hinted = _retry_after(exc)
                    seconds = min(_MAX_COOLDOWN_S, hinted) if hinted else float(self.cooldown_time)
                    status = getattr(exc, "status_code", None)
                    reason = f"{type(exc).__name__} ({status}), {fails} failure(s) this minute"
                    if st.local:
                        st.set_cooldown(dep.id, seconds, reason)
                    else:
                        yield (STATE, "set_cooldown", (dep.id, seconds, reason))
                    self._on_cooldown(group, dep, seconds, reason)
        if is_async and "async_post_call_failure_deployment_hook" in hooks:
            yield (
                HOOK,
                hooks["async_post_call_failure_deployment_hook"],
                "async_post_call_failure_deployment_hook",
                (),
                {"request_data": kwargs, "exception": exc, "call_type": call_type, "fallback_depth": depth},
            )

    def _allowed_fails(self: Any, exc: BaseException) -> int | None:
        """Failures per minute tolerated before a cooldown; None = this error never cools a deployment."""
        allowed = policy_value(self.allowed_fails_policy, exc, "AllowedFails")
        if allowed is not None:
            return allowed
        status = getattr(exc, "status_code", None)
        if status in _IMMEDIATE_COOLDOWN:
            return 0
        if isinstance(status, int) and 400 <= status < 500 and status != 408:
            return None
        return int(self.allowed_fails)


def _annotate(hidden: dict[str, Any], dep: Deployment, group: str, meta: dict[str, Any]) -> None:
    """The router's facts in a response's hidden params (dict's own ``get``: ``HiddenParams.get`` would
    price the call now), and the headers LiteLLM's proxy returns."""
    get = dict.get
    if not get(hidden, "model_id"):
        hidden["model_id"] = dep.id
    hidden["model_group"] = group
    hidden["litellm_model_name"] = dep.model
    if dep.api_base and not get(hidden, "api_base"):
        hidden["api_base"] = dep.api_base
    headers = get(hidden, "additional_headers")
    if headers is None:
        hidden["additional_headers"] = headers = {}
    headers["x-litellm-model-group"] = group
    headers["x-litellm-attempted-retries"] = meta["attempted_retries"]
    headers["x-litellm-attempted-fallbacks"] = meta["attempted_fallbacks"]


def _field(usage: Any, name: str) -> int:
    value = usage.get(name) if isinstance(usage, dict) else getattr(usage, name, None)
    return int(value or 0)


def _stream_cost(dep: Deployment, usage: Any) -> float:
    """A streamed call's price for the deployment's budget (from its usage, or the estimate)."""
    from litellm.cost.calculator import compute_cost

    result = compute_cost(
        model=dep.litellm_params.get("base_model") or dep.model,
        custom_llm_provider=dep.provider,
        call_type="completion",
        usage={
            "prompt_tokens": _field(usage, "prompt_tokens"),
            "completion_tokens": _field(usage, "completion_tokens"),
            "total_tokens": _field(usage, "total_tokens"),
        },
        custom_pricing={
            k: dep.litellm_params[k]
            for k in ("input_cost_per_token", "output_cost_per_token")
            if dep.litellm_params.get(k) is not None
        }
        or None,
    )
    return float(result.response_cost or 0.0)


def _lookup(rules: Any, model: str) -> list[str] | None:
    for rule in rules or []:
        if isinstance(rule, dict) and model in rule:
            value = rule[model]
            return [value] if isinstance(value, str) else list(value)
    return None


def _mock_testing(ov: dict[str, Any], model: str) -> None:
    ex = _exc()
    if ov.get("mock_testing_fallbacks"):
        raise ex.InternalServerError("mock_testing_fallbacks=True", "litellm_router", model)
    if ov.get("mock_testing_context_fallbacks"):
        raise ex.ContextWindowExceededError("mock_testing_context_fallbacks=True", model, "litellm_router")
    if ov.get("mock_testing_content_policy_fallbacks"):
        raise ex.ContentPolicyViolationError(
            "mock_testing_content_policy_fallbacks=True", model, "litellm_router"
        )
