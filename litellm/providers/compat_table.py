"""The table of OpenAI-compatible providers: one :class:`CompatProvider` row each.

Owns: :class:`CompatProvider` (default base URL, env var names, param quirks, per-account base
templates, api-version query, embedding param names) and :data:`PROVIDERS`. The facts (base URLs, env
var names, which OpenAI params each provider takes) come from LiteLLM 1.110.2's provider configs and the
providers' public API references; the code is ours. :mod:`litellm.providers.openai_compat` speaks the
wire for every row.

Must not: hold behaviour (the adapter does), read the environment, or import anything heavy. Adding a
provider is adding a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PROVIDERS", "CompatProvider"]

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
