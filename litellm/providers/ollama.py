"""Ollama's native API <-> OpenAI format: ``ollama_chat/`` (``/api/chat``) and ``ollama/`` (``/api/generate``).

Owns: :class:`OllamaAdapter` for both prefixes: the request translation (messages with base64 ``images``,
assistant ``tool_calls`` with object arguments, tool results with ``tool_name``; for ``/api/generate`` the
conversation rendered as one prompt with the system text in ``system``), OpenAI params -> ``options``
(temperature, top_p, num_predict from max_tokens, stop, seed, penalties; Ollama's own options such as
``num_ctx``, ``top_k``, ``repeat_penalty``, ``mirostat`` pass into ``options``), ``format`` from
``response_format`` (``"json"`` or a JSON schema), ``think`` from ``reasoning_effort``, ``keep_alive``,
``tools``; the reply translation (content, ``thinking`` -> ``reasoning_content``, tool calls with minted
ids, ``done_reason``, ``prompt_eval_count`` / ``eval_count`` -> usage), the NDJSON stream (one JSON object a
line, ``done: true`` last), errors (``{"error": "..."}``), and ``/api/embed`` embeddings.

Default base ``http://localhost:11434`` (OLLAMA_API_BASE); no key is needed, an OLLAMA_API_KEY is sent as a
Bearer token (Ollama's cloud and authenticating proxies). Wire facts come from Ollama's public API
reference (docs/api.md). Must not send, log, read the environment or fetch image URLs.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from litellm.providers._common import (
    error_fields,
    json_bearer_headers,
    kind_for_status,
    make_error,
    normalize_response_format,
    parse_data_url,
    pop_max_tokens,
    stop_list,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState

__all__ = ["OllamaAdapter"]

DEFAULT_API_BASE = "http://localhost:11434"

_CHAT_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "max_tokens",
        "max_completion_tokens",
        "stop",
        "seed",
        "frequency_penalty",
        "presence_penalty",
        "response_format",
        "tools",
        "tool_choice",
        "stream",
        "stream_options",
        "reasoning_effort",
        "functions",
    }
)
_GENERATE_PARAMS = _CHAT_PARAMS - {"tools", "tool_choice", "functions"}
_TOP_LEVEL = frozenset(
    {
        "keep_alive",
        "format",
        "think",
        "raw",
        "template",
        "suffix",
        "context",
        "truncate",
        "shift",
        "logprobs",
        "top_logprobs",
    }
)
_DONE_REASONS = {"stop": "stop", "length": "length", "load": "stop", "unload": "stop"}


def _bad(message: str) -> ValueError:
    return ValueError(message)


def _image(url: str) -> str:
    parsed = parse_data_url(url)
    if parsed is not None and parsed[2]:
        return parsed[1]
    if parsed is None and not url.startswith(("http://", "https://")) and len(url) > 64:
        return url  # already bare base64
    raise _bad(
        "Ollama takes images as base64: pass a data:image/...;base64, URL (image URLs are not fetched)"
    )


def _split_content(content: Any) -> tuple[str, list[str]]:
    """OpenAI content -> (text, base64 images)."""
    if content is None:
        return "", []
    if isinstance(content, str):
        return content, []
    texts: list[str] = []
    images: list[str] = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
            continue
        ptype = part.get("type")
        if ptype == "text":
            texts.append(part.get("text", ""))
        elif ptype == "image_url":
            image = part.get("image_url")
            images.append(_image(image.get("url", "") if isinstance(image, Mapping) else str(image or "")))
        else:
            raise _bad(f"unsupported content part type for Ollama: {ptype!r} (text and image_url are)")
    return "".join(texts), images


def _arguments(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError) as exc:
        raise _bad(f"tool call arguments are not valid JSON: {str(value)[:80]!r}") from exc
    return parsed if isinstance(parsed, dict) else {"value": parsed}


def chat_messages(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    names: dict[str, str | None] = {}
    for msg in messages:
        role = msg.get("role")
        if role == "developer":
            role = "system"
        if role not in ("system", "user", "assistant", "tool"):
            raise _bad(f"unsupported message role for Ollama: {role!r}")
        text, images = _split_content(msg.get("content"))
        entry: dict[str, Any] = {"role": role, "content": text}
        if images:
            entry["images"] = images
        if role == "assistant":
            if msg.get("reasoning_content"):
                entry["thinking"] = msg["reasoning_content"]
            calls = []
            for call in msg.get("tool_calls") or ():
                fn = call.get("function") or {}
                if call.get("id"):
                    names[str(call["id"])] = fn.get("name")
                calls.append(
                    {"function": {"name": fn.get("name"), "arguments": _arguments(fn.get("arguments"))}}
                )
            if calls:
                entry["tool_calls"] = calls
        if role == "tool":
            name = msg.get("name") or names.get(str(msg.get("tool_call_id")))
            if name:
                entry["tool_name"] = name
        out.append(entry)
    return out


def generate_prompt(messages: Sequence[Mapping[str, Any]]) -> tuple[str | None, str, list[str]]:
    """Messages -> (system, prompt, images) for ``/api/generate``. One user message is sent as it is;
    a longer conversation is rendered as ``### User:`` / ``### Assistant:`` sections (as LiteLLM does)."""
    system_parts: list[str] = []
    turns: list[tuple[str, str]] = []
    images: list[str] = []
    for msg in messages:
        role = msg.get("role")
        text, imgs = _split_content(msg.get("content"))
        images.extend(imgs)
        if role in ("system", "developer"):
            system_parts.append(text)
        elif role in ("user", "assistant", "tool"):
            turns.append((role, text))
        else:
            raise _bad(f"unsupported message role for Ollama: {role!r}")
    if not turns:
        raise _bad("Ollama needs at least one user message")
    system = "\n".join(p for p in system_parts if p) or None
    if len(turns) == 1 and turns[0][0] == "user":
        return system, turns[0][1], images
    labels = {"user": "### User:", "assistant": "### Assistant:", "tool": "### Tool Result:"}
    prompt = "".join(f"{labels[role]}\n{text}\n\n" for role, text in turns)
    if turns[-1][0] != "assistant":
        prompt += "### Assistant:\n"
    return system, prompt, images


def _think(model: str, effort: Any) -> Any:
    if not isinstance(effort, str):
        return None
    if effort in ("none", "disable", "disabled"):
        return False
    if effort not in ("minimal", "low", "medium", "high", "xhigh", "max"):
        raise _bad(f"reasoning_effort={effort!r} is not one of minimal, low, medium, high or none")
    if "gpt-oss" in model:  # GPT-OSS takes a level; other thinking models take true/false
        return {"minimal": "low", "xhigh": "high", "max": "high"}.get(effort, effort)
    return True


def build_body(
    model: str,
    messages: list[dict[str, Any]],
    optional_params: Mapping[str, Any],
    *,
    chat: bool,
    stream: bool,
) -> dict[str, Any]:
    params = dict(optional_params)
    body: dict[str, Any] = {"model": model}
    if chat:
        body["messages"] = chat_messages(messages)
        if not body["messages"]:
            raise _bad("Ollama needs at least one message")
    else:
        system, prompt, images = generate_prompt(messages)
        from litellm.providers import prompt_templates

        template = prompt_templates.prompt_template_for(
            f"ollama/{model}"
        ) or prompt_templates.prompt_template_for(model)
        if template is not None:  # litellm.register_prompt_template: the whole conversation, rendered raw
            prompt, system = prompt_templates.render_prompt(messages, template), None
            body["raw"] = True
        body["prompt"] = prompt
        if system:
            body["system"] = system
        if images:
            body["images"] = images
    options: dict[str, Any] = dict(params.pop("options", None) or {})
    for src, dst in (
        ("temperature", "temperature"),
        ("top_p", "top_p"),
        ("seed", "seed"),
        ("frequency_penalty", "frequency_penalty"),
        ("presence_penalty", "presence_penalty"),
    ):
        value = params.pop(src, None)
        if value is not None:
            options[dst] = value
    max_tokens = pop_max_tokens(params)
    if max_tokens is not None:
        options["num_predict"] = int(max_tokens)
    stop = params.pop("stop", None)
    if stop:
        options["stop"] = stop_list(stop)
    n = params.pop("n", None)
    if n not in (None, 1):
        raise _bad("Ollama returns one reply per request: n must be 1")
    response_format = normalize_response_format(params.pop("response_format", None))
    if isinstance(response_format, Mapping):
        rtype = response_format.get("type")
        if rtype == "json_object":
            body["format"] = "json"
        elif rtype == "json_schema":
            schema = (response_format.get("json_schema") or {}).get("schema")
            body["format"] = schema if isinstance(schema, Mapping) else "json"
    think = _think(model, params.pop("reasoning_effort", None))
    if think is not None:
        body["think"] = think
    tools = params.pop("tools", None)
    functions = params.pop("functions", None)
    if functions and not tools:  # the legacy OpenAI form: each function is a tool
        tools = [{"type": "function", "function": dict(f)} for f in functions]
    choice = params.pop("tool_choice", None)
    if tools:
        if not chat:
            raise _bad("tools need /api/chat: call the model as ollama_chat/<model>")
        if choice == "none":
            tools = None  # Ollama has no tool_choice; not offering the tools is the same
        elif isinstance(choice, Mapping):
            name = (choice.get("function") or {}).get("name")
            tools = [t for t in tools if (t.get("function") or {}).get("name") == name] or tools
        if tools:
            body["tools"] = [dict(t) for t in tools]
    params.pop("stream", None)
    params.pop("stream_options", None)
    params.pop("user", None)
    for key, value in params.items():
        if value is None:
            continue
        if key in _TOP_LEVEL:
            body[key] = value
        else:
            options[key] = value  # Ollama's model options: num_ctx, top_k, repeat_penalty, mirostat, ...
    if options:
        body["options"] = options
    body["stream"] = stream  # Ollama streams unless told not to
    return body


def ollama_usage(data: Mapping[str, Any]) -> dict[str, Any]:
    prompt = int(data.get("prompt_eval_count") or 0)
    completion = int(data.get("eval_count") or 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _tool_calls(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for call in message.get("tool_calls") or ():
        fn = call.get("function") or {}
        args = fn.get("arguments")
        out.append(
            {
                "id": call.get("id") or f"call_{secrets.token_hex(12)}",
                "type": "function",
                "function": {
                    "name": fn.get("name"),
                    "arguments": args if isinstance(args, str) else json.dumps(args or {}),
                },
            }
        )
    return out


def _finish(data: Mapping[str, Any], has_calls: bool) -> str:
    finish = _DONE_REASONS.get(str(data.get("done_reason") or "stop"), "stop")
    return "tool_calls" if has_calls and finish == "stop" else finish


class OllamaAdapter:
    """``ollama_chat/<model>`` -> ``/api/chat``; ``ollama/<model>`` -> ``/api/generate``."""

    api_key_env = None  # a local server needs no key
    api_base_env = "OLLAMA_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("OLLAMA_API_KEY",),
        "api_base": ("OLLAMA_API_BASE",),
    }

    def __init__(self, name: str = "ollama_chat") -> None:
        self.name = name
        self.chat = name == "ollama_chat"

    def __repr__(self) -> str:
        return f"OllamaAdapter({self.name!r})"

    def supported_params(self, model: str) -> frozenset[str]:
        return _CHAT_PARAMS if self.chat else _GENERATE_PARAMS

    def missing_credentials(self, credentials: Credentials) -> list[str]:
        return []

    def _url(self, credentials: Credentials, path: str) -> str:
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        for suffix in ("/api/chat", "/api/generate", "/api/embed", "/api/embeddings", "/api", "/v1"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        return f"{base}/api/{path}"

    def _headers(self, credentials: Credentials, extra: Mapping[str, str] | None) -> dict[str, str]:
        return json_bearer_headers(credentials.api_key, extra)

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
            body = build_body(model, messages, optional_params, chat=self.chat, stream=stream)
        except ValueError as exc:
            raise make_error("BadRequestError", str(exc), model=model, provider=self.name) from exc
        if extra_body:
            body.update(extra_body)
        return ProviderRequest(
            url=self._url(credentials, "chat" if self.chat else "generate"),
            headers=self._headers(credentials, extra_headers),
            body=body,
            stream_format="ndjson",
        )

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        if "message" in data:
            message = data.get("message") or {}
            content, thinking = message.get("content"), message.get("thinking")
            calls = _tool_calls(message)
        else:
            content, thinking, calls = data.get("response"), data.get("thinking"), []
        out_msg: dict[str, Any] = {"role": "assistant", "content": content if content or not calls else None}
        if thinking:
            out_msg["reasoning_content"] = thinking
        if calls:
            out_msg["tool_calls"] = calls
        return {
            "id": f"chatcmpl-{secrets.token_hex(12)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": data.get("model") or model,
            "choices": [{"index": 0, "message": out_msg, "finish_reason": _finish(data, bool(calls))}],
            "usage": ollama_usage(data),
        }

    def new_stream_state(self, model: str) -> StreamState:
        state = StreamState(
            model=model, created=int(time.time()), response_id=f"chatcmpl-{secrets.token_hex(12)}"
        )
        state.extra.update(role_sent=False, tools=0)
        return state

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        data = data.strip()
        if not data:
            return []
        obj = json.loads(data)
        if "error" in obj:
            raise StreamErrorEvent(500, obj)
        if "message" in obj:
            message = obj.get("message") or {}
            content, thinking = message.get("content"), message.get("thinking")
            calls = _tool_calls(message)
        else:
            content, thinking, calls = obj.get("response"), obj.get("thinking"), []
        done = bool(obj.get("done"))
        if not done and not (content or thinking or calls):
            return []
        delta: dict[str, Any] = {}
        if not state.extra["role_sent"]:
            delta["role"] = "assistant"
            state.extra["role_sent"] = True
        if content:
            delta["content"] = content
        if thinking:
            delta["reasoning_content"] = thinking
        if calls:
            start = state.extra["tools"]
            state.extra["tools"] = start + len(calls)
            delta["tool_calls"] = [{"index": start + i, **c} for i, c in enumerate(calls)]
        chunk: dict[str, Any] = {
            "id": state.response_id,
            "object": "chat.completion.chunk",
            "created": state.created,
            "model": state.model,
            "choices": [
                {
                    "index": 0,
                    "delta": delta,
                    "finish_reason": _finish(obj, state.extra["tools"] > 0) if done else None,
                }
            ],
        }
        if done:
            chunk["usage"] = ollama_usage(obj)
        return [chunk]

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message, _code, _etype = error_fields(body)
        if not message:
            message = f"HTTP {status_code}"
        low = message.lower()
        if status_code == 400 and ("context" in low and ("exceed" in low or "length" in low)):
            return ErrorInfo("ContextWindowExceededError", message)
        if status_code == 404 or ("not found" in low and "model" in low):
            return ErrorInfo("NotFoundError", f"{message} (pull it first: ollama pull <model>)")
        return ErrorInfo(kind_for_status(status_code), message)

    # ---- embeddings ----------------------------------------------------------------------------

    def build_embedding_request(
        self, model: str, input: Any, params: Mapping[str, Any], credentials: Credentials
    ) -> ProviderRequest:
        items = input if isinstance(input, list) else [input]
        if not items or not all(isinstance(i, str) for i in items):
            raise make_error(
                "BadRequestError",
                "Ollama embeddings take a string or a list of strings",
                model=model,
                provider=self.name,
            )
        body: dict[str, Any] = {"model": model, "input": items}
        if params.get("dimensions") is not None:
            body["dimensions"] = int(params["dimensions"])
        for key in ("truncate", "keep_alive", "options"):
            if params.get(key) is not None:
                body[key] = params[key]
        return ProviderRequest(
            url=self._url(credentials, "embed"), headers=self._headers(credentials, None), body=body
        )

    def parse_embedding_response(self, model: str, data: Mapping[str, Any]) -> dict[str, Any]:
        vectors = data.get("embeddings") or ([data["embedding"]] if data.get("embedding") else [])
        tokens = int(data.get("prompt_eval_count") or 0)
        return {
            "object": "list",
            "model": data.get("model") or model,
            "data": [
                {"object": "embedding", "index": i, "embedding": list(v)} for i, v in enumerate(vectors)
            ],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }


def make_adapter(name: str = "ollama_chat") -> OllamaAdapter:
    return OllamaAdapter(name)
