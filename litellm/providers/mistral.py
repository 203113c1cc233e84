"""Mistral's chat API: the ``mistral`` row of ``openai_compat`` plus the quirks LiteLLM documents.

Owns: :class:`MistralAdapter`. On top of the row (``seed`` sent as ``random_seed``, ``tool_choice``
``"required"`` as ``"any"``, ``max_completion_tokens`` as ``max_tokens``, Mistral's own ``safe_prompt``
passed through):

* tool-call ids: Mistral takes only nine letters and digits, so an id from another provider
  (``call_abc...``, ``toolu_...``) is mapped to a stable nine-character id, the same in the assistant's
  ``tool_calls`` and the ``tool`` reply that answers it;
* messages: ``name`` is dropped except on tool replies (Mistral refuses it), an assistant turn with
  neither text nor tool calls is dropped, a previous answer's ``reasoning_content`` goes back as a
  ``thinking`` block for reasoning models (and is removed for the others); tool schemas lose ``strict``,
  ``$schema`` and ``$id``, which Mistral's grammar refuses;
* reasoning: ``reasoning_effort`` for the models the price map marks as reasoning (mistral-small,
  mistral-medium-3.5, ...); Magistral always reasons, so ``reasoning_effort`` / ``thinking`` are accepted
  for it and not sent; replies (and stream deltas) whose ``content`` is a list of ``thinking`` / ``text``
  chunks become ``content`` plus ``reasoning_content``.

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from litellm.providers._common import price_entry
from litellm.providers.openai_compat import PROVIDERS, OpenAICompatAdapter

__all__ = ["MistralAdapter", "make_adapter", "mistral_tool_call_id", "split_content"]

_ID_OK = re.compile(r"^[A-Za-z0-9]{9}$")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_SCHEMA_DROP = ("$schema", "$id")


def mistral_tool_call_id(value: Any) -> Any:
    """A tool-call id Mistral accepts: kept when it already is nine letters/digits, else a stable
    nine-character digest of it (so a call and its reply still match)."""
    if not isinstance(value, str) or _ID_OK.match(value):
        return value
    digest = hashlib.sha256(value.encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:9])


@lru_cache(maxsize=256)
def _is_reasoning(model: str) -> bool:
    if "magistral" in model.lower():
        return True
    entry = price_entry(model, "mistral")
    return bool(entry and entry.get("supports_reasoning"))


def split_content(blocks: list[Any]) -> tuple[str | None, str | None]:
    """Mistral content chunks -> (text, reasoning text)."""
    texts: list[str] = []
    thoughts: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, Mapping):
            if block.get("type") == "text":
                texts.append(str(block.get("text") or ""))
            elif block.get("type") == "thinking":
                for part in block.get("thinking") or ():
                    if isinstance(part, Mapping) and part.get("type") == "text":
                        thoughts.append(str(part.get("text") or ""))
                    elif isinstance(part, str):
                        thoughts.append(part)
    return ("".join(texts) if texts else None), ("".join(thoughts) if thoughts else None)


def _flatten(message: dict[str, Any]) -> None:
    content = message.get("content")
    if isinstance(content, list):
        text, reasoning = split_content(content)
        message["content"] = text
        if reasoning is not None:
            message["reasoning_content"] = reasoning


def _clean_schema(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _clean_schema(v) for k, v in value.items() if k not in _SCHEMA_DROP}
    if isinstance(value, list):
        return [_clean_schema(v) for v in value]
    return value


def _clean_tools(tools: Any) -> Any:
    if not isinstance(tools, list):
        return tools
    out = []
    for tool in tools:
        if isinstance(tool, Mapping) and isinstance(tool.get("function"), Mapping):
            function = {k: v for k, v in tool["function"].items() if k != "strict"}
            if "parameters" in function:
                function["parameters"] = _clean_schema(function["parameters"])
            tool = {**tool, "function": function}
        out.append(tool)
    return out


def _empty_assistant(message: Mapping[str, Any]) -> bool:
    if message.get("role") != "assistant" or message.get("tool_calls"):
        return False
    content = message.get("content")
    return content is None or content == "" or content == []


def _message(message: Mapping[str, Any], reasoning_model: bool) -> dict[str, Any]:
    msg = dict(message)
    role = msg.get("role")
    if role != "tool":
        msg.pop("name", None)
    if role == "tool" and "tool_call_id" in msg:
        msg["tool_call_id"] = mistral_tool_call_id(msg["tool_call_id"])
    if role == "assistant":
        calls = msg.get("tool_calls")
        if isinstance(calls, list):
            msg["tool_calls"] = [
                {**c, "id": mistral_tool_call_id(c.get("id"))} if isinstance(c, Mapping) else c for c in calls
            ]
        reasoning = msg.pop("reasoning_content", None)
        msg.pop("thinking_blocks", None)
        msg.pop("provider_specific_fields", None)
        if reasoning and reasoning_model:
            content = msg.get("content")
            blocks: list[Any] = [{"type": "thinking", "thinking": [{"type": "text", "text": reasoning}]}]
            if isinstance(content, str) and content:
                blocks.append({"type": "text", "text": content})
            elif isinstance(content, list):
                blocks.extend(content)
            msg["content"] = blocks
    return msg


class MistralAdapter(OpenAICompatAdapter):
    """``mistral/<model>``: chat and streaming with Mistral's rules; embeddings via the row."""

    def __init__(self, name: str = "mistral") -> None:
        super().__init__(PROVIDERS["mistral"])

    def supported_params(self, model: str) -> frozenset[str]:
        supported = super().supported_params(model)
        if _is_reasoning(model):
            supported = supported | {"reasoning_effort"}
            if "magistral" in model.lower():
                supported = supported | {"thinking"}
        return supported

    def build_body(
        self, model: str, messages: list[dict[str, Any]], optional_params: Mapping[str, Any], *, stream: bool
    ) -> dict[str, Any]:
        reasoning_model = _is_reasoning(model)
        params = dict(optional_params)
        if "magistral" in model.lower():
            # Magistral always reasons (Mistral's reasoning prompt is its default): nothing to send
            params.pop("reasoning_effort", None)
            params.pop("thinking", None)
        if "tools" in params:
            params["tools"] = _clean_tools(params["tools"])
        wire_messages = [_message(m, reasoning_model) for m in messages if not _empty_assistant(m)]
        return super().build_body(model, wire_messages, params, stream=stream)

    def normalise_message(self, message: dict[str, Any]) -> None:
        _flatten(message)
        super().normalise_message(message)


def make_adapter(name: str = "mistral") -> MistralAdapter:
    return MistralAdapter(name)
