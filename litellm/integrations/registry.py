"""The name -> integration logger table, and one cached instance per name, imported on first use.

Owns: which string names (``litellm.callbacks = ["otel"]``) exist, where their class lives (an import
string, so nothing is imported until a name is used), which pip extra provides their SDK, the
instance cache so ``"otel"`` in two lists is one logger, and :func:`modify_integration` (LiteLLM's
``litellm.modify_integration(name, params)``): constructor parameters for a name, applied by building
a new instance. :data:`generation` changes whenever what a name resolves to changes, so callers that
cache resolved callbacks know to resolve again.

Must not: import any integration module or SDK at import time, or read settings/environment (each
logger reads its own settings in its constructor).
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

__all__ = [
    "EXTRAS",
    "INTEGRATIONS",
    "clear_instances",
    "generation",
    "get_integration",
    "modify_integration",
    "register",
    "valid_names",
]

INTEGRATIONS: dict[str, str] = {
    "otel": "litellm.integrations.opentelemetry:OpenTelemetryLogger",
    "opentelemetry": "litellm.integrations.opentelemetry:OpenTelemetryLogger",
    "langfuse": "litellm.integrations.langfuse:LangfuseLogger",
    "datadog": "litellm.integrations.datadog:DatadogLogger",
    "datadog_llm_observability": "litellm.integrations.datadog_llm_obs:DatadogLLMObsLogger",
    "s3": "litellm.integrations.s3:S3Logger",
    "s3_v2": "litellm.integrations.s3:S3Logger",
    "gcs_bucket": "litellm.integrations.gcs_bucket:GCSBucketLogger",
    "slack": "litellm.integrations.slack:SlackAlertingLogger",
    "sentry": "litellm.integrations.sentry:SentryLogger",
    "generic_api": "litellm.integrations.generic_api:GenericAPILogger",
    "memory": "litellm.integrations.memory:MemoryLogger",
}

# The pyproject extra that installs each integration's third-party SDK (None: nothing extra needed).
EXTRAS: dict[str, str | None] = {
    "otel": "otel",
    "opentelemetry": "otel",
    "langfuse": "langfuse",
    "datadog": "datadog",
    "datadog_llm_observability": "datadog",
    "s3": "s3",
    "s3_v2": "s3",
    "gcs_bucket": "gcs",
    "slack": None,
    "sentry": "sentry",
    "generic_api": None,
    "memory": None,
}

_lock = threading.Lock()
_instances: dict[str, CustomLogger] = {}  # one per *target*, so aliases ("otel"/"opentelemetry") share it
_classes: dict[str, type] = {}  # targets registered as class objects
_params: dict[str, dict[str, Any]] = {}  # target -> constructor parameters from modify_integration
# Bumped whenever a name may resolve to a different instance (register, modify_integration, clear).
generation = 0


def _bump() -> None:
    global generation
    generation += 1


def valid_names() -> list[str]:
    """Every registered integration name, sorted."""
    return sorted(INTEGRATIONS)


def register(name: str, target: str | type, extra: str | None = None) -> None:
    """Add or replace a name: ``target`` is ``"module:Class"`` or a CustomLogger subclass."""
    if isinstance(target, type):
        cls, target = target, f"{target.__module__}:{target.__qualname__}"
        _classes[target] = cls  # a class need not be importable by name (defined in a function, a test)
    with _lock:
        INTEGRATIONS[name] = target
        EXTRAS[name] = extra
        _instances.pop(target, None)
        _bump()


def clear_instances() -> None:
    """Forget the cached instances and parameters (tests; a later ``get_integration`` builds new ones)."""
    with _lock:
        _instances.clear()
        _params.clear()
        _bump()


def modify_integration(integration_name: str, integration_params: dict[str, Any]) -> None:
    """Set constructor parameters for an integration name (LiteLLM's ``litellm.modify_integration``).

    ``modify_integration("langfuse", {"langfuse_public_key": ..., "langfuse_secret_key": ...})``: the
    next call uses a new ``"langfuse"`` logger built with these parameters (merged over earlier ones);
    the previous instance is flushed first so its queued events are not lost. A name that was
    misconfigured is tried again. Raises ValueError for an unknown name, for parameters that are not a
    dict, or for parameter names the logger does not accept (naming the ones it does); a logger whose
    constructor then rejects the values still fails only at the next call, as a misconfigured
    destination (reported, its events dropped and counted).
    """
    key = integration_name.strip().lower() if isinstance(integration_name, str) else integration_name
    target = INTEGRATIONS.get(key)
    if target is None:
        raise ValueError(
            f"unknown integration name {integration_name!r}; valid names: {', '.join(valid_names())}"
        )
    if not isinstance(integration_params, dict):
        raise ValueError(
            f"modify_integration({integration_name!r}, ...): integration_params must be a dict of "
            f"constructor parameters, got {type(integration_params).__name__}"
        )
    accepted = _accepted_params(_load(key, target))
    if accepted is not None:
        unknown = sorted(set(integration_params) - accepted)
        if unknown:
            raise ValueError(
                f"modify_integration({integration_name!r}, ...): unknown parameter(s) {', '.join(unknown)}; "
                f"accepted: {', '.join(sorted(accepted))}"
            )
    with _lock:
        merged = {**_params.get(target, {}), **integration_params}
        _params[target] = merged
        old = _instances.pop(target, None)
        _bump()
    if old is not None:
        try:
            old.flush(5.0)
        except Exception:  # the old logger's own failure must not stop the change
            pass


def _accepted_params(cls: type) -> set[str] | None:
    """Keyword parameters ``cls`` accepts; None when it takes ``**kwargs`` (anything goes)."""
    import inspect

    try:
        params = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None
    return {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}


def get_integration(name: str) -> CustomLogger:
    """The one logger instance for ``name``, created on first use.

    Raises ValueError naming the valid names for an unknown name, and ImportError naming the pip extra
    when the integration's SDK is not installed.
    """
    key = name.strip().lower() if isinstance(name, str) else name
    target = INTEGRATIONS.get(key)
    if target is None:
        raise ValueError(f"unknown callback name {name!r}; valid names: {', '.join(valid_names())}")
    instance = _instances.get(target)
    if instance is not None:
        return instance
    with _lock:
        instance = _instances.get(target)
        if instance is None:
            cls = _load(key, target)
            try:
                instance = cls(**{**_spool_options(cls), **_params.get(target, {})})
            except ImportError as exc:
                # SDKs are imported in the constructor; make sure the message says how to get them
                if "pip install" in str(exc):
                    raise
                raise ImportError(
                    f"integration {name!r} needs a package that is not installed: {_hint(key)}"
                ) from exc
            _instances[target] = instance
    return instance


def _spool_options(cls: type) -> dict[str, Any]:
    """Loggers registered by name get an on-disk spool when LITELLM_SPOOL_DIR is set.

    With it, events queued while a receiver is down, or when the process dies, survive to the next
    process; ``LITELLM_SPOOL_MODE=write_ahead`` also survives SIGKILL (every event hits disk first).
    """
    from litellm.core.settings import env

    spool_dir = env("LITELLM_SPOOL_DIR")
    if not spool_dir:
        return {}
    import inspect

    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return {}
    options: dict[str, Any] = {}
    if "spool_dir" in params:
        options["spool_dir"] = spool_dir
        mode = env("LITELLM_SPOOL_MODE")
        if mode and "spool_mode" in params:
            options["spool_mode"] = mode
    return options


def _hint(name: str) -> str:
    extra = EXTRAS.get(name)
    return f"pip install 'litellm-observe[{extra}]'" if extra else "pip install litellm-observe"


def _load(name: str, target: str) -> Any:
    if target in _classes:
        return _classes[target]
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or ""
        if missing == module_name or (missing and module_name.startswith(missing + ".")):
            raise ImportError(
                f"integration {name!r} is not available in this build ({module_name} is missing)"
            ) from exc
        raise ImportError(
            f"integration {name!r} needs a package that is not installed ({missing}): {_hint(name)}"
        ) from exc
    try:
        return getattr(module, class_name)
    except AttributeError as exc:
        raise ImportError(f"integration {name!r}: {module_name} has no {class_name}") from exc
