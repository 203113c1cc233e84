"""config.yaml as LiteLLM documents it: read, merge ``include:`` files, resolve ``os.environ/NAME``, validate.

Owns :func:`load_config` (file -> :class:`ProxyConfig`, pure apart from ``environment_variables``, which
are exported to the process first, as LiteLLM does) and :func:`config_from_cli` (``--model`` & co).
Every problem is a :class:`ConfigError` naming the file, the key path and what is wrong, raised before
anything starts. Applying a config to the process (module settings, callbacks) is
:mod:`litellm.proxy.setup`'s job, not this module's.

Must not: start servers, import starlette/uvicorn, or print secrets (values are never echoed in errors).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ConfigError", "ProxyConfig", "apply_cli_overrides", "config_from_cli", "load_config"]

ENV_PREFIX = "os.environ/"

TOP_LEVEL = frozenset(
    {
        "model_list",
        "litellm_settings",
        "router_settings",
        "general_settings",
        "environment_variables",
        "include",
        "guardrails",
        "credential_list",
        "mcp_servers",
        "files_settings",
        "assistant_settings",
        "finetune_settings",
        "vector_store_registry",
    }
)

# litellm_settings: key -> accepted python types (None in a value position is always allowed)
LITELLM_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    "callbacks": (list, str),
    "success_callback": (list, str),
    "failure_callback": (list, str),
    "input_callback": (list, str),
    "service_callback": (list, str),
    "drop_params": (bool,),
    "modify_params": (bool,),
    "num_retries": (int,),
    "request_timeout": (int, float),
    "fallbacks": (list,),
    "context_window_fallbacks": (list,),
    "content_policy_fallbacks": (list,),
    "default_fallbacks": (list,),
    "cache": (bool,),
    "cache_params": (dict,),
    "turn_off_message_logging": (bool,),
    "redact_messages_in_exceptions": (bool,),
    "set_verbose": (bool,),
    "json_logs": (bool,),
    "max_budget": (int, float),
    "budget_duration": (str,),
    "model_alias_map": (dict,),
    "suppress_debug_info": (bool,),
    "log_raw_request_response": (bool,),
    "telemetry": (bool,),
    "enable_preview_features": (bool,),
}

ROUTER_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    "routing_strategy": (str,),
    "routing_strategy_args": (dict,),
    "redis_host": (str,),
    "redis_port": (int, str),
    "redis_password": (str,),
    "redis_url": (str,),
    "model_group_alias": (dict,),
    "num_retries": (int,),
    "timeout": (int, float),
    "stream_timeout": (int, float),
    "allowed_fails": (int,),
    "cooldown_time": (int, float),
    "enable_pre_call_checks": (bool,),
    "fallbacks": (list,),
    "context_window_fallbacks": (list,),
    "content_policy_fallbacks": (list,),
    "retry_policy": (dict,),
    "allowed_fails_policy": (dict,),
    "retry_after": (int, float),
    "cache_responses": (bool,),
    "default_litellm_params": (dict,),
    "disable_cooldowns": (bool,),
}

GENERAL_SETTING_TYPES: dict[str, tuple[type, ...]] = {
    "master_key": (str,),
    "alerting": (list,),
    "alerting_threshold": (int, float),
    "alert_types": (list,),
    "alerting_args": (dict,),
    "alert_to_webhook_url": (dict,),
    "proxy_batch_write_at": (int, float),
    "disable_spend_logs": (bool,),
    "database_url": (str,),
    "database_connection_pool_limit": (int,),
    "database_connection_timeout": (int, float),
    "custom_auth": (str,),
    "allowed_routes": (list,),
    "public_routes": (list,),
    "max_request_size_mb": (int, float),
    "max_response_size_mb": (int, float),
    "background_health_checks": (bool,),
    "health_check_interval": (int, float),
    "store_model_in_db": (bool,),
    "disable_master_key_return": (bool,),
    "graceful_shutdown_timeout": (int, float),
    "use_x_forwarded_for": (bool,),
    "health_check_timeout": (int, float),
    # keys, spend ledger, budgets (litellm/proxy/management/settings.py documents them)
    "allow_requests_on_db_unavailable": (bool,),
    "database_path": (str,),
    "spend_spool_dir": (str,),
    "redis_key_prefix": (str,),
    "rate_limit_window_seconds": (int, float),
    "user_api_key_cache_ttl": (int, float),
    "budget_reservation_ttl": (int, float),
}


class ConfigError(ValueError):
    """A config problem: which file, which key, what is wrong (and usually how to fix it)."""

    def __init__(self, file: str | None, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        where = f"{file}: " if file else ""
        super().__init__(f"{where}{key}: {problem}")


@dataclass
class ProxyConfig:
    """A validated config, with ``os.environ/`` references resolved (so it holds secrets: never log it)."""

    path: str | None = None
    base_dir: str = "."
    model_list: list[dict[str, Any]] = field(default_factory=list)
    litellm_settings: dict[str, Any] = field(default_factory=dict)
    router_settings: dict[str, Any] = field(default_factory=dict)
    general_settings: dict[str, Any] = field(default_factory=dict)
    environment_variables: dict[str, str] = field(default_factory=dict)
    files_settings: list[dict[str, Any]] = field(default_factory=list)
    assistant_settings: dict[str, Any] = field(default_factory=dict)
    finetune_settings: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def model_names(self) -> list[str]:
        seen: dict[str, None] = {}
        for d in self.model_list:
            seen.setdefault(d["model_name"], None)
        return list(seen)


# ---------------------------------------------------------------------------------------------------


def _read_yaml(path: str, shown: str) -> dict[str, Any]:
    import yaml

    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(shown, "(file)", "file not found; pass an existing path to --config") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(shown, "(file)", f"not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(shown, "(top level)", f"must be a mapping of sections, got {type(data).__name__}")
    return data


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    """Merge an included file: lists extend, mappings merge (the including file wins), scalars kept."""
    for key, value in extra.items():
        if key not in into:
            into[key] = value
        elif isinstance(into[key], list) and isinstance(value, list):
            into[key] = [*into[key], *value]
        elif isinstance(into[key], dict) and isinstance(value, dict):
            into[key] = {**value, **into[key]}


def _with_includes(path: str, shown: str, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    real = os.path.realpath(path)
    if real in seen:
        raise ConfigError(shown, "include", "include cycle: a file includes itself (directly or not)")
    data = _read_yaml(path, shown)
    includes = data.pop("include", None)
    if includes is None:
        return data
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise ConfigError(shown, "include", "must be a list of YAML file paths (relative to this file)")
    base = os.path.dirname(path) or "."
    for i, inc in enumerate(includes):
        inc_path = inc if os.path.isabs(inc) else os.path.join(base, inc)
        if not os.path.exists(inc_path):
            raise ConfigError(
                shown, f"include[{i}]", f"file {inc!r} not found (paths are relative to {base})"
            )
        _merge(data, _with_includes(inc_path, inc_path, (*seen, real)))
    return data


def _resolve_env(value: Any, file: str | None, key: str) -> Any:
    """Replace every ``os.environ/NAME`` string; a missing variable is an error naming the key."""
    if isinstance(value, str):
        if value.startswith(ENV_PREFIX):
            name = value[len(ENV_PREFIX) :]
            resolved = os.environ.get(name)
            if resolved is None:
                raise ConfigError(
                    file, key, f"environment variable {name} is not set (referenced as {value}); export it"
                )
            return resolved
        return value
    if isinstance(value, dict):
        return {k: _resolve_env(v, file, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_env(v, file, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def _type_name(types: tuple[type, ...]) -> str:
    names = {bool: "true/false", int: "an integer", float: "a number", str: "a string"}
    return " or ".join(names.get(t, f"a {t.__name__}") for t in types)


def _check_section(
    cfg: ProxyConfig, name: str, section: Any, types: dict[str, tuple[type, ...]], extra_ok: frozenset[str]
) -> dict[str, Any]:
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(cfg.path, name, f"must be a mapping, got {type(section).__name__}")
    for key, value in section.items():
        want = types.get(key)
        if want is None:
            if key not in extra_ok:
                near = difflib.get_close_matches(key, list(types), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                cfg.warnings.append(f"{name}.{key} is not supported here and is ignored{hint}")
            continue
        if value is None:
            continue
        ok = isinstance(value, want) and not (bool not in want and isinstance(value, bool))
        if not ok:
            raise ConfigError(cfg.path, f"{name}.{key}", f"must be {_type_name(want)}, got {value!r:.40}")
    return dict(section)


def _deployment_id(entry: dict[str, Any]) -> str:
    blob = json.dumps([entry.get("model_name"), entry.get("litellm_params")], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _check_model_list(cfg: ProxyConfig, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigError(cfg.path, "model_list", "must be a list of {model_name, litellm_params} entries")
    out = []
    ids: set[str] = set()
    for i, entry in enumerate(raw):
        key = f"model_list[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(cfg.path, key, "must be a mapping with model_name and litellm_params")
        name = entry.get("model_name")
        if not isinstance(name, str) or not name:
            raise ConfigError(cfg.path, f"{key}.model_name", "required: the name clients send as 'model'")
        params = entry.get("litellm_params")
        if not isinstance(params, dict):
            raise ConfigError(cfg.path, f"{key}.litellm_params", "required mapping (with at least 'model')")
        model = params.get("model")
        if not isinstance(model, str) or not model:
            raise ConfigError(
                cfg.path, f"{key}.litellm_params.model", "required: the provider model, e.g. openai/gpt-4o"
            )
        info = entry.get("model_info") or {}
        if not isinstance(info, dict):
            raise ConfigError(cfg.path, f"{key}.model_info", "must be a mapping")
        for limit in ("tpm", "rpm"):
            for where, value in ((key, entry.get(limit)), (f"{key}.litellm_params", params.get(limit))):
                if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    raise ConfigError(cfg.path, f"{where}.{limit}", "must be a non-negative integer")
        unresolved = {"model_name": name, "litellm_params": params}
        params = _resolve_env(params, cfg.path, f"{key}.litellm_params")
        info = dict(_resolve_env(info, cfg.path, f"{key}.model_info"))
        info.setdefault("id", _deployment_id(unresolved))
        if str(info["id"]) in ids:
            raise ConfigError(cfg.path, f"{key}.model_info.id", f"duplicate deployment id {info['id']!r}")
        ids.add(str(info["id"]))
        deployment = {"model_name": name, "litellm_params": params, "model_info": info}
        for limit in ("tpm", "rpm"):
            if entry.get(limit) is not None:
                deployment[limit] = entry[limit]
        out.append(deployment)
    return out


def _check_fallbacks(cfg: ProxyConfig, section: str, settings: dict[str, Any], names: set[str]) -> None:
    for key in ("fallbacks", "context_window_fallbacks", "content_policy_fallbacks"):
        value = settings.get(key)
        if not value:
            continue
        for i, item in enumerate(value):
            where = f"{section}.{key}[{i}]"
            if not isinstance(item, dict) or len(item) != 1:
                raise ConfigError(cfg.path, where, 'each entry is {"model_group": ["fallback", ...]}')
            ((group, targets),) = item.items()
            if isinstance(targets, str):
                targets = [targets]
            if not isinstance(targets, list):
                raise ConfigError(cfg.path, where, "the fallback targets must be a list of model names")
            for target in [group, *targets]:
                if names and target not in names and target != "*":
                    raise ConfigError(
                        cfg.path,
                        where,
                        f"model {target!r} is not a model_name in model_list ({sorted(names)})",
                    )


def _validate(data: dict[str, Any], cfg: ProxyConfig) -> ProxyConfig:
    for key in data:
        if key not in TOP_LEVEL:
            near = difflib.get_close_matches(key, sorted(TOP_LEVEL), n=1)
            hint = (
                f"; did you mean {near[0]!r}?"
                if near
                else f"; known sections: {', '.join(sorted(TOP_LEVEL))}"
            )
            raise ConfigError(cfg.path, key, f"unknown top-level section{hint}")
    env_vars = data.get("environment_variables") or {}
    if not isinstance(env_vars, dict):
        raise ConfigError(cfg.path, "environment_variables", "must be a mapping of NAME: value")
    cfg.environment_variables = {str(k): str(v) for k, v in env_vars.items() if v is not None}
    os.environ.update(cfg.environment_variables)  # later os.environ/ references may use them

    cfg.model_list = _check_model_list(cfg, data.get("model_list"))
    ls = _check_section(
        cfg, "litellm_settings", data.get("litellm_settings"), LITELLM_SETTING_TYPES, frozenset()
    )
    rs = _check_section(
        cfg, "router_settings", data.get("router_settings"), ROUTER_SETTING_TYPES, frozenset()
    )
    gs = _check_section(
        cfg, "general_settings", data.get("general_settings"), GENERAL_SETTING_TYPES, frozenset()
    )
    cfg.litellm_settings = _resolve_env(ls, cfg.path, "litellm_settings")
    cfg.router_settings = _resolve_env(rs, cfg.path, "router_settings")
    cfg.general_settings = _resolve_env(gs, cfg.path, "general_settings")
    for section in ("files_settings", "finetune_settings"):
        entries = data.get(section) or []
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("custom_llm_provider"), str) for e in entries
        ):
            raise ConfigError(
                cfg.path, section, "must be a list of {custom_llm_provider, api_key, api_base, ...} entries"
            )
        setattr(cfg, section, _resolve_env(entries, cfg.path, section))
    assistants = data.get("assistant_settings") or {}
    if not isinstance(assistants, dict) or not isinstance(assistants.get("litellm_params") or {}, dict):
        raise ConfigError(
            cfg.path,
            "assistant_settings",
            "must be {custom_llm_provider: ..., litellm_params: {api_key, api_base}}",
        )
    cfg.assistant_settings = _resolve_env(assistants, cfg.path, "assistant_settings")
    names = {d["model_name"] for d in cfg.model_list}
    names |= set((cfg.router_settings.get("model_group_alias") or {}).keys())
    _check_fallbacks(cfg, "litellm_settings", cfg.litellm_settings, names)
    _check_fallbacks(cfg, "router_settings", cfg.router_settings, names)
    master_key = cfg.general_settings.get("master_key")
    if master_key is not None and not str(master_key).startswith("sk-"):
        raise ConfigError(
            cfg.path, "general_settings.master_key", "must start with 'sk-' (as LiteLLM requires)"
        )
    size = cfg.general_settings.get("max_request_size_mb")
    if size is not None and size <= 0:
        raise ConfigError(cfg.path, "general_settings.max_request_size_mb", "must be a positive number")
    for rkey in ("allowed_routes", "public_routes"):
        routes = cfg.general_settings.get(rkey)
        if routes is not None and not all(isinstance(r, str) and r.startswith("/") for r in routes):
            raise ConfigError(
                cfg.path, f"general_settings.{rkey}", "must be a list of paths starting with '/'"
            )
    for akey in ("alerting",):
        alerting = cfg.general_settings.get(akey) or []
        for i, a in enumerate(alerting):
            if a not in ("slack", "webhook", "email"):
                raise ConfigError(
                    cfg.path, f"general_settings.alerting[{i}]", f"unknown alerting target {a!r}"
                )
    return cfg


def load_config(path: str) -> ProxyConfig:
    """Read and validate ``path`` (following ``include:``); raises :class:`ConfigError`."""
    cfg = ProxyConfig(path=path, base_dir=os.path.dirname(os.path.abspath(path)))
    data = _with_includes(path, path)
    return _validate(data, cfg)


def config_from_cli(model: str, *, api_base: str | None = None, alias: str | None = None) -> ProxyConfig:
    """The one-model config ``litellm --model X [--api_base B] [--alias A]`` stands for."""
    params: dict[str, Any] = {"model": model}
    if api_base:
        params["api_base"] = api_base
    data: dict[str, Any] = {"model_list": [{"model_name": alias or model, "litellm_params": params}]}
    return _validate(data, ProxyConfig(path=None, base_dir=os.getcwd()))


def apply_cli_overrides(
    cfg: ProxyConfig,
    *,
    drop_params: bool = False,
    temperature: float | None = None,
    max_tokens: int | None = None,
    request_timeout: float | None = None,
) -> ProxyConfig:
    """``--drop_params``, ``--request_timeout`` (module settings) and ``--temperature``/``--max_tokens``
    (set on every deployment, so they win over the request's values, as LiteLLM's flags do)."""
    if drop_params:
        cfg.litellm_settings["drop_params"] = True
    if request_timeout is not None:
        cfg.litellm_settings["request_timeout"] = float(request_timeout)
    for deployment in cfg.model_list:
        if temperature is not None:
            deployment["litellm_params"]["temperature"] = temperature
        if max_tokens is not None:
            deployment["litellm_params"]["max_tokens"] = max_tokens
    return cfg
