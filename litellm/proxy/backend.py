"""The one interface route handlers call models through: ``await backend.call(call_name, model, kwargs)``.

Two implementations behind :func:`make_backend`:

* :class:`RouterBackend` -- ``litellm.router.Router(model_list=..., **router_settings)``, used for every
  call type whose ``a<call>`` method the Router has;
* :class:`DirectBackend` -- the deployment table here, weighted random choice, retries across deployments
  (backoff, Retry-After), ``fallbacks`` / ``context_window_fallbacks``, calling the pipeline function from
  :func:`litellm.calls.registry.get_call` with the deployment's ``litellm_params``. It serves call types the
  Router does not have yet, and the whole proxy when the Router is not installed.

Switching is this module only. Each call returns ``(result, CallInfo)``: what the response headers and the
metrics need (deployment id, api_base, model group, attempts). Must not: know about HTTP, auth or hooks.
"""

from __future__ import annotations

import asyncio
import os
import random
from dataclasses import dataclass
from typing import Any

from litellm.core import http as _http

__all__ = ["Backend", "CallInfo", "DirectBackend", "RouterBackend", "UnsupportedCallType", "make_backend"]

# litellm_params keys for routing only; never passed to a call function
_ROUTING_KEYS = frozenset(
    {"rpm", "tpm", "weight", "order", "max_parallel_requests", "stream_timeout", "tags", "region_name"}
)
# errors that another deployment cannot fix: the request itself is wrong
_NO_FALLBACK_STATUS = frozenset({400, 401, 403, 404, 413, 422})


class UnsupportedCallType(Exception):
    """The call function for a route does not exist in this build (answered 501, OpenAI-shaped)."""

    def __init__(self, call_name: str) -> None:
        self.call_name = call_name
        super().__init__(
            f"'{call_name}' is not available in this build of litellm yet; this route will work once it is"
        )


@dataclass(slots=True)
class CallInfo:
    model_group: str
    model_id: str | None = None
    api_base: str | None = None
    provider: str | None = None
    litellm_model: str | None = None
    attempted_retries: int = 0
    attempted_fallbacks: int = 0
    max_retries: int | None = None


def hidden_params(result: Any) -> Any:
    """``result._hidden_params`` (``{}`` when it has none), read from a pydantic model's private dict
    directly: pydantic's ``__getattr__`` costs µs per read."""
    private = getattr(result, "__pydantic_private__", None)
    if private:
        hidden = private.get("_hidden_params")
        if hidden is not None:
            return hidden
    return getattr(result, "_hidden_params", None) or {}


class Backend:
    """The interface: model listing for /models, /model/info, health; and calls."""

    model_list: list[dict[str, Any]]

    async def call(self, call_name: str, model: str, kwargs: dict[str, Any]) -> tuple[Any, CallInfo]:
        raise NotImplementedError

    def model_names(self) -> list[str]:
        """The model groups, then the ``model_group_alias`` names (callable too, as LiteLLM lists them)."""
        seen: dict[str, None] = {}
        for d in self.model_list:
            seen.setdefault(d["model_name"], None)
        for alias in self.aliases():
            seen.setdefault(alias, None)
        return list(seen)

    def aliases(self) -> dict[str, str]:
        """``router_settings.model_group_alias``: alias -> the group it calls."""
        return {}

    def has_model(self, model: str) -> bool:
        return any(d["model_name"] == model for d in self.model_list)

    async def aclose(self) -> None:
        return None


def _unknown_model(model: str, names: list[str]) -> Exception:
    from litellm.core.exceptions import BadRequestError

    return BadRequestError(
        f"Invalid model name passed in model={model}. Call `/v1/models` to view available models for your key.",
        model,
        None,
    )


class DirectBackend(Backend):
    """Deployments, weighted choice, retries and fallbacks over the call pipeline."""

    def __init__(
        self,
        model_list: list[dict[str, Any]],
        *,
        num_retries: int | None = None,
        fallbacks: list[dict[str, Any]] | None = None,
        context_window_fallbacks: list[dict[str, Any]] | None = None,
        model_group_alias: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> None:
        self.model_list = model_list
        self.groups: dict[str, list[dict[str, Any]]] = {}
        for d in model_list:
            self.groups.setdefault(d["model_name"], []).append(d)
        self.alias = {
            k: (v["model"] if isinstance(v, dict) else v) for k, v in (model_group_alias or {}).items()
        }
        self.num_retries = num_retries
        self.timeout = timeout
        self.fallbacks = self._table(fallbacks)
        self.cw_fallbacks = self._table(context_window_fallbacks)

    @staticmethod
    def _table(items: list[dict[str, Any]] | None) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for item in items or []:
            for group, targets in item.items():
                table[group] = [targets] if isinstance(targets, str) else list(targets)
        return table

    def has_model(self, model: str) -> bool:
        return model in self.groups or model in self.alias

    def aliases(self) -> dict[str, str]:
        return self.alias

    def _pick(self, group: str, exclude: set[str]) -> dict[str, Any] | None:
        candidates = [d for d in self.groups.get(group, ()) if d["model_info"]["id"] not in exclude]
        if not candidates:
            candidates = self.groups.get(group, [])
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        weights = [float(d["litellm_params"].get("weight") or 1) for d in candidates]
        return random.choices(candidates, weights=weights)[0]

    def _kwargs(self, deployment: dict[str, Any], group: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        params = deployment["litellm_params"]
        call = dict(kwargs)
        for key, value in params.items():
            if key not in _ROUTING_KEYS:
                call[key] = value
        info = deployment["model_info"]
        metadata = dict(call.get("metadata") or {})
        metadata["model_group"] = group
        metadata["deployment"] = params["model"]
        metadata["model_info"] = info
        call["metadata"] = metadata
        call["model_info"] = info
        call["num_retries"] = 0  # retries happen here, across deployments
        if self.timeout is not None and "timeout" not in call:
            call["timeout"] = self.timeout
        return call

    async def _one_group(
        self, fn: Any, group: str, kwargs: dict[str, Any], info: CallInfo, retries: int
    ) -> Any:
        tried: set[str] = set()
        attempt = 0
        while True:
            deployment = self._pick(group, tried)
            if deployment is None:
                raise _unknown_model(group, self.model_names())
            mid = deployment["model_info"]["id"]
            tried.add(mid)
            info.model_id, info.api_base = mid, deployment["litellm_params"].get("api_base")
            info.litellm_model = deployment["litellm_params"]["model"]
            try:
                return await fn(**self._kwargs(deployment, group, kwargs))
            except Exception as exc:
                status = getattr(exc, "status_code", None)
                if attempt >= retries or not (status in _http.RETRYABLE_STATUS or status is None):
                    raise
                if not hasattr(exc, "status_code"):
                    raise  # not an LLM API error (a bug, a bad argument): never retried
                delay = _http.backoff_delay(attempt, _http.retry_after_seconds(getattr(exc, "headers", None)))
                attempt += 1
                info.attempted_retries = attempt
                await asyncio.sleep(min(delay, 10.0))

    async def call(self, call_name: str, model: str, kwargs: dict[str, Any]) -> tuple[Any, CallInfo]:
        from litellm.calls.registry import get_call

        try:
            fn = get_call(call_name)
        except ValueError:
            raise UnsupportedCallType(call_name) from None
        group = self.alias.get(model, model)
        if group not in self.groups:
            raise _unknown_model(model, self.model_names())
        retries = self.num_retries
        if retries is None:
            from litellm.core.settings import settings

            retries = settings.num_retries or 0
        info = CallInfo(model_group=group, max_retries=retries)
        try:
            return await self._one_group(fn, group, kwargs, info, retries), info
        except Exception as exc:
            targets = self._fallbacks_for(group, exc)
            if not targets:
                raise
            last = exc
            for target in targets:
                info.attempted_fallbacks += 1
                try:
                    result = await self._one_group(fn, target, {**kwargs, "model": target}, info, 0)
                except Exception as fallback_exc:
                    last = fallback_exc
                    continue
                info.model_group = target
                return result, info
            raise last from exc

    def _fallbacks_for(self, group: str, exc: BaseException) -> list[str]:
        from litellm.core import exceptions

        if isinstance(exc, exceptions.ContextWindowExceededError):
            table = self.cw_fallbacks
        elif getattr(exc, "status_code", None) in _NO_FALLBACK_STATUS:
            return []
        else:
            table = self.fallbacks
        targets = table.get(group) or table.get("*") or []
        return [t for t in targets if t in self.groups and t != group]


class RouterBackend(Backend):
    """LiteLLM's Router API (``litellm.router.Router``); call types it lacks go to a DirectBackend."""

    def __init__(self, router: Any, direct: DirectBackend) -> None:
        self.router = router
        self.direct = direct
        self.model_list = direct.model_list

    def has_model(self, model: str) -> bool:
        return self.direct.has_model(model) or model in (self.router.get_model_names() or [])

    def aliases(self) -> dict[str, str]:
        return self.direct.alias

    async def call(self, call_name: str, model: str, kwargs: dict[str, Any]) -> tuple[Any, CallInfo]:
        from litellm.calls.registry import CALLS

        if call_name not in CALLS:
            raise UnsupportedCallType(call_name)
        method = getattr(self.router, call_name, None)
        if method is None:
            return await self.direct.call(call_name, model, kwargs)
        if "model" in kwargs:
            kwargs = {k: v for k, v in kwargs.items() if k != "model"}
        result = await method(model=model, **kwargs)
        # (HiddenParams prices the call when its truthiness is read: here, as it always was)
        hidden = hidden_params(result) or {}
        get = hidden.get  # (a priced HiddenParams is a plain dict: dict's own get, no Python frame)
        extra = get("additional_headers") or {}
        group = str(get("model_group") or model)
        fallbacks = extra.get("x-litellm-attempted-fallbacks")
        if fallbacks is None:  # the Router did not say: a different group answering means a fallback ran
            fallbacks = 0 if group == self.direct.alias.get(model, model) else 1
        info = CallInfo(
            model_group=group,
            model_id=get("model_id"),
            api_base=get("api_base"),
            provider=get("custom_llm_provider"),
            attempted_retries=int(extra.get("x-litellm-attempted-retries") or 0),
            attempted_fallbacks=int(fallbacks),
        )
        return result, info

    async def aclose(self) -> None:
        close = getattr(self.router, "aclose", None)
        if close is not None:
            await close()


def make_backend(
    model_list: list[dict[str, Any]],
    litellm_settings: dict[str, Any],
    router_settings: dict[str, Any],
    config_path: str | None = None,
) -> Backend:
    """The Router when ``litellm.router.Router`` exists (``LITELLM_PROXY_BACKEND=direct`` opts out)."""
    fallbacks = router_settings.get("fallbacks") or litellm_settings.get("fallbacks")
    cw = router_settings.get("context_window_fallbacks") or litellm_settings.get("context_window_fallbacks")
    num_retries = router_settings.get("num_retries", litellm_settings.get("num_retries"))
    direct = DirectBackend(
        model_list,
        num_retries=num_retries,
        fallbacks=fallbacks,
        context_window_fallbacks=cw,
        model_group_alias=router_settings.get("model_group_alias"),
        timeout=router_settings.get("timeout"),
    )
    if os.environ.get("LITELLM_PROXY_BACKEND", "").lower() == "direct":
        return direct
    try:
        from litellm.router import Router
    except ImportError:
        return direct
    settings = dict(router_settings)
    for key in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks"):
        if key not in settings and litellm_settings.get(key):
            settings[key] = litellm_settings[key]
    if num_retries is not None:
        settings["num_retries"] = num_retries
    try:
        router = Router(model_list=[dict(d) for d in model_list], **settings)
    except (TypeError, ValueError) as exc:  # an unknown or invalid router setting: a start-up error
        from litellm.proxy.config import ConfigError

        raise ConfigError(config_path, "router_settings", f"the Router refused its settings: {exc}") from None
    return RouterBackend(router, direct)
