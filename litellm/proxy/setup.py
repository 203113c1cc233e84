"""Apply a validated :class:`~litellm.proxy.config.ProxyConfig` to this process, all or nothing.

Owns: turning ``litellm_settings`` into module settings (through ``litellm.core.settings.settings``),
resolving callbacks (integration names, ``custom_callbacks.proxy_handler_instance`` module paths relative
to the config file, functions), ``custom_auth``, the cache, and building the :class:`Runtime` the app
serves from. Everything is resolved first and written last, so a failure leaves settings untouched.

Must not: start servers or threads, or read request data.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from litellm.core.settings import settings
from litellm.proxy.config import ConfigError, ProxyConfig

__all__ = ["Runtime", "apply_config", "import_from_config_dir"]

_CALLBACK_KEYS = ("callbacks", "success_callback", "failure_callback", "input_callback", "service_callback")
_PLAIN_SETTINGS = (
    "drop_params",
    "modify_params",
    "num_retries",
    "request_timeout",
    "turn_off_message_logging",
    "redact_messages_in_exceptions",
    "json_logs",
    "set_verbose",
    "max_budget",
    "model_alias_map",
    "suppress_debug_info",
    "log_raw_request_response",
)


@dataclass
class Runtime:
    """What the app serves from: the config, the resolved backend inputs, auth and hook objects."""

    config: ProxyConfig
    master_key: str | None = None
    custom_auth: Any = None
    callbacks: list[Any] = field(default_factory=list)
    prometheus: bool = False
    cache: Any = None

    @property
    def general(self) -> dict[str, Any]:
        return self.config.general_settings


def import_from_config_dir(ref: str, base_dir: str, key: str, file: str | None) -> Any:
    """``"module.attr"`` (or ``"pkg.module.attr"``) imported with the config file's directory on sys.path."""
    module_name, _, attr = ref.rpartition(".")
    if not module_name or not attr:
        raise ConfigError(file, key, f"{ref!r} must be 'module.attribute', e.g. custom_callbacks.handler")
    added = False
    if base_dir not in sys.path:
        sys.path.insert(0, base_dir)
        added = True
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(
            file, key, f"cannot import module {module_name!r} (looked in {base_dir} and sys.path): {exc}"
        ) from None
    except Exception as exc:  # the user's module raised while importing
        raise ConfigError(
            file, key, f"importing {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from None
    finally:
        if added:
            sys.path.remove(base_dir)
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ConfigError(file, key, f"module {module_name!r} has no attribute {attr!r}") from None


def _resolve_callback(item: Any, cfg: ProxyConfig, key: str) -> Any:
    if not isinstance(item, str):
        return item
    if item == "prometheus":
        return item
    from litellm.integrations.registry import valid_names

    if item in valid_names():
        return item
    if "." in item:
        return import_from_config_dir(item, cfg.base_dir, key, cfg.path)
    raise ConfigError(
        cfg.path,
        key,
        f"unknown callback {item!r}; use an integration name ({', '.join(valid_names())}, prometheus) "
        "or 'module.instance' (e.g. custom_callbacks.proxy_handler_instance)",
    )


def _build_cache(params: dict[str, Any], cfg: ProxyConfig) -> Any:
    try:
        caching = importlib.import_module("litellm.caching")
        cache_cls = caching.Cache
    except (ImportError, AttributeError):
        raise ConfigError(
            cfg.path, "litellm_settings.cache", "caching is not available in this build (no litellm.caching)"
        ) from None
    try:
        return cache_cls(**params)
    except Exception as exc:
        raise ConfigError(cfg.path, "litellm_settings.cache_params", f"{type(exc).__name__}: {exc}") from None


def _build_alerting(cfg: ProxyConfig) -> Any:
    """``general_settings.alerting: ["slack"]`` -> the Slack alerting logger with LiteLLM's settings
    (alerting_threshold, alert_types, alerting_args, alert_to_webhook_url); None when not configured."""
    gs = cfg.general_settings
    if "slack" not in (gs.get("alerting") or []):
        return None
    from litellm.integrations.slack import SlackAlertingLogger

    kwargs = {
        "alerting_threshold": gs.get("alerting_threshold"),
        "alert_types": gs.get("alert_types"),
        "alerting_args": gs.get("alerting_args"),
        "alert_to_webhook_url": gs.get("alert_to_webhook_url"),
    }
    try:
        return SlackAlertingLogger(**{k: v for k, v in kwargs.items() if v is not None})
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            cfg.path,
            "general_settings.alerting",
            f"slack alerting cannot start: {exc} (set SLACK_WEBHOOK_URL)",
        ) from None


def apply_config(cfg: ProxyConfig) -> Runtime:
    """Resolve everything the config names, then write module settings; raises ConfigError, changes
    nothing, when anything is wrong."""
    ls = cfg.litellm_settings
    rt = Runtime(config=cfg)
    resolved: dict[str, list[Any]] = {}
    for key in _CALLBACK_KEYS:
        value = ls.get(key)
        if value is None:
            continue
        items = [value] if isinstance(value, str) else list(value)
        resolved[key] = [
            _resolve_callback(item, cfg, f"litellm_settings.{key}[{i}]") for i, item in enumerate(items)
        ]
    if any("prometheus" in v for v in resolved.values()):
        rt.prometheus = True
        from litellm.proxy.metrics import PrometheusLogger

        shared = PrometheusLogger()
        resolved = {k: [shared if c == "prometheus" else c for c in v] for k, v in resolved.items()}
    # validate names (unknown integration, missing SDK extra) before touching settings
    from litellm.dispatch.callbacks import build_callback_set

    try:
        build_callback_set(
            tuple(resolved.get("callbacks", ())),
            tuple(resolved.get("success_callback", ())),
            tuple(resolved.get("failure_callback", ())),
            tuple(resolved.get("input_callback", ())),
        )
    except (ValueError, ImportError) as exc:
        raise ConfigError(cfg.path, "litellm_settings.callbacks", str(exc)) from None

    custom_auth = cfg.general_settings.get("custom_auth")
    if custom_auth:
        rt.custom_auth = import_from_config_dir(
            custom_auth, cfg.base_dir, "general_settings.custom_auth", cfg.path
        )
        if not callable(rt.custom_auth):
            raise ConfigError(cfg.path, "general_settings.custom_auth", f"{custom_auth!r} is not callable")
    alerting = _build_alerting(cfg)
    if alerting is not None:
        resolved.setdefault("callbacks", []).append(
            alerting
        )  # callbacks: hanging calls need the pre-call event
    if ls.get("cache"):
        rt.cache = _build_cache(dict(ls.get("cache_params") or {}), cfg)
    rt.master_key = cfg.general_settings.get("master_key") or os.environ.get("LITELLM_MASTER_KEY") or None

    # ---- nothing above changed the process; write the settings now
    for key, value in resolved.items():
        setattr(settings, key, value)
    for key in _PLAIN_SETTINGS:
        if ls.get(key) is not None:
            setattr(settings, key, ls[key])
    if rt.cache is not None:
        settings.cache = rt.cache
    if ls.get("set_verbose"):
        from litellm.core.log import turn_on_debug

        turn_on_debug()
    rt.callbacks = [c for v in resolved.values() for c in v]
    return rt
