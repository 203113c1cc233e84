"""The Router's side of the logging contract, CustomLogger router hooks, and Slack alerting.

* :class:`RouterAttempt` travels with every pipeline call of one router request (the private kwarg
  ``litellm_attempt``). Its ``metadata`` is merged into the event's metadata when the event is emitted;
  ``on_failure(ctx, exc)`` is asked by the pipeline before it emits a failure: the Router answers "I will
  retry or fall back, do not emit" and keeps the context, so that one request yields exactly one event.
  When the Router gives up it emits that last context's failure itself (:meth:`RouterAttempt.give_up`).
* :class:`HookSet`: which registered callbacks (``settings.callbacks``) override which router hook, found
  once per callback list, so a request without such callbacks pays one identity check.
* :class:`Alerter`: deployment failure and cooldown alerts through the Slack integration.

Must not decide retries, fallbacks or cooldowns (the Router does), nor do I/O outside alert delivery,
which the Slack logger queues off the request path.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

from litellm.core.settings import settings

__all__ = ["ROUTER_HOOKS", "Alerter", "HookSet", "RouterAttempt", "emit_refusal", "pipeline_accepts_attempt"]

ROUTER_HOOKS = (
    "async_pre_routing_hook",
    "async_filter_deployments",
    "async_pre_call_deployment_hook",
    "async_post_call_success_deployment_hook",
    "async_post_call_failure_deployment_hook",
    "log_success_fallback_event",
    "log_failure_fallback_event",
)

_accepts: bool | None = None


def pipeline_accepts_attempt() -> bool:
    """Whether the call pipeline knows ``litellm_attempt`` (else it would be sent to the provider)."""
    global _accepts
    if _accepts is None:
        from litellm.calls import pipeline

        _accepts = "litellm_attempt" in getattr(pipeline, "LITELLM_PARAMS", ())
    return _accepts


class RouterAttempt:
    """One router request as the pipeline sees it: shared metadata and the failure hand-off."""

    __slots__ = ("committed", "ctx", "exception", "metadata")

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata: dict[str, Any] = {} if metadata is None else metadata
        self.ctx: Any = None
        self.exception: BaseException | None = None
        #: set once the response (or the first chunk of a stream) went to the caller: from then on a
        #: failure is final and the pipeline emits it itself
        self.committed = False

    def on_failure(self, ctx: Any, exc: BaseException) -> bool:
        """Called by the pipeline before it emits a failure. True = the Router owns this failure."""
        if self.committed or not isinstance(exc, Exception):  # cancelled / interrupted: never retried
            return False
        self.ctx, self.exception = ctx, exc
        return True

    def give_up(self) -> bool:
        """Emit the last kept failure (the Router will not retry any more). True when one was emitted."""
        ctx, self.ctx = self.ctx, None
        if ctx is None:
            return False
        self.committed = True
        from litellm.calls import pipeline

        emit = getattr(pipeline, "emit_failure", None)
        if emit is None:  # the pipeline predates the hand-off: it emitted each failure already
            return False
        metadata = getattr(ctx, "metadata", None)
        if isinstance(metadata, dict):  # the final counts (fallbacks tried after this attempt failed)
            metadata.update(self.metadata)
        emit(ctx)
        return True


def emit_refusal(
    call_type: str, is_async: bool, model: str, kwargs: dict[str, Any], exc: BaseException, metadata: dict
) -> None:
    """The one failure event of a request the Router refused before any call reached the pipeline
    (unknown model, every deployment at its limit, a filter hook removing them all), built the way the
    pipeline builds one (a call context handed to ``emit_failure``)."""
    import time

    from litellm.calls import pipeline
    from litellm.calls.context import CallContext
    from litellm.core.settings import settings as _settings
    from litellm.dispatch.dispatcher import resolve_callbacks

    callbacks = resolve_callbacks(
        kwargs.get("callbacks"), kwargs.get("success_callback"), kwargs.get("failure_callback")
    )
    if callbacks.empty:
        return
    user_md = kwargs.get("metadata") or {}
    ctx = CallContext(
        call_type=call_type,
        is_async=is_async,
        model=model,
        messages=kwargs.get("messages") if "messages" in kwargs else kwargs.get("input"),
        stream=bool(kwargs.get("stream")),
        callbacks=callbacks,
        metadata={**user_md, **metadata},
        optional_params={},
        litellm_call_id=kwargs.get("litellm_call_id"),
        user=kwargs.get("user"),
        turn_off_message_logging=bool(
            kwargs.get("turn_off_message_logging") or _settings.turn_off_message_logging
        ),
    )
    ctx.end_time = time.time()
    ctx.exception = exc
    pipeline.emit_failure(ctx)


def _overrides(cb: Any, name: str) -> bool:
    from litellm.integrations.custom_logger import CustomLogger

    if not isinstance(cb, CustomLogger):
        return False
    impl = getattr(type(cb), name, None)
    return impl is not None and impl is not getattr(CustomLogger, name, None)


class HookSet:
    """Callbacks overriding each router hook, for one callbacks list."""

    __slots__ = ("by_hook", "key")

    def __init__(self, callbacks: list[Any]) -> None:
        self.key = tuple(id(cb) for cb in callbacks)
        self.by_hook: dict[str, list[Any]] = {}
        for name in ROUTER_HOOKS:
            found = [cb for cb in callbacks if _overrides(cb, name)]
            if found:
                self.by_hook[name] = found


_pending: set[Any] = set()
_EMPTY = HookSet([])
_cached: HookSet = _EMPTY


def current_hooks() -> HookSet:
    """The hook set for ``settings.callbacks`` as it is now (recomputed only when the list changed)."""
    global _cached
    callbacks = settings.callbacks
    if not callbacks:
        return _EMPTY
    key = tuple(map(id, callbacks))  # map, not a generator: this runs on every router request
    if _cached.key != key:
        _cached = HookSet(list(callbacks))
    return _cached


async def run_async_hooks(callbacks: list[Any], name: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Await ``name`` on each callback; a hook that raises is logged and skipped (never fails a call),
    except for filter/pre-call hooks whose exception is a deliberate rejection."""
    results = []
    for cb in callbacks:
        try:
            value = getattr(cb, name)(*args, **kwargs)
            if inspect.isawaitable(value):
                value = await value
        except Exception as exc:
            if name in (
                "async_pre_call_deployment_hook",
                "async_pre_routing_hook",
                "async_filter_deployments",
            ):
                raise
            _hook_error(cb, name, exc)
            continue
        results.append(value)
    return results


def run_hooks_sync(callbacks: list[Any], name: str, *args: Any, **kwargs: Any) -> None:
    """Fire-and-forget hooks from a sync call: run coroutines on a private loop when none is running."""
    for cb in callbacks:
        try:
            value = getattr(cb, name)(*args, **kwargs)
            if inspect.iscoroutine(value):
                try:
                    asyncio.get_running_loop()
                except RuntimeError:
                    asyncio.run(value)
                else:  # called from inside a loop's thread: schedule it there, held until done
                    task = asyncio.ensure_future(value)
                    _pending.add(task)
                    task.add_done_callback(_pending.discard)
        except Exception as exc:
            _hook_error(cb, name, exc)


def _hook_error(cb: Any, name: str, exc: Exception) -> None:
    from litellm.core.log import log_rate_limited

    log_rate_limited(
        ("router-hook", type(cb).__name__, name),
        "router hook raised; ignored",
        callback=type(cb).__name__,
        hook=name,
        error=f"{type(exc).__name__}: {exc}",
    )


class Alerter:
    """Deployment failure and cooldown alerts, through the Slack logger (``alerting_config``)."""

    def __init__(self, config: Any) -> None:
        from litellm.integrations.slack import SlackAlertingLogger

        data = config.model_dump() if hasattr(config, "model_dump") else dict(config or {})
        data = {k: v for k, v in data.items() if v is not None}
        self.logger = SlackAlertingLogger(**data)
        types = self.logger.settings.alert_types
        # the Slack logger has no "cooldown_deployment" type yet: cooldowns go out as outage alerts
        self.cooldown_type = "cooldown_deployment" if "cooldown_deployment" in types else "outage_alerts"

    @staticmethod
    def _fields(group: str, deployment: Any, exc: BaseException | None) -> dict[str, Any]:
        fields = {
            "Model Group": group,
            "Deployment": deployment.model,
            "Model ID": deployment.id,
            "API Base": deployment.api_base or "default",
        }
        if exc is not None:
            fields["Error"] = f"{type(exc).__name__} ({getattr(exc, 'status_code', None)})"
        return fields

    def deployment_failed(self, group: str, deployment: Any, exc: BaseException) -> None:
        self.logger.raise_alert(
            "llm_exceptions",
            "High",
            f"Deployment {deployment.model} of model group {group} failed: {type(exc).__name__}",
            fields=self._fields(group, deployment, exc),
            fingerprint=("router-failure", deployment.id, type(exc).__name__),
        )

    def cooled_down(self, group: str, deployment: Any, seconds: float, reason: str) -> None:
        self.logger.raise_alert(
            self.cooldown_type,
            "Medium",
            f"Deployment {deployment.model} of model group {group} cooled down for {seconds:g}s: {reason}",
            fields=self._fields(group, deployment, None),
            fingerprint=("router-cooldown", deployment.id),
        )

    def close(self) -> None:
        self.logger.close()
