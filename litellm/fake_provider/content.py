"""Deterministic content for the fake provider: reply words, token estimates, ids, tool arguments.

Owns the *what* of a fake reply, independent of any wire format: which words the model "says", how many
tokens a request "costs", which tool it "calls" and with which arguments (synthesised from the tool's
JSON schema), and what a JSON-mode answer looks like. Everything here is a pure function of the request
so that tests can predict the answer.

Must not import aiohttp, do I/O, or know about HTTP status codes or SSE framing (``openai_wire`` and
``anthropic_wire`` own those).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# compact JSON, as the real APIs send it (one shared encoder: json.dumps with options builds one per call)
compact_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

# The default reply. One word is one "token" and one streamed chunk, so a test that sets N chunks can
# predict content, chunk count and completion_tokens without a tokenizer.
REPLY_WORDS: tuple[str, ...] = (
    "Hello",
    "from",
    "the",
    "fake",
    "provider!",
    "This",
    "reply",
    "is",
    "deterministic.",
)
THINKING_WORDS: tuple[str, ...] = ("Let", "me", "think", "about", "this", "step", "by", "step.")

TOOL_MARKER = "[fake:tool]"
PARALLEL_TOOLS_MARKER = "[fake:tools]"

# Per-message framing overhead in the token estimate; the exact value does not matter, only that the
# estimate is deterministic and grows with the prompt.
_MESSAGE_OVERHEAD_TOKENS = 3


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def reply_pieces(n_words: int) -> list[str]:
    """``n_words`` stream pieces cycling through the reply sentence; joined they form the full text."""
    n = max(1, n_words)
    words = REPLY_WORDS
    last = n - 1
    return [words[i % len(words)] + ("" if i == last else " ") for i in range(n)]


def thinking_pieces() -> list[str]:
    last = len(THINKING_WORDS) - 1
    return [w + ("" if i == last else " ") for i, w in enumerate(THINKING_WORDS)]


def thinking_signature(text: str) -> str:
    # Stable per text so that a test can check the signature round-trips through the client.
    return "fakesig_" + hashlib.sha256(text.encode()).hexdigest()[:32]


def estimate_tokens(text: str) -> int:
    """About four characters a token, like the providers' rule of thumb; never zero for text."""
    return (len(text) + 3) // 4


def text_of(content: Any) -> str:
    """The text of an OpenAI or Anthropic message ``content`` (a string or a list of parts/blocks)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out: list[str] = []
        for part in content:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Mapping):
                for key in ("text", "thinking", "content"):
                    value = part.get(key)
                    if isinstance(value, str):
                        out.append(value)
                    elif isinstance(value, list):
                        out.append(text_of(value))
                if "input" in part and isinstance(part["input"], Mapping):
                    out.append(json.dumps(part["input"]))
        return " ".join(out)
    return str(content)


def prompt_tokens_of(messages: Iterable[Any], extra_text: str = "") -> int:
    total = estimate_tokens(extra_text) if extra_text else 0
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        total += _MESSAGE_OVERHEAD_TOKENS + estimate_tokens(text_of(message.get("content")))
        for call in message.get("tool_calls") or ():
            if isinstance(call, Mapping):
                total += estimate_tokens(json.dumps(call.get("function", {})))
    return total


def last_user_text(messages: Iterable[Any]) -> str:
    text = ""
    for message in messages:
        if isinstance(message, Mapping) and message.get("role") == "user":
            text = text_of(message.get("content"))
    return text


def value_for_schema(schema: Any, depth: int = 0) -> Any:
    """A small deterministic value that satisfies the common JSON-schema keywords.

    Only required properties are filled (optional ones are left out), so the arguments stay short and
    predictable. Depth is capped so that a recursive schema cannot loop.
    """
    if not isinstance(schema, Mapping) or depth > 6:
        return "fake"
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return value_for_schema(schema[key][0], depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties") or {}
        required = schema.get("required")
        names = required if isinstance(required, list) else list(props)
        return {name: value_for_schema(props.get(name, {}), depth + 1) for name in names}
    if kind == "array":
        return [value_for_schema(schema.get("items", {}), depth + 1)] if schema.get("minItems") else []
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.5))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "fake"


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as both wire formats carry it (Anthropic parses it back into `input`)


def choose_tool_calls(
    tools: Sequence[Mapping[str, Any]],
    forced_name: str | None,
    required: bool,
    last_user: str,
    *,
    id_prefix: str,
    schema_key: str,
) -> list[ToolCall]:
    """Which tools the fake model calls, or ``[]`` for a text reply.

    It calls a tool when the request forces one by name, requires one ("required"/"any"), or the last
    user message carries ``[fake:tool]`` (the first tool) or ``[fake:tools]`` (every tool, in parallel).
    ``schema_key`` is ``"parameters"`` for OpenAI function tools and ``"input_schema"`` for Anthropic.
    """
    if not tools:
        return []
    by_name: dict[str, Mapping[str, Any]] = {}
    for tool in tools:
        function = tool.get("function")
        spec = function if isinstance(function, Mapping) else tool
        name = spec.get("name") if isinstance(spec, Mapping) else None
        if isinstance(name, str):
            by_name[name] = spec
    if not by_name:
        return []
    if forced_name and forced_name in by_name:
        chosen = [forced_name]
    elif PARALLEL_TOOLS_MARKER in last_user:
        chosen = list(by_name)
    elif required or TOOL_MARKER in last_user:
        chosen = [next(iter(by_name))]
    else:
        return []
    return [
        ToolCall(
            id=new_id(id_prefix),
            name=name,
            arguments=json.dumps(
                value_for_schema(by_name[name].get(schema_key) or {}), separators=(",", ":")
            ),
        )
        for name in chosen
    ]


def split_json(text: str, parts: int = 3) -> list[str]:
    """Cut JSON text into ``parts`` fragments, as providers stream tool arguments."""
    if len(text) <= parts:
        return [text]
    step = -(-len(text) // parts)
    return [text[i : i + step] for i in range(0, len(text), step)]
