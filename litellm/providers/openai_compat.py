"""The OpenAI wire format: one adapter class and the table of providers that speak it.

Owns: :class:`CompatProvider` (one data row per OpenAI-compatible provider: default base URL, env var
names, param quirks), :data:`PROVIDERS` (the table), :class:`OpenAICompatAdapter` (request building,
response / SSE chunk parsing and error classification for every row), and the OpenAI model-family rules
(o-series and gpt-5 take ``max_completion_tokens`` and only ``temperature=1``).

Facts in the table (base URLs, env var names, which OpenAI params each provider takes) come from LiteLLM
1.110.2's provider configs and the providers' public API references; the code is ours.

Must not: send, sleep, log or read the environment (the pipeline resolves credentials, see
``litellm.providers.environment``), or import anything heavy. Adding a provider is adding a row.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
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

_TO_MAX_TOKENS = (("max_completion_tokens", "max_tokens"),)


@dataclass(frozen=True, slots=True)
class CompatProvider:
    """One OpenAI-compatible provider, as data."""

    name: str
    default_api_base: str | None
    api_key_env: str | None
    api_base_env: str | None = None
    #: other env var names LiteLLM also reads for the key / base, in precedence order after the main one
    api_key_env_aliases: tuple[str, ...] = ()
    api_base_env_aliases: tuple[str, ...] = ()
    #: False for local servers (vLLM, LM Studio, Ollama): no key, no Authorization header, no error
    api_key_required: bool = True
    #: OpenAI params this provider does not take (dropped with drop_params, else UnsupportedParamsError)
    unsupported: frozenset[str] = frozenset()
    #: params it takes beyond OpenAI's (e.g. ``thinking``)
    extra: frozenset[str] = frozenset()
    #: OpenAI name -> provider name, applied when the body is built
    renames: tuple[tuple[str, str], ...] = ()
    #: regex of model names that take ``reasoning_effort`` ("" = none, "." = all)
    reasoning_models: str = ""
    #: path the base URL must end with (Ollama's OpenAI endpoint lives under /v1)
    ensure_path: str | None = None
    #: prefix model ids must carry on the wire (Fireworks: "accounts/fireworks/models/")
    model_prefix: str | None = None
    #: o-series / gpt-5 rules (OpenAI and Azure only)
    openai_model_rules: bool = False
    #: env var for the OpenAI-Organization header
    organization_env: str | None = None
    #: body keys added when the caller did not set them
    body_defaults: tuple[tuple[str, Any], ...] = ()
    #: tool_choice values renamed on the wire (Mistral says "any" for "required")
    tool_choice_renames: tuple[tuple[str, str], ...] = ()
    #: base URL with ``{placeholders}`` filled from env vars when no api_base is given (Cloudflare's
    #: per-account URL); the env read happens in ``litellm.providers.environment``
    base_template: str | None = None
    #: placeholder -> env var names, in precedence order
    template_env: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: query parameter carrying ``api_version`` (Azure AI Foundry's ``api-version``)
    api_version_param: str | None = None
    #: path a base on a host ending with the suffix must end with ((suffix, path), ...)
    host_paths: tuple[tuple[str, str], ...] = ()
    #: embedding params renamed on the wire (Voyage: ``dimensions`` -> ``output_dimension``)
    embedding_renames: tuple[tuple[str, str], ...] = ()
    #: where the facts come from
    source: str = ""
    _reasoning_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.reasoning_models:
            object.__setattr__(self, "_reasoning_re", re.compile(self.reasoning_models, re.I))


def _row(name: str, base: str | None, key_env: str | None, base_env: str | None, **kw: Any) -> CompatProvider:
    return CompatProvider(name=name, default_api_base=base, api_key_env=key_env, api_base_env=base_env, **kw)


_LOCAL_UNSUPPORTED = frozenset({"user"})

# Params only OpenAI's own API takes; most compatible providers refuse them. Rows below list what they
# refuse as this set plus or minus their differences (mirroring LiteLLM's per-provider lists).
_OPENAI_ONLY = frozenset(
    {
        "audio",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_retries",
        "modalities",
        "prediction",
        "prompt_cache_key",
        "prompt_cache_retention",
        "safety_identifier",
        "service_tier",
        "store",
        "top_logprobs",
        "user",
        "web_search_options",
    }
)

PROVIDERS: dict[str, CompatProvider] = {
    p.name: p
    for p in (
        _row(
            "openai",
            "https://api.openai.com/v1",
            "OPENAI_API_KEY",
            "OPENAI_BASE_URL",
            api_base_env_aliases=("OPENAI_API_BASE",),
            organization_env="OPENAI_ORGANIZATION",
            openai_model_rules=True,
            source="https://platform.openai.com/docs/api-reference/chat/create",
        ),
        # any OpenAI-compatible server at the api_base the caller gives (LiteLLM reads OPENAI_API_KEY for it)
        _row(
            "custom_openai",
            None,
            "OPENAI_API_KEY",
            "OPENAI_API_BASE",
            api_key_required=False,
            unsupported=frozenset({"user"}),
            renames=_TO_MAX_TOKENS,
            reasoning_models=".",
        ),
        _row(
            "groq",
            "https://api.groq.com/openai/v1",
            "GROQ_API_KEY",
            "GROQ_API_BASE",
            unsupported=frozenset({"max_retries", "user", "web_search_options"}),
            renames=_TO_MAX_TOKENS,
            reasoning_models=r"gpt-oss|qwen3|deepseek-r1|reasoning",
            source="https://console.groq.com/docs/api-reference#chat-create",
        ),
        _row(
            "together_ai",
            "https://api.together.ai/v1",
            "TOGETHER_API_KEY",
            "TOGETHER_AI_API_BASE",
            api_key_env_aliases=("TOGETHER_AI_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_TOKEN"),
            unsupported=frozenset({"user"}),
            source="https://docs.together.ai/reference/chat-completions-1",
        ),
        _row(
            "deepseek",
            "https://api.deepseek.com/beta",
            "DEEPSEEK_API_KEY",
            "DEEPSEEK_API_BASE",
            unsupported=frozenset({"user"}),
            extra=frozenset({"thinking"}),
            reasoning_models=".",
            source="https://api-docs.deepseek.com/api/create-chat-completion",
        ),
        _row(
            "fireworks_ai",
            "https://api.fireworks.ai/inference/v1",
            "FIREWORKS_API_KEY",
            "FIREWORKS_API_BASE",
            api_key_env_aliases=("FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"),
            unsupported=(
                _OPENAI_ONLY
                - {
                    "logit_bias",
                    "logprobs",
                    "prediction",
                    "prompt_cache_key",
                    "service_tier",
                    "top_logprobs",
                    "user",
                }
            ),
            renames=_TO_MAX_TOKENS,
            model_prefix="accounts/fireworks/models/",
            source="https://docs.fireworks.ai/api-reference/post-chatcompletions",
        ),
        _row(
            "openrouter",
            "https://openrouter.ai/api/v1",
            "OPENROUTER_API_KEY",
            "OPENROUTER_API_BASE",
            api_key_env_aliases=("OR_API_KEY",),
            unsupported=frozenset({"user"}),
            extra=frozenset({"thinking"}),
            reasoning_models=".",
            # OpenRouter reports the call's cost in usage only when asked (LiteLLM always asks)
            body_defaults=(("usage", {"include": True}),),
            source="https://openrouter.ai/docs/api-reference/chat-completion",
        ),
        _row(
            "mistral",
            "https://api.mistral.ai/v1",
            "MISTRAL_API_KEY",
            "MISTRAL_API_BASE",
            api_key_env_aliases=("MISTRAL_AZURE_API_KEY",),
            api_base_env_aliases=("MISTRAL_AZURE_API_BASE",),
            unsupported=(_OPENAI_ONLY - {"prompt_cache_key"})
            | {"frequency_penalty", "n", "presence_penalty", "stream_options"},
            renames=(("max_completion_tokens", "max_tokens"), ("seed", "random_seed")),
            tool_choice_renames=(("required", "any"),),
            ensure_path="/v1",
            source="https://docs.mistral.ai/api/#tag/chat",
        ),
        _row(
            "perplexity",
            "https://api.perplexity.ai",
            "PERPLEXITYAI_API_KEY",
            "PERPLEXITY_API_BASE",
            api_key_env_aliases=("PERPLEXITY_API_KEY",),
            unsupported=(_OPENAI_ONLY - {"max_retries", "web_search_options"})
            | {"n", "parallel_tool_calls", "seed", "stop", "stream_options", "tool_choice", "tools"},
            reasoning_models=r"reasoning|deep-research",
            source="https://docs.perplexity.ai/api-reference/chat-completions-post",
        ),
        _row(
            "deepinfra",
            "https://api.deepinfra.com/v1/openai",
            "DEEPINFRA_API_KEY",
            "DEEPINFRA_API_BASE",
            unsupported=(_OPENAI_ONLY - {"function_call", "functions", "logit_bias"})
            | {"parallel_tool_calls", "seed", "stream_options"},
            renames=_TO_MAX_TOKENS,
            source="https://deepinfra.com/docs/openai_api",
        ),
        _row(
            "xai",
            "https://api.x.ai/v1",
            "XAI_API_KEY",
            "XAI_API_BASE",
            unsupported=(
                _OPENAI_ONLY - {"logit_bias", "logprobs", "top_logprobs", "user", "web_search_options"}
            ),
            renames=_TO_MAX_TOKENS,
            reasoning_models=r"grok-3-mini",
            source="https://docs.x.ai/docs/api-reference#chat-completions",
        ),
        _row(
            "cerebras",
            "https://api.cerebras.ai/v1",
            "CEREBRAS_API_KEY",
            "CEREBRAS_API_BASE",
            unsupported=(_OPENAI_ONLY - {"max_retries", "user"})
            | {"frequency_penalty", "n", "parallel_tool_calls", "presence_penalty", "stream_options"},
            renames=_TO_MAX_TOKENS,
            source="https://inference-docs.cerebras.ai/api-reference/chat-completions",
        ),
        _row(
            "sambanova",
            "https://api.sambanova.ai/v1",
            "SAMBANOVA_API_KEY",
            "SAMBANOVA_API_BASE",
            unsupported=_OPENAI_ONLY
            | {"frequency_penalty", "n", "parallel_tool_calls", "presence_penalty", "seed"},
            renames=_TO_MAX_TOKENS,
            source="https://docs.sambanova.ai/cloud/api-reference/endpoints/chat",
        ),
        _row(
            "nvidia_nim",
            "https://integrate.api.nvidia.com/v1",
            "NVIDIA_NIM_API_KEY",
            "NVIDIA_NIM_API_BASE",
            unsupported=_OPENAI_ONLY | {"n", "stream_options"},
            renames=_TO_MAX_TOKENS,
            source="https://docs.api.nvidia.com/nim/reference/create_chat_completion_v1_chat_completions_post",
        ),
        _row(
            "hosted_vllm",
            None,
            "HOSTED_VLLM_API_KEY",
            "HOSTED_VLLM_API_BASE",
            api_key_required=False,
            unsupported=_LOCAL_UNSUPPORTED,
            extra=frozenset({"thinking"}),
            reasoning_models=".",
            source="https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html",
        ),
        _row(
            "lm_studio",
            # LM Studio's documented local server address (LiteLLM has no default and needs LM_STUDIO_API_BASE)
            "http://localhost:1234/v1",
            "LM_STUDIO_API_KEY",
            "LM_STUDIO_API_BASE",
            api_key_required=False,
            unsupported=_LOCAL_UNSUPPORTED,
            source="https://lmstudio.ai/docs/app/api/endpoints/openai",
        ),
        _row(
            "github",
            "https://models.inference.ai.azure.com",
            "GITHUB_API_KEY",
            "GITHUB_API_BASE",
            renames=_TO_MAX_TOKENS,
            source="https://docs.github.com/en/github-models",
        ),
        _row(
            "databricks",
            None,
            "DATABRICKS_API_KEY",
            "DATABRICKS_API_BASE",
            unsupported=(_OPENAI_ONLY - {"service_tier"})
            | {"frequency_penalty", "parallel_tool_calls", "presence_penalty", "seed", "stream_options"},
            extra=frozenset({"thinking"}),
            renames=_TO_MAX_TOKENS,
            reasoning_models=".",
            source="https://docs.databricks.com/en/machine-learning/foundation-model-apis/api-reference.html",
        ),
        _row(
            "anyscale",
            "https://api.endpoints.anyscale.com/v1",
            "ANYSCALE_API_KEY",
            "ANYSCALE_API_BASE",
            unsupported=_OPENAI_ONLY
            | {"parallel_tool_calls", "response_format", "seed", "tool_choice", "tools"},
            renames=_TO_MAX_TOKENS,
        ),
        _row(
            "friendliai",
            "https://api.friendli.ai/serverless/v1",
            "FRIENDLIAI_API_KEY",
            "FRIENDLI_API_BASE",
            api_key_env_aliases=("FRIENDLI_TOKEN",),
            unsupported=frozenset({"user"}),
            renames=_TO_MAX_TOKENS,
            source="https://friendli.ai/docs/openapi/serverless/chat-completions",
        ),
        # More OpenAI-compatible providers LiteLLM routes the same way (base URL and key env var only).
        _row("codestral", "https://codestral.mistral.ai/v1", "CODESTRAL_API_KEY", "CODESTRAL_API_BASE"),
        _row("nebius", "https://api.studio.nebius.ai/v1", "NEBIUS_API_KEY", "NEBIUS_API_BASE"),
        _row("novita", "https://api.novita.ai/v3/openai", "NOVITA_API_KEY", "NOVITA_API_BASE"),
        _row("meta_llama", "https://api.llama.com/compat/v1", "LLAMA_API_KEY", "LLAMA_API_BASE"),
        _row("lambda_ai", "https://api.lambda.ai/v1", "LAMBDA_API_KEY", "LAMBDA_API_BASE"),
        _row("hyperbolic", "https://api.hyperbolic.xyz/v1", "HYPERBOLIC_API_KEY", "HYPERBOLIC_API_BASE"),
        _row(
            "featherless_ai",
            "https://api.featherless.ai/v1",
            "FEATHERLESS_AI_API_KEY",
            "FEATHERLESS_AI_API_BASE",
        ),
        _row("galadriel", "https://api.galadriel.com/v1", "GALADRIEL_API_KEY", "GALADRIEL_API_BASE"),
        _row(
            "volcengine",
            "https://ark.cn-beijing.volces.com/api/v3",
            "VOLCENGINE_API_KEY",
            "VOLCENGINE_API_BASE",
            api_key_env_aliases=("ARK_API_KEY",),
            api_base_env_aliases=("ARK_API_BASE",),
            source="https://www.volcengine.com/docs/82379/1494384",
        ),
        _row("wandb", "https://api.inference.wandb.ai/v1", "WANDB_API_KEY", "WANDB_API_BASE"),
        # AI21 Jamba: OpenAI-shaped chat at /studio/v1 ("ai21/" is LiteLLM's older name for the same)
        *(
            _row(
                name,
                "https://api.ai21.com/studio/v1",
                "AI21_API_KEY",
                "AI21_API_BASE",
                unsupported=_OPENAI_ONLY
                | {"frequency_penalty", "presence_penalty", "parallel_tool_calls", "top_p", "stream_options"},
                renames=_TO_MAX_TOKENS,
                source="https://docs.ai21.com/reference/jamba-1-6-api-ref",
            )
            for name in ("ai21_chat", "ai21")
        ),
        _row(
            "xinference",
            "http://127.0.0.1:9997/v1",
            "XINFERENCE_API_KEY",
            "XINFERENCE_API_BASE",
            api_key_required=False,
            unsupported=_LOCAL_UNSUPPORTED,
            source="https://inference.readthedocs.io/en/latest/user_guide/client_api.html",
        ),
        # Infinity serves OpenAI-compatible /embeddings (and rerank) at the server the caller runs
        _row(
            "infinity",
            None,
            "INFINITY_API_KEY",
            "INFINITY_API_BASE",
            api_key_required=False,
            source="https://michaelfeil.github.io/infinity/",
        ),
        _row(
            "baseten",
            "https://inference.baseten.co/v1",
            "BASETEN_API_KEY",
            "BASETEN_API_BASE",
            renames=_TO_MAX_TOKENS,
            source="https://docs.baseten.co/development/model-apis/overview",
        ),
        # Cloudflare Workers AI's OpenAI-compatible endpoint is per account: the base is built from
        # CLOUDFLARE_ACCOUNT_ID when no api_base / CLOUDFLARE_API_BASE is given; the env vars include the
        # seed's CLOUDFARE_ spellings
        _row(
            "cloudflare",
            None,
            "CLOUDFLARE_API_KEY",
            "CLOUDFLARE_API_BASE",
            api_key_env_aliases=("CLOUDFARE_API_KEY",),
            api_base_env_aliases=("CLOUDFARE_API_BASE",),
            base_template="https://api.cloudflare.com/client/v4/accounts/{account_id}/ai/v1",
            template_env=(("account_id", ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFARE_ACCOUNT_ID")),),
            unsupported=_OPENAI_ONLY
            | {"n", "parallel_tool_calls", "logprobs", "top_logprobs", "response_format"},
            source="https://developers.cloudflare.com/workers-ai/configuration/open-ai-compatibility/",
        ),
        # Snowflake Cortex REST's OpenAI-compatible chat, per account (SNOWFLAKE_ACCOUNT_ID); the token
        # (a key-pair JWT, OAuth token or PAT) is sent as a bearer token and Snowflake detects its type
        _row(
            "snowflake",
            None,
            "SNOWFLAKE_JWT",
            "SNOWFLAKE_API_BASE",
            api_key_env_aliases=("SNOWFLAKE_PAT",),
            base_template="https://{account_id}.snowflakecomputing.com/api/v2/cortex/v1",
            template_env=(("account_id", ("SNOWFLAKE_ACCOUNT_ID",)),),
            unsupported=_OPENAI_ONLY | {"n", "logprobs", "frequency_penalty", "presence_penalty", "seed"},
            renames=_TO_MAX_TOKENS,
            source="https://docs.snowflake.com/en/user-guide/snowflake-cortex/open_ai_sdk",
        ),
        # Azure AI Foundry model inference: api_base is the resource's endpoint; a
        # "<name>.services.ai.azure.com" resource serves it under /models; api_version= (or
        # litellm.api_version) is sent as the api-version query, as LiteLLM sends it (none by default)
        _row(
            "azure_ai",
            None,
            "AZURE_AI_API_KEY",
            "AZURE_AI_API_BASE",
            unsupported=frozenset({"user"}),
            api_version_param="api-version",
            host_paths=((".services.ai.azure.com", "/models"),),
            source="https://learn.microsoft.com/en-us/rest/api/aifoundry/model-inference/get-chat-completions",
        ),
        # embedding-only providers with OpenAI-compatible /embeddings
        _row(
            "voyage",
            "https://api.voyageai.com/v1",
            "VOYAGE_API_KEY",
            "VOYAGE_API_BASE",
            api_key_env_aliases=("VOYAGE_AI_API_KEY", "VOYAGE_AI_TOKEN"),
            embedding_renames=(("dimensions", "output_dimension"),),
            source="https://docs.voyageai.com/reference/embeddings-api",
        ),
        _row(
            "jina_ai",
            "https://api.jina.ai/v1",
            "JINA_AI_API_KEY",
            "JINA_AI_API_BASE",
            api_key_env_aliases=("JINA_API_KEY", "JINA_AI_TOKEN"),
            source="https://jina.ai/embeddings/",
        ),
    )
}


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
            return _openai_supported(model) - spec.unsupported
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
        max_to_completion = spec.openai_model_rules and openai_family(model) in ("o", "gpt5")
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
            elif key == "max_tokens" and max_to_completion:
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
                _promote_reasoning(message)
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
                    _promote_reasoning(delta)
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
