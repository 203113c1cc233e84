"""Cohere v2 Chat and Embed <-> OpenAI format (``cohere/`` and ``cohere_chat/``).

Owns: :class:`CohereAdapter` (``POST {api_base}/v2/chat`` with ``Authorization: Bearer``), the request
translation (messages with text and image parts, assistant ``tool_calls`` + ``tool_plan``, tool results,
system and developer messages; temperature, max_tokens, top_p -> ``p``, top_k -> ``k``, stop ->
``stop_sequences``, seed, penalties, logprobs, tools, tool_choice -> ``REQUIRED`` / ``NONE``,
response_format -> ``json_object`` with ``json_schema``, thinking / reasoning_effort -> ``thinking``,
and Cohere's own ``documents``, ``citation_options``, ``safety_mode``, ``strict_tools`` passed through),
the response translation (text and thinking content, tool calls, tool plan and citations in
``provider_specific_fields``, finish reasons, ``usage.billed_units`` -> usage), the v2 SSE event
translation (``message-start``, ``content-delta``, ``tool-plan-delta``, ``tool-call-start`` /
``tool-call-delta``, ``citation-start``, ``message-end``), Cohere's error classification, and Embed v2
(``POST /v2/embed``: texts or images, input_type, embedding_types, output_dimension).

Wire facts come from Cohere's public v2 API reference. Must not send, log, read the environment or import
anything heavy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any

from litellm.providers._common import (
    error_fields,
    json_bearer_headers,
    kind_for_status,
    looks_like_context_window,
    make_error,
    normalize_response_format,
    parse_data_url,
    pop_max_tokens,
    stop_list,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

__all__ = ["FINISH_REASONS", "CohereAdapter"]

DEFAULT_API_BASE = "https://api.cohere.com"

FINISH_REASONS = {
    "COMPLETE": "stop",
    "STOP_SEQUENCE": "stop",
    "MAX_TOKENS": "length",
    "TOOL_CALL": "tool_calls",
    "ERROR": "stop",
    "ERROR_TOXIC": "content_filter",
    "TIMEOUT": "stop",
}

_PARAMS = frozenset(
    {
        "temperature",
        "max_tokens",
        "max_completion_tokens",
        "top_p",
        "stop",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "logprobs",
        "tools",
        "tool_choice",
        "response_format",
        "stream",
        "stream_options",
    }
)
_REASONING = frozenset({"reasoning_effort", "thinking"})
_EFFORT_BUDGET = {"minimal": 512, "low": 1024, "medium": 2048, "high": 4096, "xhigh": 8192, "max": 16384}

# Cohere-specific keyword arguments sent as they are
_PASSTHROUGH = frozenset(
    {
        "documents",
        "citation_options",
        "safety_mode",
        "strict_tools",
        "k",
        "p",
        "priority",
        "raw_prompting",
        "tool_plan",
    }
)
_STATUS_KIND = {402: "BadRequestError", 498: "AuthenticationError", 499: "APIError"}

_EMBED_INPUT_TYPES = frozenset({"search_document", "search_query", "classification", "clustering", "image"})
_EMBEDDING_TYPES = frozenset({"float", "int8", "uint8", "binary", "ubinary", "base64"})


def _bad(message: str) -> ValueError:
    return ValueError(message)


def _content(content: Any) -> Any:
    """OpenAI content -> Cohere v2 content (a string stays a string)."""
    if content is None or isinstance(content, str):
        return content or ""
    parts: list[dict[str, Any]] = []
    for part in content:
        if isinstance(part, str):
            parts.append({"type": "text", "text": part})
            continue
        ptype = part.get("type")
        if ptype == "text":
            parts.append({"type": "text", "text": part.get("text", "")})
        elif ptype == "image_url":
            image = part.get("image_url")
            url = image.get("url", "") if isinstance(image, Mapping) else str(image or "")
            entry: dict[str, Any] = {"url": url}
            if isinstance(image, Mapping) and image.get("detail"):
                entry["detail"] = image["detail"]
            parts.append({"type": "image_url", "image_url": entry})
        elif ptype == "document":
            parts.append(dict(part))
        else:
            raise _bad(f"unsupported content part type for Cohere: {ptype!r} (text and image_url are)")
    return parts


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p.get("text", "") for p in content if isinstance(p, Mapping) and p.get("type") == "text"
        )
    return ""


def translate_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for msg in messages:
        role = msg.get("role")
        if role in ("system", "developer"):
            out.append({"role": "system", "content": _content(msg.get("content"))})
        elif role == "user":
            out.append({"role": "user", "content": _content(msg.get("content"))})
        elif role == "assistant":
            entry: dict[str, Any] = {"role": "assistant"}
            calls = []
            for call in msg.get("tool_calls") or ():
                fn = call.get("function") or {}
                args = fn.get("arguments")
                calls.append(
                    {
                        "id": call.get("id"),
                        "type": "function",
                        "function": {
                            "name": fn.get("name"),
                            "arguments": args if isinstance(args, str) else json.dumps(args or {}),
                        },
                    }
                )
            text = _text_of(msg.get("content"))
            plan = (msg.get("provider_specific_fields") or {}).get("tool_plan")
            if calls:
                entry["tool_calls"] = calls
                if plan or text:
                    entry["tool_plan"] = plan or text
            elif text:
                entry["content"] = text
            else:
                continue  # an empty assistant turn: Cohere refuses it
            out.append(entry)
        elif role == "tool":
            if not msg.get("tool_call_id"):
                raise _bad(
                    "a tool message needs tool_call_id (the id of the assistant's tool call it answers)"
                )
            content = msg.get("content")
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": msg["tool_call_id"],
                    "content": content if isinstance(content, (str, list)) else json.dumps(content),
                }
            )
        else:
            raise _bad(f"unsupported message role for Cohere: {role!r}")
    return out


def _tools(tools: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for tool in tools:
        if tool.get("type", "function") != "function":
            raise _bad(f"Cohere takes function tools only, not {tool.get('type')!r}")
        fn = tool.get("function") or {}
        spec: dict[str, Any] = {
            "name": fn.get("name"),
            "parameters": fn.get("parameters") or {"type": "object", "properties": {}},
        }
        if fn.get("description"):
            spec["description"] = fn["description"]
        out.append({"type": "function", "function": spec})
    return out


def _thinking(effort: Any, thinking: Any) -> dict[str, Any] | None:
    if isinstance(thinking, Mapping):
        if thinking.get("type") == "disabled":
            return {"type": "disabled"}
        out: dict[str, Any] = {"type": "enabled"}
        budget = thinking.get("budget_tokens", thinking.get("token_budget"))
        if isinstance(budget, int):
            out["token_budget"] = budget
        return out
    if not isinstance(effort, str):
        return None
    if effort in ("none", "disable", "disabled"):
        return {"type": "disabled"}
    budget = _EFFORT_BUDGET.get(effort)
    if budget is None:
        raise _bad(f"reasoning_effort={effort!r} is not one of {sorted(_EFFORT_BUDGET)} or 'none'")
    return {"type": "enabled", "token_budget": budget}


def build_body(
    model: str, messages: list[dict[str, Any]], optional_params: Mapping[str, Any], *, stream: bool
) -> dict[str, Any]:
    params = dict(optional_params)
    body: dict[str, Any] = {"model": model, "messages": translate_messages(messages)}
    if not body["messages"]:
        raise _bad("Cohere needs at least one message")
    for src, dst in (
        ("temperature", "temperature"),
        ("top_p", "p"),
        ("top_k", "k"),
        ("seed", "seed"),
        ("frequency_penalty", "frequency_penalty"),
        ("presence_penalty", "presence_penalty"),
        ("logprobs", "logprobs"),
    ):
        value = params.pop(src, None)
        if value is not None:
            body[dst] = value
    max_tokens = pop_max_tokens(params)
    if max_tokens is not None:
        body["max_tokens"] = int(max_tokens)
    stop = params.pop("stop", None)
    if stop:
        body["stop_sequences"] = stop_list(stop)
    n = params.pop("n", None)
    if n not in (None, 1):
        raise _bad("Cohere returns one reply per request: n must be 1")
    tools = _tools(params.pop("tools", None) or [])
    choice = params.pop("tool_choice", None)
    if isinstance(choice, Mapping):
        name = (choice.get("function") or {}).get("name")
        tools = [t for t in tools if t["function"]["name"] == name]
        if not tools:
            raise _bad(f"tool_choice names {name!r}, which is not in tools")
        body["tool_choice"] = "REQUIRED"
    elif choice in ("required", "any"):
        body["tool_choice"] = "REQUIRED"
    elif choice == "none":
        body["tool_choice"] = "NONE"
    elif choice not in (None, "auto"):
        raise _bad(f"tool_choice={choice!r} is not one of auto, none, required")
    if tools:
        body["tools"] = tools
    response_format = normalize_response_format(params.pop("response_format", None))
    if isinstance(response_format, Mapping):
        rtype = response_format.get("type")
        if rtype == "json_object":
            body["response_format"] = {"type": "json_object"}
        elif rtype == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema")
            body["response_format"] = {"type": "json_object", **({"json_schema": schema} if schema else {})}
        elif rtype not in (None, "text"):
            raise _bad(f"response_format type {rtype!r} is not one of text, json_object, json_schema")
    thinking = _thinking(params.pop("reasoning_effort", None), params.pop("thinking", None))
    if thinking is not None:
        body["thinking"] = thinking
    params.pop("stream", None)
    params.pop("stream_options", None)
    params.pop("user", None)
    unknown = []
    for key, value in params.items():
        if value is None:
            continue
        if key in _PASSTHROUGH:
            body[key] = value
        else:
            unknown.append(key)
    if unknown:
        raise _bad(
            f"Cohere does not take {', '.join(sorted(unknown))}: pass Cohere fields through extra_body={{...}}"
        )
    if stream:
        body["stream"] = True
    return body


def citation_annotations(citations: Any) -> list[dict[str, Any]]:
    """Cohere citations -> OpenAI ``url_citation`` annotations, one per cited document (LiteLLM's shape:
    a document without a URL is named ``source:<id>``)."""
    out: list[dict[str, Any]] = []
    for citation in citations if isinstance(citations, list) else ():
        if not isinstance(citation, Mapping):
            continue
        for source in citation.get("sources") or ():
            if not isinstance(source, Mapping) or source.get("type") != "document":
                continue
            document = source.get("document") or {}
            out.append(
                {
                    "type": "url_citation",
                    "url_citation": {
                        "start_index": int(citation.get("start") or 0),
                        "end_index": int(citation.get("end") or 0),
                        "title": str(document.get("title") or ""),
                        "url": source.get("url")
                        or document.get("url")
                        or f"source:{source.get('id', 'unknown')}",
                    },
                }
            )
    return out


def cohere_usage(usage: Mapping[str, Any] | None) -> dict[str, Any]:
    """Billed units (what Cohere charges) -> OpenAI usage; the raw token counts when nothing was billed."""
    usage = usage or {}
    billed = usage.get("billed_units") or {}
    tokens = usage.get("tokens") or {}
    prompt = billed.get("input_tokens")
    completion = billed.get("output_tokens")
    if prompt is None:
        prompt = tokens.get("input_tokens")
    if completion is None:
        completion = tokens.get("output_tokens")
    prompt, completion = int(prompt or 0), int(completion or 0)
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    cached = usage.get("cached_tokens")
    if cached:
        out["prompt_tokens_details"] = {"cached_tokens": int(cached)}
    return out


class CohereAdapter:
    """Cohere's v2 Chat API, for both ``cohere/`` and ``cohere_chat/`` (LiteLLM's two prefixes)."""

    api_key_env = "COHERE_API_KEY"
    api_base_env = "COHERE_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("COHERE_API_KEY", "CO_API_KEY"),
        "api_base": ("COHERE_API_BASE",),
    }

    def __init__(self, name: str = "cohere") -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"CohereAdapter({self.name!r})"

    def supported_params(self, model: str) -> frozenset[str]:
        if "reasoning" in model:
            return _PARAMS | _REASONING
        return _PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return [] if credentials.api_key else ["COHERE_API_KEY"]

    def _url(self, credentials: Credentials, path: str) -> str:
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        for suffix in ("/v2/chat", "/v1/chat", "/v2/embed", "/v1/embed"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        if base.endswith(("/v1", "/v2")):
            base = base[:-3]
        return f"{base}/v2/{path}"

    def _headers(self, credentials: Credentials, extra: Mapping[str, str] | None) -> dict[str, str]:
        return json_bearer_headers(credentials.api_key, extra, accept=True)

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
            body = build_body(model, messages, optional_params, stream=stream)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        if extra_body:
            body.update(extra_body)
        return ProviderRequest(
            url=self._url(credentials, "chat"), headers=self._headers(credentials, extra_headers), body=body
        )

    # ---- response ------------------------------------------------------------------------------

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        message = data.get("message") or {}
        texts: list[str] = []
        thoughts: list[str] = []
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        for block in content if isinstance(content, list) else ():
            if block.get("type") == "text":
                texts.append(block.get("text", ""))
            elif block.get("type") == "thinking":
                thoughts.append(block.get("thinking", ""))
        out_msg: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
        calls = []
        for call in message.get("tool_calls") or ():
            fn = call.get("function") or {}
            args = fn.get("arguments")
            calls.append(
                {
                    "id": call.get("id"),
                    "type": "function",
                    "function": {
                        "name": fn.get("name"),
                        "arguments": args if isinstance(args, str) else json.dumps(args or {}),
                    },
                }
            )
        if calls:
            out_msg["tool_calls"] = calls
        if thoughts:
            out_msg["reasoning_content"] = "".join(thoughts)
        extras: dict[str, Any] = {}
        if message.get("tool_plan"):
            extras["tool_plan"] = message["tool_plan"]
        if message.get("citations"):
            extras["citations"] = message["citations"]
            annotations = citation_annotations(message["citations"])
            if annotations:
                out_msg["annotations"] = annotations
        if extras:
            out_msg["provider_specific_fields"] = extras
        finish = FINISH_REASONS.get(str(data.get("finish_reason")), "stop")
        if calls and finish == "stop":
            finish = "tool_calls"
        out: dict[str, Any] = {
            "id": data.get("id") or f"chatcmpl-{int(time.time() * 1000)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": out_msg, "finish_reason": finish}],
            "usage": cohere_usage(data.get("usage")),
        }
        if message.get("citations"):
            out["citations"] = message["citations"]
        return out

    # ---- streaming -----------------------------------------------------------------------------

    def new_stream_state(self, model: str) -> StreamState:
        state = StreamState(model=model, created=int(time.time()))
        state.extra.update(role_sent=False, tools=0, citations=[])
        return state

    def _chunk(self, state: StreamState, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        if not state.extra["role_sent"]:
            delta = {"role": "assistant", **delta}
            state.extra["role_sent"] = True
        return {
            "id": state.response_id or f"chatcmpl-{state.created}",
            "object": "chat.completion.chunk",
            "created": state.created,
            "model": state.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if not data or data == "[DONE]":
            return []
        obj = json.loads(data)
        etype = obj.get("type") or event
        delta = obj.get("delta") or {}
        message = delta.get("message") or {}
        if etype == "message-start":
            state.response_id = obj.get("id") or state.response_id
            return []
        if etype == "content-delta":
            content = message.get("content") or {}
            if content.get("thinking") is not None:
                return [self._chunk(state, {"reasoning_content": content["thinking"]})]
            text = content.get("text")
            return [self._chunk(state, {"content": text})] if text else []
        if etype == "tool-plan-delta":
            plan = message.get("tool_plan")
            return [self._chunk(state, {"provider_specific_fields": {"tool_plan": plan}})] if plan else []
        if etype == "tool-call-start":
            call = message.get("tool_calls") or {}
            fn = call.get("function") or {}
            index = state.extra["tools"]
            state.extra["tools"] = index + 1
            entry = {
                "index": index,
                "id": call.get("id"),
                "type": "function",
                "function": {"name": fn.get("name"), "arguments": fn.get("arguments") or ""},
            }
            return [self._chunk(state, {"content": None, "tool_calls": [entry]})]
        if etype == "tool-call-delta":
            fragment = ((message.get("tool_calls") or {}).get("function") or {}).get("arguments")
            if not fragment:
                return []
            index = max(state.extra["tools"] - 1, 0)
            return [
                self._chunk(
                    state,
                    {
                        "tool_calls": [
                            {"index": index, "type": "function", "function": {"arguments": fragment}}
                        ]
                    },
                )
            ]
        if etype == "citation-start":
            citation = message.get("citations")
            if citation:
                state.extra["citations"].append(citation)
            return []
        if etype == "message-end":
            reason = delta.get("finish_reason")
            if reason == "ERROR" and delta.get("error"):
                raise StreamErrorEvent(500, {"message": delta["error"]})
            finish = FINISH_REASONS.get(str(reason), "stop")
            if state.extra["tools"] and finish == "stop":
                finish = "tool_calls"
            chunk = self._chunk(state, {}, finish)
            chunk["usage"] = cohere_usage(delta.get("usage"))
            if state.extra["citations"]:
                chunk["citations"] = list(state.extra["citations"])
            return [chunk]
        # content-start, content-end, tool-call-end, citation-end, debug: nothing for the caller
        return []

    # ---- errors --------------------------------------------------------------------------------

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message, _code, _etype = error_fields(body)
        if not message:
            message = f"HTTP {status_code}"
        low = message.lower()
        if status_code in (400, 422) and (
            looks_like_context_window(message, None)
            or "too many tokens" in low
            or "exceeds the context" in low
        ):
            return ErrorInfo("ContextWindowExceededError", message)
        if status_code in _STATUS_KIND:
            return ErrorInfo(_STATUS_KIND[status_code], message)
        return ErrorInfo(kind_for_status(status_code), message)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        items = input if isinstance(input, list) else [input]
        if not items or not all(isinstance(i, str) for i in items):
            raise make_error(
                "BadRequestError",
                "Cohere embeddings take a string or a list of strings (data: URLs for images)",
                model=model,
                provider=self.name,
            )
        images = [i for i in items if parse_data_url(i) is not None]
        body: dict[str, Any] = {"model": model}
        input_type = params.get("input_type")
        if images:
            if len(images) != len(items):
                raise make_error(
                    "BadRequestError",
                    "mix of images and texts in one Cohere embed call; send them separately",
                    model=model,
                    provider=self.name,
                )
            body["images"] = images
            body["input_type"] = "image"
        else:
            body["texts"] = items
            body["input_type"] = input_type or "search_document"
        if body["input_type"] not in _EMBED_INPUT_TYPES:
            raise make_error(
                "BadRequestError",
                f"input_type={body['input_type']!r} is not one of {sorted(_EMBED_INPUT_TYPES)}",
                model=model,
                provider=self.name,
            )
        types = params.get("embedding_types")
        if types is None:
            types = ["base64"] if params.get("encoding_format") == "base64" else ["float"]
        types = [types] if isinstance(types, str) else list(types)
        bad = [t for t in types if t not in _EMBEDDING_TYPES]
        if bad:
            raise make_error(
                "BadRequestError",
                f"embedding_types {bad} not in {sorted(_EMBEDDING_TYPES)}",
                model=model,
                provider=self.name,
            )
        body["embedding_types"] = types
        if params.get("dimensions") is not None:
            body["output_dimension"] = int(params["dimensions"])
        if params.get("truncate") is not None:
            body["truncate"] = params["truncate"]
        return ProviderRequest(
            url=self._url(credentials, "embed"), headers=self._headers(credentials, None), body=body
        )

    def parse_embedding_response(self, model: str, data: Mapping[str, Any]) -> dict[str, Any]:
        embeddings = data.get("embeddings") or {}
        if isinstance(embeddings, list):  # v1 shape: a bare list of float vectors
            vectors: list[Any] = embeddings
        else:
            kind = "float" if "float" in embeddings else next(iter(embeddings), "float")
            vectors = embeddings.get(kind) or []
        items = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
        billed = ((data.get("meta") or {}).get("billed_units")) or {}
        tokens = int(billed.get("input_tokens") or 0)
        usage: dict[str, Any] = {"prompt_tokens": tokens, "total_tokens": tokens}
        if billed.get("images"):
            usage["prompt_tokens_details"] = {"image_count": int(billed["images"])}
        return {"object": "list", "model": model, "data": items, "usage": usage}


def make_adapter(name: str = "cohere") -> CohereAdapter:
    return CohereAdapter(name)
