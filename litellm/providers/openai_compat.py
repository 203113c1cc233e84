"""The OpenAI wire format: one adapter class for every provider that speaks it.

Owns: :class:`OpenAICompatAdapter` (request building for any row of
:data:`litellm.providers.compat_table.PROVIDERS`, re-exported here with :class:`CompatProvider`:
URL with the row's base path, per-host path and ``api-version`` query; response / SSE chunk parsing;
error classification), :class:`EmbeddingRenamesAdapter` (rows whose ``/embeddings`` renames params), and
the OpenAI model-family rules (o-series and gpt-5 take ``max_completion_tokens`` and only
``temperature=1``).

Must not: send, sleep, log or read the environment (the pipeline resolves credentials, see
``litellm.providers.environment``), or import anything heavy. Adding a provider is adding a row.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit

from litellm.providers._common import (
    error_fields,
    kind_for_status,
    looks_like_content_policy,
    looks_like_context_window,
    make_error,
    normalize_response_format,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

# the table lives in compat_table; its names stay importable from here
from litellm.providers.compat_table import _OPENAI_ONLY as _OPENAI_ONLY
from litellm.providers.compat_table import PROVIDERS, CompatProvider

__all__ = [
    "OPENAI_CHAT_PARAMS",
    "PROVIDERS",
    "CompatProvider",
    "EmbeddingRenamesAdapter",
    "OpenAICompatAdapter",
    "classify_openai_error",
]

#: Every OpenAI chat-completions param OpenAI itself accepts (LiteLLM's list for `openai`, plus the
#: reasoning knobs that depend on the model). Params outside LiteLLM's OpenAI set are provider-specific.
OPENAI_CHAT_PARAMS: frozenset[str] = frozenset(
    {
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_retries",
        "max_tokens",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "prompt_cache_retention",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)
_MODEL_DEPENDENT = frozenset({"reasoning_effort", "verbosity"})
_BASE_PARAMS = OPENAI_CHAT_PARAMS - _MODEL_DEPENDENT

# --------------------------------------------------------------------------------------------------
# OpenAI model families (o-series, gpt-5): which params they take, and how max_tokens is spelled
# --------------------------------------------------------------------------------------------------

_O_SERIES = re.compile(r"^o\d+(?:-|$)")
# Known OpenAI families that do not reason: reasoning_effort is refused for them (LiteLLM does the same
# through the price map); an unknown model name (a custom deployment, a new model) is given the benefit
# of the doubt.
_NON_REASONING = ("gpt-3.5", "gpt-4", "chatgpt-", "gpt-5-chat", "davinci", "babbage")
_O_SERIES_UNSUPPORTED = frozenset(
    {"top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs", "parallel_tool_calls"}
)
_GPT5_UNSUPPORTED = frozenset(
    {
        "audio",
        "modalities",
        "stop",
        "logit_bias",
        "logprobs",
        "top_logprobs",
        "top_p",
        "presence_penalty",
        "frequency_penalty",
        "web_search_options",
        "prediction",
    }
)


def _bare_openai_model(model: str) -> str:
    # "ft:gpt-4o-mini:org::id" is a fine-tune of gpt-4o-mini; "openai/gpt-4o" may reach us from a proxy
    if model.startswith("ft:"):
        model = model[3:]
    return model.rsplit("/", 1)[-1].lower()


@lru_cache(maxsize=1024)  # pure in the model name; called for every OpenAI/Azure request
def openai_family(model: str) -> str:
    """ "o" (o1/o3/o4...), "gpt5" (reasoning gpt-5), "chat" (non-reasoning) or "unknown"."""
    bare = _bare_openai_model(model)
    if _O_SERIES.match(bare):
        return "o"
    if bare.startswith("gpt-5") and not bare.startswith("gpt-5-chat"):
        return "gpt5"
    if bare.startswith(_NON_REASONING):
        return "chat"
    return "unknown"


@lru_cache(maxsize=1024)
def _openai_supported(model: str) -> frozenset[str]:
    family = openai_family(model)
    if family == "o":
        return (_BASE_PARAMS - _O_SERIES_UNSUPPORTED) | {"reasoning_effort"}
    if family == "gpt5":
        return (_BASE_PARAMS - _GPT5_UNSUPPORTED) | {"reasoning_effort", "verbosity"}
    if family == "chat":
        return _BASE_PARAMS
    return _BASE_PARAMS | {"reasoning_effort"}


@lru_cache(maxsize=1024)
def _openai_supported_without(model: str, unsupported: frozenset[str]) -> frozenset[str]:
    """``_openai_supported(model) - unsupported``, made once per model (a set difference per call
    otherwise; the provider rows' sets are frozen)."""
    return _openai_supported(model) - unsupported


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def classify_openai_error(status_code: int, body: Any) -> ErrorInfo:
    """Map an OpenAI-format error response to an exception kind and a clean message."""
    message, code, _etype = error_fields(body)
    if not message:
        message = f"HTTP {status_code}"
    if status_code in (400, 413, 422) or (400 <= status_code < 500 and code == "context_length_exceeded"):
        if looks_like_context_window(message, code):
            return ErrorInfo("ContextWindowExceededError", message)
        if looks_like_content_policy(body, message, code):
            return ErrorInfo("ContentPolicyViolationError", message)
    return ErrorInfo(kind_for_status(status_code), message)


def _stream_error_status(obj: Mapping[str, Any]) -> int:
    err = obj.get("error")
    if isinstance(err, Mapping):
        for key in ("status", "status_code", "code"):
            value = err.get(key)
            if isinstance(value, int) and 400 <= value < 600:
                return value
            if isinstance(value, str) and value.isdigit() and 400 <= int(value) < 600:
                return int(value)
        if err.get("code") == "rate_limit_exceeded" or err.get("type") == "rate_limit_error":
            return 429
    return 500


# --------------------------------------------------------------------------------------------------
# The adapter
# --------------------------------------------------------------------------------------------------


class OpenAICompatAdapter:
    """Speaks OpenAI chat completions to any row of :data:`PROVIDERS` (and is Azure's base class)."""

    def __init__(self, spec: CompatProvider) -> None:
        self.spec = spec
        self.name = spec.name
        # base.py: api_key_env None means "no key needed", so the pipeline never demands one from a
        # local server; the optional key's env var stays in env_vars for credentials_from_env
        self.api_key_env = spec.api_key_env if spec.api_key_required else None
        self.api_base_env = spec.api_base_env
        self.default_api_base = spec.default_api_base
        self.api_key_required = spec.api_key_required
        # the names the pipeline reads for alternative env vars (after api_key_env / api_base_env)
        self.api_key_env_fallbacks = spec.api_key_env_aliases
        self.api_base_env_fallbacks = spec.api_base_env_aliases
        # Credentials field -> env var names, in precedence order (read by litellm.providers.environment)
        env_vars: dict[str, tuple[str, ...]] = {}
        if spec.api_key_env:
            env_vars["api_key"] = (spec.api_key_env, *spec.api_key_env_aliases)
        if spec.api_base_env:
            env_vars["api_base"] = (spec.api_base_env, *spec.api_base_env_aliases)
        if spec.organization_env:
            env_vars["organization"] = (spec.organization_env,)
        self.env_vars: Mapping[str, tuple[str, ...]] = env_vars
        #: (template, {placeholder: env var names}): ``litellm.providers.environment`` fills api_base
        #: from it when the call has none (the adapter itself never reads the environment)
        self.api_base_template: tuple[str, dict[str, tuple[str, ...]]] | None = (
            (spec.base_template, dict(spec.template_env)) if spec.base_template else None
        )
        self._static_supported = ((_BASE_PARAMS - spec.unsupported) | spec.extra) - _MODEL_DEPENDENT
        self._renames = dict(spec.renames)
        self._tool_choice_renames = dict(spec.tool_choice_renames)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # ---- params --------------------------------------------------------------------------------

    def supported_params(self, model: str) -> frozenset[str]:
        spec = self.spec
        if spec.openai_model_rules:
            return _openai_supported_without(model, spec.unsupported)
        supported = self._static_supported
        if spec._reasoning_re is not None and spec._reasoning_re.search(model):
            supported = supported | {"reasoning_effort"}
        return supported

    def param_problem(self, model: str, name: str, value: Any, params: Mapping[str, Any]) -> str | None:
        """Why a supported param's *value* cannot be sent (None when it can)."""
        if not self.spec.openai_model_rules or name != "temperature" or value in (None, 1, 1.0):
            return None
        family = openai_family(model)
        if family == "o":
            return f"O-series models don't support temperature={value}. Only temperature=1 is supported."
        if family == "gpt5" and params.get("reasoning_effort") != "none":
            return (
                f"gpt-5 doesn't support temperature={value} while reasoning is on. Only temperature=1 is "
                "supported unless reasoning_effort='none'."
            )
        return None

    # ---- request -------------------------------------------------------------------------------

    def chat_url(self, model: str, credentials: Credentials) -> str:
        spec = self.spec
        base = credentials.api_base or self.default_api_base
        if not base:
            hint = ""
            if self.api_base_env:
                hint = f" or set {self.api_base_env}"
            if spec.template_env:
                names = " and ".join(names[0] for _, names in spec.template_env)
                hint += f" (or {names}, to build {spec.base_template})"
            raise make_error(
                "BadRequestError",
                f"{self.name} needs an api_base: pass api_base='http://host:port/v1'{hint}.",
                model=model,
                provider=self.name,
            )
        base, sep, query = base.partition("?")
        base = base.rstrip("/")
        if not base.endswith("/chat/completions"):
            ensure = spec.ensure_path
            if ensure and not base.endswith(ensure):
                base += ensure
            if spec.host_paths:
                host = urlsplit(base).hostname or ""
                for suffix, path in spec.host_paths:
                    if host.endswith(suffix) and not base.endswith(path):
                        base += path
            base += "/chat/completions"
        param = spec.api_version_param
        if param and f"{param}=" not in query:
            version = credentials.api_version
            if version:
                query = f"{query}&{param}={quote(version)}" if query else f"{param}={quote(version)}"
                sep = "?"
        return base + sep + query if sep else base

    def auth_headers(self, credentials: Credentials) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if credentials.api_key:
            headers["Authorization"] = f"Bearer {credentials.api_key}"
        if credentials.organization and self.spec.organization_env:
            headers["OpenAI-Organization"] = credentials.organization
        return headers

    def wire_model(self, model: str) -> str:
        prefix = self.spec.model_prefix
        if prefix and not model.startswith(prefix) and not model.startswith("accounts/"):
            return prefix + model
        return model

    def build_body(
        self, model: str, messages: list[dict[str, Any]], optional_params: Mapping[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        spec = self.spec
        body: dict[str, Any] = {"model": self.wire_model(model), "messages": messages}
        renames = self._renames
        for key, value in optional_params.items():
            if value is None or key == "stream":
                continue
            if key == "stream_options":
                # OpenAI rejects stream_options on a non-streamed call
                if stream:
                    body[key] = value
                continue
            if key == "response_format":
                value = normalize_response_format(value)
            elif key == "tool_choice" and isinstance(value, str) and value in self._tool_choice_renames:
                value = self._tool_choice_renames[value]
            elif key == "max_tokens" and spec.openai_model_rules and openai_family(model) in ("o", "gpt5"):
                # the model's family is read only when there is a max_tokens to rename
                key = "max_completion_tokens"
            body[renames.get(key, key)] = value
        if spec.name == "deepseek" and "reasoning_effort" in body and "thinking" not in body:
            # DeepSeek switches thinking on with its own param; LiteLLM adds it for reasoning_effort
            if body["reasoning_effort"] != "none":
                body["thinking"] = {"type": "enabled"}
        for key, value in spec.body_defaults:
            body.setdefault(key, value)
        if stream:
            body["stream"] = True
        return body

    def build_request(
        self,
        model: str,
        messages: list[dict[str, Any]],
        optional_params: dict[str, Any],
        credentials: Credentials,
        *,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProviderRequest:
        url = self.chat_url(model, credentials)
        headers = self.auth_headers(credentials)
        body = self.build_body(model, messages, optional_params, stream=stream)
        if extra_body:
            body.update(extra_body)
        if extra_headers:
            headers.update(extra_headers)
        return ProviderRequest(url=url, headers=headers, body=body)

    # ---- response ------------------------------------------------------------------------------

    def normalise_message(self, message: dict[str, Any]) -> None:
        """Each reply message and stream delta, in place, before the caller sees it (an adapter whose
        server shapes content its own way extends this)."""
        _promote_reasoning(message)

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        if "id" not in data:
            data["id"] = f"chatcmpl-{int(time.time() * 1000)}"
        if not data.get("created"):
            data["created"] = int(time.time())
        if not data.get("model"):
            data["model"] = model
        data.setdefault("object", "chat.completion")
        for choice in data.get("choices") or ():
            message = choice.get("message")
            if isinstance(message, dict):
                self.normalise_message(message)
        return data

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model, created=int(time.time()))

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if not data or data == "[DONE]":
            return []
        obj = json.loads(data)
        if not isinstance(obj, dict):
            return []
        if event == "error" or ("error" in obj and not obj.get("choices")):
            raise StreamErrorEvent(_stream_error_status(obj), obj)
        choices = obj.get("choices")
        if not choices and obj.get("usage") is None:
            # Azure's leading prompt_filter_results chunk, keep-alive objects: nothing for the caller
            return []
        if not obj.get("id"):
            obj["id"] = state.response_id or f"chatcmpl-{state.created}"
        if not obj.get("created"):
            obj["created"] = state.created
        if not obj.get("model"):
            obj["model"] = state.model
        obj.setdefault("object", "chat.completion.chunk")
        if choices:
            deltaless = 0
            for choice in choices:
                delta = choice.get("delta")
                if isinstance(delta, dict):
                    self.normalise_message(delta)
                elif delta is None:
                    choice["delta"] = {}
                    if choice.get("finish_reason") is None:
                        deltaless += 1
            if deltaless == len(choices) and obj.get("usage") is None:
                # Azure's asynchronous content filter: filter results only, nothing for the caller
                return []
        return [obj]

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        return classify_openai_error(status_code, body)

    # ---- credentials ---------------------------------------------------------------------------

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        """Env var names to set for what this call lacks (empty when the call can be made)."""
        missing: list[str] = []
        if not (credentials.api_base or self.default_api_base):
            if self.api_base_env:
                missing.append(self.api_base_env)
            # or the per-account base is built from these
            missing.extend(names[0] for _, names in self.spec.template_env)
        if self.api_key_required and not credentials.api_key and self.api_key_env:
            missing.append(self.api_key_env)
        return missing


class EmbeddingRenamesAdapter(OpenAICompatAdapter):
    """A row whose ``/embeddings`` takes some OpenAI params under its own names (Voyage's
    ``output_dimension`` for ``dimensions``)."""

    def build_embedding_request(
        self, model: str, input: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        from litellm.providers.openai_endpoints import openai_endpoint_request

        renames = dict(self.spec.embedding_renames)
        body: dict[str, Any] = {"model": self.wire_model(model), "input": input}
        for key, value in params.items():
            if value is not None:
                body[renames.get(key, key)] = value
        return openai_endpoint_request(self, model, credentials, "embeddings", body=body)


def _promote_reasoning(message: dict[str, Any]) -> None:
    # OpenRouter, Groq and Ollama name the reasoning text "reasoning"; LiteLLM exposes "reasoning_content"
    reasoning = message.get("reasoning")
    if isinstance(reasoning, str) and message.get("reasoning_content") is None:
        message["reasoning_content"] = reasoning


def make_adapter(name: str) -> OpenAICompatAdapter:
    """Factory the registry calls for any table row."""
    spec = PROVIDERS[name]
    if spec.embedding_renames:
        return EmbeddingRenamesAdapter(spec)
    return OpenAICompatAdapter(spec)
