"""The Responses API over any chat provider: pure translations both ways (LiteLLM's documented bridge).

* :func:`input_to_messages`: ``input`` (a string or a list of items: messages with ``input_text`` /
  ``input_image`` / ``output_text`` parts, ``function_call``, ``function_call_output``) plus
  ``instructions`` -> chat ``messages``;
* :func:`params_to_chat`: Responses params -> chat params (``max_output_tokens`` -> ``max_tokens``,
  ``text.format`` -> ``response_format``, ``reasoning.effort`` -> ``reasoning_effort``, function tools and
  ``tool_choice`` reshaped);
* :func:`chat_to_response`: an OpenAI chat completion dict -> a Responses ``response`` dict (message,
  function_call and reasoning output items; usage as input/output tokens with their details);
* :class:`EventBuilder`: chat stream chunks -> the typed Responses stream events (``response.created``,
  ``response.output_item.added``, ``response.output_text.delta``, ..., ``response.completed``).

Must not: send, read the environment or log.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["EventBuilder", "chat_to_response", "input_to_messages", "params_to_chat", "usage_from_chat"]


def _text_of(part: Mapping[str, Any]) -> dict[str, Any] | None:
    kind = part.get("type")
    if kind in ("input_text", "output_text", "text"):
        return {"type": "text", "text": part.get("text") or ""}
    if kind == "input_image":
        url = part.get("image_url") or (
            f"data:image/png;base64,{part['image_data']}" if part.get("image_data") else None
        )
        if isinstance(url, Mapping):
            url = url.get("url")
        return {"type": "image_url", "image_url": {"url": url, "detail": part.get("detail") or "auto"}}
    if kind == "input_file":
        file: dict[str, Any] = {}
        if part.get("file_id"):
            file["file_id"] = part["file_id"]
        if part.get("file_data"):
            file["file_data"] = part["file_data"]
        if part.get("filename"):
            file["filename"] = part["filename"]
        return {"type": "file", "file": file}
    return None


def _content(value: Any) -> Any:
    if isinstance(value, str) or value is None:
        return value
    parts = [p for p in (_text_of(x) for x in value if isinstance(x, Mapping)) if p is not None]
    if parts and all(p["type"] == "text" for p in parts):
        return "".join(p["text"] for p in parts) if len(parts) == 1 else parts
    return parts


def input_to_messages(
    input: Any, instructions: str | None = None, history: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Chat messages for a Responses ``input`` (after ``history``, a previous response's messages)."""
    messages: list[dict[str, Any]] = []
    if instructions:
        messages.append({"role": "system", "content": instructions})
    if history:
        messages.extend(m for m in history if m.get("role") != "system" or not instructions)
    if isinstance(input, str):
        messages.append({"role": "user", "content": input})
        return messages
    pending_calls: list[dict[str, Any]] = []
    for item in input or []:
        if not isinstance(item, Mapping):
            raise TypeError(f"input items must be objects, got {type(item).__name__}")
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "function_call":
            pending_calls.append(
                {
                    "id": item.get("call_id") or item.get("id"),
                    "type": "function",
                    "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"},
                }
            )
            continue
        if pending_calls:
            messages.append({"role": "assistant", "content": None, "tool_calls": pending_calls})
            pending_calls = []
        if kind == "function_call_output":
            output = item.get("output")
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": item.get("call_id"),
                    "content": output if isinstance(output, str) else json.dumps(output),
                }
            )
        elif kind == "message":
            role = item.get("role") or "user"
            messages.append(
                {"role": "system" if role == "developer" else role, "content": _content(item.get("content"))}
            )
        elif kind == "reasoning":
            continue  # a previous turn's reasoning: chat providers take none back
        else:
            raise ValueError(f"unsupported Responses input item type {kind!r}")
    if pending_calls:
        messages.append({"role": "assistant", "content": None, "tool_calls": pending_calls})
    return messages


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "function":
        return dict(tool)  # web_search etc.: passed as given; providers that lack them refuse them
    fn = {k: tool[k] for k in ("name", "description", "parameters", "strict") if tool.get(k) is not None}
    return {"type": "function", "function": fn}


def params_to_chat(params: Mapping[str, Any]) -> dict[str, Any]:
    """Responses params -> chat params (unknown keys pass through for the provider)."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None or key in ("store", "include", "truncation", "previous_response_id", "background"):
            continue
        if key == "max_output_tokens":
            out["max_tokens"] = value
        elif key == "tools":
            out["tools"] = [_tool(t) for t in value]
        elif key == "tool_choice":
            if isinstance(value, Mapping) and value.get("type") == "function":
                out["tool_choice"] = {"type": "function", "function": {"name": value.get("name")}}
            else:
                out["tool_choice"] = value
        elif key == "text":
            fmt = value.get("format") if isinstance(value, Mapping) else None
            if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
                schema = {k: fmt[k] for k in ("name", "schema", "strict", "description") if k in fmt}
                out["response_format"] = {"type": "json_schema", "json_schema": schema}
            elif isinstance(fmt, Mapping) and fmt.get("type") == "json_object":
                out["response_format"] = {"type": "json_object"}
        elif key == "reasoning":
            if isinstance(value, Mapping) and value.get("effort"):
                out["reasoning_effort"] = value["effort"]
        else:
            out[key] = value
    return out


def usage_from_chat(usage: Mapping[str, Any] | None) -> dict[str, Any]:
    usage = usage or {}
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    cached = int(((usage.get("prompt_tokens_details") or {}).get("cached_tokens")) or 0)
    reasoning = int(((usage.get("completion_tokens_details") or {}).get("reasoning_tokens")) or 0)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": cached},
        "output_tokens": completion,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": int(usage.get("total_tokens") or prompt + completion),
    }


def _new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _message_item(text: str | None, item_id: str | None = None, status: str = "completed") -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id or _new_id("msg"),
        "role": "assistant",
        "status": status,
        "content": [{"type": "output_text", "text": text or "", "annotations": []}],
    }


def _call_item(call: Mapping[str, Any], item_id: str | None = None) -> dict[str, Any]:
    fn = call.get("function") or {}
    return {
        "type": "function_call",
        "id": item_id or _new_id("fc"),
        "call_id": call.get("id"),
        "name": fn.get("name"),
        "arguments": fn.get("arguments") or "",
        "status": "completed",
    }


def _reasoning_item(text: str) -> dict[str, Any]:
    return {"type": "reasoning", "id": _new_id("rs"), "summary": [{"type": "summary_text", "text": text}]}


def _envelope(
    response_id: str, model: str, created: int, params: Mapping[str, Any], status: str
) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": created,
        "status": status,
        "model": model,
        "output": [],
        "parallel_tool_calls": bool(params.get("parallel_tool_calls", True)),
        "tool_choice": params.get("tool_choice") or "auto",
        "tools": list(params.get("tools") or []),
        "instructions": params.get("instructions"),
        "metadata": params.get("metadata") or {},
        "temperature": params.get("temperature"),
        "top_p": params.get("top_p"),
        "max_output_tokens": params.get("max_output_tokens"),
        "previous_response_id": params.get("previous_response_id"),
        "text": params.get("text") or {"format": {"type": "text"}},
        "error": None,
        "incomplete_details": None,
        "usage": None,
    }


def chat_to_response(
    chat: Mapping[str, Any], params: Mapping[str, Any], response_id: str | None = None
) -> dict[str, Any]:
    """A chat completion dict as a Responses ``response`` dict."""
    choice = (chat.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    finish = choice.get("finish_reason")
    out = _envelope(
        response_id or _new_id("resp"),
        str(chat.get("model") or ""),
        int(chat.get("created") or time.time()),
        params,
        "incomplete" if finish == "length" else "completed",
    )
    items: list[dict[str, Any]] = []
    if message.get("reasoning_content"):
        items.append(_reasoning_item(message["reasoning_content"]))
    if message.get("content") is not None or not message.get("tool_calls"):
        items.append(_message_item(message.get("content")))
    for call in message.get("tool_calls") or []:
        items.append(_call_item(call))
    out["output"] = items
    out["usage"] = usage_from_chat(chat.get("usage"))
    if finish == "length":
        out["incomplete_details"] = {"reason": "max_output_tokens"}
    return out


class EventBuilder:
    """Chat stream chunks (dicts) -> Responses stream events (dicts with ``type`` and
    ``sequence_number``), ending with ``response.completed`` carrying the whole response."""

    def __init__(self, model: str, params: Mapping[str, Any], response_id: str | None = None) -> None:
        self.response = _envelope(
            response_id or _new_id("resp"), model, int(time.time()), params, "in_progress"
        )
        self.params = params
        self._seq = 0
        self._text: list[str] = []
        self._reasoning: list[str] = []
        self._message_id: str | None = None
        self._calls: dict[int, dict[str, Any]] = {}
        self._usage: dict[str, Any] | None = None
        self._finish: str | None = None

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self._seq, **fields}
        self._seq += 1
        return event

    def start(self) -> list[dict[str, Any]]:
        snapshot = dict(self.response)
        return [
            self._event("response.created", response=snapshot),
            self._event("response.in_progress", response=snapshot),
        ]

    def _open_message(self) -> list[dict[str, Any]]:
        if self._message_id is not None:
            return []
        self._message_id = _new_id("msg")
        item = _message_item("", self._message_id, status="in_progress")
        item["content"] = []
        return [
            self._event("response.output_item.added", output_index=0, item=item),
            self._event(
                "response.content_part.added",
                item_id=self._message_id,
                output_index=0,
                content_index=0,
                part={"type": "output_text", "text": "", "annotations": []},
            ),
        ]

    def feed(self, chunk: Mapping[str, Any]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        if chunk.get("usage"):
            self._usage = dict(chunk["usage"])
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("reasoning_content"):
                self._reasoning.append(delta["reasoning_content"])
            text = delta.get("content")
            if text:
                events.extend(self._open_message())
                self._text.append(text)
                events.append(
                    self._event(
                        "response.output_text.delta",
                        item_id=self._message_id,
                        output_index=0,
                        content_index=0,
                        delta=text,
                    )
                )
            for call in delta.get("tool_calls") or []:
                slot = self._calls.setdefault(
                    int(call.get("index") or 0),
                    {"id": None, "name": None, "args": [], "item_id": _new_id("fc")},
                )
                if call.get("id"):
                    slot["id"] = call["id"]
                fn = call.get("function") or {}
                if fn.get("name"):
                    slot["name"] = fn["name"]
                if fn.get("arguments"):
                    slot["args"].append(fn["arguments"])
                    events.append(
                        self._event(
                            "response.function_call_arguments.delta",
                            item_id=slot["item_id"],
                            output_index=1 + int(call.get("index") or 0),
                            delta=fn["arguments"],
                        )
                    )
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
        return events

    def finish(self) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        items: list[dict[str, Any]] = []
        if self._reasoning:
            items.append(_reasoning_item("".join(self._reasoning)))
        if self._message_id is not None or not self._calls:
            events.extend(self._open_message())
            text = "".join(self._text)
            part = {"type": "output_text", "text": text, "annotations": []}
            item = _message_item(text, self._message_id)
            events.append(
                self._event(
                    "response.output_text.done",
                    item_id=self._message_id,
                    output_index=0,
                    content_index=0,
                    text=text,
                )
            )
            events.append(
                self._event(
                    "response.content_part.done",
                    item_id=self._message_id,
                    output_index=0,
                    content_index=0,
                    part=part,
                )
            )
            events.append(self._event("response.output_item.done", output_index=0, item=item))
            items.append(item)
        for index, slot in sorted(self._calls.items()):
            item = _call_item(
                {"id": slot["id"], "function": {"name": slot["name"], "arguments": "".join(slot["args"])}},
                slot["item_id"],
            )
            events.append(
                self._event(
                    "response.function_call_arguments.done",
                    item_id=slot["item_id"],
                    output_index=1 + index,
                    arguments=item["arguments"],
                )
            )
            events.append(self._event("response.output_item.done", output_index=1 + index, item=item))
            items.append(item)
        self.response["output"] = items
        self.response["usage"] = usage_from_chat(self._usage)
        if self._finish == "length":
            self.response["status"] = "incomplete"
            self.response["incomplete_details"] = {"reason": "max_output_tokens"}
            events.append(self._event("response.incomplete", response=self.response))
        else:
            self.response["status"] = "completed"
            events.append(self._event("response.completed", response=self.response))
        return events


def output_messages(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The chat messages a response's output adds to a conversation (for ``previous_response_id``)."""
    messages: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    texts: list[str] = []
    for item in response.get("output") or []:
        if item.get("type") == "message":
            texts.extend(p.get("text") or "" for p in item.get("content") or [] if isinstance(p, Mapping))
        elif item.get("type") == "function_call":
            calls.append(
                {
                    "id": item.get("call_id"),
                    "type": "function",
                    "function": {"name": item.get("name"), "arguments": item.get("arguments") or "{}"},
                }
            )
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) or None}
    if calls:
        message["tool_calls"] = calls
    messages.append(message)
    return messages


def iter_chunks(chunks: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for chunk in chunks:
        yield chunk if isinstance(chunk, dict) else chunk.model_dump()
