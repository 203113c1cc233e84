"""Token counting: ``token_counter``, ``encode`` / ``decode``, HF tokenizers, ``trim_messages``.

Counting choice: OpenAI encodings (o200k_base, cl100k_base) come from ``bpe-openai``, which embeds them, so
counting works offline (tiktoken downloads its BPE files on first use). Its counts equal tiktoken's (a test
checks a corpus against tiktoken fed LiteLLM's shipped BPE files). Special-token text is counted as plain
text, as LiteLLM does (``disallowed_special=()``). The tokenizer is imported on first use only; the
extension module is loaded directly, because importing the ``bpe_openai`` package eagerly parses every
encoding it ships (about 0.7 s) while the encoder alone loads in well under 0.1 s.

- OpenAI models: o200k_base for gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o-series, gpt-oss and newer; cl100k_base for
  gpt-4, gpt-3.5, text-embedding-3 / ada-002. Messages are counted as OpenAI bills chat input: 3 tokens per
  message, +1 per ``name``, 3 to prime the reply, tool definitions rendered the way OpenAI renders them
  (+9, -4 when a system message is present), ``tool_choice``, and image parts by detail and size
  (see ``_images``).
- Other providers: an estimate with cl100k_base (LiteLLM's default for models without a tokenizer), or the
  exact count with a tokenizer passed as ``custom_tokenizer`` (``create_pretrained_tokenizer`` /
  ``create_tokenizer``, needing the optional ``tokenizers`` package).

Must not: import a tokenizer at module import, fetch anything (image URLs are never downloaded), or import
the package root.
"""

from __future__ import annotations

import copy
import importlib.machinery
import importlib.util
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from litellm.cost import _images

__all__ = [
    "create_pretrained_tokenizer",
    "create_tokenizer",
    "decode",
    "encode",
    "encoding_name_for_model",
    "get_modified_max_tokens",
    "token_counter",
    "trim_messages",
]

_TOKENIZERS_EXTRA = "pip install 'litellm-observe[tokenizers]'"

# name prefixes (after any provider prefix) of OpenAI models on cl100k_base; every other OpenAI model, and
# every newer one, is on o200k_base
_CL100K_PREFIXES = (
    "gpt-4-",
    "gpt-35",
    "gpt-3.5",
    "text-embedding-3",
    "text-embedding-ada",
    "davinci-002",
    "babbage-002",
)
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "gpt-6", "chatgpt-", "gpt-oss", "codex", "omni-")
_lock = threading.Lock()
_encoders: dict[str, Any] = {}
_bindings: Any = None


def _openai_name(model: str) -> str:
    name = model.rsplit("/", 1)[-1]
    if name.startswith("ft:"):  # fine-tunes: ft:gpt-4o-mini:org::id
        name = name.split(":")[1]
    return name.lower()


def is_openai_model(model: str) -> bool:
    """Whether ``model`` names an OpenAI (or Azure OpenAI) text model counted with an OpenAI encoding."""
    name = _openai_name(model or "")
    if name == "gpt-4" or name.startswith(_CL100K_PREFIXES) or name.startswith(_O200K_PREFIXES):
        return True
    return len(name) > 1 and name[0] == "o" and name[1].isdigit()


def encoding_name_for_model(model: str) -> str:
    """The OpenAI encoding used to count ``model``: o200k_base or cl100k_base (the estimate for others)."""
    name = _openai_name(model or "")
    if name == "gpt-4" or name.startswith(_CL100K_PREFIXES):
        return "cl100k_base"
    if is_openai_model(model):
        return "o200k_base"
    return "cl100k_base"


def _load_bindings() -> Any:
    global _bindings
    if _bindings is not None:
        return _bindings
    spec = importlib.util.find_spec("bpe_openai")
    module = None
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            for file in sorted(os.listdir(folder)):
                if file.startswith("_bindings") and file.endswith((".so", ".pyd")):
                    path = os.path.join(folder, file)
                    loader = importlib.machinery.ExtensionFileLoader("bpe_openai._bindings", path)
                    ext_spec = importlib.util.spec_from_file_location(
                        "bpe_openai._bindings", path, loader=loader
                    )
                    if ext_spec is not None:
                        module = importlib.util.module_from_spec(ext_spec)
                        loader.exec_module(module)
                        break
            if module is not None:
                break
    if module is None:  # layout changed: take the slow documented import
        from bpe_openai import _bindings as fallback

        module = fallback
    _bindings = module
    return module


def _encoder(encoding: str) -> Any:
    enc = _encoders.get(encoding)
    if enc is None:
        with _lock:
            enc = _encoders.get(encoding)
            if enc is None:
                enc = _load_bindings().tokenizer_for_encoding(encoding)
                _encoders[encoding] = enc
    return enc


def encode(model: str = "", text: str = "", custom_tokenizer: Mapping[str, Any] | None = None) -> list[int]:
    """Token ids of ``text`` for ``model`` (special-token text is encoded as plain text)."""
    if custom_tokenizer is not None:
        return list(_hf_encode(custom_tokenizer, text))
    return list(_encoder(encoding_name_for_model(model)).encode(text))


def decode(
    model: str = "", tokens: Sequence[int] = (), custom_tokenizer: Mapping[str, Any] | None = None
) -> str:
    """The text of ``tokens`` for ``model``."""
    if custom_tokenizer is not None:
        tokenizer = custom_tokenizer["tokenizer"]
        return tokenizer.decode(list(tokens)) if hasattr(tokenizer, "decode") else ""
    return _encoder(encoding_name_for_model(model)).decode(list(tokens))


# --------------------------------------------------------------------------------------------- HF tokenizers


def _tokenizers_module() -> Any:
    try:
        import tokenizers
    except ImportError as exc:
        raise ImportError(
            f"HuggingFace tokenizers are an optional extra: {_TOKENIZERS_EXTRA} (or pip install tokenizers)"
        ) from exc
    return tokenizers


def create_pretrained_tokenizer(
    identifier: str, revision: str = "main", auth_token: str | None = None
) -> dict[str, Any]:
    """A ``custom_tokenizer`` for ``token_counter`` from a Hugging Face Hub tokenizer (downloads it)."""
    tokenizers = _tokenizers_module()
    try:
        tokenizer = tokenizers.Tokenizer.from_pretrained(identifier, revision=revision, token=auth_token)
    except TypeError:  # tokenizers < 0.15 named the credential auth_token
        tokenizer = tokenizers.Tokenizer.from_pretrained(identifier, revision=revision, auth_token=auth_token)
    return {"type": "huggingface_tokenizer", "tokenizer": tokenizer}


def create_tokenizer(json: str) -> dict[str, Any]:
    """A ``custom_tokenizer`` for ``token_counter`` from a tokenizer.json string."""
    tokenizers = _tokenizers_module()
    return {"type": "huggingface_tokenizer", "tokenizer": tokenizers.Tokenizer.from_str(json)}


def _hf_encode(custom_tokenizer: Mapping[str, Any], text: str) -> list[int]:
    tokenizer = custom_tokenizer.get("tokenizer")
    if tokenizer is None:
        raise ValueError(
            "custom_tokenizer has no 'tokenizer' entry: build it with create_pretrained_tokenizer() "
            "or create_tokenizer()"
        )
    if custom_tokenizer.get("type") == "openai_tokenizer":
        return list(tokenizer.encode(text, disallowed_special=()))
    encoded = tokenizer.encode(text)
    return list(getattr(encoded, "ids", encoded))


def _count_function(model: str, custom_tokenizer: Mapping[str, Any] | None) -> Callable[[str], int]:
    if custom_tokenizer is not None:
        return lambda text: len(_hf_encode(custom_tokenizer, text))
    return _encoder(encoding_name_for_model(model)).count


# --------------------------------------------------------------------------------------------- counting


def _message_overhead(model: str) -> tuple[int, int]:
    # gpt-3.5-turbo-0301 framed messages differently: 4 per message, and a name replaces the role
    if _openai_name(model) == "gpt-3.5-turbo-0301":
        return 4, -1
    return 3, 1


def _content_tokens(
    count: Callable[[str], int], model: str, parts: Sequence[Any], default_image: bool
) -> int:
    total = 0
    for part in parts:
        if isinstance(part, str):
            total += count(part)
            continue
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind in ("text", "input_text", "output_text"):
            total += count(str(part.get("text") or ""))
        elif kind in ("thinking", "reasoning"):
            total += count(str(part.get("thinking") or part.get("text") or ""))
        elif kind == "image_url":
            image = part.get("image_url")
            url, detail = (
                (image.get("url", ""), image.get("detail", "auto"))
                if isinstance(image, Mapping)
                else (image, "auto")
            )
            total += (
                250 if default_image else _images.image_tokens(model, str(url or ""), str(detail or "auto"))
            )
        elif kind == "input_audio":
            continue  # billed as audio tokens by the provider; no text to count
        else:
            text = part.get("text")
            if isinstance(text, str):
                total += count(text)
    return total


def _count_messages(
    count: Callable[[str], int], model: str, messages: Sequence[Any], default_image: bool
) -> int:
    per_message, per_name = _message_overhead(model)
    total = 0
    for message in messages:
        if not isinstance(message, Mapping):
            dump = getattr(message, "model_dump", None)
            message = dump() if callable(dump) else dict(getattr(message, "__dict__", {}))
        total += per_message
        for key, value in message.items():
            if value is None:
                continue
            if key == "tool_calls" and isinstance(value, list):
                for call in value:
                    function = (
                        call.get("function") if isinstance(call, Mapping) else getattr(call, "function", None)
                    )
                    args = (
                        function.get("arguments")
                        if isinstance(function, Mapping)
                        else getattr(function, "arguments", "")
                    )
                    total += count(str(args or ""))
            elif key == "function_call":
                args = (
                    value.get("arguments") if isinstance(value, Mapping) else getattr(value, "arguments", "")
                )
                total += count(str(args or ""))
            elif isinstance(value, str):
                total += count(value)
                if key == "name":
                    total += per_name
            elif key == "content" and isinstance(value, list):
                total += _content_tokens(count, model, value, default_image)
    return total


def _format_type(schema: Any, indent: int) -> str:
    if not isinstance(schema, Mapping):
        return "any"
    kind = schema.get("type")
    enum = schema.get("enum")
    if kind == "string":
        return " | ".join(f'"{v}"' for v in enum) if isinstance(enum, list) else "string"
    if kind == "array":
        return f"{_format_type(schema.get('items'), indent)}[]"
    if kind == "object":
        return "{\n" + _format_parameters(schema, indent + 2) + "\n}"
    if kind in ("integer", "number"):
        return " | ".join(f'"{v}"' for v in enum) if isinstance(enum, list) else "number"
    if kind in ("boolean", "null"):
        return str(kind)
    return "any"


def _format_parameters(schema: Mapping[str, Any], indent: int) -> str:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return ""
    listed = schema.get("required")
    required = listed if isinstance(listed, list) else []
    lines: list[str] = []
    for name, prop in properties.items():
        description = prop.get("description") if isinstance(prop, Mapping) else None
        if description:
            lines.append(f"// {description}")
        optional = "" if name in required else "?"
        lines.append(f"{name}{optional}: {_format_type(prop, indent)},")
    return "\n".join(" " * indent + line for line in lines)


def _functions(tools: Sequence[Any]) -> list[Mapping[str, Any]]:
    out: list[Mapping[str, Any]] = []
    for tool in tools:
        if not isinstance(tool, Mapping):
            continue
        function = tool.get("function")
        if isinstance(function, Mapping):
            out.append(function)
        elif tool.get("name"):  # Anthropic-style {name, description, input_schema}
            out.append(
                {
                    "name": tool.get("name"),
                    "description": tool.get("description"),
                    "parameters": tool.get("input_schema") or tool.get("parameters") or {},
                }
            )
    return out


def format_tool_definitions(tools: Sequence[Any]) -> str:
    """Tool definitions as the TypeScript-like namespace OpenAI renders into the prompt."""
    lines = ["namespace functions {", ""]
    for function in _functions(tools):
        name = function.get("name")
        if not name:
            continue
        description = function.get("description")
        if description:
            lines.append(f"// {description}")
        given = function.get("parameters")
        parameters: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        if isinstance(parameters.get("properties"), Mapping) and parameters["properties"]:
            lines += [f"type {name} = (_: {{", _format_parameters(parameters, 0), "}) => any;", ""]
        else:
            lines += [f"type {name} = () => any;", ""]
    lines.append("} // namespace functions")
    return "\n".join(lines)


def _tool_choice_tokens(count: Callable[[str], int], tool_choice: Any) -> int:
    if tool_choice == "none":
        return 1
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        name = function.get("name") if isinstance(function, Mapping) else tool_choice.get("name")
        if isinstance(name, str):
            return 7 + count(name)
        if tool_choice.get("type") == "none":
            return 1
    return 0


def token_counter(
    model: str = "",
    custom_tokenizer: Mapping[str, Any] | None = None,
    text: str | list[str] | None = None,
    messages: Sequence[Any] | None = None,
    count_response_tokens: bool | None = False,
    tools: Sequence[Any] | None = None,
    tool_choice: Any = None,
    use_default_image_token_count: bool | None = False,
    default_token_count: int | None = None,
) -> int:
    """Tokens in ``text`` or in chat ``messages`` (+ ``tools``, ``tool_choice``) for ``model``.

    For messages the count is what OpenAI bills as prompt tokens (see module docstring); with
    ``count_response_tokens=True`` the reply primer and tools are left out (counting a streamed answer).
    ``use_default_image_token_count`` counts every image as 250 tokens. ``default_token_count`` is returned
    instead of raising when a message cannot be counted.
    """
    if text is not None and messages is not None:
        raise ValueError("text and messages cannot both be set")
    count = _count_function(model, custom_tokenizer)
    if text is not None:
        if tools or tool_choice:
            raise ValueError("tools or tool_choice cannot be set if using text")
        joined = "".join(t for t in text if isinstance(t, str)) if isinstance(text, list) else str(text)
        return count(joined)
    if messages is None:
        raise ValueError("Either text or messages must be provided")
    try:
        total = _count_messages(count, model, messages, bool(use_default_image_token_count))
    except Exception:
        if default_token_count is not None:
            return default_token_count
        raise
    if not count_response_tokens:
        total += 3  # every reply is primed with <|start|>assistant<|message|>
        if tools:
            has_system = any(isinstance(m, Mapping) and m.get("role") == "system" for m in messages)
            total += count(format_tool_definitions(tools)) + 9 - (4 if has_system else 0)
        total += _tool_choice_tokens(count, tool_choice)
    return total


# --------------------------------------------------------------------------------------------- trimming


def _max_input_tokens(model: str | None) -> int | None:
    if not model:
        return None
    from litellm.cost import price_map

    found = price_map.resolve_entry(model)
    if found is None:
        return None
    value = found[1].get("max_input_tokens") or found[1].get("max_tokens")
    return int(value) if isinstance(value, (int, float)) else None


def _count(messages: list[dict[str, Any]], model: str | None) -> int:
    return token_counter(model=model or "", messages=messages) if messages else 0


def _shorten(message: dict[str, Any], budget: int, model: str | None) -> dict[str, Any] | None:
    """The message with the middle of its text cut ("..") to fit ``budget`` tokens, or None."""
    content = message.get("content")
    if not isinstance(content, str) or budget <= 10:
        return None
    shortened = dict(message)
    for _ in range(30):  # each pass rescales by the overshoot; a few passes converge
        tokens = _count([shortened], model) - 3
        if tokens <= budget:
            return shortened
        keep = max(int(len(shortened["content"]) * budget / tokens) - 1, 0)
        if keep <= 2:
            return None
        half = keep // 2
        shortened["content"] = content[:half] + ".." + content[-half:]
    return None


def trim_messages(
    messages: list[dict[str, Any]],
    model: str | None = None,
    trim_ratio: float = 0.75,
    return_response_tokens: bool = False,
    max_tokens: int | None = None,
) -> Any:
    """Drop (and if needed shorten) the oldest messages so the prompt fits.

    The budget is ``max_tokens``, else ``trim_ratio`` x the model's input window (unknown model and no
    ``max_tokens``: messages come back unchanged). System messages are kept (joined, shortened if they alone
    overflow); trailing tool results are kept whole; the newest other messages are kept first and the oldest
    that only partly fits is shortened in the middle. The input list is never mutated. With
    ``return_response_tokens`` returns ``(messages, tokens left for the reply)``.
    """
    messages = copy.deepcopy(list(messages))
    if max_tokens is None:
        window = _max_input_tokens(model)
        if window is None:
            return (messages, 0) if return_response_tokens else messages
        max_tokens = int(window * trim_ratio)
    tail: list[dict[str, Any]] = []
    while messages and messages[-1].get("role") == "tool":
        tail.insert(0, messages.pop())
    if _count(messages + tail, model) <= max_tokens:
        kept = messages + tail
        return (kept, max_tokens - _count(kept, model)) if return_response_tokens else kept

    system_text = "\n".join(
        str(m.get("content") or "") for m in messages if m.get("role") == "system" and m.get("content")
    )
    budget = max_tokens - (_count(tail, model) - 3 if tail else 0)
    head: list[dict[str, Any]] = []
    if system_text:
        system = {"role": "system", "content": system_text}
        system_tokens = _count([system], model)
        if system_tokens > budget:
            system = _shorten(system, budget - 3, model) or system
            kept = [system, *tail]
            return (kept, max_tokens - _count(kept, model)) if return_response_tokens else kept
        head = [system]
        messages = [m for m in messages if m.get("role") != "system"]

    kept_rest: list[dict[str, Any]] = []
    for message in reversed(messages):
        candidate = [*head, message, *kept_rest]
        if _count(candidate, model) <= budget:
            kept_rest.insert(0, message)
            continue
        room = budget - _count([*head, *kept_rest], model)
        shortened = _shorten(message, room - 3, model) if room > 3 else None
        if shortened is not None and _count([*head, shortened, *kept_rest], model) <= budget:
            kept_rest.insert(0, shortened)
        break
    kept = [*head, *kept_rest, *tail]
    return (kept, max_tokens - _count(kept, model)) if return_response_tokens else kept


def get_modified_max_tokens(
    model: str, base_model: str, messages: list[Any] | None, user_max_tokens: int | None
) -> int | None:
    """``user_max_tokens`` lowered so prompt + completion fit the model's window (LiteLLM's helper)."""
    if user_max_tokens is None:
        return None
    window = _max_input_tokens(base_model or model)
    if window is None or not messages:
        return user_max_tokens
    from litellm.cost import price_map

    found = price_map.resolve_entry(base_model or model)
    max_output = found[1].get("max_output_tokens") if found else None
    prompt = token_counter(model=model, messages=messages)
    if prompt > window:
        return user_max_tokens
    room = window - prompt
    if isinstance(max_output, int):
        room = min(room, max_output)
    return max(1, min(user_max_tokens, room)) if room > 0 else user_max_tokens
