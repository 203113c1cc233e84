"""Amazon SageMaker real-time endpoints: ``sagemaker/<endpoint>`` and ``sagemaker_chat/<endpoint>``.

Owns: :class:`SageMakerAdapter`. ``sagemaker/`` sends the Hugging Face TGI body LiteLLM sends (a prompt
string rendered by :func:`litellm.providers.huggingface.text_prompt` plus TGI ``parameters``) to
``POST /endpoints/<endpoint>/invocations``; ``sagemaker_chat/`` sends OpenAI chat JSON (containers that
serve the Messages API: TGI, LMI/vLLM). Streams use ``/invocations-response-stream``, an AWS event stream
whose ``PayloadPart`` events carry raw bytes of the container's own stream (TGI/OpenAI SSE lines, which
may be split across parts: the adapter reassembles lines in its stream state). SigV4 for service
``sagemaker`` with the same credentials chain as Bedrock (``litellm.providers.auth.aws``); errors by
``x-amzn-ErrorType`` (``ModelError`` carries the container's own status and message). Embeddings send
``{"inputs": [...]}`` (Hugging Face embedding containers) and read ``{"embedding": [...]}``.

Must not: send, log or sleep; env reads only through the shared AWS auth helper.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litellm.providers._common import error_fields, kind_for_status, looks_like_context_window, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

__all__ = ["SageMakerAdapter", "make_adapter"]

_TGI_PARAMS = frozenset(
    {"max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "n", "stream"}
)
_CHAT_PARAMS = frozenset(
    {
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "n",
        "stream",
        "stream_options",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "tools",
        "tool_choice",
        "response_format",
        "logprobs",
        "top_logprobs",
    }
)
_ERROR_TYPES = {
    "throttlingexception": "RateLimitError",
    "accessdeniedexception": "PermissionDeniedError",
    "unrecognizedclientexception": "AuthenticationError",
    "invalidsignatureexception": "AuthenticationError",
    "expiredtokenexception": "AuthenticationError",
    "servicequotaexceededexception": "RateLimitError",
    "internalfailure": "InternalServerError",
    "internaldependencyexception": "InternalServerError",
    "serviceunavailable": "ServiceUnavailableError",
    "modelnotreadyexception": "ServiceUnavailableError",
    "internalstreamfailure": "InternalServerError",
    "modelstreamerror": "APIError",
}


_openai: Any = None


def _openai_wire() -> Any:
    """The OpenAI-format parser (sagemaker_chat containers answer in OpenAI's shapes)."""
    global _openai
    if _openai is None:
        from litellm.providers.openai_compat import PROVIDERS, OpenAICompatAdapter

        _openai = OpenAICompatAdapter(PROVIDERS["custom_openai"])
    return _openai


def _error_type(headers: Mapping[str, str], body: Any) -> str:
    for key, value in headers.items():
        if key.lower() == "x-amzn-errortype":
            return str(value).split(":", 1)[0].rsplit("#", 1)[-1].lower()
    if isinstance(body, Mapping):
        return str(body.get("__type") or body.get("ErrorCode") or "").rsplit("#", 1)[-1].lower()
    return ""


class SageMakerAdapter:
    """Chat (TGI body or OpenAI body) and embeddings on SageMaker endpoints, signed with SigV4."""

    api_key_env = None
    api_base_env = None
    default_api_base = None
    api_key_required = False
    env_vars: Mapping[str, tuple[str, ...]] = {}

    def __init__(self, name: str = "sagemaker") -> None:
        self.name = name
        self.chat = name == "sagemaker_chat"

    def __repr__(self) -> str:
        return f"SageMakerAdapter({self.name!r})"

    def supported_params(self, model: str) -> frozenset[str]:
        return _CHAT_PARAMS if self.chat else _TGI_PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return []  # resolved when signing; a failure names what to set

    # ---- request -------------------------------------------------------------------------------

    def _prepare(
        self, endpoint: str, params: dict[str, Any], credentials: Credentials
    ) -> tuple[Any, str, str]:
        from litellm.providers.auth.aws import SigV4Auth, pop_aws_params, resolve_region

        try:
            aws = pop_aws_params(params)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=endpoint, provider=self.name) from exc
        region = resolve_region(aws, endpoint)
        base = (
            params.pop("sagemaker_base_url", None)
            or credentials.api_base
            or aws.aws_sagemaker_runtime_endpoint
        )
        if not base:
            suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
            base = f"https://runtime.sagemaker.{region}.{suffix}"
        auth = SigV4Auth(aws, region, "sagemaker", provider=self.name)
        return auth, str(base).rstrip("/"), region

    def _url(self, base: str, endpoint: str, stream: bool) -> str:
        if base.endswith(("/invocations", "/invocations-response-stream")):
            return base  # a full URL (sagemaker_base_url) is used as given
        action = "invocations-response-stream" if stream else "invocations"
        return f"{base}/endpoints/{quote(endpoint, safe=':')}/{action}"

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
        auth, base, _region = self._prepare(model, params, credentials)
        hf_model_name = params.pop("hf_model_name", None)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if stream:
            headers["X-Amzn-SageMaker-Accept"] = "application/json"
        if self.chat:
            body: dict[str, Any] = {"model": model, "messages": messages}
            for key, value in params.items():
                if value is not None and key not in ("stream_options",):
                    body[key] = value
            if stream:
                body["stream"] = True
        else:
            from litellm.providers.huggingface import text_prompt, tgi_parameters

            body = {
                "inputs": text_prompt(messages, hf_model_name or model),
                "parameters": tgi_parameters(params),
            }
            if stream:
                body["stream"] = True
        if extra_body:
            body.update(extra_body)
        if extra_headers:
            headers.update(extra_headers)
        return ProviderRequest(
            url=self._url(base, model, stream),
            headers=headers,
            body=body,
            stream_format="aws-eventstream",
            auth=auth,
        )

    # ---- response ------------------------------------------------------------------------------

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        if self.chat:
            return _openai_wire().parse_response(model, data)
        from litellm.providers.huggingface import parse_tgi_response

        return parse_tgi_response(model, data)

    def new_stream_state(self, model: str) -> StreamState:
        state = StreamState(model=model, created=int(time.time()), response_id=f"chatcmpl-{uuid.uuid4()}")
        state.extra["buffer"] = b""
        return state

    def parse_stream_event(
        self, state: StreamState, event: str | None, data: str | bytes
    ) -> list[dict[str, Any]]:
        """A ``PayloadPart``: the container's raw bytes, cut anywhere (even inside a UTF-8 character).

        Bytes are buffered and only complete lines are decoded. ``data`` may be bytes, or text decoded
        with ``surrogateescape`` (undecodable bytes round-trip) or plain UTF-8.
        """
        if event not in (None, "PayloadPart") or not data:
            return []
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")
        if raw.startswith(b'{"Bytes"'):  # a JSON-wrapped part (as SDK recordings store them)
            raw = base64.b64decode(json.loads(raw)["Bytes"])
        lines = (state.extra["buffer"] + raw).split(b"\n")
        state.extra["buffer"] = lines.pop()  # an incomplete last line waits for the next part
        chunks: list[dict[str, Any]] = []
        for line in lines:
            chunks.extend(self._line(state, line.decode("utf-8").strip()))
        return chunks

    def _line(self, state: StreamState, line: str) -> list[dict[str, Any]]:
        if line.startswith("data:"):
            line = line[5:].strip()
        if not line or line == "[DONE]" or line.startswith((":", "event:")):
            return []
        obj = json.loads(line)
        if self.chat:
            return _openai_wire().parse_stream_event(state, None, line)
        from litellm.providers.huggingface import tgi_stream_chunks

        return tgi_stream_chunks(state, obj)

    # ---- errors --------------------------------------------------------------------------------

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        if isinstance(body, (str, bytes, bytearray)):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                body = parsed
        etype = _error_type(headers, body)
        message = ""
        if isinstance(body, Mapping):
            message = str(body.get("OriginalMessage") or body.get("message") or body.get("Message") or "")
        if not message:
            message = error_fields(body)[0] or f"HTTP {status_code}"
        low = message.lower()
        if etype == "modelerror" and isinstance(body, Mapping):
            # the container's own answer: classify by its status
            original = body.get("OriginalStatusCode")
            if isinstance(original, int):
                status_code = original
        if etype in ("validationerror", "validationexception") or status_code in (400, 413, 422):
            if looks_like_context_window(message, None) or "must be <=" in low or "too long" in low:
                return ErrorInfo("ContextWindowExceededError", message)
            if status_code in (400, 413, 422) or etype.startswith("validation"):
                return ErrorInfo("BadRequestError", message)
        kind = _ERROR_TYPES.get(etype) or kind_for_status(status_code)
        return ErrorInfo(kind, message)

    def stream_exception(self, exception_type: str, payload: bytes | str) -> StreamErrorEvent:
        text = payload.decode("utf-8", "replace") if isinstance(payload, (bytes, bytearray)) else payload
        try:
            body: Any = json.loads(text) if text else {}
        except ValueError:
            body = {"Message": text}
        if not isinstance(body, dict):
            body = {"Message": str(body)}
        body.setdefault("__type", exception_type)
        status = 424 if exception_type.lower() == "modelstreamerror" else 500
        return StreamErrorEvent(status, body)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: dict[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        params = dict(params)
        auth, base, _region = self._prepare(model, params, credentials)
        inputs = input if isinstance(input, list) else [input]
        return ProviderRequest(
            url=self._url(base, model, False),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            body={"inputs": inputs},
            auth=auth,
        )

    def parse_embedding_response(self, model: str, data: Any) -> dict[str, Any]:
        vectors = data.get("embedding") if isinstance(data, Mapping) else data
        if vectors is None and isinstance(data, Mapping):
            vectors = data.get("embeddings") or []
        vectors = list(vectors or [])
        if vectors and isinstance(vectors[0], (int, float)):
            vectors = [vectors]
        return {
            "object": "list",
            "model": model,
            "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        }


def make_adapter(name: str = "sagemaker") -> SageMakerAdapter:
    return SageMakerAdapter(name)
