"""``litellm.utils``: the import path LiteLLM's docs use for its helpers, and ``function_to_dict``.

Owns two things: the lazy re-export of helpers that live in their owning modules (``from litellm.utils
import trim_messages, token_counter, get_model_info, supports_vision, ...`` resolves on first access,
so importing this module costs nothing more than ``import litellm``), and :func:`function_to_dict`,
which turns a Python function with a numpydoc docstring into an OpenAI tool/function schema.

Must not: implement any helper that has an owning module (re-export it instead), import anything heavy
at import time, or import the package root.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable
from importlib import import_module
from typing import Any

# public name -> "module:attribute"; resolved on first access, then cached in this module's dict
_LAZY: dict[str, str] = {
    # tokens and messages
    "token_counter": "litellm.cost.tokens:token_counter",
    "trim_messages": "litellm.cost.tokens:trim_messages",
    "encode": "litellm.cost.tokens:encode",
    "decode": "litellm.cost.tokens:decode",
    "create_pretrained_tokenizer": "litellm.cost.tokens:create_pretrained_tokenizer",
    "create_tokenizer": "litellm.cost.tokens:create_tokenizer",
    # model info and capabilities
    "get_model_info": "litellm.cost.model_info:get_model_info",
    "get_max_tokens": "litellm.cost.model_info:get_max_tokens",
    "register_model": "litellm.cost.price_map:register_model",
    "completion_cost": "litellm.cost.calculator:completion_cost",
    "cost_per_token": "litellm.cost.calculator:cost_per_token",
    # providers
    "get_llm_provider": "litellm.providers.registry:get_llm_provider",
    "get_supported_openai_params": "litellm.providers.params:get_supported_openai_params",
    "validate_environment": "litellm.providers.environment:validate_environment",
    "get_valid_models": "litellm.providers.environment:get_valid_models",
    "check_valid_key": "litellm.calls.pipeline:check_valid_key",
    # prompts and retries
    "register_prompt_template": "litellm.prompt_templates:register_prompt_template",
    "completion_with_retries": "litellm.calls.retries:completion_with_retries",
    # streaming
    "CustomStreamWrapper": "litellm.calls.streaming:CustomStreamWrapper",
    "stream_chunk_builder": "litellm.calls.streaming:stream_chunk_builder",
    # types
    "ModelResponse": "litellm.core.types:ModelResponse",
    "ModelResponseStream": "litellm.core.types:ModelResponseStream",
    "EmbeddingResponse": "litellm.core.types:EmbeddingResponse",
    "Embedding": "litellm.core.types:Embedding",
    "Usage": "litellm.core.types:Usage",
    "Message": "litellm.core.types:Message",
    "Choices": "litellm.core.types:Choices",
    "StreamingChoices": "litellm.core.types:StreamingChoices",
    "Delta": "litellm.core.types:Delta",
    "Function": "litellm.core.types:Function",
    "ChatCompletionMessageToolCall": "litellm.core.types:ChatCompletionMessageToolCall",
    "ChatCompletionDeltaToolCall": "litellm.core.types:ChatCompletionDeltaToolCall",
    "PromptTokensDetailsWrapper": "litellm.core.types:PromptTokensDetailsWrapper",
    "CompletionTokensDetailsWrapper": "litellm.core.types:CompletionTokensDetailsWrapper",
}
for _flag in (
    "function_calling",
    "parallel_function_calling",
    "tool_choice",
    "vision",
    "pdf_input",
    "audio_input",
    "audio_output",
    "video_input",
    "web_search",
    "url_context",
    "response_schema",
    "prompt_caching",
    "reasoning",
    "system_messages",
    "computer_use",
    "embedding_image_input",
    "native_streaming",
):
    _LAZY[f"supports_{_flag}"] = f"litellm.cost.model_info:supports_{_flag}"
del _flag

__all__ = sorted([*_LAZY, "function_to_dict"])


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'litellm.utils' has no attribute {name!r}")
    module_name, _, attr = target.partition(":")
    value = getattr(import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


# ---------------------------------------------------------------------------------------------------
# function_to_dict
# ---------------------------------------------------------------------------------------------------

# Python type names (from a docstring or an annotation) -> JSON Schema types; anything else is a string,
# as in LiteLLM
_JSON_TYPES = {
    "str": "string",
    "string": "string",
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "complex": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "list": "array",
    "tuple": "array",
    "set": "array",
    "frozenset": "array",
    "sequence": "array",
    "iterable": "array",
    "array": "array",
    "dict": "object",
    "mapping": "object",
    "object": "object",
    "none": "null",
    "nonetype": "null",
}

_SECTION_RULE = re.compile(r"^\s*-{3,}\s*$")
_PARAM_LINE = re.compile(r"^(?P<name>\*{0,2}[A-Za-z_][\w]*)\s*(?::\s*(?P<type>.*))?$")


def _json_type_from_text(text: str) -> str:
    """``"int, optional"``, ``"list of str"``, ``"str or None"``, ``"dict[str, int]"`` -> JSON type."""
    text = re.sub(r",?\s*optional\s*$", "", text.strip(), flags=re.IGNORECASE).strip()
    text = re.sub(r",?\s*default[:=\s].*$", "", text, flags=re.IGNORECASE).strip()
    for alternative in re.split(r"\s+or\s+|\s*\|\s*", text):
        word = re.split(r"[\s\[(,]", alternative.strip(), maxsplit=1)[0].lower()
        word = word.rsplit(".", 1)[-1]  # typing.List, numpy.ndarray, ...
        kind = _JSON_TYPES.get(word)
        if kind and kind != "null":
            return kind
    return "string"


def _json_type_from_annotation(annotation: Any) -> str | None:
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return _json_type_from_text(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Union or type(annotation).__name__ == "UnionType":
        kinds = [_json_type_from_annotation(a) for a in typing.get_args(annotation) if a is not type(None)]
        return next((k for k in kinds if k), "string")
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        return _enum_type(list(values))
    target = origin or annotation
    name = getattr(target, "__name__", None) or str(target)
    return _JSON_TYPES.get(name.lower(), "string")


def _enum_values(type_text: str) -> list[Any] | None:
    """numpydoc's enum spelling ``{'celsius', 'fahrenheit'}`` (optionally followed by ``, optional``)."""
    match = re.match(r"^\s*\{(.*)\}\s*(,.*)?$", type_text)
    if match is None:
        return None
    values: list[Any] = []
    for raw in re.findall(r"""'[^']*'|"[^"]*"|[^,\s]+""", match.group(1)):
        if raw[0] in "'\"":
            values.append(raw[1:-1])
        else:
            try:
                values.append(int(raw))
            except ValueError:
                try:
                    values.append(float(raw))
                except ValueError:
                    values.append({"None": None, "True": True, "False": False}.get(raw, raw))
    return values


def _enum_type(values: list[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool}:
        return "boolean" if kinds else "string"
    if kinds <= {int}:
        return "integer"
    if kinds <= {int, float}:
        return "number"
    return "string"


def _parse_numpydoc(doc: str) -> tuple[str, dict[str, tuple[str | None, str]]]:
    """The summary (first paragraph) and ``{name: (type text, description)}`` of the Parameters section."""
    lines = inspect.cleandoc(doc).splitlines()
    sections: dict[str, list[str]] = {"": []}
    current = ""
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and _SECTION_RULE.match(lines[i + 1]) and lines[i].strip():
            current = lines[i].strip().lower()
            sections[current] = []
            i += 2
            continue
        sections[current].append(lines[i])
        i += 1
    summary_lines: list[str] = []
    for line in sections[""]:
        if not line.strip():
            if summary_lines:
                break
            continue
        summary_lines.append(line.strip())
    params: dict[str, tuple[str | None, str]] = {}
    name: str | None = None
    for line in sections.get("parameters", []) + sections.get("other parameters", []):
        if not line.strip():
            continue
        if not line[:1].isspace():
            match = _PARAM_LINE.match(line.strip())
            if match is None:
                name = None
                continue
            for part in match.group("name").split(","):
                name = part.strip().lstrip("*")
                params[name] = (match.group("type"), "")
            continue
        if name is not None:
            type_text, description = params[name]
            params[name] = (type_text, f"{description} {line.strip()}".strip())
    return " ".join(summary_lines), params


def function_to_dict(input_function: Callable[..., Any]) -> dict[str, Any]:
    """An OpenAI function schema (``{"name", "description", "parameters"}``) from a function's signature and
    numpydoc docstring, for ``tools=[{"type": "function", "function": function_to_dict(f)}]``.

    Types come from the docstring's ``Parameters`` section (``x : int, optional``) when given, else from
    the annotation; unknown types are ``"string"``. A numpydoc enum (``unit : {'celsius', 'fahrenheit'}``)
    becomes ``"enum": ["celsius", "fahrenheit"]``: a JSON list (LiteLLM emits the Python text of the set
    there, which no schema validator accepts). Parameters without a default are ``required``;
    ``*args``/``**kwargs`` are left out. The description is the docstring's summary paragraph.
    """
    if not callable(input_function):
        raise TypeError(f"function_to_dict expects a function, got {type(input_function).__name__}")
    name = getattr(input_function, "__name__", None) or type(input_function).__name__
    summary, documented = _parse_numpydoc(inspect.getdoc(input_function) or "")
    try:
        signature = inspect.signature(input_function)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"function_to_dict cannot read the signature of {name!r}: {exc}") from exc
    try:
        hints = typing.get_type_hints(input_function)
    except Exception:  # unresolved forward references: fall back to the raw annotations
        hints = {}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in signature.parameters.values():
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if param.name in ("self", "cls"):
            continue
        type_text, description = documented.get(param.name, (None, ""))
        schema: dict[str, Any] = {}
        enum = _enum_values(type_text) if type_text else None
        if enum is not None:
            schema["type"] = _enum_type(enum)
        elif type_text:
            schema["type"] = _json_type_from_text(type_text)
        else:
            schema["type"] = _json_type_from_annotation(hints.get(param.name, param.annotation)) or "string"
        if description:
            schema["description"] = description
        if enum is not None:
            schema["enum"] = enum
        properties[param.name] = schema
        if param.default is inspect.Parameter.empty:
            required.append(param.name)
    result: dict[str, Any] = {"name": name}
    if summary:
        result["description"] = summary
    result["parameters"] = {"type": "object", "properties": properties, "required": required}
    return result
