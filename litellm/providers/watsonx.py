"""IBM watsonx.ai: ``watsonx/<model>`` (the chat API), ``watsonx_text/<model>`` (text generation),
``watsonx/deployment/<id>`` (a deployed model) and embeddings.

Owns: :class:`WatsonxAdapter`. Chat posts ``{model_id, project_id|space_id, messages, ...}`` to
``/ml/v1/text/chat`` (streamed: ``/ml/v1/text/chat_stream``, SSE of OpenAI-shaped chunks); text
generation posts ``{model_id, input, parameters{max_new_tokens, stop_sequences, random_seed,
decoding_method, ...}}`` to ``/ml/v1/text/generation`` (``generation_stream``); embeddings post
``{inputs, model_id}`` to ``/ml/v1/text/embeddings``; every URL carries ``?version=`` (api_version,
WATSONX_API_VERSION, default 2024-03-13 as LiteLLM). Auth is an IAM bearer token exchanged from the API key
and cached until expiry (``litellm.providers.auth.ibm``), or a ready WATSONX_TOKEN, or a Cloud Pak for
Data ``ZenApiKey``. Errors from ``{"errors": [{code, message}], "status_code"}``.

Env (LiteLLM's names, read through ``env_value``): WATSONX_APIKEY / WATSONX_API_KEY / WX_API_KEY /
IBM_WATSONX_API_KEY; WATSONX_URL / WATSONX_API_BASE / WX_URL / WML_URL (or WATSONX_REGION for
``https://<region>.ml.cloud.ibm.com``); WATSONX_PROJECT_ID / WX_PROJECT_ID / PROJECT_ID; WATSONX_SPACE_ID /
WATSONX_DEPLOYMENT_SPACE_ID / WX_SPACE_ID / SPACE_ID; WATSONX_TOKEN; WATSONX_ZENAPIKEY; WATSONX_IAM_URL.
Must not: send (the IAM exchange belongs to the auth helper), log or sleep.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from litellm.providers._common import error_fields, kind_for_status, looks_like_context_window, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState
from litellm.providers.environment import env_value

__all__ = ["DEFAULT_API_VERSION", "WatsonxAdapter", "make_adapter"]

DEFAULT_API_VERSION = "2024-03-13"

_CHAT_PARAMS = frozenset(
    {
        "temperature",
        "max_tokens",
        "max_completion_tokens",
        "top_p",
        "frequency_penalty",
        "presence_penalty",
        "stop",
        "seed",
        "stream",
        "stream_options",
        "tools",
        "tool_choice",
        "logprobs",
        "top_logprobs",
        "n",
        "response_format",
        "reasoning_effort",
    }
)
_TEXT_PARAMS = frozenset(
    {
        "temperature",
        "max_tokens",
        "max_completion_tokens",
        "top_p",
        "frequency_penalty",
        "stop",
        "seed",
        "stream",
    }
)
_TEXT_FINISH = {
    "eos_token": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "token_limit": "length",
    "time_limit": "length",
    "cancelled": "stop",
    "error": "stop",
}
# watsonx error codes -> kind (watsonx.ai API reference, "Errors")
_ERROR_CODES = {
    "authentication_token_expired": "AuthenticationError",
    "authentication_token_not_valid": "AuthenticationError",
    "authorization_rejected": "PermissionDeniedError",
    "token_quota_reached": "RateLimitError",
    "rate_limit_exceeded": "RateLimitError",
    "model_not_supported": "NotFoundError",
    "not_found": "NotFoundError",
}
_CONTEXT_PHRASES = ("exceeds the maximum", "maximum sequence length", "tokens limit", "context length")

_ENV = {
    "api_key": ("WATSONX_APIKEY", "WATSONX_API_KEY", "WX_API_KEY", "IBM_WATSONX_API_KEY"),
    "api_base": ("WATSONX_URL", "WATSONX_API_BASE", "WX_URL", "WML_URL"),
    "api_version": ("WATSONX_API_VERSION",),
}


def _first_env(*names: str) -> str | None:
    for name in names:
        value = env_value(name)
        if value:
            return value
    return None


def _messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    # watsonx takes OpenAI-shaped messages; it refuses null content on assistant turns with tool calls
    out = []
    for m in messages:
        msg = {k: v for k, v in m.items() if k != "cache_control"}
        if msg.get("role") == "assistant" and msg.get("content") is None:
            msg.pop("content", None)
        out.append(msg)
    return out


class WatsonxAdapter:
    """IBM watsonx.ai chat, text generation and embeddings."""

    api_key_env = "WATSONX_APIKEY"
    api_base_env = "WATSONX_URL"
    default_api_base = None
    api_key_required = True
    env_vars: Mapping[str, tuple[str, ...]] = _ENV

    def __init__(self, name: str = "watsonx") -> None:
        self.name = name
        self.text = name == "watsonx_text"

    def __repr__(self) -> str:
        return f"WatsonxAdapter({self.name!r})"

    def supported_params(self, model: str) -> frozenset[str]:
        return _TEXT_PARAMS if self.text else _CHAT_PARAMS

    # ---- credentials and scope -----------------------------------------------------------------

    def _base(self, credentials: Credentials) -> str | None:
        if credentials.api_base:
            return credentials.api_base.rstrip("/")
        region = _first_env("WATSONX_REGION", "WX_REGION")
        return f"https://{region}.ml.cloud.ibm.com" if region else None

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        missing = []
        if self._base(credentials) is None:
            missing.append("WATSONX_URL")
        if not credentials.api_key and not _first_env("WATSONX_TOKEN", "WATSONX_ZENAPIKEY"):
            missing.append("WATSONX_APIKEY")
        return missing

    def _auth(self, credentials: Credentials, params: dict[str, Any]) -> Any:
        from litellm.providers.auth.ibm import IAMTokenAuth, StaticAuth

        token = params.pop("token", None) or _first_env("WATSONX_TOKEN")
        zen = params.pop("zen_api_key", None) or _first_env("WATSONX_ZENAPIKEY")
        if token:
            return StaticAuth("Bearer", str(token))
        if zen:
            return StaticAuth("ZenApiKey", str(zen))
        if not credentials.api_key:
            raise make_error(
                "AuthenticationError",
                "watsonx needs an API key: set WATSONX_APIKEY (or pass api_key=), or a token in WATSONX_TOKEN.",
                model=None,
                provider=self.name,
            )
        iam_url = params.pop("iam_url", None) or _first_env("WATSONX_IAM_URL")
        return IAMTokenAuth(credentials.api_key, iam_url, provider=self.name)

    def _scope(self, model: str, params: dict[str, Any]) -> dict[str, str]:
        project = params.pop("project_id", None) or params.pop("watsonx_project", None)
        space = params.pop("space_id", None)
        for key in ("region_name", "watsonx_region_name", "watsonx_region", "region"):
            params.pop(key, None)
        project = project or _first_env("WATSONX_PROJECT_ID", "WX_PROJECT_ID", "PROJECT_ID")
        space = space or _first_env(
            "WATSONX_DEPLOYMENT_SPACE_ID", "WATSONX_SPACE_ID", "WX_SPACE_ID", "SPACE_ID"
        )
        if model.startswith("deployment/"):
            return {"space_id": space} if space else {}
        if project:
            return {"project_id": str(project)}
        if space:
            return {"space_id": str(space)}
        raise make_error(  # LiteLLM raises this as a 401 too: the scope is part of the credentials
            "AuthenticationError",
            "watsonx needs a project or a deployment space: set WATSONX_PROJECT_ID (or WATSONX_SPACE_ID), or "
            "pass project_id= / space_id=.",
            model=model,
            provider=self.name,
        )

    def _url(self, base: str, model: str, action: str, api_version: str) -> str:
        if model.startswith("deployment/"):
            deployment = quote(model[len("deployment/") :], safe="")
            path = f"/ml/v1/deployments/{deployment}/text/{action}"
        else:
            path = f"/ml/v1/text/{action}"
        return f"{base}{path}?version={api_version}"

    # ---- request -------------------------------------------------------------------------------

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
        params = dict(optional_params)
        base = self._base(credentials)
        if base is None:
            raise make_error(
                "BadRequestError",
                "watsonx needs its service URL: set WATSONX_URL (e.g. https://us-south.ml.cloud.ibm.com) or pass "
                "api_base=.",
                model=model,
                provider=self.name,
            )
        auth = self._auth(credentials, params)
        api_version = params.pop("api_version", None) or credentials.api_version or DEFAULT_API_VERSION
        scope = self._scope(model, params)
        deployment = model.startswith("deployment/")
        if self.text:
            body = self._text_body(model, messages, params)
            action = "generation_stream" if stream else "generation"
        else:
            body = self._chat_body(model, messages, params)
            action = "chat_stream" if stream else "chat"
        if not deployment:
            body["model_id"] = model
        body.update(scope)
        if extra_body:
            body.update(extra_body)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if extra_headers:
            headers.update(extra_headers)
        return ProviderRequest(
            url=self._url(base, model, action, api_version), headers=headers, body=body, auth=auth
        )

    def _chat_body(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"messages": _messages(messages)}
        if params.get("max_tokens") is None and params.get("max_completion_tokens") is not None:
            params["max_tokens"] = params.pop("max_completion_tokens")
        params.pop("max_completion_tokens", None)
        params.pop("stream_options", None)
        choice = params.pop("tool_choice", None)
        if isinstance(choice, str):
            body["tool_choice_option"] = choice  # "auto" / "none" / "required"
        elif choice is not None:
            body["tool_choice"] = choice
        for key, value in params.items():
            if value is not None and key != "stream":
                body[key] = value
        return body

    def _text_body(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any]
    ) -> dict[str, Any]:
        from litellm.providers.huggingface import text_prompt

        parameters: dict[str, Any] = {}
        renames = {
            "max_tokens": "max_new_tokens",
            "max_completion_tokens": "max_new_tokens",
            "stop": "stop_sequences",
            "seed": "random_seed",
            "frequency_penalty": "repetition_penalty",
        }
        for key, value in params.items():
            if value is None or key in ("stream", "stream_options"):
                continue
            if key == "stop" and isinstance(value, str):
                value = [value]
            parameters[renames.get(key, key)] = value
        if "decoding_method" not in parameters:
            sampled = any(k in parameters for k in ("temperature", "top_p", "top_k"))
            parameters["decoding_method"] = "sample" if sampled else "greedy"
        return {"input": text_prompt(messages, model), "parameters": parameters}

    # ---- response ------------------------------------------------------------------------------

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        if self.text:
            result = (data.get("results") or [{}])[0]
            prompt = int(result.get("input_token_count") or 0)
            completion = int(result.get("generated_token_count") or 0)
            return {
                "id": f"chatcmpl-{uuid.uuid4()}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": data.get("model_id") or model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": result.get("generated_text", "")},
                        "finish_reason": _TEXT_FINISH.get(result.get("stop_reason") or "", "stop"),
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
        out = dict(data)
        out["id"] = data.get("id") or f"chatcmpl-{uuid.uuid4()}"
        out["object"] = "chat.completion"
        out["model"] = data.get("model_id") or data.get("model") or model
        out["created"] = data.get("created") or int(time.time())
        for key in ("model_id", "model_version", "created_at", "system"):
            out.pop(key, None)
        return out

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model, created=int(time.time()), response_id=f"chatcmpl-{uuid.uuid4()}")

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if not data or data == "[DONE]":
            return []
        obj = json.loads(data)
        if not isinstance(obj, dict):
            return []
        if event == "error" or "errors" in obj:
            code = obj.get("status_code")
            raise StreamErrorEvent(code if isinstance(code, int) else 500, obj)
        if self.text:
            result = (obj.get("results") or [{}])[0]
            stop = result.get("stop_reason")
            delta: dict[str, Any] = {"content": result.get("generated_text", "")}
            if not state.extra.get("role_sent"):
                delta["role"] = "assistant"
                state.extra["role_sent"] = True
            finish = None if stop in (None, "not_finished") else _TEXT_FINISH.get(stop, "stop")
            chunk: dict[str, Any] = {
                "id": state.response_id,
                "object": "chat.completion.chunk",
                "created": state.created,
                "model": obj.get("model_id") or state.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            if finish is not None:
                prompt = int(result.get("input_token_count") or 0)
                completion = int(result.get("generated_token_count") or 0)
                chunk["usage"] = {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                }
            return [chunk]
        obj["id"] = obj.get("id") or state.response_id
        obj["object"] = "chat.completion.chunk"
        obj["model"] = obj.pop("model_id", None) or obj.get("model") or state.model
        obj["created"] = obj.get("created") or state.created
        for key in ("model_version", "created_at", "system"):
            obj.pop(key, None)
        if not obj.get("choices") and not obj.get("usage"):
            return []
        for choice in obj.get("choices") or ():
            if choice.get("delta") is None:
                choice["delta"] = {}
        return [obj]

    # ---- errors --------------------------------------------------------------------------------

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        code = None
        message = ""
        if isinstance(body, Mapping) and isinstance(body.get("errors"), list) and body["errors"]:
            first = body["errors"][0]
            if isinstance(first, Mapping):
                code = str(first.get("code") or "") or None
                message = str(first.get("message") or "")
        if not message:
            message, code2, _ = error_fields(body)
            code = code or code2
        message = message or f"HTTP {status_code}"
        low = message.lower()
        if status_code in (400, 413, 422) and (
            looks_like_context_window(message, None) or any(p in low for p in _CONTEXT_PHRASES)
        ):
            return ErrorInfo("ContextWindowExceededError", message)
        kind = _ERROR_CODES.get(code or "")
        return ErrorInfo(kind or kind_for_status(status_code), message)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: dict[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        params = dict(params)
        base = self._base(credentials)
        if base is None:
            raise make_error(
                "BadRequestError",
                "watsonx needs WATSONX_URL (or api_base=).",
                model=model,
                provider=self.name,
            )
        auth = self._auth(credentials, params)
        api_version = params.pop("api_version", None) or credentials.api_version or DEFAULT_API_VERSION
        body: dict[str, Any] = {"inputs": input if isinstance(input, list) else [input], "model_id": model}
        body.update(self._scope(model, params))
        for key in ("dimensions", "encoding_format", "user", "input_type"):
            params.pop(key, None)
        if params:
            body["parameters"] = {k: v for k, v in params.items() if v is not None}
        return ProviderRequest(
            url=f"{base}/ml/v1/text/embeddings?version={api_version}",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            body=body,
            auth=auth,
        )

    def parse_embedding_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        tokens = int(data.get("input_token_count") or 0)
        return {
            "object": "list",
            "model": data.get("model_id") or model,
            "data": [
                {"object": "embedding", "index": i, "embedding": r.get("embedding", [])}
                for i, r in enumerate(data.get("results") or ())
            ],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }


def make_adapter(name: str = "watsonx") -> WatsonxAdapter:
    return WatsonxAdapter(name)
