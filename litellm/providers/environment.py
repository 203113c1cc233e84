"""Provider credentials from the environment, and LiteLLM's environment helpers.

Owns: :func:`env_value` (the one place ``litellm.providers`` reads environment variables; it defers to
``litellm.core.settings.env``), :func:`credentials_from_env` (fill what a call lacks from the env vars an
adapter names), and the public helpers :func:`validate_environment` and :func:`get_valid_models` (``check_valid_key`` makes a call, so it
lives in :mod:`litellm.calls.pipeline`).

Must not: read the environment anywhere else, import the pipeline or the price map at import time, or
put a key in a log line, an exception or a return value.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litellm.providers.base import Credentials

if TYPE_CHECKING:
    from litellm.providers.base import ProviderAdapter

__all__ = [
    "credentials_from_env",
    "env_value",
    "get_valid_models",
    "missing_credentials",
    "validate_environment",
]


_environ = os.environ
# CPython keeps os.environ's encoded variables in ``_data`` (every os.environ write, monkeypatch and
# patch.dict included, updates it): one dict lookup there skips Mapping.get's KeyError round trip,
# which costs µs per unset name on every call
_environ_data: dict[Any, Any] | None = getattr(_environ, "_data", None) if os.name == "posix" else None
_encoded_names: dict[str, Any] = {}


def env_value(name: str) -> str | None:
    """An environment variable's value, None when unset or empty (``litellm.core.settings.env``'s rule)."""
    if _environ_data is not None and os.environ is _environ:
        key = _encoded_names.get(name)
        if key is None:
            key = _encoded_names[name] = _environ.encodekey(name)
        raw = _environ_data.get(key)
        return _environ.decodevalue(raw) if raw else None
    from litellm.core.settings import env

    return env(name)


def _env_vars(adapter: ProviderAdapter) -> dict[str, tuple[str, ...]]:
    named = getattr(adapter, "env_vars", None)
    if named is not None:
        return dict(named)
    # an adapter that only implements the base contract: its two documented env vars
    out: dict[str, tuple[str, ...]] = {}
    if adapter.api_key_env:
        out["api_key"] = (adapter.api_key_env,)
    if adapter.api_base_env:
        out["api_base"] = (adapter.api_base_env,)
    return out


def credentials_from_env(adapter: ProviderAdapter, credentials: Credentials | None = None) -> Credentials:
    """``credentials`` with every missing field filled from the env vars ``adapter`` names, in order.

    Fields already set (from arguments or module settings) are kept: the environment comes last.
    """
    creds = credentials if credentials is not None else Credentials()
    updates: dict[str, str] = {}
    named = getattr(adapter, "env_vars", None)
    for field_name, names in (named if named is not None else _env_vars(adapter)).items():
        if getattr(creds, field_name, None):
            continue
        for name in names:
            value = env_value(name)
            if value:
                updates[field_name] = value
                break
    if not (creds.api_base or updates.get("api_base")):
        templated = _templated_base(adapter)
        if templated:
            updates["api_base"] = templated
    return replace(creds, **updates) if updates else creds


def _templated_base(adapter: ProviderAdapter) -> str | None:
    """A per-account base URL (``api_base_template``: template and placeholder -> env var names), when
    every placeholder's env var is set (Cloudflare's CLOUDFLARE_ACCOUNT_ID, Snowflake's account)."""
    template = getattr(adapter, "api_base_template", None)
    if not template:
        return None
    text, placeholders = template
    values: dict[str, str] = {}
    for placeholder, names in placeholders.items():
        value = next((v for v in map(env_value, names) if v), None)
        if value is None:
            return None
        values[placeholder] = quote(value, safe="-._~")  # an id, never a path, host or credentials
    return str(text).format(**values)


def missing_credentials(adapter: ProviderAdapter, credentials: Credentials) -> list[str]:
    """Env var names the caller must set (or pass as arguments) before this call can be made."""
    method = getattr(adapter, "missing_credentials", None)
    if method is not None:
        return list(method(credentials))
    if adapter.api_key_env and not credentials.api_key:
        return [adapter.api_key_env]
    return []


def validate_environment(
    model: str | None = None, api_key: str | None = None, api_base: str | None = None
) -> dict[str, Any]:
    """LiteLLM's helper: ``{"keys_in_environment": bool, "missing_keys": [env var names]}`` for ``model``.

    A model that cannot be routed to a provider reports ``keys_in_environment=False`` and no names.
    """
    if not model:
        return {"keys_in_environment": False, "missing_keys": []}
    from litellm.providers.registry import resolve

    try:
        resolved = resolve(model, None, api_base)
    except Exception:  # unroutable model: nothing to check
        return {"keys_in_environment": False, "missing_keys": []}
    creds = credentials_from_env(resolved.adapter, Credentials(api_key=api_key, api_base=api_base))
    missing = missing_credentials(resolved.adapter, creds)
    version_env = getattr(resolved.adapter, "api_version_env", None)
    if version_env and not creds.api_version and version_env not in missing:
        # a call works without it (the adapter's default api-version), but LiteLLM's helper lists it as
        # part of the environment an Azure deployment needs: AZURE_API_BASE, AZURE_API_VERSION, AZURE_API_KEY
        at = 1 if missing and missing[0].endswith("_API_BASE") else 0
        missing = [*missing[:at], version_env, *missing[at:]]
    return {"keys_in_environment": not missing, "missing_keys": missing}


def get_valid_models(
    check_provider_endpoint: bool = False, custom_llm_provider: str | None = None
) -> list[str]:
    """Model names (from the price map) of every provider whose key env var is set.

    ``check_provider_endpoint`` is accepted for LiteLLM compatibility; this build never calls providers
    to list models.
    """
    from litellm.cost.price_map import get_model_cost_map
    from litellm.providers.registry import get_adapter, known_providers

    providers = [custom_llm_provider] if custom_llm_provider else known_providers()
    ready: set[str] = set()
    for name in providers:
        try:
            adapter = get_adapter(name)
        except Exception:  # an unknown provider asked for by name: nothing is valid for it
            continue
        names = _env_vars(adapter).get("api_key", ())
        if names and any(env_value(n) for n in names):
            ready.add(name)
    if not ready:
        return []
    models: list[str] = []
    for key, entry in get_model_cost_map().items():
        if not isinstance(entry, dict) or entry.get("mode") not in (None, "chat", "completion", "responses"):
            continue
        if entry.get("litellm_provider") in ready:
            models.append(key)
    return models
