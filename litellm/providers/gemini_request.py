"""The Gemini ``GenerateContentRequest`` body, from OpenAI-format input (shared by AI Studio and Vertex AI).

Owns: messages -> ``contents`` / ``systemInstruction`` (text, images, PDF and audio as ``inlineData``,
file URIs as ``fileData``, tool calls with their thought signatures, tool results as
``functionResponse``), OpenAI params -> ``generationConfig`` (temperature, topP, maxOutputTokens,
stopSequences, candidateCount, penalties, seed, logprobs, responseMimeType + responseJsonSchema /
responseSchema, thinkingConfig from reasoning_effort / thinking), ``tools`` -> ``functionDeclarations``
(JSON schema cut down to Gemini's OpenAPI subset) plus native tools (googleSearch from
``web_search_options``, codeExecution, urlContext, ...), ``tool_choice`` -> ``toolConfig``, and Gemini's
own keyword arguments (safety_settings, cached_content, labels, top_k, response_modalities, ...).

Wire facts come from Google's public Gemini API reference; thinking budgets per reasoning_effort follow
LiteLLM 1.110.2's defaults. Must not send, log, read the environment or import anything heavy; the price
map is consulted lazily (does a model think?). Errors are ValueError with a message naming the fix; the
adapters turn them into BadRequestError.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Mapping, Sequence
from typing import Any

from litellm.providers._common import (
    normalize_response_format,
    parse_data_url,
    pop_max_tokens,
    price_entry,
    stop_list,
)

__all__ = [
    "CONSUMED_EXTRAS",
    "THOUGHT_SIGNATURE_SEP",
    "build_gemini_body",
    "content_parts",
    "gemini_version",
    "openapi_schema",
    "split_tool_call_id",
    "supports_thinking",
    "thinking_config",
    "translate_messages",
    "translate_tool_choice",
    "translate_tools",
]

# reasoning_effort -> thinkingBudget for Gemini 2.5 (LiteLLM's defaults); "minimal" is per family
_EFFORT_BUDGET = {"low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192, "max": 16384}
_MINIMAL_BUDGET = (("gemini-2.5-flash-lite", 512), ("gemini-2.5-pro", 128), ("gemini-2.5-flash", 1))
_EFFORT_LEVEL = {"minimal": "low", "low": "low", "medium": "medium", "high": "high", "xhigh": "high"}

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


def _signature_field(obj: Any) -> str | None:
    """A thought signature kept in ``provider_specific_fields`` (LiteLLM's place for it on tool calls)."""
    fields = obj.get("provider_specific_fields") if isinstance(obj, Mapping) else None
    value = fields.get("thought_signature") if isinstance(fields, Mapping) else None
    return value if isinstance(value, str) and value else None


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
    messages: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """OpenAI messages -> (systemInstruction or None, contents with consecutive roles merged)."""
    system_parts: list[dict[str, Any]] = []
    contents: list[dict[str, Any]] = []
    call_names: dict[str, str | None] = {}

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
            # thoughts themselves are not replayed (Gemini ignores them); their signature is
            fields = msg.get("provider_specific_fields") or {}
            signature_for_text = fields.get("thought_signature") or next(
                iter(fields.get("thought_signatures") or ()), None
            )
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
                signature = signature or _signature_field(call) or _signature_field(fn)
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
    max_tokens = pop_max_tokens(params)
    if max_tokens is not None:
        config["maxOutputTokens"] = int(max_tokens)
    stop = params.pop("stop", None)
    if stop:
        config["stopSequences"] = stop_list(stop)
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
