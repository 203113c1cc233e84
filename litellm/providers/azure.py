"""Azure OpenAI: the OpenAI wire format at a deployment URL, with Azure's auth and api-version.

Owns: :class:`AzureOpenAIAdapter` (URL ``{api_base}/openai/deployments/{deployment}/chat/completions
?api-version=...``, ``api-key`` header or ``Authorization: Bearer <azure_ad_token>``, Azure's env var names,
the default api-version, and Azure's content-filter errors). Bodies, responses and stream chunks are
OpenAI's, so everything else comes from :class:`~litellm.providers.openai_compat.OpenAICompatAdapter`.

Facts (env var names, default api-version "2025-02-01-preview", AZURE_OPENAI_API_KEY accepted as a key
fallback, no AZURE_OPENAI_ENDPOINT) are LiteLLM 1.110.2's. Must not: send, log or read the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litellm.providers._common import make_error
from litellm.providers.base import Credentials, ErrorInfo
from litellm.providers.openai_compat import CompatProvider, OpenAICompatAdapter, classify_openai_error

__all__ = ["DEFAULT_API_VERSION", "AzureOpenAIAdapter"]

#: LiteLLM's AZURE_DEFAULT_API_VERSION in 1.110.2
DEFAULT_API_VERSION = "2025-02-01-preview"

_SPEC = CompatProvider(
    name="azure",
    default_api_base=None,
    api_key_env="AZURE_API_KEY",
    api_base_env="AZURE_API_BASE",
    api_key_env_aliases=("AZURE_OPENAI_API_KEY",),
    # Azure's chat API is OpenAI's minus these (LiteLLM's list for azure)
    unsupported=frozenset({"max_retries", "prompt_cache_retention", "safety_identifier", "service_tier"}),
    openai_model_rules=True,
    source="https://learn.microsoft.com/en-us/azure/ai-services/openai/reference",
)


class AzureOpenAIAdapter(OpenAICompatAdapter):
    """``azure/<deployment>``: the model after the slash is the deployment name."""

    api_version_env = "AZURE_API_VERSION"
    ad_token_env = "AZURE_AD_TOKEN"
    default_api_version = DEFAULT_API_VERSION

    def __init__(self) -> None:
        super().__init__(_SPEC)
        self.env_vars = {
            "api_key": ("AZURE_API_KEY", "AZURE_OPENAI_API_KEY"),
            "api_base": ("AZURE_API_BASE",),
            "api_version": ("AZURE_API_VERSION",),
            "azure_ad_token": ("AZURE_AD_TOKEN",),
        }

    def chat_url(self, model: str, credentials: Credentials) -> str:
        base = credentials.api_base
        if not base:
            raise make_error(
                "BadRequestError",
                "Azure OpenAI needs an api_base (https://<resource>.openai.azure.com): pass api_base=... "
                "or set AZURE_API_BASE.",
                model=model,
                provider=self.name,
            )
        version = credentials.api_version or self.default_api_version
        base = base.rstrip("/")
        if base.endswith("/chat/completions"):
            url = base
        elif "/openai/deployments/" in base:
            url = base + "/chat/completions"
        else:
            url = f"{base}/openai/deployments/{quote(model, safe='')}/chat/completions"
        if "api-version=" in url:
            return url
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}api-version={quote(version, safe='')}"

    def auth_headers(self, credentials: Credentials) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if credentials.api_key:
            headers["api-key"] = credentials.api_key
        elif credentials.azure_ad_token:
            token = credentials.azure_ad_token
            headers["Authorization"] = token if token.startswith("Bearer ") else f"Bearer {token}"
        return headers

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        # content_filter (code or innererror) -> ContentPolicyViolationError is handled by the shared rules
        return classify_openai_error(status_code, body)

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        missing: list[str] = []
        if not credentials.api_base:
            missing.append("AZURE_API_BASE")
        if not (credentials.api_key or credentials.azure_ad_token):
            missing.append("AZURE_API_KEY")
        return missing


def make_adapter(name: str = "azure") -> AzureOpenAIAdapter:
    return AzureOpenAIAdapter()
