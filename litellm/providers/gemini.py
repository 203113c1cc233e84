"""Google Gemini ``generateContent`` <-> OpenAI chat format, and the Google AI Studio adapter.

Owns: the Gemini request body shared by Google AI Studio (``gemini/``) and Vertex AI (``vertex_ai/``,
see :mod:`litellm.providers.vertex`): messages -> ``contents`` / ``systemInstruction`` (text, images,
PDF and audio as ``inlineData``, file URIs as ``fileData``, tool calls and tool results), OpenAI params ->
``generationConfig`` (temperature, topP, maxOutputTokens, stopSequences, candidateCount, penalties, seed,
logprobs, responseMimeType + responseJsonSchema / responseSchema, thinkingConfig), ``tools`` ->
``functionDeclarations`` (plus googleSearch from ``web_search_options``, codeExecution and other native
tools passed through), ``tool_choice`` -> ``toolConfig``, ``safety_settings`` passthrough; the reply
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
import mimetypes
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litellm.providers._common import (
    error_fields,
    kind_for_status,
    looks_like_context_window,
    make_error,
    normalize_response_format,
    parse_data_url,
    price_entry,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

__all__ = [
    "GeminiAdapter",
    "build_gemini_body",
    "classify_google_error",
    "gemini_usage",
    "parse_gemini_response",
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

# reasoning_effort -> thinkingBudget for Gemini 2.5 (LiteLLM's defaults); "minimal" is per family
_EFFORT_BUDGET = {"low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192, "max": 16384}
_MINIMAL_BUDGET = (("gemini-2.5-flash-lite", 512), ("gemini-2.5-pro", 128), ("gemini-2.5-flash", 1))
_EFFORT_LEVEL = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "high"}

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

#: a tool-call id carries Gemini's thought signature so the next turn can echo it back (Gemini 3
#: refuses a function call replayed without it)
THOUGHT_SIGNATURE_SEP = "__thought__"

# provider-specific keyword arguments -> where they go in the body
_TOP_LEVEL_EXTRAS = {
    "safety_settings": "safetySettings",
    "safetySettings": "safetySettings",
    "cached_content": "cachedContent",
    "cachedContent": "cachedContent",
    "labels": "labels",
    "tool_config": "toolConfig",
    "toolConfig": "toolConfig",
}
_GENERATION_EXTRAS = {
    "top_k": "topK",
    "topK": "topK",
    "response_mime_type": "responseMimeType",
    "responseMimeType": "responseMimeType",
    "response_schema": "responseSchema",
    "responseSchema": "responseSchema",
    "response_modalities": "responseModalities",
    "responseModalities": "responseModalities",
    "speech_config": "speechConfig",
    "speechConfig": "speechConfig",
    "media_resolution": "mediaResolution",
    "mediaResolution": "mediaResolution",
    "thinking_config": "thinkingConfig",
    "thinkingConfig": "thinkingConfig",
    "image_config": "imageConfig",
    "imageConfig": "imageConfig",
    "audio_timestamp": "audioTimestamp",
}
# keyword arguments other layers consume (Vertex location, credentials): never sent
CONSUMED_EXTRAS = frozenset(
    {
        "vertex_project",
        "vertex_location",
        "vertex_credentials",
        "vertex_ai_project",
        "vertex_ai_location",
        "vertex_ai_credentials",
        "include_thoughts",
    }
)
# native Gemini tools users may put in ``tools`` as {"googleSearch": {}} or {"code_execution": {}}
_NATIVE_TOOLS = {
    "googleSearch": "googleSearch",
    "google_search": "googleSearch",
    "googleSearchRetrieval": "googleSearchRetrieval",
    "google_search_retrieval": "googleSearchRetrieval",
    "codeExecution": "codeExecution",
    "code_execution": "codeExecution",
    "urlContext": "urlContext",
    "url_context": "urlContext",
    "googleMaps": "googleMaps",
    "google_maps": "googleMaps",
    "enterpriseWebSearch": "enterpriseWebSearch",
    "enterprise_web_search": "enterpriseWebSearch",
    "retrieval": "retrieval",
    "computerUse": "computerUse",
}

# JSON-schema keywords Gemini's OpenAPI-subset Schema object refuses
_SCHEMA_DROP = frozenset({"$schema", "additionalProperties", "strict", "$id", "$comment", "examples"})
_VERSION = re.compile(r"gemini-(\d+)(?:\.(\d+))?")


# --------------------------------------------------------------------------------------------------
# Per-model facts
# --------------------------------------------------------------------------------------------------


def gemini_version(model: str) -> tuple[int, int] | None:
    m = _VERSION.search(model)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def supports_thinking(model: str, provider: str = "gemini") -> bool:
    entry = price_entry(model, provider)
    if entry and entry.get("supports_reasoning") is not None:
        return bool(entry["supports_reasoning"])
    version = gemini_version(model)
    return version is not None and version >= (2, 5)


def _thinking_level_model(model: str) -> bool:
    version = gemini_version(model)
    return version is not None and version >= (3, 0)


# --------------------------------------------------------------------------------------------------
# Request translation
# --------------------------------------------------------------------------------------------------


def _bad(message: str) -> ValueError:
    return ValueError(message)


def _guess_mime(url: str, default: str) -> str:
    path = url.split("?", 1)[0]
    if "youtube.com/" in url or "youtu.be/" in url:
        return "video/mp4"
    guessed, _ = mimetypes.guess_type(path)
    return guessed or default


def _media_part(url: str, mime_hint: str | None, default_mime: str) -> dict[str, Any]:
    parsed = parse_data_url(url)
    if parsed is not None:
        mime, payload, is_b64 = parsed
        if not is_b64:
            import base64
            from urllib.parse import unquote_to_bytes

            payload = base64.b64encode(unquote_to_bytes(payload)).decode()
        return {"inlineData": {"mimeType": mime_hint or mime, "data": payload}}
    if url.startswith(("gs://", "http://", "https://")):
        return {"fileData": {"mimeType": mime_hint or _guess_mime(url, default_mime), "fileUri": url}}
    raise _bad(
        f"cannot send {url[:40]!r} to Gemini: use a data: URL (base64), an http(s) URL, a gs:// URI or a "
        "Gemini Files API URI"
    )


def _file_part(file: Mapping[str, Any]) -> dict[str, Any]:
    mime = file.get("format") or file.get("mime_type")
    data = file.get("file_data")
    if isinstance(data, str) and data:
        if parse_data_url(data) is None and not data.startswith(("gs://", "http://", "https://")):
            # bare base64 with a declared format
            if not mime:
                raise _bad("a file part with bare base64 file_data needs 'format' (its MIME type)")
            return {"inlineData": {"mimeType": mime, "data": data}}
        return _media_part(data, mime, "application/pdf")
    file_id = file.get("file_id")
    if isinstance(file_id, str) and file_id:
        return _media_part(file_id, mime, "application/pdf")
    raise _bad("a file content part needs file_data (a data: URL) or file_id (a file URI)")


def content_parts(content: Any) -> list[dict[str, Any]]:
    """OpenAI message content (string or parts) -> Gemini parts."""
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    parts: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, str):
            parts.append({"text": part})
            continue
        ptype = part.get("type")
        if ptype == "text":
            text = part.get("text", "")
            if text:
                parts.append({"text": text})
        elif ptype == "image_url":
            image = part.get("image_url")
            if isinstance(image, Mapping):
                url, mime = str(image.get("url", "")), image.get("format")
            else:
                url, mime = str(image or ""), None
            parts.append(_media_part(url, mime, "image/jpeg"))
        elif ptype == "input_audio":
            audio = part.get("input_audio") or {}
            fmt = str(audio.get("format") or "wav")
            parts.append(
                {
                    "inlineData": {
                        "mimeType": fmt if "/" in fmt else f"audio/{fmt}",
                        "data": audio.get("data", ""),
                    }
                }
            )
        elif ptype == "file":
            parts.append(_file_part(part.get("file") or {}))
        elif ptype == "document":  # LiteLLM's document part: {"type":"document","source":{...}}
            source = part.get("source") or {}
            parts.append(
                {
                    "inlineData": {
                        "mimeType": source.get("media_type", "application/pdf"),
                        "data": source.get("data", ""),
                    }
                }
            )
        elif ptype is None and any(
            k in part for k in ("inlineData", "fileData", "text", "inline_data", "file_data")
        ):
            parts.append(dict(part))  # already a Gemini part
        else:
            raise _bad(f"unsupported content part type for Gemini: {ptype!r}")
    return parts


def _args_of(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not arguments:
        return {}
    try:
        value = json.loads(arguments)
    except (TypeError, ValueError) as exc:
        raise _bad(f"tool call arguments are not valid JSON: {str(arguments)[:80]!r}") from exc
    return value if isinstance(value, dict) else {"value": value}


def split_tool_call_id(call_id: Any) -> tuple[str | None, str | None]:
    """A tool-call id we minted -> (id, thought signature or None)."""
    if not isinstance(call_id, str):
        return None, None
    head, sep, signature = call_id.partition(THOUGHT_SIGNATURE_SEP)
    return head, (signature or None) if sep else None


def _tool_response(content: Any) -> dict[str, Any]:
    if isinstance(content, list):
        content = "".join(p.get("text", "") if isinstance(p, Mapping) else str(p) for p in content)
    if isinstance(content, str):
        try:
            value = json.loads(content)
        except ValueError:
            return {"content": content}
        return value if isinstance(value, dict) else {"content": value}
    if isinstance(content, Mapping):
        return dict(content)
    return {"content": content}


def translate_messages(
    messages: list[Mapping[str, Any]],
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """OpenAI messages -> (systemInstruction or None, contents with consecutive roles merged)."""
    system_parts: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    call_names: dict[str, str] = {}

    def push(role: str, parts: list[dict[str, Any]]) -> None:
        if not parts:
            return
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})

    for msg in messages:
        role = msg.get("role")
        if role in ("system", "developer"):
            system_parts.extend(p for p in content_parts(msg.get("content")) if "text" in p)
        elif role == "user":
            push("user", content_parts(msg.get("content")))
        elif role == "assistant":
            parts: list[dict[str, Any]] = []
            reasoning = msg.get("reasoning_content")
            signature_for_text = (msg.get("provider_specific_fields") or {}).get("thought_signature")
            if isinstance(reasoning, str) and reasoning and signature_for_text is None:
                pass  # thoughts are not replayed without their signature: Gemini ignores them anyway
            for p in content_parts(msg.get("content")):
                parts.append(p)
            if signature_for_text and parts and "text" in parts[-1]:
                parts[-1]["thoughtSignature"] = signature_for_text
            calls = list(msg.get("tool_calls") or ())
            if msg.get("function_call"):
                calls.append({"id": None, "function": msg["function_call"]})
            for call in calls:
                fn = call.get("function") or {}
                name = fn.get("name")
                call_id, signature = split_tool_call_id(call.get("id"))
                if call.get("id"):
                    call_names[str(call["id"])] = name
                    if call_id:
                        call_names[call_id] = name
                fc_part: dict[str, Any] = {
                    "functionCall": {"name": name, "args": _args_of(fn.get("arguments"))}
                }
                if signature:
                    fc_part["thoughtSignature"] = signature
                parts.append(fc_part)
            push("model", parts)
        elif role in ("tool", "function"):
            name = msg.get("name") or call_names.get(str(msg.get("tool_call_id")))
            if not name:
                raise _bad(
                    "a tool message must follow the assistant message whose tool_calls it answers (Gemini "
                    "needs the function name); or set 'name' on the tool message"
                )
            push(
                "user", [{"functionResponse": {"name": name, "response": _tool_response(msg.get("content"))}}]
            )
        else:
            raise _bad(f"unsupported message role for Gemini: {role!r}")
    system = {"parts": system_parts} if system_parts else None
    return system, contents


def _resolve_refs(schema: Any, defs: Mapping[str, Any], depth: int = 0) -> Any:
    if depth > 12:
        return {"type": "object"}
    if isinstance(schema, list):
        return [_resolve_refs(s, defs, depth) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/")):
        target = defs.get(ref.rsplit("/", 1)[-1], {"type": "object"})
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return _resolve_refs(merged, defs, depth + 1)
    return {
        k: _resolve_refs(v, defs, depth + 1) for k, v in schema.items() if k not in ("$defs", "definitions")
    }


def openapi_schema(schema: Any) -> Any:
    """A JSON schema -> Gemini's OpenAPI-subset Schema: refs inlined, unsupported keywords dropped, type
    lists with "null" turned into ``nullable``."""
    if not isinstance(schema, Mapping):
        return schema
    defs = {**(schema.get("definitions") or {}), **(schema.get("$defs") or {})}
    return _clean_schema(_resolve_refs(schema, defs) if defs or "$ref" in str(schema) else schema)


def _clean_schema(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_clean_schema(s) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SCHEMA_DROP:
            continue
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {k: _clean_schema(v) for k, v in value.items()}
        elif key in ("items", "anyOf", "oneOf", "allOf"):
            out["anyOf" if key == "oneOf" else key] = _clean_schema(value)
        elif key == "type" and isinstance(value, list):
            kinds = [v for v in value if v != "null"]
            if len(kinds) < len(value):
                out["nullable"] = True
            out["type"] = kinds[0] if len(kinds) == 1 else (kinds or ["string"])[0]
        else:
            out[key] = value
    # anyOf [X, {"type": "null"}] -> X nullable
    any_of = out.get("anyOf")
    if isinstance(any_of, list):
        non_null = [s for s in any_of if not (isinstance(s, Mapping) and s.get("type") == "null")]
        if len(non_null) < len(any_of):
            out["nullable"] = True
            if len(non_null) == 1 and isinstance(non_null[0], Mapping):
                out.pop("anyOf")
                out = {**non_null[0], **out}
            else:
                out["anyOf"] = non_null
    if out.get("type") == "object" and isinstance(out.get("properties"), Mapping) and not out["properties"]:
        out.pop("properties")  # Gemini refuses an empty properties map on an object
    return out


def _strip_strict(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_strip_strict(s) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    return {k: _strip_strict(v) for k, v in schema.items() if k != "strict"}


def translate_tools(
    tools: list[Mapping[str, Any]], functions: list[Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """OpenAI tools -> Gemini tools: one ``functionDeclarations`` tool, then native tools in order."""
    declarations: list[dict[str, Any]] = []
    native: list[dict[str, Any]] = []
    specs: list[Mapping[str, Any]] = []
    for tool in tools:
        if tool.get("type", "function") == "function" and isinstance(tool.get("function"), Mapping):
            specs.append(tool["function"])
            continue
        for key, value in tool.items():
            if key in _NATIVE_TOOLS:
                native.append({_NATIVE_TOOLS[key]: value if value is not None else {}})
                break
            if key == "functionDeclarations" or key == "function_declarations":
                declarations.extend(dict(d) for d in value or ())
                break
        else:
            ttype = tool.get("type")
            if isinstance(ttype, str) and ttype in _NATIVE_TOOLS:
                native.append({_NATIVE_TOOLS[ttype]: {k: v for k, v in tool.items() if k != "type"}})
            else:
                raise _bad(f"unsupported tool for Gemini: {json.dumps(tool)[:120]}")
    specs.extend(functions or ())
    for spec in specs:
        decl: dict[str, Any] = {"name": spec.get("name")}
        if spec.get("description"):
            decl["description"] = spec["description"]
        params = spec.get("parameters")
        if isinstance(params, Mapping) and (
            params.get("properties") or params.get("type") not in (None, "object")
        ):
            decl["parameters"] = openapi_schema(params)
        declarations.append(decl)
    out: list[dict[str, Any]] = []
    if declarations:
        out.append({"functionDeclarations": declarations})
    out.extend(native)
    return out


def translate_tool_choice(choice: Any) -> dict[str, Any] | None:
    if choice is None:
        return None
    if isinstance(choice, str):
        mode = {
            "auto": "AUTO",
            "none": "NONE",
            "required": "ANY",
            "any": "ANY",
            "validated": "VALIDATED",
        }.get(choice)
        if mode is None:
            raise _bad(f"tool_choice={choice!r} is not one of auto, none, required")
        return {"functionCallingConfig": {"mode": mode}}
    if isinstance(choice, Mapping):
        if "functionCallingConfig" in choice:
            return dict(choice)
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        if name:
            return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    raise _bad(f"unsupported tool_choice for Gemini: {choice!r}")


def thinking_config(model: str, effort: Any, thinking: Any, include_thoughts: Any) -> dict[str, Any] | None:
    """reasoning_effort / Anthropic-style ``thinking`` -> Gemini ``thinkingConfig`` (as LiteLLM maps them:
    2.5 models take a token budget, Gemini 3 a thinking level). Thoughts are returned unless disabled."""
    include = True if include_thoughts is None else bool(include_thoughts)
    if isinstance(thinking, Mapping):
        if thinking.get("type") == "disabled":
            return {"thinkingBudget": 0, "includeThoughts": False}
        budget = thinking.get("budget_tokens")
        if isinstance(budget, int):
            return {"thinkingBudget": budget, "includeThoughts": include}
        return {"includeThoughts": include}
    if isinstance(effort, Mapping):  # the Responses-style {"effort": ..., "summary": ...}
        effort = effort.get("effort")
    if not isinstance(effort, str):
        return None
    if effort in ("none", "disable", "disabled"):
        if _thinking_level_model(model):
            return {"thinkingLevel": "low", "includeThoughts": False}
        return {"thinkingBudget": 0, "includeThoughts": False}
    if _thinking_level_model(model):
        level = _EFFORT_LEVEL.get(effort)
        if level is None:
            raise _bad(f"reasoning_effort={effort!r} is not one of minimal, low, medium, high or none")
        return {"thinkingLevel": level, "includeThoughts": include}
    if effort == "minimal":
        low = model.lower()
        budget = next((b for name, b in _MINIMAL_BUDGET if name in low), 128)
        return {"thinkingBudget": budget, "includeThoughts": include}
    budget = _EFFORT_BUDGET.get(effort)
    if budget is None:
        raise _bad(f"reasoning_effort={effort!r} is not one of minimal, low, medium, high or none")
    return {"thinkingBudget": budget, "includeThoughts": include}


def _response_format(model: str, value: Any, config: dict[str, Any]) -> None:
    value = normalize_response_format(value)
    if not isinstance(value, Mapping):
        return
    rtype = value.get("type")
    if rtype == "text":
        config["responseMimeType"] = "text/plain"
        return
    if rtype == "json_object":
        config["responseMimeType"] = "application/json"
        schema = value.get("response_schema")
    elif rtype == "json_schema":
        config["responseMimeType"] = "application/json"
        schema = (value.get("json_schema") or {}).get("schema")
    else:
        raise _bad(f"response_format type {rtype!r} is not one of text, json_object, json_schema")
    if not isinstance(schema, Mapping):
        return
    version = gemini_version(model)
    if version is not None and version < (2, 0):
        config["responseSchema"] = openapi_schema(_strip_strict(schema))
    else:  # Gemini 2.0+ takes standard JSON Schema (refs, additionalProperties) as responseJsonSchema
        config["responseJsonSchema"] = _strip_strict(schema)


def build_gemini_body(
    model: str, messages: list[dict[str, Any]], optional_params: Mapping[str, Any]
) -> dict[str, Any]:
    """The ``GenerateContentRequest`` body for ``model`` (shared by AI Studio and Vertex AI).

    Raises ValueError with a message naming the bad input; the adapter turns it into BadRequestError.
    """
    system, contents = translate_messages(messages)
    if not contents:
        raise _bad("Gemini requires at least one user message (system messages alone are not a prompt).")
    params = dict(optional_params)
    body: dict[str, Any] = {"contents": contents}
    if system is not None:
        body["systemInstruction"] = system
    config: dict[str, Any] = {}
    simple = {
        "temperature": "temperature",
        "top_p": "topP",
        "n": "candidateCount",
        "presence_penalty": "presencePenalty",
        "frequency_penalty": "frequencyPenalty",
        "seed": "seed",
    }
    for key, target in simple.items():
        value = params.pop(key, None)
        if value is not None:
            config[target] = value
    max_tokens = params.pop("max_tokens", None)
    max_completion = params.pop("max_completion_tokens", None)
    if max_tokens is None:
        max_tokens = max_completion
    if max_tokens is not None:
        config["maxOutputTokens"] = int(max_tokens)
    stop = params.pop("stop", None)
    if stop:
        config["stopSequences"] = [stop] if isinstance(stop, str) else list(stop)
    if params.pop("logprobs", None):
        config["responseLogprobs"] = True
    top_logprobs = params.pop("top_logprobs", None)
    if top_logprobs is not None:
        config["responseLogprobs"] = True
        config["logprobs"] = int(top_logprobs)
    _response_format(model, params.pop("response_format", None), config)
    modalities = params.pop("modalities", None)
    if modalities:
        config["responseModalities"] = [str(m).upper() for m in modalities]
    audio = params.pop("audio", None)
    if isinstance(audio, Mapping) and audio.get("voice"):
        config["speechConfig"] = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": audio["voice"]}}}
    include_thoughts = params.pop("include_thoughts", None)
    thinking = thinking_config(
        model, params.pop("reasoning_effort", None), params.pop("thinking", None), include_thoughts
    )
    if thinking is not None:
        config["thinkingConfig"] = thinking

    tools = translate_tools(params.pop("tools", None) or [], params.pop("functions", None))
    web_search = params.pop("web_search_options", None)
    if web_search is not None and not any("googleSearch" in t for t in tools):
        tools.append({"googleSearch": {}})
    if tools:
        body["tools"] = tools
    choice = params.pop("tool_choice", None)
    if choice is None:
        fc = params.pop("function_call", None)
        if isinstance(fc, Mapping):
            choice = {"function": fc}
        elif isinstance(fc, str):
            choice = fc
    else:
        params.pop("function_call", None)
    tool_config = translate_tool_choice(choice)
    if tool_config is not None:
        body["toolConfig"] = tool_config
    params.pop("parallel_tool_calls", None)  # Gemini decides; nothing to send
    params.pop("stream", None)
    params.pop("stream_options", None)
    params.pop("user", None)  # no Gemini field; LiteLLM drops it too

    unknown: list[str] = []
    for key, value in params.items():
        if value is None or key in CONSUMED_EXTRAS:
            continue
        if key in _TOP_LEVEL_EXTRAS:
            body[_TOP_LEVEL_EXTRAS[key]] = value
        elif key in _GENERATION_EXTRAS:
            target = _GENERATION_EXTRAS[key]
            if target == "thinkingConfig" and isinstance(value, Mapping):
                config[target] = {**config.get(target, {}), **value}
            else:
                config[target] = value
        elif key == "generationConfig" or key == "generation_config":
            config.update(value)
        else:
            unknown.append(key)
    if unknown:
        raise _bad(
            f"Gemini does not take {', '.join(sorted(unknown))}: pass Gemini fields through extra_body={{...}}, "
            "or use safety_settings / top_k / cached_content / labels / response_modalities"
        )
    if config:
        body["generationConfig"] = config
    return body


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
) -> tuple[list[str], list[str], list[dict[str, Any]], str | None]:
    """Gemini parts -> (text pieces, thought pieces, function calls, last text thought signature)."""
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
            calls.append(
                {
                    "id": fc.get("id") or _new_call_id(signature),
                    "type": "function",
                    "function": {"name": fc.get("name"), "arguments": json.dumps(fc.get("args") or {})},
                }
            )
        elif part.get("thought") and isinstance(part.get("text"), str):
            thoughts.append(part["text"])
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
        elif "inlineData" in part:
            data = part.get("inlineData") or {}
            texts.append(
                f"data:{data.get('mimeType', 'application/octet-stream')};base64,{data.get('data', '')}"
            )
    return texts, thoughts, calls, text_signature


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
        texts, thoughts, calls, text_signature = _translate_parts(parts)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
        if thoughts:
            message["reasoning_content"] = "".join(thoughts)
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
        status = (
            err.get("code")
            if isinstance(err.get("code"), int)
            else _HTTP_OF_RPC.get(str(err.get("status")), 500)
        )
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
        texts, thoughts, calls, text_signature = _translate_parts(parts)
        delta: dict[str, Any] = {}
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
    if isinstance(usage_meta, Mapping):
        extra["usage"] = usage_meta
        finished = any(c["choices"][0]["finish_reason"] for c in chunks)
        if finished:
            chunks[-1]["usage"] = gemini_usage(usage_meta, grounded=bool(extra["grounding"]))
            if extra["grounding"]:
                chunks[-1]["vertex_ai_grounding_metadata"] = list(extra["grounding"])
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
        raise _bad("embedding input is empty: pass a string or a list of strings")
    for item in items:
        if not isinstance(item, str):
            raise _bad(
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
        "api_key": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
        "api_base": ("GEMINI_API_BASE",),
    }

    def __repr__(self) -> str:
        return "GeminiAdapter()"

    def supported_params(self, model: str) -> frozenset[str]:
        if supports_thinking(model, self.name):
            return BASE_PARAMS | REASONING_PARAMS
        return BASE_PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return [] if credentials.api_key else ["GEMINI_API_KEY (or GOOGLE_API_KEY)"]

    def _model_url(self, model: str, credentials: Credentials, method: str) -> str:
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        if not re.search(r"/v1(?:alpha|beta)?\d*$", base):
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
