"""Bedrock Converse / ConverseStream <-> OpenAI chat format, for every model family Converse serves.

Owns: the request body (``messages`` with text, image, document, video, toolUse, toolResult,
reasoningContent and cachePoint blocks; ``system``; ``inferenceConfig``; ``toolConfig`` with toolSpec and
toolChoice; ``additionalModelRequestFields`` for thinking / reasoning and model-specific knobs such as
``top_k``; ``guardrailConfig``, ``performanceConfig``, ``requestMetadata`` passed through), the response
(text, toolUse -> tool_calls, reasoningContent -> reasoning_content / thinking_blocks, stopReason, usage
with cache reads and writes), and the ConverseStream event translation (messageStart, contentBlockStart,
contentBlockDelta, contentBlockStop, messageStop, metadata).

Wire facts come from the Amazon Bedrock API reference (Converse, ConverseStream, ContentBlock,
ToolConfiguration, TokenUsage); deliberate behaviour (the json_tool_call tool for response_format,
prompt tokens counting cache reads and writes) follows LiteLLM 1.110.2.

Must not: send, log, read the environment or sign anything (``litellm.providers.bedrock`` builds the
URL and the auth; this module only translates).
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from litellm.providers._common import (
    normalize_response_format,
    parse_data_url,
    pop_max_tokens,
    price_entry,
    stop_list,
)
from litellm.providers.base import StreamState

__all__ = [
    "CONVERSE_TOP_LEVEL",
    "JSON_TOOL_NAME",
    "build_converse_body",
    "converse_usage",
    "parse_converse_response",
    "parse_converse_stream_event",
]

JSON_TOOL_NAME = "json_tool_call"
#: Converse request fields a caller may pass as provider-specific params; anything else unknown goes to
#: additionalModelRequestFields (top_k, model-specific knobs), as LiteLLM does
CONVERSE_TOP_LEVEL = frozenset(
    {
        "guardrailConfig",
        "performanceConfig",
        "requestMetadata",
        "additionalModelResponseFieldPaths",
        "promptVariables",
        "serviceTier",
        "additionalModelRequestFields",
    }
)
_NEVER_SENT = frozenset({"stream", "stream_options", "user", "n"})
_SERVICE_TIERS = {"auto": "default", "default": "default", "flex": "flex", "priority": "priority"}

_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
    "model_context_window_exceeded": "length",
}
_EFFORT_BUDGET = {"minimal": 1024, "low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192, "max": 16384}
_ANSWER_HEADROOM = 4096
_IMAGE_FORMATS = {"png", "jpeg", "gif", "webp"}
_DOC_FORMATS = {
    "application/pdf": "pdf",
    "text/csv": "csv",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/html": "html",
    "text/plain": "txt",
    "text/markdown": "md",
}
_VIDEO_FORMATS = {
    "mp4",
    "quicktime",
    "mov",
    "mkv",
    "x-matroska",
    "webm",
    "x-flv",
    "mpeg",
    "mpg",
    "wmv",
    "3gpp",
}


class ConverseInputError(ValueError):
    """Input Converse cannot take; the message says what to change."""


# --------------------------------------------------------------------------------------------------
# Per-model facts
# --------------------------------------------------------------------------------------------------


def base_model_id(model_id: str) -> str:
    """The foundation model id inside a profile id or ARN ("us.anthropic.claude-..." -> "anthropic.claude-...")."""
    bare = model_id.rsplit("/", 1)[-1]
    head, sep, rest = bare.partition(".")
    if sep and head in ("us", "eu", "apac", "global", "jp", "au", "ca", "us-gov", "apne1", "use1"):
        return rest
    return bare


def family(model_id: str) -> str:
    """The model family (the provider before the first dot): anthropic, amazon, meta, mistral, ..."""
    return base_model_id(model_id).split(".", 1)[0]


def supports_reasoning(model_id: str) -> bool:
    entry = price_entry(model_id.rsplit("/", 1)[-1], "bedrock")
    if entry and entry.get("supports_reasoning") is not None:
        return bool(entry["supports_reasoning"])
    base = base_model_id(model_id)
    return any(
        marker in base
        for marker in (
            "claude-3-7",
            "claude-sonnet-4",
            "claude-opus-4",
            "claude-haiku-4",
            "nova-2",
            "gpt-oss",
        )
    ) or base.startswith("deepseek.")


# --------------------------------------------------------------------------------------------------
# Request
# --------------------------------------------------------------------------------------------------


def _cache_point(cache_control: Any) -> dict[str, Any] | None:
    if not cache_control:
        return None
    point: dict[str, Any] = {"type": "default"}
    if isinstance(cache_control, Mapping) and cache_control.get("ttl"):
        point["ttl"] = cache_control["ttl"]
    return {"cachePoint": point}


def _b64(payload: str, is_b64: bool) -> str:
    if is_b64:
        return payload
    from urllib.parse import unquote_to_bytes

    return base64.b64encode(unquote_to_bytes(payload)).decode("ascii")


def _media_block(url: str, index: int) -> dict[str, Any]:
    if url.startswith("s3://"):
        ext = url.rsplit(".", 1)[-1].lower()
        fmt = "jpeg" if ext == "jpg" else ext
        if fmt in _IMAGE_FORMATS:
            return {"image": {"format": fmt, "source": {"s3Location": {"uri": url}}}}
        if fmt in _VIDEO_FORMATS:
            return {"video": {"format": fmt, "source": {"s3Location": {"uri": url}}}}
        return {
            "document": {"format": fmt, "name": f"document-{index}", "source": {"s3Location": {"uri": url}}}
        }
    parsed = parse_data_url(url)
    if parsed is None:
        raise ConverseInputError(
            "Bedrock takes images, documents and videos as bytes or S3 URIs, not web URLs: pass a data: URL "
            "('data:image/png;base64,...') or an s3:// URI."
        )
    mime, payload, is_b64 = parsed
    data = _b64(payload, is_b64)
    kind, _, sub = mime.partition("/")
    if kind == "image":
        fmt = "jpeg" if sub in ("jpg", "jpeg") else sub
        if fmt not in _IMAGE_FORMATS:
            raise ConverseInputError(f"Bedrock images must be png, jpeg, gif or webp, got {mime}.")
        return {"image": {"format": fmt, "source": {"bytes": data}}}
    if kind == "video":
        return {"video": {"format": sub, "source": {"bytes": data}}}
    doc_format = _DOC_FORMATS.get(mime)
    if doc_format is None:
        raise ConverseInputError(
            f"Bedrock documents must be one of {sorted(set(_DOC_FORMATS.values()))}, got {mime}."
        )
    # Bedrock requires a name (letters, digits, spaces, hyphens, parentheses, brackets)
    return {"document": {"format": doc_format, "name": f"document-{index}", "source": {"bytes": data}}}


def _content_blocks(content: Any, counter: list[int]) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    blocks: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, str):
            blocks.append({"text": part})
            continue
        ptype = part.get("type")
        if ptype == "text":
            if part.get("text"):
                blocks.append({"text": part["text"]})
        elif ptype == "image_url":
            image = part.get("image_url")
            url = image.get("url", "") if isinstance(image, Mapping) else str(image or "")
            counter[0] += 1
            blocks.append(_media_block(url, counter[0]))
        elif ptype == "file":
            file = part.get("file") or {}
            data = file.get("file_data") or file.get("file_id")
            if not isinstance(data, str):
                raise ConverseInputError(
                    "a file content part needs file_data (a data: URL) or an s3:// file_id"
                )
            counter[0] += 1
            block = _media_block(data, counter[0])
            if "document" in block and file.get("filename"):
                block["document"]["name"] = _doc_name(str(file["filename"]))
            blocks.append(block)
        elif ptype in ("input_audio", "audio"):
            raise ConverseInputError("Bedrock Converse does not take audio input.")
        else:
            # already a Converse block ({"cachePoint": ...}, {"guardContent": ...}, ...): pass it on
            blocks.append({k: v for k, v in part.items() if k not in ("type", "cache_control")})
        point = _cache_point(part.get("cache_control"))
        if point:
            blocks.append(point)
    return blocks


def _doc_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    cleaned = "".join(c if c.isalnum() or c in " -()[]" else "-" for c in stem).strip()
    return " ".join(cleaned.split())[:200] or "document"


def _tool_input(arguments: Any) -> dict[str, Any]:
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if not arguments:
        return {}
    try:
        value = json.loads(arguments)
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _tool_result(msg: Mapping[str, Any], counter: list[int]) -> dict[str, Any]:
    content = msg.get("content")
    parts: list[dict[str, Any]] = []
    if isinstance(content, str) or content is None:
        parts.append({"text": content or "."})  # Bedrock refuses an empty tool result
    else:
        for block in _content_blocks(content, counter):
            if "cachePoint" not in block:
                parts.append(block)
        if not parts:
            parts.append({"text": "."})
    result: dict[str, Any] = {"toolUseId": msg.get("tool_call_id") or msg.get("name"), "content": parts}
    return {"toolResult": result}


def translate_messages(
    messages: Sequence[Mapping[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """OpenAI messages -> (Converse system blocks, Converse messages with alternating roles)."""
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []
    counter = [0]

    def push(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})

    for msg in messages:
        role = msg.get("role")
        point = _cache_point(msg.get("cache_control"))
        if role in ("system", "developer"):
            system.extend(
                b for b in _content_blocks(msg.get("content"), counter) if "text" in b or "cachePoint" in b
            )
            if point:
                system.append(point)
        elif role == "user":
            blocks = _content_blocks(msg.get("content"), counter)
            if point and blocks:
                blocks.append(point)
            push("user", blocks)
        elif role == "assistant":
            blocks = []
            for tb in msg.get("thinking_blocks") or ():
                if tb.get("type") == "redacted_thinking":
                    blocks.append({"reasoningContent": {"redactedContent": tb.get("data", "")}})
                elif tb.get("thinking"):
                    text: dict[str, Any] = {"text": tb["thinking"]}
                    if tb.get("signature"):
                        text["signature"] = tb["signature"]
                    blocks.append({"reasoningContent": {"reasoningText": text}})
            content = msg.get("content")
            if isinstance(content, str):
                content = content.rstrip()
            blocks.extend(_content_blocks(content, counter))
            for call in msg.get("tool_calls") or ():
                fn = call.get("function") or {}
                blocks.append(
                    {
                        "toolUse": {
                            "toolUseId": call.get("id"),
                            "name": fn.get("name"),
                            "input": _tool_input(fn.get("arguments")),
                        }
                    }
                )
            if point and blocks:
                blocks.append(point)
            push("assistant", blocks)
        elif role in ("tool", "function"):
            push("user", [_tool_result(msg, counter)])
            if point:
                push("user", [point])
        else:
            raise ConverseInputError(f"unsupported message role for Bedrock: {role!r}")
    return system, turns


def _tools(tools: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tool in tools:
        if "toolSpec" in tool or "cachePoint" in tool or "systemTool" in tool:
            out.append(dict(tool))  # already Converse's shape
            continue
        fn = tool.get("function") or {}
        spec: dict[str, Any] = {
            "name": fn.get("name"),
            "inputSchema": {"json": fn.get("parameters") or {"type": "object", "properties": {}}},
        }
        if fn.get("description"):
            spec["description"] = fn["description"]
        out.append({"toolSpec": spec})
        point = _cache_point(tool.get("cache_control") or fn.get("cache_control"))
        if point:
            out.append(point)
    return out


def _tool_choice(choice: Any) -> dict[str, Any] | None:
    if isinstance(choice, str):
        return {"auto": {"auto": {}}, "required": {"any": {}}, "any": {"any": {}}}.get(choice)
    if isinstance(choice, Mapping):
        if choice.get("type") == "function":
            return {"tool": {"name": (choice.get("function") or {}).get("name")}}
        if any(k in choice for k in ("auto", "any", "tool")):
            return dict(choice)
    return None


def _reasoning_fields(model_id: str, effort: str | None, thinking: Any) -> dict[str, Any]:
    fam = family(model_id)
    if thinking is not None:
        return {"thinking": dict(thinking)} if fam == "anthropic" else {}
    if effort is None:
        return {}
    if effort in ("none", "disable", "disabled"):
        return {}
    if fam == "anthropic":
        if effort not in _EFFORT_BUDGET:
            raise ConverseInputError(
                f"reasoning_effort={effort!r} is not one of {sorted(_EFFORT_BUDGET)} or 'none'."
            )
        # the same mapping as Anthropic's own API: a thinking budget, or adaptive thinking with an
        # output_config effort on Claude 4.6 and later
        from litellm.providers.anthropic import _thinking_for_effort

        thinking_param, output_config = _thinking_for_effort(base_model_id(model_id), effort)
        out: dict[str, Any] = {"thinking": thinking_param} if thinking_param else {}
        if output_config:
            out["output_config"] = output_config
        return out
    if fam == "amazon":
        level = "low" if effort == "minimal" else ("high" if effort in ("xhigh", "max") else effort)
        return {"reasoningConfig": {"type": "enabled", "maxReasoningEffort": level}}
    return {"reasoning_effort": effort}


def build_converse_body(
    model_id: str, messages: Sequence[Mapping[str, Any]], optional_params: Mapping[str, Any]
) -> dict[str, Any]:
    """The Converse (and ConverseStream: the same body) request for ``model_id``."""
    system, turns = translate_messages(messages)
    if not turns:
        raise ConverseInputError("Bedrock requires at least one user message; add one.")
    body: dict[str, Any] = {"messages": turns}
    if system:
        body["system"] = system
    params = dict(optional_params)
    inference: dict[str, Any] = {}
    max_tokens = pop_max_tokens(params)
    for ours, theirs in (("temperature", "temperature"), ("top_p", "topP")):
        if params.get(ours) is not None:
            inference[theirs] = params.pop(ours)
    stop = params.pop("stop", None)
    if stop:
        inference["stopSequences"] = stop_list(stop)

    tools = _tools(params.pop("tools", None) or [])
    choice = _tool_choice(params.pop("tool_choice", None))
    response_format = normalize_response_format(params.pop("response_format", None))
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {"type": "object"}
        tools.insert(
            0,
            {
                "toolSpec": {
                    "name": JSON_TOOL_NAME,
                    "description": "Respond with a JSON object matching this schema.",
                    "inputSchema": {"json": schema},
                }
            },
        )
        choice = {"tool": {"name": JSON_TOOL_NAME}}
    if tools:
        tool_config: dict[str, Any] = {"tools": tools}
        if choice is not None:
            tool_config["toolChoice"] = choice
        body["toolConfig"] = tool_config
    elif _mentions_tools(turns):
        # Converse refuses toolUse/toolResult blocks without a toolConfig: declare the tools the history used
        body["toolConfig"] = {"tools": _tools_from_history(turns)}

    additional: dict[str, Any] = dict(params.pop("additionalModelRequestFields", None) or {})
    parallel = params.pop("parallel_tool_calls", None)
    if parallel is not None and tools and family(model_id) == "anthropic":
        # Claude's own switch, passed through Converse as a model-specific field (as LiteLLM does)
        additional["tool_choice"] = {"type": "auto", "disable_parallel_tool_use": not parallel}
    tier = params.pop("service_tier", None)
    if isinstance(tier, str) and tier in _SERVICE_TIERS:
        body["serviceTier"] = {"type": _SERVICE_TIERS[tier]}
    reasoning = _reasoning_fields(
        model_id, params.pop("reasoning_effort", None), params.pop("thinking", None)
    )
    additional.update(reasoning)
    thinking = additional.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") == "enabled":
        budget = thinking.get("budget_tokens")
        if isinstance(budget, int) and (max_tokens is None or max_tokens <= budget):
            max_tokens = budget + _ANSWER_HEADROOM if max_tokens is None else max_tokens
            if max_tokens <= budget:
                additional["thinking"] = {**thinking, "budget_tokens": max(1024, max_tokens - 1)}
        inference.pop("temperature", None)  # Anthropic refuses temperature != 1 with thinking on
        inference.pop("topP", None)
    if max_tokens is not None:
        inference["maxTokens"] = int(max_tokens)
    if inference:
        body["inferenceConfig"] = inference

    for key, value in params.items():
        if value is None or key in _NEVER_SENT:
            continue
        if key in CONVERSE_TOP_LEVEL:
            body[key] = value
        else:
            additional[key] = value  # top_k and other model-specific knobs
    if additional:
        body["additionalModelRequestFields"] = additional
    return body


def _mentions_tools(turns: list[dict[str, Any]]) -> bool:
    return any("toolUse" in b or "toolResult" in b for t in turns for b in t["content"])


def _tools_from_history(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = sorted(
        {
            b["toolUse"]["name"]
            for t in turns
            for b in t["content"]
            if "toolUse" in b and b["toolUse"].get("name")
        }
    )
    return [
        {"toolSpec": {"name": name, "inputSchema": {"json": {"type": "object", "properties": {}}}}}
        for name in names
    ] or [{"toolSpec": {"name": "dummy_tool", "inputSchema": {"json": {"type": "object", "properties": {}}}}}]


# --------------------------------------------------------------------------------------------------
# Response
# --------------------------------------------------------------------------------------------------


def _thinking_tokens(reasoning_text: str | None, output_tokens: int) -> int | None:
    if not reasoning_text:
        return None
    try:
        from litellm.cost.tokens import token_counter

        counted = token_counter(text=reasoning_text, count_response_tokens=True)
    except Exception:  # an estimate must never break response parsing
        return None
    return min(max(counted, 0), output_tokens)


def converse_usage(usage: Mapping[str, Any], reasoning_text: str | None = None) -> dict[str, Any]:
    """Converse TokenUsage -> OpenAI usage. Prompt tokens include cache reads and writes (as LiteLLM
    counts), so the price map's cache_read / cache_creation prices apply to their share."""
    raw_input = int(usage.get("inputTokens") or 0)
    output = int(usage.get("outputTokens") or 0)
    cache_read = int(usage.get("cacheReadInputTokens") or usage.get("cacheReadInputTokenCount") or 0)
    cache_write = int(usage.get("cacheWriteInputTokens") or usage.get("cacheWriteInputTokenCount") or 0)
    prompt = raw_input + cache_read + cache_write
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": output,
        "total_tokens": prompt + output,
        "prompt_tokens_details": {
            "cached_tokens": cache_read,
            "cache_creation_tokens": cache_write,
            "text_tokens": raw_input,
        },
        "cache_read_input_tokens": cache_read,
        "cache_creation_input_tokens": cache_write,
    }
    thinking = _thinking_tokens(reasoning_text, output)
    if thinking is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": thinking, "text_tokens": output - thinking}
    return out


def _reasoning_block(block: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    if "redactedContent" in block:
        data = block["redactedContent"]
        if isinstance(data, (bytes, bytearray)):
            data = base64.b64encode(data).decode("ascii")
        return {"type": "redacted_thinking", "data": data}, ""
    text_block = block.get("reasoningText") or {}
    text = text_block.get("text", "")
    out: dict[str, Any] = {"type": "thinking", "thinking": text}
    if text_block.get("signature"):
        out["signature"] = text_block["signature"]
    return out, text


def parse_converse_response(model: str, data: Mapping[str, Any]) -> dict[str, Any]:
    message_in = ((data.get("output") or {}).get("message")) or {}
    texts: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    thinking_blocks: list[dict[str, Any]] = []
    reasoning: list[str] = []
    json_content: str | None = None
    for block in message_in.get("content") or ():
        if "text" in block:
            texts.append(block["text"])
        elif "toolUse" in block:
            use = block["toolUse"]
            if use.get("name") == JSON_TOOL_NAME:
                json_content = json.dumps(use.get("input", {}))
                continue
            tool_calls.append(
                {
                    "id": use.get("toolUseId"),
                    "type": "function",
                    "function": {"name": use.get("name"), "arguments": json.dumps(use.get("input", {}))},
                }
            )
        elif "reasoningContent" in block:
            tb, text = _reasoning_block(block["reasoningContent"])
            thinking_blocks.append(tb)
            if text:
                reasoning.append(text)
    finish = _FINISH.get(data.get("stopReason") or "", "stop")
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if json_content is not None and not tool_calls:
        message["content"] = json_content
        if finish == "tool_calls":
            finish = "stop"
    if tool_calls:
        message["tool_calls"] = tool_calls
    if thinking_blocks:
        message["thinking_blocks"] = thinking_blocks
        message["reasoning_content"] = "".join(reasoning) if reasoning else None
    return {
        "id": f"chatcmpl-{uuid.uuid4()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": converse_usage(data.get("usage") or {}, "".join(reasoning) or None),
    }


# --------------------------------------------------------------------------------------------------
# Stream
# --------------------------------------------------------------------------------------------------


def init_converse_state(state: StreamState) -> None:
    state.response_id = f"chatcmpl-{uuid.uuid4()}"
    state.extra.update(tools={}, json_blocks=set(), role_sent=False, next_tool=0, thinking=[], finish=None)


def _chunk(state: StreamState, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    extra = state.extra
    if not extra["role_sent"]:
        delta["role"] = "assistant"
        extra["role_sent"] = True
    return {
        "id": state.response_id,
        "object": "chat.completion.chunk",
        "created": state.created,
        "model": state.model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def parse_converse_stream_event(state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
    """One ConverseStream event (``:event-type`` header, JSON payload) -> OpenAI chunk dicts."""
    if not data:
        return []
    obj = json.loads(data)
    extra = state.extra
    if event == "contentBlockDelta":
        delta = obj.get("delta") or {}
        index = obj.get("contentBlockIndex")
        if "text" in delta:
            return [_chunk(state, {"content": delta["text"]})]
        if "toolUse" in delta:
            fragment = (delta["toolUse"] or {}).get("input", "")
            if not fragment:
                return []
            if index in extra["json_blocks"]:
                return [_chunk(state, {"content": fragment})]
            tool_index = extra["tools"].get(index)
            if tool_index is None:
                return []
            call = {"index": tool_index, "type": "function", "function": {"arguments": fragment}}
            return [_chunk(state, {"tool_calls": [call]})]
        if "reasoningContent" in delta:
            rc = delta["reasoningContent"] or {}
            if "text" in rc:
                extra["thinking"].append(rc["text"])
                block = {"type": "thinking", "thinking": rc["text"]}
                return [_chunk(state, {"reasoning_content": rc["text"], "thinking_blocks": [block]})]
            if "signature" in rc:
                block = {"type": "thinking", "thinking": "", "signature": rc["signature"]}
                return [_chunk(state, {"reasoning_content": "", "thinking_blocks": [block]})]
            if "redactedContent" in rc:
                block = {"type": "redacted_thinking", "data": rc["redactedContent"]}
                return [_chunk(state, {"thinking_blocks": [block]})]
        return []
    if event == "contentBlockStart":
        start = obj.get("start") or {}
        use = start.get("toolUse")
        if use:
            index = obj.get("contentBlockIndex")
            if use.get("name") == JSON_TOOL_NAME:
                extra["json_blocks"].add(index)
                return []
            tool_index = extra["next_tool"]
            extra["next_tool"] = tool_index + 1
            extra["tools"][index] = tool_index
            call = {
                "index": tool_index,
                "id": use.get("toolUseId"),
                "type": "function",
                "function": {"name": use.get("name"), "arguments": ""},
            }
            return [_chunk(state, {"content": None, "tool_calls": [call]})]
        return []
    if event == "messageStop":
        finish = _FINISH.get(obj.get("stopReason") or "", "stop")
        if finish == "tool_calls" and extra["json_blocks"] and not extra["tools"]:
            finish = "stop"
        extra["finish"] = finish
        return []
    if event == "metadata":
        # Bedrock sends usage after messageStop: the finish chunk carries both
        usage = converse_usage(obj.get("usage") or {}, "".join(extra["thinking"]) or None)
        chunk = _chunk(state, {}, extra.get("finish") or "stop")
        chunk["usage"] = usage
        extra["finish_sent"] = True
        return [chunk]
    # messageStart, contentBlockStop and event types added later carry nothing for the caller
    return []
