"""Module-level settings users set through the package root (``litellm.callbacks = [...]``).

The root module forwards reads and writes of these names to the one ``settings`` object here, so the
rest of the package reads them without importing the package root. Defaults mirror LiteLLM's documented
module settings. Environment variables are read in :func:`env` only, on first use, never at import.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

_DEFAULTS: dict[str, Any] = {
    # logging callbacks
    "callbacks": list,
    "success_callback": list,
    "failure_callback": list,
    "input_callback": list,
    "service_callback": list,
    "turn_off_message_logging": False,
    # a misconfigured destination raises at the call instead of being reported and skipped
    "strict_callbacks": False,
    "redact_messages_in_exceptions": False,
    "json_logs": False,
    "set_verbose": False,
    "suppress_debug_info": False,
    "log_raw_request_response": False,
    # request behaviour
    "drop_params": False,
    "modify_params": False,
    "num_retries": None,
    "request_timeout": 600.0,
    "max_retries": None,
    "api_key": None,
    "api_base": None,
    "api_version": None,
    "organization": None,
    "openai_key": None,
    "anthropic_key": None,
    "azure_key": None,
    "groq_key": None,
    "headers": None,
    "model_alias_map": dict,
    # a provider's Retry-After longer than this (seconds) is not waited for: the error is raised
    "retry_after_cap": 60.0,
    # the transport: litellm.client_session / aclient_session (httpx clients) replace the pools
    "client_session": None,
    "aclient_session": None,
    # TLS for every HTTP client we create (SSL_VERIFY / SSL_CERTIFICATE / SSL_SECURITY_LEVEL win
    # over the defaults when set)
    "ssl_verify": True,
    "ssl_certificate": None,
    "ssl_security_level": None,
    # behaviour switches LiteLLM documents
    "return_response_headers": False,
    "add_function_to_prompt": False,
    "enable_json_schema_validation": False,
    "REPEATED_STREAMING_CHUNK_LIMIT": 100,
    # cost and budgets
    "max_budget": 0.0,
    "_current_cost": 0.0,
    # integration settings LiteLLM documents as module attributes
    "s3_callback_params": None,
    "gcs_callback_params": None,
    "datadog_params": None,
    "langfuse_default_tags": None,
    "generic_logger_headers": None,
    # later capabilities
    "cache": None,
    "enable_caching_on_provider_specific_optional_params": False,
}


class Settings:
    """A plain attribute bag: reads are attribute lookups, so the request path pays nothing for it."""

    # the documented settings, typed for readers and the type checker (values come from _DEFAULTS)
    callbacks: list[Any]
    success_callback: list[Any]
    failure_callback: list[Any]
    input_callback: list[Any]
    service_callback: list[Any]
    turn_off_message_logging: bool
    strict_callbacks: bool
    redact_messages_in_exceptions: bool
    json_logs: bool
    set_verbose: bool
    suppress_debug_info: bool
    log_raw_request_response: bool
    drop_params: bool
    modify_params: bool
    num_retries: int | None
    request_timeout: float
    max_retries: int | None
    api_key: str | None
    api_base: str | None
    api_version: str | None
    organization: str | None
    openai_key: str | None
    anthropic_key: str | None
    azure_key: str | None
    groq_key: str | None
    headers: dict[str, str] | None
    model_alias_map: dict[str, str]
    retry_after_cap: float | None
    client_session: Any
    aclient_session: Any
    ssl_verify: bool | str
    ssl_certificate: str | None
    ssl_security_level: str | None
    return_response_headers: bool
    add_function_to_prompt: bool
    enable_json_schema_validation: bool
    REPEATED_STREAMING_CHUNK_LIMIT: int
    max_budget: float
    _current_cost: float
    s3_callback_params: dict[str, Any] | None
    gcs_callback_params: dict[str, Any] | None
    datadog_params: dict[str, Any] | None
    langfuse_default_tags: list[str] | None
    generic_logger_headers: dict[str, str] | None
    cache: Any
    enable_caching_on_provider_specific_optional_params: bool

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        for name, default in _DEFAULTS.items():
            setattr(self, name, default() if callable(default) else default)

    def reset_one(self, name: str) -> None:
        default = _DEFAULTS[name]
        setattr(self, name, default() if callable(default) else default)

    @staticmethod
    def names() -> frozenset[str]:
        return frozenset(_DEFAULTS)

    if TYPE_CHECKING:  # settings added by a layer without an annotation here still type-check as Any

        def __getattr__(self, name: str) -> Any: ...


settings = Settings()


def env(name: str, default: str | None = None) -> str | None:
    """The one place the core reads environment variables (provider keys, bases, LITELLM_* switches)."""
    value = os.environ.get(name)
    return value if value not in (None, "") else default
