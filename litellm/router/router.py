"""``Router``: load balancing, retries, fallbacks and cooldowns over a list of deployments.

Owns the public surface LiteLLM documents: the constructor arguments, one method per call type
(``completion`` / ``acompletion`` / ``embedding`` / ... and any other call type of
``litellm.calls.registry`` by name), the deployment table methods (``get_model_list``, ``add_deployment``,
...), ``set_custom_routing_strategy`` and ``ahealth_check``. The per-request algorithm is
:class:`litellm.router.flow.RequestFlow`, its common first attempt run inline by
:mod:`litellm.router.direct`; the state store, strategies and hooks are their own modules.

Must not import the package root or call providers other than through the call registry.
"""

from __future__ import annotations

from typing import Any

from litellm.calls.registry import CALLS
from litellm.router.deployments import Deployment, DeploymentTable
from litellm.router.direct import DirectPath, _not_available
from litellm.router.flow import RequestFlow
from litellm.router.policies import (
    AlertingConfig,
    AllowedFailsPolicy,
    RetryPolicy,
    RouterGeneralSettings,
    coerce_policy,
)
from litellm.router.state import MemoryState, RouterState
from litellm.router.strategies import CustomStrategyAdapter, RoutingStrategy, make_strategy

__all__ = ["Router"]

_MISSING = object()


class _AttrDict(dict):
    """A dict that also reads as attributes (``dep.litellm_params.model``), like LiteLLM's pydantic types."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(name) from None
        return _AttrDict(value) if isinstance(value, dict) and not isinstance(value, _AttrDict) else value


class Router(RequestFlow, DirectPath):
    """Route calls over ``model_list`` deployments (LiteLLM's documented arguments).

    ``model_list``: ``[{"model_name": <group>, "litellm_params": {"model": ..., "api_key": ...,
    "api_base": ..., "rpm", "tpm", "weight", "max_parallel_requests", "timeout", "stream_timeout",
    "tags", "max_budget", "budget_duration"}, "model_info": {"id": ...}, "rpm", "tpm"}]``; string values
    ``"os.environ/NAME"`` are read from the environment when the Router is built.

    Routing: ``routing_strategy`` ("simple-shuffle", "least-busy", "latency-based-routing",
    "usage-based-routing-v2", "cost-based-routing") with ``routing_strategy_args`` (latency: ``ttl``,
    ``lowest_latency_buffer``, ``selection``), ``model_group_alias``, ``enable_tag_filtering`` /
    ``tag_filtering_match_any``, ``enable_pre_call_checks`` (context windows),
    ``default_max_parallel_requests``, :meth:`set_custom_routing_strategy`.

    Reliability: ``num_retries`` (2), ``retry_after`` (minimum wait, 0), ``retry_policy`` /
    ``model_group_retry_policy`` (:class:`RetryPolicy`), ``allowed_fails`` (3 per minute),
    ``allowed_fails_policy`` (:class:`AllowedFailsPolicy`), ``cooldown_time`` (5 s),
    ``disable_cooldowns``, ``fallbacks`` / ``context_window_fallbacks`` / ``content_policy_fallbacks``
    (``[{"group": ["fallback", ...]}]``, ``"*"`` for any group), ``default_fallbacks``,
    ``max_fallbacks`` (5), ``timeout`` / ``stream_timeout``.

    Shared state: ``redis_url`` or ``redis_host`` / ``redis_port`` / ``redis_password`` / ``redis_db``
    (``redis_key_prefix`` to separate Routers), or any :class:`RouterState` as ``state``.

    Also: ``alerting_config`` (Slack), ``cache_responses`` / ``caching_groups`` / ``cache_kwargs``,
    ``default_litellm_params``, ``set_verbose`` / ``debug_level``. Per request: ``fallbacks``,
    ``num_retries``, ``mock_testing_fallbacks`` and the other ``mock_testing_*`` switches, ``metadata``,
    ``tags``; everything else goes to the call.
    """

    _REQUEST_OVERRIDES = frozenset(
        {
            "fallbacks",
            "context_window_fallbacks",
            "content_policy_fallbacks",
            "num_retries",
            "max_fallbacks",
            "mock_testing_fallbacks",
            "mock_testing_context_fallbacks",
            "mock_testing_content_policy_fallbacks",
            "specific_deployment",
        }
    )

    def __init__(
        self,
        model_list: list[dict[str, Any]] | None = None,
        *,
        redis_url: str | None = None,
        redis_host: str | None = None,
        redis_port: int | None = None,
        redis_password: str | None = None,
        redis_db: int | None = None,
        cache_responses: bool | None = False,
        cache_kwargs: dict[str, Any] | None = None,
        caching_groups: list[tuple[str, ...]] | None = None,
        client_ttl: int = 3600,
        num_retries: int | None = None,
        max_fallbacks: int | None = None,
        timeout: float | None = None,
        stream_timeout: float | None = None,
        default_litellm_params: dict[str, Any] | None = None,
        default_max_parallel_requests: int | None = None,
        set_verbose: bool = False,
        debug_level: str = "INFO",
        default_fallbacks: list[str] | None = None,
        fallbacks: list[dict[str, Any]] | None = None,
        context_window_fallbacks: list[dict[str, Any]] | None = None,
        content_policy_fallbacks: list[dict[str, Any]] | None = None,
        model_group_alias: dict[str, Any] | None = None,
        enable_pre_call_checks: bool = False,
        enable_tag_filtering: bool = False,
        tag_filtering_match_any: bool = True,
        retry_after: float = 0,
        retry_policy: RetryPolicy | dict[str, Any] | None = None,
        model_group_retry_policy: dict[str, RetryPolicy | dict[str, Any]] | None = None,
        allowed_fails: int | None = None,
        allowed_fails_policy: AllowedFailsPolicy | dict[str, Any] | None = None,
        cooldown_time: float | None = None,
        disable_cooldowns: bool | None = None,
        routing_strategy: str = "simple-shuffle",
        routing_strategy_args: dict[str, Any] | None = None,
        alerting_config: AlertingConfig | dict[str, Any] | None = None,
        router_general_settings: RouterGeneralSettings | dict[str, Any] | None = None,
        state: RouterState | None = None,
        redis_key_prefix: str | None = None,
        **unsupported: Any,
    ) -> None:
        ignored = sorted(k for k in unsupported if k in _LITELLM_ARGS_NOT_IMPLEMENTED)
        unknown = sorted(k for k in unsupported if k not in _LITELLM_ARGS_NOT_IMPLEMENTED)
        if unknown:
            raise TypeError(
                f"Router() got unsupported arguments: {', '.join(unknown)} (check the spelling against "
                "LiteLLM's Router documentation)"
            )
        if ignored:
            from litellm.core.log import log_once

            log_once(
                ("router-ignored-args", tuple(ignored)),
                "router: LiteLLM Router arguments accepted but not implemented here; they have no effect",
                arguments=ignored,
            )
        if set_verbose or debug_level == "DEBUG":
            from litellm.core.log import turn_on_debug

            turn_on_debug()  # as LiteLLM's Router: process-wide debug lines
        self.num_retries = 2 if num_retries is None else int(num_retries)
        self.max_fallbacks = 5 if max_fallbacks is None else int(max_fallbacks)
        self.timeout = timeout
        self.stream_timeout = stream_timeout
        self.retry_after = retry_after
        self.allowed_fails = 3 if allowed_fails is None else int(allowed_fails)
        self.cooldown_time = 5.0 if cooldown_time is None else float(cooldown_time)
        self.disable_cooldowns = bool(disable_cooldowns)
        self.retry_policy = coerce_policy(retry_policy, RetryPolicy, "retry_policy")
        self.model_group_retry_policy = {
            k: coerce_policy(v, RetryPolicy, f"model_group_retry_policy[{k!r}]")
            for k, v in (model_group_retry_policy or {}).items()
        }
        self.allowed_fails_policy = coerce_policy(
            allowed_fails_policy, AllowedFailsPolicy, "allowed_fails_policy"
        )
        self.fallbacks = _check_fallbacks(fallbacks, "fallbacks")
        self.context_window_fallbacks = _check_fallbacks(context_window_fallbacks, "context_window_fallbacks")
        self.content_policy_fallbacks = _check_fallbacks(content_policy_fallbacks, "content_policy_fallbacks")
        self.default_fallbacks = list(default_fallbacks or [])
        self.enable_pre_call_checks = bool(enable_pre_call_checks)
        self.enable_tag_filtering = bool(enable_tag_filtering)
        self.tag_filtering_match_any = bool(tag_filtering_match_any)
        self.cache_responses = bool(cache_responses)
        self.cache_kwargs = dict(cache_kwargs or {})
        self.caching_groups = caching_groups
        self.client_ttl = client_ttl
        self.default_litellm_params = dict(default_litellm_params or {})
        if self.cache_responses:
            self.default_litellm_params.setdefault("caching", True)
        self.default_max_parallel_requests = default_max_parallel_requests
        self.router_general_settings = (
            coerce_policy(router_general_settings, RouterGeneralSettings, "router_general_settings")
            or RouterGeneralSettings()
        )
        self.routing_strategy = routing_strategy
        self.routing_strategy_args = dict(routing_strategy_args or {})
        self.strategy: RoutingStrategy = make_strategy(routing_strategy, self.routing_strategy_args)
        self.table = DeploymentTable(default_max_parallel_requests)
        self.table.set_aliases(model_group_alias)
        self.model_group_alias = dict(model_group_alias or {})
        self.table.set(list(model_list or []))
        self._after_table_change()
        self.state: RouterState = state or self._make_state(
            redis_url, redis_host, redis_port, redis_password, redis_db, redis_key_prefix
        )
        self.alerter = None
        if alerting_config is not None:
            from litellm.router.hooks import Alerter

            config = coerce_policy(alerting_config, AlertingConfig, "alerting_config")
            self.alerter = Alerter(config)
        self._windows: dict[str, int | None] = {}

    @staticmethod
    def _make_state(
        url: str | None,
        host: str | None,
        port: int | None,
        password: str | None,
        db: int | None,
        prefix: str | None,
    ) -> RouterState:
        if not (url or host):
            return MemoryState()
        from litellm.router.redis_state import RedisState

        return RedisState(url=url, host=host, port=port, password=password, db=db, key_prefix=prefix)

    # -- deployment table --------------------------------------------------------------------------

    def _after_table_change(self) -> None:
        self._budget_periods = {
            d.id: d.budget_duration
            for d in self.table.deployments
            if d.max_budget is not None and d.budget_duration
        } or None
        self._budgeted = any(d.max_budget is not None for d in self.table.deployments)
        self._windows = {}

    @property
    def model_list(self) -> list[dict[str, Any]]:
        return [d.as_dict() for d in self.table.deployments]

    @property
    def model_names(self) -> list[str]:
        return self.table.group_names()

    def set_model_list(self, model_list: list[dict[str, Any]]) -> None:
        self.table.set(list(model_list))
        self._after_table_change()

    def add_deployment(self, deployment: dict[str, Any] | Any) -> _AttrDict | None:
        """Add one deployment; returns it, or None when a deployment with its id already exists."""
        entry = deployment.model_dump() if hasattr(deployment, "model_dump") else deployment
        dep = self.table.add(entry)
        if dep is None:
            return None
        self._after_table_change()
        return _AttrDict(dep.as_dict())

    def upsert_deployment(self, deployment: dict[str, Any] | Any) -> _AttrDict | None:
        entry = deployment.model_dump() if hasattr(deployment, "model_dump") else deployment
        new = Deployment(entry, self.default_max_parallel_requests)
        self.table.delete(new.id)
        self.table.add(new)
        self._after_table_change()
        return _AttrDict(new.as_dict())

    def delete_deployment(self, id: str) -> _AttrDict | None:
        dep = self.table.delete(id)
        if dep is None:
            return None
        self._after_table_change()
        return _AttrDict(dep.as_dict())

    def get_deployment(self, model_id: str) -> _AttrDict | None:
        dep = self.table.by_id.get(model_id)
        return _AttrDict(dep.as_dict()) if dep is not None else None

    def get_model_info(self, id: str) -> dict[str, Any] | None:
        dep = self.table.by_id.get(id)
        return dep.as_dict() if dep is not None else None

    def get_model_ids(self, model_name: str | None = None) -> list[str]:
        deps = self.table.deployments if model_name is None else self.table.by_group.get(model_name, [])
        return [d.id for d in deps]

    def get_model_names(self) -> list[str]:
        names = self.table.group_names()
        names += [a for a in self.table.aliases if a not in self.table.hidden_aliases and a not in names]
        return names

    def get_model_list(self, model_name: str | None = None) -> list[dict[str, Any]]:
        """Every deployment, or those serving ``model_name`` (a group or an alias)."""
        if model_name is None:
            out = [d.as_dict() for d in self.table.deployments]
            for alias, target in self.table.aliases.items():
                for d in self.table.by_group.get(target, []):
                    out.append({**d.as_dict(), "model_name": alias})
            return out
        target = self.table.aliases.get(model_name, model_name)
        deps = self.table.by_group.get(target, [])
        return [{**d.as_dict(), "model_name": model_name} for d in deps]

    def get_model_group_info(self, model_group: str) -> dict[str, Any] | None:
        deps = self.table.by_group.get(self.table.aliases.get(model_group, model_group))
        if not deps:
            return None
        return {
            "model_group": model_group,
            "providers": sorted({d.provider or "openai" for d in deps}),
            "tpm": sum(d.tpm for d in deps if d.tpm) or None,
            "rpm": sum(d.rpm for d in deps if d.rpm) or None,
            "deployments": [d.id for d in deps],
        }

    def set_custom_routing_strategy(self, strategy: Any) -> None:
        """Use ``strategy`` (a RoutingStrategy, or an object with ``async_get_available_deployment`` /
        ``get_available_deployment`` as LiteLLM's CustomRoutingStrategyBase) for every pick."""
        self.strategy = strategy if isinstance(strategy, RoutingStrategy) else CustomStrategyAdapter(strategy)

    def get_available_deployment(
        self, model: str, messages: list[dict[str, Any]] | None = None, input: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        """The deployment a request for ``model`` would go to now (routing only, no call, nothing counted)."""
        return self._preview(model, messages, kwargs)

    async def async_get_available_deployment(
        self, model: str, messages: list[dict[str, Any]] | None = None, input: Any = None, **kwargs: Any
    ) -> dict[str, Any]:
        return self._preview(model, messages, kwargs)

    def _preview(self, model: str, messages: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        import time as _time

        from litellm.router.strategies import RoutingRequest

        try:
            group, deps, _, _ = self.table.resolve(model)
        except LookupError:
            raise ValueError(f"Router: no model group, alias or deployment named {model!r}") from None
        request = RoutingRequest(group, bool(kwargs.get("stream")))
        deps = self._static_filter(deps, {**kwargs, "messages": messages}, request, {}, group)
        stats = self.state.snapshot([d.id for d in deps], self._budget_periods)
        now = _time.time()
        pairs = [(d, s) for d, s in zip(deps, stats, strict=True) if s.cooldown_until <= now]
        if not pairs:
            pairs = [min(zip(deps, stats, strict=True), key=lambda p: p[1].cooldown_until)]
        if isinstance(self.strategy, CustomStrategyAdapter):
            return self.strategy.custom.get_available_deployment(
                model=group, messages=messages, input=None, specific_deployment=False, request_kwargs=kwargs
            )
        index, _ = self.strategy.pick([p[0] for p in pairs], [p[1] for p in pairs], request)
        return pairs[index][0].as_dict()

    # -- facts the flow asks for ---------------------------------------------------------------------

    def _context_window(self, dep: Deployment) -> int | None:
        if dep.id in self._windows:
            return self._windows[dep.id]
        window = dep.model_info.get("max_input_tokens") or dep.litellm_params.get("max_input_tokens")
        if window is None:
            try:
                from litellm.cost.model_info import get_model_info

                info = get_model_info(dep.litellm_params.get("base_model") or dep.model, dep.provider)
                window = info.get("max_input_tokens") or info.get("max_tokens")
            except Exception:  # not in the price map: no known window, never filtered
                window = None
        self._windows[dep.id] = int(window) if window else None
        return self._windows[dep.id]

    @staticmethod
    def _count_tokens(dep: Deployment, messages: Any) -> int:
        from litellm.cost.tokens import token_counter

        try:
            return int(token_counter(model=dep.model, messages=messages))
        except Exception:
            return 0

    def _on_cooldown(self, group: str, dep: Deployment, seconds: float, reason: str) -> None:
        from litellm.core.log import log_rate_limited

        log_rate_limited(
            ("router-cooldown", dep.id),
            "router: deployment cooling down",
            model_group=group,
            deployment=dep.model,
            model_id=dep.id,
            seconds=seconds,
            reason=reason,
            interval=10.0,
        )
        if self.alerter is not None:
            self.alerter.cooled_down(group, dep, seconds, reason)

    # -- calls -----------------------------------------------------------------------------------

    def completion(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
        kwargs["messages"] = messages
        return self._sync("completion", model, kwargs)

    async def acompletion(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
        kwargs["messages"] = messages
        return await self._async("acompletion", model, kwargs)

    def embedding(self, model: str, input: Any, **kwargs: Any) -> Any:
        kwargs["input"] = input
        return self._sync("embedding", model, kwargs)

    async def aembedding(self, model: str, input: Any, **kwargs: Any) -> Any:
        kwargs["input"] = input
        return await self._async("aembedding", model, kwargs)

    def text_completion(self, model: str, prompt: Any, **kwargs: Any) -> Any:
        kwargs["prompt"] = prompt
        return self._sync("text_completion", model, kwargs)

    async def atext_completion(self, model: str, prompt: Any, **kwargs: Any) -> Any:
        kwargs["prompt"] = prompt
        return await self._async("atext_completion", model, kwargs)

    def image_generation(self, prompt: str, model: str, **kwargs: Any) -> Any:
        kwargs["prompt"] = prompt
        return self._sync("image_generation", model, kwargs)

    async def aimage_generation(self, prompt: str, model: str, **kwargs: Any) -> Any:
        kwargs["prompt"] = prompt
        return await self._async("aimage_generation", model, kwargs)

    def transcription(self, file: Any, model: str, **kwargs: Any) -> Any:
        kwargs["file"] = file
        return self._sync("transcription", model, kwargs)

    async def atranscription(self, file: Any, model: str, **kwargs: Any) -> Any:
        kwargs["file"] = file
        return await self._async("atranscription", model, kwargs)

    def speech(self, model: str, input: str, voice: Any = None, **kwargs: Any) -> Any:
        kwargs.update(input=input, voice=voice)
        return self._sync("speech", model, kwargs)

    async def aspeech(self, model: str, input: str, voice: Any = None, **kwargs: Any) -> Any:
        kwargs.update(input=input, voice=voice)
        return await self._async("aspeech", model, kwargs)

    def rerank(self, model: str, query: str, documents: list[Any], **kwargs: Any) -> Any:
        kwargs.update(query=query, documents=documents)
        return self._sync("rerank", model, kwargs)

    async def arerank(self, model: str, query: str, documents: list[Any], **kwargs: Any) -> Any:
        kwargs.update(query=query, documents=documents)
        return await self._async("arerank", model, kwargs)

    def moderation(self, model: str, input: Any, **kwargs: Any) -> Any:
        kwargs["input"] = input
        return self._sync("moderation", model, kwargs)

    async def amoderation(self, model: str, input: Any, **kwargs: Any) -> Any:
        kwargs["input"] = input
        return await self._async("amoderation", model, kwargs)

    def responses(self, model: str, input: Any = None, **kwargs: Any) -> Any:
        kwargs["input"] = input
        return self._sync("responses", model, kwargs)

    async def aresponses(self, model: str, input: Any = None, **kwargs: Any) -> Any:
        kwargs["input"] = input
        return await self._async("aresponses", model, kwargs)

    def route(self, call_type: str, model: str, **kwargs: Any) -> Any:
        """Any call type of ``litellm.calls.registry`` by name: sync names run now, ``a*`` names return a
        coroutine (``await router.route("acreate_batch", model="...", ...)``)."""
        if call_type not in CALLS:
            raise _not_available(call_type)
        if call_type.startswith("a") and call_type[1:] in CALLS:
            return self._async(call_type, model, kwargs)
        return self._sync(call_type, model, kwargs)

    # -- health ------------------------------------------------------------------------------------

    async def ahealth_check(self, model: str | None = None, mode: str | None = None) -> dict[str, Any]:
        """Call every deployment (of ``model``, or all) once, directly (no routing, no retries).

        Chat deployments get a 1-token completion, ``mode: embedding`` ones (from model_info or ``mode``)
        an embedding. Returns LiteLLM's shape: healthy_endpoints / unhealthy_endpoints and their counts;
        endpoints carry the deployment's model, api_base and id, never its key."""
        import asyncio

        from litellm.calls.registry import get_call

        deps = self.table.deployments if model is None else self.table.resolve(model)[1]

        async def probe(dep: Deployment) -> tuple[Deployment, BaseException | None]:
            kind = mode or dep.model_info.get("mode") or "chat"
            kw = {**dep.params, "num_retries": 0, "model_info": dep.model_info}
            kw.setdefault("timeout", dep.timeout or self.timeout or 30)
            try:
                if kind == "embedding":
                    await get_call("aembedding")(input=["health check"], **kw)
                else:
                    kw.setdefault("max_tokens", 1)
                    await get_call("acompletion")(messages=[{"role": "user", "content": "ping"}], **kw)
            except Exception as exc:
                return dep, exc
            return dep, None

        results = await asyncio.gather(*(probe(d) for d in deps))
        healthy, unhealthy = [], []
        for dep, exc in results:
            endpoint = {
                "model": dep.model,
                "model_name": dep.model_name,
                "api_base": dep.api_base,
                "model_id": dep.id,
            }
            if exc is None:
                healthy.append(endpoint)
            else:
                unhealthy.append({**endpoint, "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
        return {
            "healthy_endpoints": healthy,
            "unhealthy_endpoints": unhealthy,
            "healthy_count": len(healthy),
            "unhealthy_count": len(unhealthy),
        }

    def router_state_stats(self) -> dict[str, Any]:
        """The state store's counters (backend, Redis errors and local fallbacks)."""
        return self.state.stats()

    def reset(self) -> None:
        """Forget usage, latency and cooldowns (this Router's in-memory state)."""
        if isinstance(self.state, MemoryState):
            self.state = MemoryState()

    def close(self) -> None:
        """Send queued shared-state updates and close connections and alert delivery."""
        self.state.close()
        if self.alerter is not None:
            self.alerter.close()

    async def aclose(self) -> None:
        self.close()
        aclose = getattr(self.state, "aclose", None)
        if aclose is not None:
            await aclose()


def _registry_method(name: str) -> Any:
    def call(self: Router, model: str, **kwargs: Any) -> Any:
        return self.route(name, model, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{name}`` through the Router (see :meth:`Router.route`)."
    return call


# Every other registry call type as a method (router.acreate_batch(model=..., ...)). Defined on the class
# rather than found by a ``__getattr__``: that hook would slow every attribute read on the Router (Python
# does not specialise attribute access on classes that define it), a few µs per routed call.
for _name in CALLS:
    if not _name.startswith("_") and not hasattr(Router, _name):
        setattr(Router, _name, _registry_method(_name))


# LiteLLM Router arguments this Router accepts without acting on them (a warning says so once)
_LITELLM_ARGS_NOT_IMPLEMENTED = frozenset(
    {
        "assistants_config", "search_tools", "guardrail_list", "polling_interval", "default_priority",
        "tag_routing_prefix", "plugins", "fallback_on_unsupported_params", "optional_pre_call_checks",
        "routing_groups", "provider_budget_config", "deployment_affinity_ttl_seconds",
        "model_group_affinity_config", "ignore_invalid_deployments", "enable_health_check_routing",
        "health_check_staleness_threshold", "health_check_ignore_transient_errors",
        "background_health_check_model_groups", "enable_weighted_failover",
        "enable_mid_stream_fallback_continuation", "fallback_access_check", "fallback_budget_check",
        "auto_router_capability_limit", "session_affinity_repin_on_failover",
    }
)  # fmt: skip


def _check_fallbacks(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"Router({name}=...) takes a list like [{{'gpt-4': ['gpt-3.5-turbo']}}]")
    for rule in value:
        if not isinstance(rule, dict):
            raise TypeError(
                f"Router({name}=...): each entry is a dict mapping a model group to its fallback groups, "
                f"e.g. {{'gpt-4': ['gpt-3.5-turbo']}}; got {rule!r}"
            )
    return list(value)
