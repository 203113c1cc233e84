"""Google Gemini ``generateContent`` replies -> OpenAI chat format, and the Google AI Studio adapter.

Owns (the request body lives in :mod:`litellm.providers.gemini_request`, shared with Vertex AI): the reply
translation (text, thought parts -> ``reasoning_content``, ``functionCall`` -> ``tool_calls``, code
execution parts, grounding metadata, finish reasons, ``usageMetadata`` -> usage with cached, thoughts,
tool-use and per-modality tokens), the ``streamGenerateContent?alt=sse`` event translation, Google's error
classification, and ``embedContent`` / ``batchEmbedContents`` embeddings. :class:`GeminiAdapter` is AI
Studio: ``{api_base}/v1beta/models/{model}:generateContent`` with the key in ``x-goog-api-key`` (never in
the URL, where it would be logged).

Wire facts come from Google's public Gemini API reference; behaviour follows LiteLLM 1.110.2 where it is
deliberate (thinking budgets per reasoning_effort, finish reason table, usage arithmetic). Must not send,
log, read the environment or import anything heavy; the price map is consulted lazily.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from litellm.providers._common import error_fields, kind_for_status, looks_like_context_window, make_error
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState
from litellm.providers.gemini_request import (
    THOUGHT_SIGNATURE_SEP,
    build_gemini_body,
    split_tool_call_id,
    supports_thinking,
)

__all__ = [
    "THOUGHT_SIGNATURE_SEP",
    "GeminiAdapter",
    "build_gemini_body",
    "classify_google_error",
    "gemini_usage",
    "parse_gemini_response",
    "split_tool_call_id",
    "supports_thinking",
]

DEFAULT_API_BASE = "https://generativelanguage.googleapis.com"
API_VERSION = "v1beta"

#: OpenAI params a Gemini model takes (reasoning ones only when the model thinks)
BASE_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "stop",
        "n",
        "stream",
        "stream_options",
        "presence_penalty",
        "frequency_penalty",
        "seed",
        "logprobs",
        "top_logprobs",
        "response_format",
        "tools",
        "tool_choice",
        "functions",
        "function_call",
        "parallel_tool_calls",
        "web_search_options",
        "modalities",
        "audio",
        "user",
    }
)
REASONING_PARAMS = frozenset({"reasoning_effort", "thinking"})

# Gemini finishReason -> OpenAI finish_reason (LiteLLM's table for Gemini / Vertex AI)
FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "LANGUAGE": "content_filter",
    "OTHER": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    "IMAGE_OTHER": "content_filter",
    "NO_IMAGE": "content_filter",
    "FINISH_REASON_UNSPECIFIED": "stop",
    "MALFORMED_FUNCTION_CALL": "stop",
    "UNEXPECTED_TOOL_CALL": "stop",
    "TOO_MANY_TOOL_CALLS": "stop",
    "MISSING_THOUGHT_SIGNATURE": "stop",
}

# Google RPC status -> exception kind (the HTTP status decides when the status is missing)
_RPC_STATUS = {
    "INVALID_ARGUMENT": "BadRequestError",
    "FAILED_PRECONDITION": "BadRequestError",
    "OUT_OF_RANGE": "BadRequestError",
    "UNAUTHENTICATED": "AuthenticationError",
    "PERMISSION_DENIED": "PermissionDeniedError",
    "NOT_FOUND": "NotFoundError",
    "RESOURCE_EXHAUSTED": "RateLimitError",
    "INTERNAL": "InternalServerError",
    "UNKNOWN": "InternalServerError",
    "UNAVAILABLE": "ServiceUnavailableError",
    "DEADLINE_EXCEEDED": "Timeout",
    "CANCELLED": "APIError",
}
_HTTP_OF_RPC = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}

# --------------------------------------------------------------------------------------------------
# Response translation
# --------------------------------------------------------------------------------------------------


def _new_call_id(signature: str | None) -> str:
    call_id = "call_" + secrets.token_hex(12)
    return call_id + THOUGHT_SIGNATURE_SEP + signature if signature else call_id


def _modality_counts(details: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    if not isinstance(details, list):
        return out
    for d in details:
        if not isinstance(d, Mapping):
            continue
        modality = str(d.get("modality", "")).upper()
        key = "TEXT" if modality == "DOCUMENT" else modality
        out[key] = out.get(key, 0) + int(d.get("tokenCount") or 0)
    return out


def gemini_usage(meta: Mapping[str, Any], grounded: bool = False) -> dict[str, Any]:
    """``usageMetadata`` -> OpenAI usage. promptTokenCount includes cached tokens; completion tokens are
    the candidates plus the thoughts (billed as output); tool-use prompt tokens count as prompt unless the
    reply was grounded by search (priced per query instead), as LiteLLM bills them."""
    prompt = int(meta.get("promptTokenCount") or 0)
    candidates = int(meta.get("candidatesTokenCount") or 0)
    thoughts = int(meta.get("thoughtsTokenCount") or 0)
    cached = int(meta.get("cachedContentTokenCount") or 0)
    tool_use = int(meta.get("toolUsePromptTokenCount") or 0)
    billable_tool = 0 if grounded else tool_use
    prompt_total = prompt + billable_tool
    completion = candidates + thoughts
    modal = _modality_counts(meta.get("promptTokensDetails"))
    cached_modal = _modality_counts(meta.get("cacheTokensDetails"))
    prompt_details: dict[str, Any] = {"cached_tokens": cached}
    if modal:
        text = modal.get("TEXT", 0)
        if cached and not cached_modal:
            text = max(text - cached, 0)
        prompt_details["text_tokens"] = text + billable_tool
        if modal.get("AUDIO"):
            prompt_details["audio_tokens"] = modal["AUDIO"]
        if modal.get("IMAGE"):
            prompt_details["image_tokens"] = modal["IMAGE"]
        if modal.get("VIDEO"):
            prompt_details["video_tokens"] = modal["VIDEO"]
    if cached_modal:
        prompt_details["cached_tokens_details"] = {
            k: cached_modal[m]
            for k, m in (("text_tokens", "TEXT"), ("audio_tokens", "AUDIO"), ("image_tokens", "IMAGE"))
            if m in cached_modal
        }
    if tool_use:
        prompt_details["tool_use_tokens"] = tool_use
    usage: dict[str, Any] = {
        "prompt_tokens": prompt_total,
        "completion_tokens": completion,
        "total_tokens": int(meta.get("totalTokenCount") or (prompt + candidates + thoughts + tool_use))
        - (tool_use - billable_tool),
        "prompt_tokens_details": prompt_details,
    }
    if cached:
        usage["cache_read_input_tokens"] = cached
    out_modal = _modality_counts(meta.get("candidatesTokensDetails"))
    if thoughts or out_modal:
        details: dict[str, Any] = {"reasoning_tokens": thoughts}
        if out_modal.get("AUDIO"):
            details["audio_tokens"] = out_modal["AUDIO"]
        if out_modal.get("IMAGE"):
            details["image_tokens"] = out_modal["IMAGE"]
        details["text_tokens"] = max(
            candidates - details.get("audio_tokens", 0) - details.get("image_tokens", 0), 0
        )
        usage["completion_tokens_details"] = details
    return usage


def _translate_parts(
    parts: list[Mapping[str, Any]],
    media: list[tuple[str, str]] | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> tuple[list[str], list[str], list[dict[str, Any]], str | None]:
    """Gemini parts -> (text pieces, thought pieces, function calls, last text thought signature);
    generated images and audio (``inlineData``) are appended to ``media`` as (mime type, base64), thought
    parts to ``blocks`` as LiteLLM's ``thinking_blocks``."""
    texts: list[str] = []
    thoughts: list[str] = []
    calls: list[dict[str, Any]] = []
    text_signature: str | None = None
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        signature = part.get("thoughtSignature")
        if "functionCall" in part:
            fc = part.get("functionCall") or {}
            call: dict[str, Any] = {
                "id": fc.get("id") or _new_call_id(signature),
                "type": "function",
                "function": {"name": fc.get("name"), "arguments": json.dumps(fc.get("args") or {})},
            }
            if signature:
                call["provider_specific_fields"] = {"thought_signature": signature}
            calls.append(call)
        elif part.get("thought") and isinstance(part.get("text"), str):
            thoughts.append(part["text"])
            if blocks is not None:
                block = {"type": "thinking", "thinking": part["text"]}
                if signature:
                    block["signature"] = signature
                blocks.append(block)
        elif isinstance(part.get("text"), str):
            texts.append(part["text"])
            if signature:
                text_signature = signature
        elif "executableCode" in part:
            code = part.get("executableCode") or {}
            lang = str(code.get("language", "python")).lower().replace("language_unspecified", "")
            texts.append(f"```{lang}\n{code.get('code', '')}\n```\n")
        elif "codeExecutionResult" in part:
            result = part.get("codeExecutionResult") or {}
            texts.append(f"```\n{result.get('output', '')}\n```\n")
        elif "inlineData" in part and media is not None:
            data = part.get("inlineData") or {}
            media.append(
                (str(data.get("mimeType") or "application/octet-stream"), str(data.get("data") or ""))
            )
    return texts, thoughts, calls, text_signature


def _attach_media(message: dict[str, Any], media: list[tuple[str, str]]) -> None:
    """Generated images -> ``message.images`` (data URLs), generated speech -> ``message.audio``, as
    LiteLLM returns them for Gemini's image and TTS models."""
    images = [
        {
            "type": "image_url",
            "image_url": {"url": f"data:{mime};base64,{data}", "detail": "auto"},
            "index": i,
        }
        for i, (mime, data) in enumerate(m for m in media if m[0].startswith("image/"))
    ]
    if images:
        message["images"] = images
    audio = [data for mime, data in media if mime.startswith("audio/")]
    if audio:
        message["audio"] = {
            "id": f"audio_{secrets.token_hex(8)}",
            "data": "".join(audio),
            "expires_at": 0,
            "transcript": "",
        }


def _finish(reason: Any, has_calls: bool) -> str:
    finish = FINISH_REASONS.get(str(reason), "stop") if reason else "stop"
    if has_calls and finish == "stop":
        return "tool_calls"
    return finish


def _logprobs(candidate: Mapping[str, Any]) -> dict[str, Any] | None:
    result = candidate.get("logprobsResult")
    if not isinstance(result, Mapping):
        return None
    chosen = result.get("chosenCandidates") or []
    tops = result.get("topCandidates") or []
    content = []
    for i, c in enumerate(chosen):
        top = tops[i].get("candidates", []) if i < len(tops) and isinstance(tops[i], Mapping) else []
        content.append(
            {
                "token": c.get("token", ""),
                "logprob": c.get("logProbability", 0.0),
                "bytes": None,
                "top_logprobs": [
                    {"token": t.get("token", ""), "logprob": t.get("logProbability", 0.0), "bytes": None}
                    for t in top
                ],
            }
        )
    return {"content": content}


def _grounded(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for cand in data.get("candidates") or ():
        meta = cand.get("groundingMetadata") if isinstance(cand, Mapping) else None
        if isinstance(meta, Mapping) and meta:
            out.append(dict(meta))
    return out


def parse_gemini_response(model: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A ``GenerateContentResponse`` -> an OpenAI ``chat.completion`` dict."""
    choices: list[dict[str, Any]] = []
    for i, cand in enumerate(data.get("candidates") or ()):
        parts = (cand.get("content") or {}).get("parts") or []
        media: list[tuple[str, str]] = []
        blocks: list[dict[str, Any]] = []
        texts, thoughts, calls, text_signature = _translate_parts(parts, media, blocks)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
        _attach_media(message, media)
        if thoughts:
            message["reasoning_content"] = "".join(thoughts)
            message["thinking_blocks"] = blocks
        if calls:
            message["tool_calls"] = calls
        if text_signature:
            message["provider_specific_fields"] = {"thought_signature": text_signature}
        choice: dict[str, Any] = {
            "index": cand.get("index", i),
            "message": message,
            "finish_reason": _finish(cand.get("finishReason"), bool(calls)),
        }
        lp = _logprobs(cand)
        if lp is not None:
            choice["logprobs"] = lp
        choices.append(choice)
    if not choices:
        # the prompt itself was blocked: no candidates, a promptFeedback.blockReason
        choices.append(
            {"index": 0, "message": {"role": "assistant", "content": None}, "finish_reason": "content_filter"}
        )
    grounding = _grounded(data)
    out: dict[str, Any] = {
        "id": data.get("responseId") or f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": data.get("modelVersion") or model,
        "choices": choices,
        "usage": gemini_usage(data.get("usageMetadata") or {}, grounded=bool(grounding)),
    }
    if grounding:
        out["vertex_ai_grounding_metadata"] = grounding
    if data.get("promptFeedback"):
        out["vertex_ai_safety_results"] = [data["promptFeedback"]]
    return out


# --------------------------------------------------------------------------------------------------
# Streaming
# --------------------------------------------------------------------------------------------------


def new_gemini_stream_state(model: str) -> StreamState:
    state = StreamState(model=model, created=int(time.time()))
    state.extra.update(role_sent=set(), next_tool={}, grounding=[])
    return state


def parse_gemini_stream_event(state: StreamState, data: str) -> list[dict[str, Any]]:
    """One ``streamGenerateContent?alt=sse`` event (a whole GenerateContentResponse) -> OpenAI chunks.

    Usage rides on the chunk that carries a finish reason (the last event's cumulative counts)."""
    data = data.strip()
    if not data or data == "[DONE]":
        return []
    obj = json.loads(data)
    if isinstance(obj, list):  # the JSON-array framing of streamGenerateContent without alt=sse
        return [c for item in obj for c in parse_gemini_stream_event(state, json.dumps(item))]
    if "error" in obj:
        err = obj.get("error") or {}
        code = err.get("code")
        status = code if isinstance(code, int) else _HTTP_OF_RPC.get(str(err.get("status")), 500)
        raise StreamErrorEvent(status, obj)
    if not state.response_id:
        state.response_id = obj.get("responseId") or f"chatcmpl-{secrets.token_hex(12)}"
    if obj.get("modelVersion"):
        state.model = obj["modelVersion"]
    extra = state.extra
    grounding = _grounded(obj)
    if grounding:
        extra["grounding"].extend(grounding)
    chunks: list[dict[str, Any]] = []
    candidates = obj.get("candidates") or ()
    usage_meta = obj.get("usageMetadata")
    for i, cand in enumerate(candidates):
        index = cand.get("index", i)
        parts = (cand.get("content") or {}).get("parts") or []
        media: list[tuple[str, str]] = []
        texts, thoughts, calls, text_signature = _translate_parts(parts, media)
        delta: dict[str, Any] = {}
        _attach_media(delta, media)
        if index not in extra["role_sent"]:
            delta["role"] = "assistant"
            extra["role_sent"].add(index)
        if texts:
            delta["content"] = "".join(texts)
        if thoughts:
            delta["reasoning_content"] = "".join(thoughts)
        if text_signature:
            delta["provider_specific_fields"] = {"thought_signature": text_signature}
        if calls:
            start = extra["next_tool"].get(index, 0)
            extra["next_tool"][index] = start + len(calls)
            delta["tool_calls"] = [{"index": start + j, **call} for j, call in enumerate(calls)]
        reason = cand.get("finishReason")
        finish = _finish(reason, extra["next_tool"].get(index, 0) > 0) if reason else None
        if not delta and finish is None:
            continue
        chunk: dict[str, Any] = {
            "id": state.response_id,
            "object": "chat.completion.chunk",
            "created": state.created,
            "model": state.model,
            "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
        }
        chunks.append(chunk)
    finished = any(c["choices"][0]["finish_reason"] for c in chunks)
    already_finished = extra.get("finished", False)
    if finished:
        extra["finished"] = True
    if isinstance(usage_meta, Mapping):
        extra["usage"] = usage_meta
        if finished:
            chunks[-1]["usage"] = gemini_usage(usage_meta, grounded=bool(extra["grounding"]))
            if extra["grounding"]:
                chunks[-1]["vertex_ai_grounding_metadata"] = list(extra["grounding"])
        elif already_finished and not candidates:
            # final counts after the finish reason, in an event of their own: a usage-only chunk
            chunks.append(
                {
                    "id": state.response_id,
                    "object": "chat.completion.chunk",
                    "created": state.created,
                    "model": state.model,
                    "choices": [],
                    "usage": gemini_usage(usage_meta, grounded=bool(extra["grounding"])),
                }
            )
    if not candidates and obj.get("promptFeedback", {}).get("blockReason"):
        chunk = {
            "id": state.response_id,
            "object": "chat.completion.chunk",
            "created": state.created,
            "model": state.model,
            "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": "content_filter"}],
        }
        if isinstance(usage_meta, Mapping):
            chunk["usage"] = gemini_usage(usage_meta)
        chunks.append(chunk)
    return chunks


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


def classify_google_error(status_code: int, body: Any) -> ErrorInfo:
    """A Google API error (``{"error": {"code", "message", "status", "details"}}``) -> ErrorInfo."""
    message, _code, _etype = error_fields(body)
    rpc = None
    reasons: list[str] = []
    if isinstance(body, list) and body and isinstance(body[0], Mapping):
        body = body[0]  # streamGenerateContent without alt=sse wraps errors in an array
        message = error_fields(body)[0]
    if isinstance(body, Mapping) and isinstance(body.get("error"), Mapping):
        err = body["error"]
        rpc = err.get("status")
        for detail in err.get("details") or ():
            if isinstance(detail, Mapping) and detail.get("reason"):
                reasons.append(str(detail["reason"]))
    if not message:
        message = f"HTTP {status_code}"
    low = message.lower()
    if "API_KEY_INVALID" in reasons or "api key not valid" in low or "API_KEY_SERVICE_BLOCKED" in reasons:
        return ErrorInfo("AuthenticationError", message)
    if status_code in (400, 413) or rpc == "INVALID_ARGUMENT":
        if (
            looks_like_context_window(message, None)
            or "exceeds the maximum number of tokens" in low
            or "request payload size exceeds" in low
        ):
            return ErrorInfo("ContextWindowExceededError", message)
        if "the response was blocked" in low or "content filtering policy" in low:
            return ErrorInfo("ContentPolicyViolationError", message)
    if status_code == 429 or rpc == "RESOURCE_EXHAUSTED" or "quota exceeded" in low:
        return ErrorInfo("RateLimitError", message)
    if 500 <= status_code < 600 and isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping) and inner.get("code") == 429:
            return ErrorInfo("RateLimitError", message)  # a gateway's 5xx wrapping a 429
    kind = kind_for_status(status_code)
    if kind == "APIError" and rpc in _RPC_STATUS:
        kind = _RPC_STATUS[rpc]
    return ErrorInfo(kind, message)


# --------------------------------------------------------------------------------------------------
# Embeddings
# --------------------------------------------------------------------------------------------------

_TASK_TYPES = {
    "retrieval_query": "RETRIEVAL_QUERY",
    "retrieval_document": "RETRIEVAL_DOCUMENT",
    "semantic_similarity": "SEMANTIC_SIMILARITY",
    "classification": "CLASSIFICATION",
    "clustering": "CLUSTERING",
    "question_answering": "QUESTION_ANSWERING",
    "fact_verification": "FACT_VERIFICATION",
    "code_retrieval_query": "CODE_RETRIEVAL_QUERY",
}


def embedding_inputs(input: Any) -> list[str]:
    items = input if isinstance(input, list) else [input]
    if not items:
        raise ValueError("embedding input is empty: pass a string or a list of strings")
    for item in items:
        if not isinstance(item, str):
            raise ValueError(
                "Gemini embeddings take text: pass a string or a list of strings (token ids are not accepted)"
            )
    return items


def task_type(params: Mapping[str, Any]) -> str | None:
    value = params.get("task_type") or params.get("taskType") or params.get("input_type")
    if value is None:
        return None
    return _TASK_TYPES.get(str(value).lower(), str(value).upper())


# --------------------------------------------------------------------------------------------------
# The AI Studio adapter
# --------------------------------------------------------------------------------------------------


class GeminiAdapter:
    """Gemini through Google AI Studio (``generativelanguage.googleapis.com``)."""

    name = "gemini"
    api_key_env = "GEMINI_API_KEY"
    api_base_env = "GEMINI_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        # LiteLLM's (and the google-genai SDK's) order: GOOGLE_API_KEY wins when both are set
        "api_key": ("GOOGLE_API_KEY", "GEMINI_API_KEY", "PALM_API_KEY"),
        "api_base": ("GEMINI_API_BASE",),
    }

    def __repr__(self) -> str:
        return "GeminiAdapter()"

    def supported_params(self, model: str) -> frozenset[str]:
        if supports_thinking(model, self.name):
            return BASE_PARAMS | REASONING_PARAMS
        return BASE_PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        # either one will do; validate_environment lists both, as LiteLLM does
        return [] if credentials.api_key else ["GOOGLE_API_KEY", "GEMINI_API_KEY"]

    def _model_url(self, model: str, credentials: Credentials, method: str) -> str:
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        if not urlsplit(base).path:
            # a bare host gets the API version; a base with a path is used as given (LiteLLM's reading,
            # so a gateway route such as .../google-ai-studio/v1beta keeps working)
            base = f"{base}/{API_VERSION}"
        name = model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"
        return f"{base}/{quote(name, safe='/@.-_')}:{method}"

    def _headers(self, credentials: Credentials, extra_headers: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if credentials.api_key:
            headers["x-goog-api-key"] = credentials.api_key
        if extra_headers:
            headers.update(extra_headers)
        return headers

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
        try:
            body = build_gemini_body(model, messages, optional_params)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        if extra_body:
            body.update(extra_body)
        url = self._model_url(
            model, credentials, "streamGenerateContent?alt=sse" if stream else "generateContent"
        )
        return ProviderRequest(url=url, headers=self._headers(credentials, extra_headers), body=body)

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        return parse_gemini_response(model, data)

    def new_stream_state(self, model: str) -> StreamState:
        return new_gemini_stream_state(model)

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        return parse_gemini_stream_event(state, data)

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        return classify_google_error(status_code, body)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        """``batchEmbedContents`` for any input (one request, one or many texts)."""
        try:
            texts = embedding_inputs(input)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        name = model if model.startswith("models/") else f"models/{model}"
        one: dict[str, Any] = {"model": name}
        task = task_type(params)
        if task:
            one["taskType"] = task
        if params.get("dimensions") is not None:
            one["outputDimensionality"] = int(params["dimensions"])
        if params.get("title"):
            one["title"] = params["title"]
        requests = [{**one, "content": {"parts": [{"text": t}]}} for t in texts]
        url = self._model_url(model, credentials, "batchEmbedContents")
        return ProviderRequest(url=url, headers=self._headers(credentials, None), body={"requests": requests})

    # ---- images (Imagen through the Gemini API) -------------------------------------------------

    def build_image_generation_request(
        self, model: str, prompt: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        from litellm.providers.vertex import imagen_body

        body = imagen_body(prompt, params, model, self.name)
        url = self._model_url(model, credentials, "predict")
        return ProviderRequest(url=url, headers=self._headers(credentials, None), body=body)

    def parse_image_generation_response(self, model: str, data: Mapping[str, Any]) -> dict[str, Any]:
        from litellm.providers.vertex import parse_imagen_response

        return parse_imagen_response(data)

    def parse_embedding_response(self, model: str, data: Mapping[str, Any]) -> dict[str, Any]:
        vectors = data.get("embeddings")
        if vectors is None and isinstance(data.get("embedding"), Mapping):
            vectors = [data["embedding"]]
        items = [
            {"object": "embedding", "index": i, "embedding": list((v or {}).get("values") or [])}
            for i, v in enumerate(vectors or ())
        ]
        # AI Studio reports no token counts for embeddings; the pipeline counts the input when usage is 0
        tokens = int((data.get("usageMetadata") or {}).get("promptTokenCount") or 0)
        return {
            "object": "list",
            "model": model,
            "data": items,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }


def make_adapter(name: str = "gemini") -> GeminiAdapter:
    return GeminiAdapter()
