"""Anthropic Messages API <-> OpenAI chat format, both ways, streamed or not.

Owns: :class:`AnthropicAdapter` (``POST {api_base}/v1/messages`` with ``x-api-key`` and
``anthropic-version: 2023-06-01``), the request translation (system hoisting, max_tokens default, stop ->
stop_sequences, tools / tool_choice / parallel_tool_calls, tool and tool-call messages, image / PDF parts,
cache_control, thinking and reasoning_effort, response_format, user -> metadata.user_id, web search), the
response translation (text, tool_use -> tool_calls, thinking -> reasoning_content / thinking_blocks, stop
reasons, usage with cache writes by lifetime and thinking as reasoning tokens), the SSE event translation,
and Anthropic's error classification.

Behaviour follows LiteLLM 1.110.2 where it is deliberate (checked against the reference install); facts
about the wire come from Anthropic's public API reference. Must not: send, log, read the environment or
import anything heavy; the price map is consulted lazily for per-model facts (max output tokens,
native structured output, reasoning), and the token counter lazily for thinking text.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from litellm.providers._common import (
    error_fields,
    kind_for_status,
    looks_like_content_policy,
    looks_like_context_window,
    make_error,
    normalize_response_format,
    parse_data_url,
    pop_max_tokens,
    price_entry,
    stop_list,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

__all__ = ["ANTHROPIC_VERSION", "JSON_TOOL_NAME", "AnthropicAdapter", "default_max_tokens"]

ANTHROPIC_VERSION = "2023-06-01"
DEFAULT_API_BASE = "https://api.anthropic.com"
#: the tool LiteLLM forces to get JSON out of models without native structured output
JSON_TOOL_NAME = "json_tool_call"

_BETA_STRUCTURED_OUTPUTS = "structured-outputs-2025-11-13"
_BETA_FILES_API = "files-api-2025-04-14"
_BETA_CONTEXT_MANAGEMENT = "context-management-2025-06-27"

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
        "parallel_tool_calls",
        "response_format",
        "user",
        "web_search_options",
        "service_tier",
        "context_management",
    }
)
_REASONING_PARAMS = frozenset({"reasoning_effort", "thinking"})

# reasoning_effort -> thinking budget (LiteLLM's DEFAULT_REASONING_EFFORT_*_THINKING_BUDGET defaults)
_EFFORT_BUDGET = {"minimal": 1024, "low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192, "max": 16384}
# Anthropic requires budget_tokens >= 1024 and < max_tokens; LiteLLM leaves 4096 tokens for the answer
_MIN_THINKING_BUDGET = 1024
_ANSWER_HEADROOM = 4096
# web_search_options.search_context_size -> max_uses (LiteLLM's ANTHROPIC_WEB_SEARCH_TOOL_MAX_USES)
_WEB_SEARCH_MAX_USES = {"low": 1, "medium": 5, "high": 10}

_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "length",
    "model_context_window_exceeded": "length",
}

# Max output tokens for models the price map no longer lists (Anthropic "Models overview" page).
_FAMILY_MAX_OUTPUT = (
    (re.compile(r"claude-3-(?:opus|sonnet|haiku)"), 4096),
    (re.compile(r"claude-3-5-"), 8192),
    (re.compile(r"claude-3-7-"), 64000),
    (re.compile(r"claude-opus-4(?:-1)?(?:-\d{8}|$)"), 32000),
    (re.compile(r"claude-(?:sonnet|haiku|opus)-4"), 64000),
)
_FALLBACK_MAX_TOKENS = 4096

_VERSION = re.compile(r"claude-(?:[a-z]+-)?(\d+)(?:-(\d{1,2}))?(?=-|$)")

# Error type (body) -> kind; LiteLLM maps overloaded_error (529) to InternalServerError.
_ERROR_TYPES = {
    "authentication_error": "AuthenticationError",
    "permission_error": "PermissionDeniedError",
    "not_found_error": "NotFoundError",
    "request_too_large": "BadRequestError",
    "rate_limit_error": "RateLimitError",
    "api_error": "InternalServerError",
    # Anthropic's 529: the API is temporarily overloaded, i.e. unavailable (LiteLLM 1.110.2 says
    # InternalServerError; retrying code keys on ServiceUnavailableError)
    "overloaded_error": "ServiceUnavailableError",
    "conflict_error": "BadRequestError",
    "timeout_error": "Timeout",
    "billing_error": "BadRequestError",
}
# statuses whose exception a generic ``api_error`` body (or no body) must not blur into InternalServerError
_STATUS_OVER_GENERIC_TYPE = {
    408: "Timeout",
    409: "BadRequestError",
    413: "BadRequestError",
    422: "UnprocessableEntityError",
    502: "BadGatewayError",
    503: "ServiceUnavailableError",
    504: "Timeout",
    529: "ServiceUnavailableError",
}
# in-stream error type -> the HTTP status it would have had
_STREAM_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


# --------------------------------------------------------------------------------------------------
# Per-model facts
# --------------------------------------------------------------------------------------------------


def _version(model: str) -> tuple[int, int] | None:
    m = _VERSION.search(model)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2) or 0)


def default_max_tokens(model: str) -> int:
    """Anthropic requires max_tokens: the model's max output (price map, then family table), else 4096."""
    entry = price_entry(model, "anthropic")
    if entry:
        value = entry.get("max_output_tokens") or entry.get("max_tokens")
        if isinstance(value, int) and value > 0:
            return value
    for pattern, value in _FAMILY_MAX_OUTPUT:
        if pattern.search(model):
            return value
    version = _version(model)
    if version is not None and version >= (4, 0):
        return 64000
    return _FALLBACK_MAX_TOKENS


def supports_thinking(model: str) -> bool:
    entry = price_entry(model, "anthropic")
    if entry and entry.get("supports_reasoning") is not None:
        return bool(entry["supports_reasoning"])
    version = _version(model)
    return version is not None and version >= (3, 7)


def _adaptive_thinking(model: str) -> bool:
    # Claude 4.6 and later take reasoning effort as output_config.effort with adaptive thinking
    version = _version(model)
    return version is not None and version >= (4, 6)


def _native_structured_output(model: str) -> bool:
    entry = price_entry(model, "anthropic")
    if entry and entry.get("supports_native_structured_output") is not None:
        return bool(entry["supports_native_structured_output"])
    version = _version(model)
    return version is not None and version >= (4, 5)


# --------------------------------------------------------------------------------------------------
# Request translation
# --------------------------------------------------------------------------------------------------


def _text_block(text: str, cache_control: Any = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": text}
    if cache_control:
        block["cache_control"] = cache_control
    return block


def _image_block(url: str) -> dict[str, Any]:
    parsed = parse_data_url(url)
    if parsed is not None:
        mime, payload, is_b64 = parsed
        if is_b64:
            return {"type": "image", "source": {"type": "base64", "media_type": mime, "data": payload}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _file_block(file: Mapping[str, Any], betas: set[str]) -> dict[str, Any]:
    data = file.get("file_data")
    if isinstance(data, str):
        parsed = parse_data_url(data)
        if parsed is not None:
            mime, payload, is_b64 = parsed
            if mime.startswith("image/"):
                return _image_block(data)
            if mime == "text/plain":
                if is_b64:
                    import base64

                    payload = base64.b64decode(payload).decode("utf-8", "replace")
                return {
                    "type": "document",
                    "source": {"type": "text", "media_type": "text/plain", "data": payload},
                }
            return {"type": "document", "source": {"type": "base64", "media_type": mime, "data": payload}}
        if data.startswith(("http://", "https://")):
            return {"type": "document", "source": {"type": "url", "url": data}}
    file_id = file.get("file_id")
    if isinstance(file_id, str):
        if file_id.startswith(("http://", "https://")):
            return {"type": "document", "source": {"type": "url", "url": file_id}}
        betas.add(_BETA_FILES_API)
        return {"type": "document", "source": {"type": "file", "file_id": file_id}}
    raise ValueError("a file content part needs file_data (a data: URL) or file_id")


def _content_blocks(content: Any, betas: set[str]) -> list[dict[str, Any]]:
    """OpenAI message content (string or parts) -> Anthropic content blocks."""
    if content is None:
        return []
    if isinstance(content, str):
        return [_text_block(content)] if content else []
    blocks: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, str):
            blocks.append(_text_block(part))
            continue
        ptype = part.get("type")
        cache_control = part.get("cache_control")
        if ptype == "text":
            block = _text_block(part.get("text", ""), cache_control)
        elif ptype == "image_url":
            image = part.get("image_url")
            url = image.get("url", "") if isinstance(image, Mapping) else str(image or "")
            block = _image_block(url)
        elif ptype == "file":
            block = _file_block(part.get("file") or {}, betas)
        else:
            # already an Anthropic block (image, document, thinking, search_result...): pass it on
            blocks.append(dict(part))
            continue
        if cache_control and "cache_control" not in block:
            block["cache_control"] = cache_control
        blocks.append(block)
    return blocks


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


def _tool_result_content(content: Any, betas: set[str]) -> Any:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    return _content_blocks(content, betas)


def _apply_message_cache_control(blocks: list[dict[str, Any]], cache_control: Any) -> None:
    # LiteLLM lets cache_control sit on the message; Anthropic wants it on the last block
    if cache_control and blocks:
        blocks[-1]["cache_control"] = cache_control


def translate_messages(
    messages: Sequence[Mapping[str, Any]], betas: set[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """OpenAI messages -> (Anthropic system blocks, Anthropic messages with strictly merged turns)."""
    system: list[dict[str, Any]] = []
    turns: list[dict[str, Any]] = []

    def push(role: str, blocks: list[dict[str, Any]]) -> None:
        if not blocks:
            return
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})

    for msg in messages:
        role = msg.get("role")
        cache_control = msg.get("cache_control")
        if role in ("system", "developer"):
            blocks = _content_blocks(msg.get("content"), betas)
            _apply_message_cache_control(blocks, cache_control)
            system.extend(b for b in blocks if b.get("type") == "text")
        elif role == "user":
            blocks = _content_blocks(msg.get("content"), betas)
            _apply_message_cache_control(blocks, cache_control)
            push("user", blocks)
        elif role == "assistant":
            blocks = []
            for tb in msg.get("thinking_blocks") or ():
                blocks.append({k: v for k, v in tb.items() if k != "index"})
            blocks.extend(b for b in _content_blocks(msg.get("content"), betas) if b.get("text", True) != "")
            for call in msg.get("tool_calls") or ():
                fn = call.get("function") or {}
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": call.get("id"),
                        "name": fn.get("name"),
                        "input": _tool_input(fn.get("arguments")),
                    }
                )
            fc = msg.get("function_call")
            if fc:
                blocks.append(
                    {
                        "type": "tool_use",
                        "id": fc.get("id") or f"toolu_{fc.get('name')}",
                        "name": fc.get("name"),
                        "input": _tool_input(fc.get("arguments")),
                    }
                )
            _apply_message_cache_control(blocks, cache_control)
            push("assistant", blocks)
        elif role in ("tool", "function"):
            result: dict[str, Any] = {
                "type": "tool_result",
                "tool_use_id": msg.get("tool_call_id")
                or (f"toolu_{msg.get('name')}" if role == "function" else None),
                "content": _tool_result_content(msg.get("content"), betas),
            }
            if cache_control:
                result["cache_control"] = cache_control
            push("user", [result])
        else:
            raise ValueError(f"unsupported message role for Anthropic: {role!r}")

    # Anthropic rejects a final assistant turn (a prefill) that ends in whitespace
    if turns and turns[-1]["role"] == "assistant":
        last = turns[-1]["content"][-1]
        if last.get("type") == "text" and isinstance(last.get("text"), str):
            last["text"] = last["text"].rstrip()
    return system, turns


def _translate_tools(tools: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tool in tools:
        if tool.get("type", "function") != "function":
            out.append(dict(tool))  # an Anthropic-native tool (web_search_*, bash_*, computer_*...)
            continue
        fn = tool.get("function") or {}
        translated: dict[str, Any] = {
            "name": fn.get("name"),
            "input_schema": fn.get("parameters") or {"type": "object", "properties": {}},
        }
        if fn.get("description"):
            translated["description"] = fn["description"]
        cache_control = tool.get("cache_control") or fn.get("cache_control")
        if cache_control:
            translated["cache_control"] = cache_control
        out.append(translated)
    return out


def _translate_tool_choice(choice: Any) -> dict[str, Any] | None:
    if choice is None:
        return None
    if isinstance(choice, str):
        return {
            "auto": {"type": "auto"},
            "none": {"type": "none"},
            "required": {"type": "any"},
            "any": {"type": "any"},
        }.get(choice)
    if isinstance(choice, Mapping):
        if choice.get("type") == "function":
            return {"type": "tool", "name": (choice.get("function") or {}).get("name")}
        if choice.get("type") in ("auto", "any", "tool", "none"):
            return dict(choice)  # already Anthropic's shape
    return None


def _strict_schema(schema: Any) -> Any:
    """Anthropic's output_format wants additionalProperties=false on objects and no oneOf."""
    if isinstance(schema, list):
        return [_strict_schema(s) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "oneOf":
            out["anyOf"] = [*out.get("anyOf", []), *_strict_schema(value)]
        elif key in ("properties", "$defs", "definitions") and isinstance(value, Mapping):
            out[key] = {k: _strict_schema(v) for k, v in value.items()}
        elif key in ("items", "anyOf", "allOf", "not", "additionalProperties", "prefixItems"):
            out[key] = _strict_schema(value)
        else:
            out[key] = value
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
    return out


def _thinking_for_effort(model: str, effort: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """reasoning_effort -> (thinking param, output_config) as LiteLLM maps it."""
    if effort in ("none", "disable", "disabled"):
        return None, None
    if _adaptive_thinking(model):
        level = "low" if effort == "minimal" else ("high" if effort in ("xhigh", "max") else effort)
        return {"type": "adaptive"}, {"effort": level}
    budget = _EFFORT_BUDGET.get(effort)
    if budget is None:
        raise make_error(
            "BadRequestError",
            f"reasoning_effort={effort!r} is not one of {sorted(_EFFORT_BUDGET)} or 'none'.",
            model=model,
            provider="anthropic",
        )
    return {"type": "enabled", "budget_tokens": budget}, None


# --------------------------------------------------------------------------------------------------
# The adapter
# --------------------------------------------------------------------------------------------------


class AnthropicAdapter:
    """Claude through Anthropic's Messages API."""

    name = "anthropic"
    api_key_env = "ANTHROPIC_API_KEY"
    api_base_env = "ANTHROPIC_API_BASE"
    default_api_base = DEFAULT_API_BASE
    api_key_required = True
    api_key_env_fallbacks: tuple[str, ...] = ()
    api_base_env_fallbacks = ("ANTHROPIC_BASE_URL",)
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("ANTHROPIC_API_KEY",),
        "api_base": ("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"),
    }

    def __repr__(self) -> str:
        return "AnthropicAdapter()"

    # ---- params --------------------------------------------------------------------------------

    def supported_params(self, model: str) -> frozenset[str]:
        if supports_thinking(model):
            return _BASE_PARAMS | _REASONING_PARAMS
        return _BASE_PARAMS

    # ---- request -------------------------------------------------------------------------------

    def chat_url(self, credentials: Credentials) -> str:
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        if base.endswith("/v1/messages"):
            return base
        if base.endswith("/v1"):
            return base + "/messages"
        return base + "/v1/messages"

    def build_body(
        self,
        model: str,
        messages: list[dict[str, Any]],
        optional_params: Mapping[str, Any],
        betas: set[str],
        *,
        stream: bool,
    ) -> dict[str, Any]:
        system, turns = translate_messages(messages, betas)
        if not turns:
            raise make_error(
                "BadRequestError",
                "Anthropic requires at least one non-system message; add a user message.",
                model=model,
                provider=self.name,
            )
        body: dict[str, Any] = {"model": model, "messages": turns}
        if system:
            body["system"] = system
        params = dict(optional_params)
        tools: list[dict[str, Any]] = _translate_tools(params.pop("tools", None) or [])
        tool_choice = _translate_tool_choice(params.pop("tool_choice", None))
        parallel = params.pop("parallel_tool_calls", None)
        max_tokens = pop_max_tokens(params)
        thinking = params.pop("thinking", None)
        effort = params.pop("reasoning_effort", None)
        output_config: dict[str, Any] | None = None
        if thinking is None and isinstance(effort, str):
            thinking, output_config = _thinking_for_effort(model, effort)
        response_format = normalize_response_format(params.pop("response_format", None))
        stop = params.pop("stop", None)
        user = params.pop("user", None)
        web_search = params.pop("web_search_options", None)
        params.pop("stream", None)
        params.pop("stream_options", None)

        if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
            json_schema = response_format.get("json_schema") or {}
            schema = json_schema.get("schema") or {"type": "object"}
            if _native_structured_output(model):
                body["output_format"] = {"type": "json_schema", "schema": _strict_schema(schema)}
                betas.add(_BETA_STRUCTURED_OUTPUTS)
            else:
                # LiteLLM's fallback: a forced tool whose input is the JSON; parse_response unwraps it
                tools.insert(0, {"name": JSON_TOOL_NAME, "input_schema": schema})
                tool_choice = {"type": "tool", "name": JSON_TOOL_NAME}
        # json_object without a schema has no Anthropic equivalent; LiteLLM sends nothing for it either

        if web_search is not None:
            ws_tool: dict[str, Any] = {"type": "web_search_20250305", "name": "web_search"}
            if isinstance(web_search, Mapping):
                location = web_search.get("user_location")
                if isinstance(location, Mapping):
                    approx = location.get("approximate") or {}
                    ws_tool["user_location"] = {"type": "approximate", **approx}
                size = web_search.get("search_context_size")
                if size in _WEB_SEARCH_MAX_USES:
                    ws_tool["max_uses"] = _WEB_SEARCH_MAX_USES[size]
            tools.append(ws_tool)

        if tools:
            body["tools"] = tools
        if parallel is False and (tool_choice is None or tool_choice.get("type") != "none"):
            tool_choice = dict(tool_choice or {"type": "auto"})
            tool_choice["disable_parallel_tool_use"] = True
        if tool_choice is not None:
            body["tool_choice"] = tool_choice
        if stop is not None:
            body["stop_sequences"] = stop_list(stop)
        if user:
            body["metadata"] = {"user_id": str(user)}

        if isinstance(thinking, Mapping) and thinking.get("type") == "enabled":
            budget = thinking.get("budget_tokens")
            if max_tokens is None and isinstance(budget, int):
                max_tokens = budget + _ANSWER_HEADROOM
            elif isinstance(budget, int) and isinstance(max_tokens, int) and budget >= max_tokens:
                # Anthropic requires budget_tokens < max_tokens: shrink the budget, or drop thinking
                # when max_tokens leaves no room for the minimum budget
                thinking = (
                    {**thinking, "budget_tokens": max_tokens - 1}
                    if max_tokens > _MIN_THINKING_BUDGET
                    else None
                )
        if thinking is not None:
            body["thinking"] = dict(thinking)
        if output_config is not None:
            body["output_config"] = output_config
        if params.get("context_management") is not None:
            betas.add(_BETA_CONTEXT_MANAGEMENT)

        # anything left is either a plain pass-through (temperature, top_p, service_tier) or a
        # provider-specific param (top_k, container, mcp_servers...) sent untouched
        for key, value in params.items():
            if value is not None:
                body[key] = value
        body["max_tokens"] = int(max_tokens) if max_tokens is not None else default_max_tokens(model)
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
        betas: set[str] = set()
        try:
            body = self.build_body(model, messages, optional_params, betas, stream=stream)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "anthropic-version": ANTHROPIC_VERSION,
        }
        if credentials.api_key:
            headers["x-api-key"] = credentials.api_key
        if extra_headers:
            for key, value in extra_headers.items():
                if key.lower() == "anthropic-beta":
                    betas.update(v.strip() for v in str(value).split(",") if v.strip())
                else:
                    headers[key] = value
        if betas:
            headers["anthropic-beta"] = ",".join(sorted(betas))
        if extra_body:
            body.update(extra_body)
        return ProviderRequest(url=self.chat_url(credentials), headers=headers, body=body)

    # ---- response ------------------------------------------------------------------------------

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        texts: list[str] = []
        tool_calls: list[dict[str, Any]] = []
        thinking_blocks: list[dict[str, Any]] = []
        reasoning: list[str] = []
        json_mode_content: str | None = None
        for block in data.get("content") or ():
            btype = block.get("type")
            if btype == "text":
                texts.append(block.get("text", ""))
            elif btype == "tool_use":
                if block.get("name") == JSON_TOOL_NAME:
                    json_mode_content = json.dumps(block.get("input", {}))
                    continue
                tool_calls.append(
                    {
                        "id": block.get("id"),
                        "type": "function",
                        "function": {
                            "name": block.get("name"),
                            "arguments": json.dumps(block.get("input", {})),
                        },
                    }
                )
            elif btype == "thinking":
                thinking_blocks.append(block)
                reasoning.append(block.get("thinking", ""))
            elif btype == "redacted_thinking":
                thinking_blocks.append(block)
        message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
        finish = _FINISH_REASONS.get(data.get("stop_reason") or "", "stop")
        if json_mode_content is not None and not tool_calls:
            message["content"] = json_mode_content
            if finish == "tool_calls":
                finish = "stop"
        if tool_calls:
            message["tool_calls"] = tool_calls
        if thinking_blocks:
            message["thinking_blocks"] = thinking_blocks
            message["reasoning_content"] = "".join(reasoning) if reasoning else None
        return {
            "id": data.get("id") or f"chatcmpl-{int(time.time() * 1000)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": data.get("model") or model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": _usage(data.get("usage") or {}, "".join(reasoning) if reasoning else None),
        }

    # ---- streaming -----------------------------------------------------------------------------

    def new_stream_state(self, model: str) -> StreamState:
        state = StreamState(model=model, created=int(time.time()))
        # block index -> OpenAI tool-call index; json-mode block indexes; usage so far; role sent?
        # thinking text so far (counted into reasoning tokens at the end, as for a JSON response)
        state.extra.update(tools={}, json_blocks=set(), usage={}, role_sent=False, next_tool=0, thinking=[])
        return state

    def _chunk(self, state: StreamState, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
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

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if not data:
            return []
        obj = json.loads(data)
        etype = obj.get("type") or event
        if etype == "content_block_delta":
            delta = obj.get("delta") or {}
            dtype = delta.get("type")
            if dtype == "text_delta":
                return [self._chunk(state, {"content": delta.get("text", "")})]
            if dtype == "input_json_delta":
                fragment = delta.get("partial_json", "")
                if not fragment:
                    return []
                index = obj.get("index")
                if index in state.extra["json_blocks"]:
                    return [self._chunk(state, {"content": fragment})]
                tool_index = state.extra["tools"].get(index)
                if tool_index is None:
                    return []  # a server tool's input (web search query): not a client tool call
                return [
                    self._chunk(
                        state,
                        {
                            "tool_calls": [
                                {"index": tool_index, "type": "function", "function": {"arguments": fragment}}
                            ]
                        },
                    )
                ]
            if dtype == "thinking_delta":
                text = delta.get("thinking", "")
                state.extra["thinking"].append(text)
                return [
                    self._chunk(
                        state,
                        {
                            "reasoning_content": text,
                            "thinking_blocks": [{"type": "thinking", "thinking": text}],
                        },
                    )
                ]
            if dtype == "signature_delta":
                block = {"type": "thinking", "thinking": "", "signature": delta.get("signature", "")}
                return [self._chunk(state, {"reasoning_content": "", "thinking_blocks": [block]})]
            return []
        if etype == "content_block_start":
            block = obj.get("content_block") or {}
            btype = block.get("type")
            index = obj.get("index")
            if btype == "tool_use":
                if block.get("name") == JSON_TOOL_NAME:
                    state.extra["json_blocks"].add(index)
                    return []
                tool_index = state.extra["next_tool"]
                state.extra["next_tool"] = tool_index + 1
                state.extra["tools"][index] = tool_index
                call = {
                    "index": tool_index,
                    "id": block.get("id"),
                    "type": "function",
                    "function": {"name": block.get("name"), "arguments": ""},
                }
                return [self._chunk(state, {"content": None, "tool_calls": [call]})]
            if btype == "text" and block.get("text"):
                return [self._chunk(state, {"content": block["text"]})]
            if btype == "redacted_thinking":
                return [self._chunk(state, {"thinking_blocks": [dict(block)]})]
            return []
        if etype == "message_start":
            message = obj.get("message") or {}
            state.response_id = message.get("id") or state.response_id or f"chatcmpl-{state.created}"
            if message.get("model"):
                state.model = message["model"]
            state.extra["usage"] = dict(message.get("usage") or {})
            return []
        if etype == "message_delta":
            usage = state.extra["usage"]
            for key, value in (obj.get("usage") or {}).items():
                if value is not None:
                    usage[key] = value
            reason = (obj.get("delta") or {}).get("stop_reason")
            finish = _FINISH_REASONS.get(reason or "", "stop")
            if finish == "tool_calls" and state.extra["json_blocks"] and not state.extra["tools"]:
                finish = "stop"
            chunk = self._chunk(state, {}, finish)
            chunk["usage"] = _usage(usage, "".join(state.extra["thinking"]) or None)
            return [chunk]
        if etype == "error":
            err = obj.get("error") or {}
            err_type = err.get("type") if isinstance(err, Mapping) else None
            status = _STREAM_ERROR_STATUS.get(err_type, 500) if isinstance(err_type, str) else 500
            raise StreamErrorEvent(status, obj)
        # ping, content_block_stop, message_stop and event types added later carry nothing for the caller
        return []

    # ---- errors --------------------------------------------------------------------------------

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message, _code, etype = error_fields(body)
        if not message:
            message = f"HTTP {status_code}"
        if etype == "invalid_request_error" or (etype is None and status_code == 400):
            if looks_like_context_window(message, None):
                return ErrorInfo("ContextWindowExceededError", message)
            if looks_like_content_policy(body, message, None):
                return ErrorInfo("ContentPolicyViolationError", message)
            if status_code in (400, 413, 422) or etype == "invalid_request_error":
                return ErrorInfo("BadRequestError", message)
        kind = _ERROR_TYPES.get(etype or "")
        if etype in (None, "api_error") and status_code in _STATUS_OVER_GENERIC_TYPE:
            # a generic body (or none, e.g. from a proxy in front): the status says more (503, 502, ...)
            kind = _STATUS_OVER_GENERIC_TYPE[status_code]
        elif kind is None:
            kind = kind_for_status(status_code)
        return ErrorInfo(kind, message)

    # ---- credentials ---------------------------------------------------------------------------

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return [] if credentials.api_key else [self.api_key_env]


def _thinking_tokens(usage: Mapping[str, Any], reasoning_text: str | None, output_tokens: int) -> int | None:
    """Output tokens spent on thinking: the provider's own count when it reports one, else the thinking
    text counted locally (as LiteLLM does; Anthropic bills thinking as output but does not split it out).
    Never more than the output tokens; None when unknown (no thinking, or only redacted thinking)."""
    details = usage.get("output_tokens_details")
    reported = details.get("thinking_tokens") if isinstance(details, Mapping) else None
    if isinstance(reported, int) and not isinstance(reported, bool):
        return min(max(reported, 0), output_tokens)
    if not reasoning_text:
        return None
    try:
        from litellm.cost.tokens import token_counter
    except ImportError:  # the cost package is optional for adapters
        return None
    try:
        counted = token_counter(text=reasoning_text, count_response_tokens=True)
    except Exception:  # an estimate must never break response parsing
        return None
    return min(max(counted, 0), output_tokens)


def _usage(usage: Mapping[str, Any], reasoning_text: str | None = None) -> dict[str, Any]:
    """Anthropic usage -> OpenAI usage: prompt tokens include cache reads and writes, as LiteLLM counts;
    cache writes keep their lifetimes (5 min and 1 h are priced differently) and thinking tokens are
    reported as ``completion_tokens_details.reasoning_tokens``."""
    input_tokens = int(usage.get("input_tokens") or 0)
    output_tokens = int(usage.get("output_tokens") or 0)
    cache_read = int(usage.get("cache_read_input_tokens") or 0)
    cache_creation = int(usage.get("cache_creation_input_tokens") or 0)
    prompt = input_tokens + cache_read + cache_creation
    prompt_details: dict[str, Any] = {
        "cached_tokens": cache_read,
        "cache_creation_tokens": cache_creation,
        "text_tokens": input_tokens,
    }
    lifetimes = usage.get("cache_creation")
    if isinstance(lifetimes, Mapping):
        prompt_details["cache_creation_token_details"] = {
            "ephemeral_5m_input_tokens": int(lifetimes.get("ephemeral_5m_input_tokens") or 0),
            "ephemeral_1h_input_tokens": int(lifetimes.get("ephemeral_1h_input_tokens") or 0),
        }
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": output_tokens,
        "total_tokens": prompt + output_tokens,
        "prompt_tokens_details": prompt_details,
        "cache_creation_input_tokens": cache_creation,
        "cache_read_input_tokens": cache_read,
    }
    thinking = _thinking_tokens(usage, reasoning_text, output_tokens)
    if thinking is not None:
        out["completion_tokens_details"] = {
            "reasoning_tokens": thinking,
            "text_tokens": output_tokens - thinking,
        }
    server_tools = usage.get("server_tool_use")
    if isinstance(server_tools, Mapping):
        out["server_tool_use"] = dict(server_tools)
    if usage.get("service_tier"):
        out["service_tier"] = usage["service_tier"]
    return out


def make_adapter(name: str = "anthropic") -> AnthropicAdapter:
    return AnthropicAdapter()
