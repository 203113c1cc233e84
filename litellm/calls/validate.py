"""Local validation of a chat request's OpenAI shape, before any request is sent, for every provider.

Owns :func:`validate_chat_request`: a pure check of ``messages`` and the OpenAI parameters a call was
given, raising :class:`litellm.core.exceptions.BadRequestError` (status 400, never retried) whose message
says what is wrong, where (``messages[2].content[1].image_url``, ``temperature``) and how to fix it. The
body carries OpenAI's error shape (``{"error": {"message", "type": "invalid_request_error", "param"}}``).

What is checked (OpenAI's documented Chat Completions reference):

* ``messages``: a list of messages (dicts, or message objects with a ``role``, such as a previous
  response's ``choices[0].message``); each has a known ``role`` (system, developer, user, assistant, tool,
  function); ``content`` is a string, None, or a list of parts, each a dict with a string ``type`` (a
  ``text`` part has string ``text``, an ``image_url`` part a URL string or ``{"url": str}``); ``name`` is a
  string; an assistant's ``tool_calls`` are ``{"id", "type": "function", "function": {"name": str,
  "arguments": str}}``; a tool message has a string ``tool_call_id``. Text must be serialisable as
  JSON/UTF-8: ``bytes`` and lone surrogates are named by message index and part.
* parameters, when present and not None: ``temperature`` 0..2, ``top_p`` 0..1, ``n`` >= 1,
  ``max_tokens`` / ``max_completion_tokens`` >= 1, ``presence_penalty`` / ``frequency_penalty`` -2..2,
  ``top_logprobs`` 0..20, ``logprobs`` / ``stream`` / ``parallel_tool_calls`` booleans, ``seed`` an
  integer, ``stop`` a string or a list of strings, ``logit_bias`` a dict of numbers -100..100, ``user`` a
  string, ``response_format`` a dict with a string ``type`` (or a class, as LiteLLM accepts), ``tools`` a
  list of tools (a function tool has a ``function`` with a ``name`` matching ``^[a-zA-Z0-9_-]{1,64}$`` and
  ``parameters`` that is a JSON-schema object), ``tool_choice`` one of none/auto/required/any or a dict
  with a ``type`` (a function choice names its function), ``stream_options`` a dict whose
  ``include_usage`` is a boolean, ``store`` a boolean, ``reasoning_effort`` a string, ``modalities`` a
  list of strings, and the legacy ``functions`` / ``function_call`` their documented shapes.

Numbers are checked as numbers: ``True`` is not a temperature, ``"0.5"`` is not either. Any other key
(provider-specific parameters) passes through untouched, and tool types other than ``function`` (hosted
tools, provider tools) are only required to be dicts with a ``type``.

Cost: a few microseconds for an ordinary request (measured with timeit; see the README numbers). The
exception module (which imports ``openai``) is imported only when there is an error to raise.

Must not: mutate its inputs, send anything, log, read settings, or import anything above ``litellm.core``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["validate_chat_request"]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_ROLE_LIST = "system, developer, user, assistant, tool, function"
_TOOL_CHOICE_STRINGS = frozenset({"none", "auto", "required", "any"})
_FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class _Invalid(Exception):
    """Internal: where (OpenAI's ``param`` path) and what is wrong."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(where, what)
        self.where = where
        self.what = what


def validate_chat_request(
    messages: Any, params: Mapping[str, Any], *, model: str | None = None, llm_provider: str | None = None
) -> None:
    """Raise BadRequestError when ``messages`` or an OpenAI parameter in ``params`` is malformed.

    ``params`` holds the call's keyword arguments (OpenAI parameters and anything else; unknown keys
    are ignored). Returns None when the request is well-formed.
    """
    try:
        _check_messages(messages)
        for key, value in params.items():
            check = _PARAM_CHECKS.get(key)
            if check is not None and value is not None:
                check(key, value)
    except _Invalid as bad:
        raise _bad_request(bad, model, llm_provider) from None


def _bad_request(bad: _Invalid, model: str | None, llm_provider: str | None) -> Exception:
    from litellm.core.exceptions import BadRequestError

    text = f"Invalid request: {bad.where}: {bad.what}"
    body = {"error": {"message": text, "type": "invalid_request_error", "param": bad.where, "code": None}}
    return BadRequestError(message=text, model=model, llm_provider=llm_provider, body=body)


# -- messages -------------------------------------------------------------------------------------------


def _check_messages(messages: Any) -> None:
    if type(messages) is not list:
        if isinstance(messages, str):
            raise _Invalid(
                "messages",
                'must be a list of messages, got a string; pass [{"role": "user", "content": <your text>}]',
            )
        if not isinstance(messages, (list, tuple)):
            raise _Invalid(
                "messages",
                f"must be a list of messages (dicts with 'role' and 'content'), got {type(messages).__name__}",
            )
    for index, message in enumerate(messages):
        if type(message) is dict:
            _check_message(index, message)
        elif isinstance(message, Mapping):
            _check_message(index, dict(message))
        elif isinstance(message, str):
            raise _Invalid(
                f"messages[{index}]",
                'must be a message dict, got a string; pass {"role": "user", "content": <your text>}',
            )
        elif getattr(message, "role", None) is not None:  # a message object (e.g. choices[0].message)
            dump = getattr(message, "model_dump", None)
            _check_message(index, dump() if callable(dump) else dict(vars(message)))
        else:
            raise _Invalid(
                f"messages[{index}]",
                f"must be a dict with 'role' and 'content', got {type(message).__name__}",
            )


def _check_message(index: int, message: dict) -> None:
    role = message.get("role")
    if role is None:
        raise _Invalid(
            f"messages[{index}].role",
            f"is missing; every message needs a role, one of {_ROLE_LIST}",
        )
    if role not in _ROLES:
        raise _Invalid(
            f"messages[{index}].role",
            f"{role!r} is not a role; use one of {_ROLE_LIST}",
        )
    content = message.get("content")
    if content is not None and type(content) is not str:
        _check_content(index, content)
    elif content is not None and not content.isascii():
        _check_text(f"messages[{index}].content", content)
    if len(message) > 2 or "content" not in message:  # more than role and content: check the rest
        name = message.get("name")
        if name is not None and type(name) is not str:
            raise _Invalid(f"messages[{index}].name", f"must be a string, got {type(name).__name__}")
        tool_calls = message.get("tool_calls")
        if tool_calls is not None:
            _check_tool_calls(index, tool_calls)
        if role == "tool" and type(message.get("tool_call_id")) is not str:
            raise _Invalid(
                f"messages[{index}].tool_call_id",
                "a tool message needs the string id of the tool call it answers",
            )
    elif role == "tool":
        raise _Invalid(
            f"messages[{index}].tool_call_id",
            "a tool message needs the string id of the tool call it answers",
        )


def _check_text(where: str, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _Invalid(
            where,
            f"is not valid Unicode text (a lone surrogate {text[exc.start]!r} at character {exc.start}); "
            "it cannot be sent as JSON. Decode bytes with .decode('utf-8', 'replace') or remove it",
        ) from None


def _check_content(index: int, content: Any) -> None:
    where = f"messages[{index}].content"
    if isinstance(content, (bytes, bytearray)):
        raise _Invalid(
            where,
            "is bytes, which cannot be sent as JSON; decode text with .decode('utf-8'), or send binary "
            "data as a base64 data URL in an image_url / file part",
        )
    if not isinstance(content, list):
        raise _Invalid(
            where,
            f"must be a string, None or a list of content parts, got {type(content).__name__}",
        )
    for part_index, part in enumerate(content):
        part_where = f"{where}[{part_index}]"
        if type(part) is not dict:
            if isinstance(part, str):
                raise _Invalid(
                    part_where,
                    'must be a content part dict, got a string; use {"type": "text", "text": <your text>}',
                )
            if isinstance(part, (bytes, bytearray)):
                raise _Invalid(part_where, "is bytes, which cannot be sent as JSON; decode it or base64 it")
            if not isinstance(part, Mapping):
                raise _Invalid(part_where, f"must be a content part dict, got {type(part).__name__}")
            part = dict(part)
        kind = part.get("type")
        if type(kind) is not str:
            raise _Invalid(
                f"{part_where}.type",
                "is missing; a content part needs a string type such as 'text' or 'image_url'",
            )
        for key, value in part.items():
            if type(value) is str:
                if not value.isascii():
                    _check_text(f"{part_where}.{key}", value)
            elif isinstance(value, (bytes, bytearray)):
                raise _Invalid(
                    f"{part_where}.{key}",
                    "is bytes, which cannot be sent as JSON; decode it, or base64 it into a data URL",
                )
        if kind == "text":
            text = part.get("text")
            if type(text) is not str:
                raise _Invalid(
                    f"{part_where}.text", f"a text part needs a string text, got {type(text).__name__}"
                )
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else image
            if type(url) is not str:
                raise _Invalid(
                    f"{part_where}.image_url",
                    'must be a URL string or {"url": <http(s) or data: URL>}',
                )


def _check_tool_calls(index: int, tool_calls: Any) -> None:
    where = f"messages[{index}].tool_calls"
    if not isinstance(tool_calls, list):
        raise _Invalid(where, f"must be a list of tool calls, got {type(tool_calls).__name__}")
    for i, call in enumerate(tool_calls):
        if not isinstance(call, Mapping):
            dump = getattr(call, "model_dump", None)
            if not callable(dump):
                raise _Invalid(f"{where}[{i}]", f"must be a dict, got {type(call).__name__}")
            call = dump()
        function = call.get("function")
        if call.get("type", "function") != "function" or function is None:
            continue  # another tool kind (provider-specific): passed through
        if not isinstance(function, Mapping) or type(function.get("name")) is not str:
            raise _Invalid(f"{where}[{i}].function.name", "a function tool call needs the function's name")
        arguments = function.get("arguments")
        if arguments is not None and type(arguments) is not str:
            raise _Invalid(
                f"{where}[{i}].function.arguments",
                f"must be a JSON string, got {type(arguments).__name__}; use json.dumps(arguments)",
            )


# -- parameters -----------------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    # int and float subclasses (numpy scalars) count; bool does not; NaN is no number
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range(low: float, high: float | None, integer: bool = False) -> Any:
    kind = "an integer" if integer else "a number"
    bounds = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"

    def check(key: str, value: Any) -> None:
        ok = _is_integer(value) if integer else _is_number(value)
        if not ok:
            raise _Invalid(key, f"must be {kind} {bounds}, got {value!r} ({type(value).__name__})")
        if value < low or (high is not None and value > high):
            raise _Invalid(key, f"must be {kind} {bounds}, got {value!r}")

    return check


def _boolean(key: str, value: Any) -> None:
    if type(value) is not bool:
        raise _Invalid(key, f"must be true or false, got {value!r} ({type(value).__name__})")


def _integer(key: str, value: Any) -> None:
    if not _is_integer(value):
        raise _Invalid(key, f"must be an integer, got {value!r} ({type(value).__name__})")


def _string(key: str, value: Any) -> None:
    if type(value) is not str:
        raise _Invalid(key, f"must be a string, got {type(value).__name__}")


def _stop(key: str, value: Any) -> None:
    if type(value) is str:
        return
    if not isinstance(value, list) or not all(type(s) is str for s in value):
        raise _Invalid(key, f"must be a string or a list of strings, got {value!r}")


def _logit_bias(key: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise _Invalid(key, f"must be a dict of token id -> bias (-100 to 100), got {type(value).__name__}")
    for token, bias in value.items():
        if not _is_number(bias) or not -100 <= bias <= 100:
            raise _Invalid(f"{key}[{token!r}]", f"must be a number between -100 and 100, got {bias!r}")


def _response_format(key: str, value: Any) -> None:
    if isinstance(value, type):
        return  # a pydantic model class: LiteLLM turns it into a json_schema
    if not isinstance(value, Mapping) or type(value.get("type")) is not str:
        raise _Invalid(
            key,
            'must be {"type": "text" | "json_object" | "json_schema", ...} or a pydantic model class, '
            f"got {value!r}",
        )


def _tools(key: str, value: Any) -> None:
    if not isinstance(value, list):
        raise _Invalid(
            key,
            'must be a list of tools like [{"type": "function", "function": {"name": ..., "parameters": '
            f'{{"type": "object", "properties": {{...}}}}}}}}], got {type(value).__name__}',
        )
    for i, tool in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(tool, Mapping):
            raise _Invalid(where, f"must be a dict, got {type(tool).__name__}")
        kind = tool.get("type")
        if type(kind) is not str:
            raise _Invalid(f"{where}.type", "is missing; a function tool has type 'function'")
        if kind != "function":
            continue  # hosted and provider-specific tools: passed through
        function = tool.get("function")
        if not isinstance(function, Mapping):
            raise _Invalid(f"{where}.function", "a function tool needs a 'function' dict with a name")
        name = function.get("name")
        if type(name) is not str or not _FUNCTION_NAME.match(name):
            raise _Invalid(
                f"{where}.function.name",
                f"must be 1-64 letters, digits, '_' or '-', got {name!r}",
            )
        parameters = function.get("parameters")
        if parameters is None:
            continue
        if not isinstance(parameters, Mapping):
            raise _Invalid(
                f"{where}.function.parameters",
                f"must be a JSON schema object like {{'type': 'object', 'properties': {{...}}}}, got "
                f"{type(parameters).__name__}",
            )
        schema_type = parameters.get("type")
        if schema_type is not None and schema_type != "object":
            raise _Invalid(
                f"{where}.function.parameters.type",
                f"a function's parameters must be a JSON schema of type 'object', got {schema_type!r}",
            )
        properties = parameters.get("properties")
        if properties is not None and not isinstance(properties, Mapping):
            raise _Invalid(
                f"{where}.function.parameters.properties",
                f"must be a dict of parameter name -> JSON schema, got {type(properties).__name__}",
            )


def _tool_choice(key: str, value: Any) -> None:
    if type(value) is str:
        if value not in _TOOL_CHOICE_STRINGS:
            raise _Invalid(
                key,
                f"{value!r} is not a tool choice; use 'none', 'auto', 'required' or "
                '{"type": "function", "function": {"name": <tool name>}}',
            )
        return
    if not isinstance(value, Mapping) or type(value.get("type")) is not str:
        raise _Invalid(
            key,
            "must be 'none', 'auto', 'required' or "
            f'{{"type": "function", "function": {{"name": <tool name>}}}}, got {value!r}',
        )
    if value["type"] == "function":
        function = value.get("function")
        if not isinstance(function, Mapping) or type(function.get("name")) is not str:
            raise _Invalid(f"{key}.function.name", "a function tool choice names the function to call")


def _stream_options(key: str, value: Any) -> None:
    if not isinstance(value, Mapping):
        raise _Invalid(key, f'must be a dict like {{"include_usage": true}}, got {type(value).__name__}')
    include_usage = value.get("include_usage")
    if include_usage is not None and type(include_usage) is not bool:
        raise _Invalid(f"{key}.include_usage", f"must be true or false, got {include_usage!r}")


def _string_list(key: str, value: Any) -> None:
    if not isinstance(value, list) or not all(type(v) is str for v in value):
        raise _Invalid(key, f"must be a list of strings, got {value!r}")


def _functions(key: str, value: Any) -> None:
    if not isinstance(value, list):
        raise _Invalid(key, f"must be a list of function definitions, got {type(value).__name__}")
    for i, function in enumerate(value):
        if not isinstance(function, Mapping) or type(function.get("name")) is not str:
            raise _Invalid(f"{key}[{i}].name", "a function definition needs a string name")
        parameters = function.get("parameters")
        if parameters is not None and not isinstance(parameters, Mapping):
            raise _Invalid(f"{key}[{i}].parameters", "must be a JSON schema object")


def _function_call(key: str, value: Any) -> None:
    if type(value) is str:
        return
    if not isinstance(value, Mapping) or type(value.get("name")) is not str:
        raise _Invalid(key, f"must be 'none', 'auto' or {{\"name\": <function name>}}, got {value!r}")


_PARAM_CHECKS: dict[str, Any] = {
    "temperature": _range(0, 2),
    "top_p": _range(0, 1),
    "n": _range(1, None, integer=True),
    "max_tokens": _range(1, None, integer=True),
    "max_completion_tokens": _range(1, None, integer=True),
    "presence_penalty": _range(-2, 2),
    "frequency_penalty": _range(-2, 2),
    "top_logprobs": _range(0, 20, integer=True),
    "logprobs": _boolean,
    "stream": _boolean,
    "parallel_tool_calls": _boolean,
    "seed": _integer,
    "user": _string,
    "stop": _stop,
    "logit_bias": _logit_bias,
    "response_format": _response_format,
    "tools": _tools,
    "tool_choice": _tool_choice,
    "stream_options": _stream_options,
    "store": _boolean,
    "reasoning_effort": _string,
    "modalities": _string_list,
    "functions": _functions,
    "function_call": _function_call,
}
