"""Amazon Bedrock: routes, URLs, auth and errors; the bodies come from the sibling modules.

Owns: :class:`BedrockAdapter` for ``bedrock/<model-id>``, ``bedrock/converse/<id>`` and
``bedrock/invoke/<id>`` (cross-region profile ids ``us.``/``eu.``/``apac.``/``global.`` and ARNs are sent
as given, percent-encoded in the path). Chat goes through Converse / ConverseStream for every family
(``litellm.providers.bedrock_converse``); ``invoke/`` sends the Anthropic Messages body
(``anthropic_version: bedrock-2023-05-31``) to InvokeModel / InvokeModelWithResponseStream, whose stream
wraps each Anthropic event as base64 in a ``chunk`` frame. Embeddings (Titan text/image, Cohere) use
InvokeModel (``litellm.providers.bedrock_embed``), and so does image generation (Stability, Titan Image,
Nova Canvas: ``litellm.providers.bedrock_image``). Auth is a bearer API key (``api_key`` /
AWS_BEARER_TOKEN_BEDROCK) or SigV4 over the exact bytes sent (``litellm.providers.auth.aws``). Errors
are classified by ``x-amzn-ErrorType`` (and an event stream's ``:exception-type``).

Must not: send, log or sleep; the environment is read only through ``litellm.providers.auth.aws`` (which
uses ``env_value``) for the aws_* fallbacks LiteLLM documents.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litellm.providers import bedrock_converse as converse
from litellm.providers._common import error_fields, kind_for_status, looks_like_context_window, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

__all__ = ["BedrockAdapter", "make_adapter", "split_route"]

ANTHROPIC_BEDROCK_VERSION = "bedrock-2023-05-31"
_EVENTSTREAM = "application/vnd.amazon.eventstream"

_BASE_PARAMS = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "stop",
        "stream",
        "stream_options",
        "temperature",
        "top_p",
        "tools",
        "tool_choice",
        "response_format",
        "parallel_tool_calls",
        "service_tier",
    }
)
_REASONING = frozenset({"reasoning_effort", "thinking"})

# x-amzn-ErrorType / :exception-type -> exception kind (Bedrock runtime API reference, "Errors")
_ERROR_TYPES = {
    "throttlingexception": "RateLimitError",
    "servicequotaexceededexception": "RateLimitError",
    "accessdeniedexception": "PermissionDeniedError",
    "unrecognizedclientexception": "AuthenticationError",
    "invalidsignatureexception": "AuthenticationError",
    "expiredtokenexception": "AuthenticationError",
    "incompletesignatureexception": "AuthenticationError",
    "missingauthenticationtokenexception": "AuthenticationError",
    "resourcenotfoundexception": "NotFoundError",
    "modeltimeoutexception": "Timeout",
    "serviceunavailableexception": "ServiceUnavailableError",
    "modelnotreadyexception": "ServiceUnavailableError",
    "internalserverexception": "InternalServerError",
    "modelstreamerrorexception": "APIError",
    "modelerrorexception": "APIError",
}
_STREAM_STATUS = {
    "throttlingexception": 429,
    "servicequotaexceededexception": 429,
    "validationexception": 400,
    "accessdeniedexception": 403,
    "resourcenotfoundexception": 404,
    "modeltimeoutexception": 408,
    "modelstreamerrorexception": 424,
    "internalserverexception": 500,
    "serviceunavailableexception": 503,
}
# phrases Bedrock models use when the prompt does not fit (LiteLLM's list, matched case-insensitively)
_TOO_LONG = (
    "too long",
    "too many tokens",
    "expected maxlength",
    "too many input tokens",
    "prompt: length: 1..",
)


def _path_id(model_id: str) -> str:
    """The model id as a path segment: '/' (in ARNs) percent-encoded, ':' kept literal. A literal colon
    is what both httpx and aiohttp send verbatim (aiohttp would decode %3A to ':' after signing, and
    SigV4 covers the path as received), so the signature holds on either transport."""
    return quote(model_id, safe=":")


def split_route(model: str) -> tuple[str, str]:
    """``"converse/us.anthropic..."`` -> ("converse", "us.anthropic..."); a bare id is a Converse call."""
    head, sep, rest = model.partition("/")
    if sep and head in ("converse", "invoke"):
        return head, rest
    return "converse", model


def _error_type(headers: Mapping[str, str], body: Any) -> str | None:
    value = None
    for key, v in headers.items():
        if key.lower() == "x-amzn-errortype":
            value = v
            break
    if value is None and isinstance(body, Mapping):
        value = body.get("__type") or body.get("type")
    if not value:
        return None
    # "ThrottlingException:http://internal.amazon.com/coral/..." or "com.amazon.coral#ThrottlingException"
    return str(value).split(":", 1)[0].rsplit("#", 1)[-1]


class BedrockAdapter:
    """Chat and embeddings on Amazon Bedrock."""

    name = "bedrock"
    # the bearer API key; SigV4 credentials come from aws_* args / env / botocore (see missing_credentials)
    api_key_env = "AWS_BEARER_TOKEN_BEDROCK"
    api_base_env = None
    default_api_base = None
    api_key_required = False
    env_vars: Mapping[str, tuple[str, ...]] = {"api_key": ("AWS_BEARER_TOKEN_BEDROCK",)}

    def __repr__(self) -> str:
        return "BedrockAdapter()"

    # ---- params --------------------------------------------------------------------------------

    def supported_params(self, model: str) -> frozenset[str]:
        _route, model_id = split_route(model)
        return _BASE_PARAMS | _REASONING if converse.supports_reasoning(model_id) else _BASE_PARAMS

    def param_problem(self, model: str, name: str, value: Any, params: Mapping[str, Any]) -> str | None:
        if name == "tool_choice" and value == "none":
            return "Bedrock doesn't support tool_choice='none'."
        return None

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        # SigV4 credentials are resolved (args, env, profile, role, botocore chain) when the request is
        # signed, and a failure there names what to set; nothing is demanded up front
        return []

    # ---- request -------------------------------------------------------------------------------

    def _endpoint(self, credentials: Credentials, aws: Any, region: str, service_host: str) -> str:
        if credentials.api_base:
            return credentials.api_base.rstrip("/")
        explicit = aws.aws_bedrock_runtime_endpoint if service_host == "bedrock-runtime" else None
        if explicit:
            return explicit.rstrip("/")
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        return f"https://{service_host}.{region}.{suffix}"

    def _auth(self, credentials: Credentials, aws: Any, region: str) -> Any:
        from litellm.providers.auth.aws import BearerAuth, SigV4Auth

        if credentials.api_key:
            return BearerAuth(credentials.api_key)
        return SigV4Auth(aws, region, "bedrock", provider=self.name)

    def _prepare(
        self, model_id: str, params: dict[str, Any], credentials: Credentials
    ) -> tuple[Any, str, str]:
        from litellm.providers.auth.aws import pop_aws_params, resolve_region

        try:
            aws = pop_aws_params(params)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model_id, provider=self.name) from exc
        region = resolve_region(aws, model_id)
        return aws, region, self._endpoint(credentials, aws, region, "bedrock-runtime")

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
        route, model_id = split_route(model)
        params = dict(optional_params)
        aws, region, endpoint = self._prepare(model_id, params, credentials)
        try:
            if route == "invoke":
                body, action = self._invoke_body(model_id, messages, params, extra_headers, stream=stream)
            else:
                body = converse.build_converse_body(model_id, messages, params)
                action = "converse-stream" if stream else "converse"
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        if extra_body:
            body.update(extra_body)
        headers = {
            "Content-Type": "application/json",
            "Accept": _EVENTSTREAM if stream else "application/json",
        }
        if extra_headers:
            headers.update(
                {
                    k: v
                    for k, v in extra_headers.items()
                    if not (route == "invoke" and k.lower() == "anthropic-beta")
                }
            )
        return ProviderRequest(
            url=f"{endpoint}/model/{_path_id(model_id)}/{action}",
            headers=headers,
            body=body,
            stream_format="aws-eventstream",
            auth=self._auth(credentials, aws, region),
        )

    def _invoke_body(
        self,
        model_id: str,
        messages: list[dict[str, Any]],
        params: dict[str, Any],
        extra_headers: Mapping[str, str] | None,
        *,
        stream: bool,
    ) -> tuple[dict[str, Any], str]:
        if converse.family(model_id) != "anthropic":
            raise ValueError(
                f"bedrock/invoke/ speaks the Anthropic Messages body; {model_id!r} is not an Anthropic model. "
                f"Use bedrock/converse/{model_id} (Converse serves every Bedrock chat model)."
            )
        from litellm.providers.anthropic import AnthropicAdapter

        betas: set[str] = set()
        for key, value in (extra_headers or {}).items():
            if key.lower() == "anthropic-beta":
                betas.update(v.strip() for v in str(value).split(",") if v.strip())
        body = AnthropicAdapter().build_body(
            converse.base_model_id(model_id), messages, params, betas, stream=False
        )
        body.pop("model", None)
        body["anthropic_version"] = ANTHROPIC_BEDROCK_VERSION
        if betas:
            body["anthropic_beta"] = sorted(betas)
        return body, "invoke-with-response-stream" if stream else "invoke"

    # ---- response ------------------------------------------------------------------------------

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        route, model_id = split_route(model)
        if route == "invoke":
            from litellm.providers.anthropic import AnthropicAdapter

            out = AnthropicAdapter().parse_response(model_id, data)
            out["model"] = model_id
            return out
        return converse.parse_converse_response(model_id, data)

    def new_stream_state(self, model: str) -> StreamState:
        route, model_id = split_route(model)
        if route == "invoke":
            from litellm.providers.anthropic import AnthropicAdapter

            state = AnthropicAdapter().new_stream_state(model_id)
            state.extra.update(route="invoke", model_id=model_id)
            return state
        state = StreamState(model=model_id, created=int(time.time()))
        converse.init_converse_state(state)
        state.extra["route"] = "converse"
        return state

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if state.extra.get("route") == "invoke":
            if event not in (None, "chunk") or not data:
                return []
            wrapped = json.loads(data).get("bytes")
            if not wrapped:
                return []
            from litellm.providers.anthropic import AnthropicAdapter

            inner = base64.b64decode(wrapped).decode("utf-8")
            chunks = AnthropicAdapter().parse_stream_event(state, None, inner)
            for chunk in chunks:
                chunk["model"] = state.extra["model_id"]
            return chunks
        return converse.parse_converse_stream_event(state, event, data)

    def stream_exception(self, exception_type: str, payload: bytes | str) -> StreamErrorEvent:
        """The error to raise for an event-stream ``exception`` frame (``:exception-type``)."""
        text = payload.decode("utf-8", "replace") if isinstance(payload, (bytes, bytearray)) else payload
        try:
            body: Any = json.loads(text) if text else {}
        except ValueError:
            body = {"message": text}
        if not isinstance(body, dict):
            body = {"message": str(body)}
        body.setdefault("__type", exception_type)
        return StreamErrorEvent(_STREAM_STATUS.get(exception_type.lower(), 500), body)

    # ---- errors --------------------------------------------------------------------------------

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        if isinstance(body, (str, bytes, bytearray)):
            try:  # an event-stream exception frame's payload arrives as text
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                body = parsed
        message, _code, _etype = error_fields(body)
        if isinstance(body, Mapping) and not message:
            message = str(body.get("Message") or "")
        if isinstance(body, Mapping) and body.get("Message") and message.startswith("{"):
            message = str(body["Message"])
        if not message:
            message = f"HTTP {status_code}"
        etype = (_error_type(headers, body) or "").lower()
        low = message.lower()
        if etype == "validationexception" or (not etype and status_code == 400):
            if any(p in low for p in _TOO_LONG) or looks_like_context_window(message, None):
                return ErrorInfo("ContextWindowExceededError", message)
            return ErrorInfo("BadRequestError", message)
        kind = _ERROR_TYPES.get(etype)
        if kind is None:
            if (
                "security token included in the request is invalid" in low
                or "unable to locate credentials" in low
            ):
                kind = "AuthenticationError"
            else:
                kind = kind_for_status(status_code)
        return ErrorInfo(kind, message)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: dict[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        from litellm.providers import bedrock_embed

        _route, model_id = split_route(model)
        params = dict(params)
        aws, region, endpoint = self._prepare(model_id, params, credentials)
        try:
            body = bedrock_embed.build_embedding_body(model_id, input, params)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        return ProviderRequest(
            url=f"{endpoint}/model/{_path_id(model_id)}/invoke",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            body=body,
            auth=self._auth(credentials, aws, region),
        )

    def parse_embedding_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        from litellm.providers import bedrock_embed

        _route, model_id = split_route(model)
        return bedrock_embed.parse_embedding_body(model_id, data)

    # ---- images --------------------------------------------------------------------------------

    def build_image_generation_request(
        self, model: str, prompt: str, params: dict[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        from litellm.providers import bedrock_image

        _route, model_id = split_route(model)
        params = dict(params)
        aws, region, endpoint = self._prepare(model_id, params, credentials)
        try:
            body = bedrock_image.build_image_body(model_id, prompt, params)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        return ProviderRequest(
            url=f"{endpoint}/model/{_path_id(model_id)}/invoke",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            body=body,
            auth=self._auth(credentials, aws, region),
        )

    def parse_image_generation_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        from litellm.providers import bedrock_image

        _route, model_id = split_route(model)
        return bedrock_image.parse_image_body(model_id, data)


def make_adapter(name: str = "bedrock") -> BedrockAdapter:
    return BedrockAdapter()
