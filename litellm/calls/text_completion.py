"""``text_completion`` / ``atext_completion``: the legacy ``/v1/completions`` call, as a spec.

Two routes, chosen per call (LiteLLM's documented behaviour): a completions model (``gpt-3.5-turbo-instruct``,
``babbage-002``, ``davinci-002``, or any model the price map files as ``mode: completion``) on an
OpenAI-wire provider (OpenAI, Azure, any compatible server), and any model named with LiteLLM's
``text-completion-openai/`` or ``azure_text/`` prefix, goes to ``/v1/completions``; every other model
takes the chat bridge (the prompt becomes one user message, the chat answer becomes ``choices[].text``).
Both return :class:`~litellm.core.types_calls.TextCompletionResponse`; with ``stream=True`` the caller
iterates ``TextCompletionResponse`` chunks (``chunk.choices[0].text``) while the pipeline's stream wrapper
does the decoding, the assembly and the one logging event.

Must not: send or log (the pipeline does); copy the stream wrapper (a thin type adapter wraps it).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

from litellm.calls.endpoints import endpoint_request, finish, json_object, wire_model
from litellm.calls.pipeline import arun, run
from litellm.calls.spec import CallSpec, Prepared
from litellm.core.types_calls import TextCompletionResponse

__all__ = ["TEXT_COMPLETION", "TextCompletionStreamWrapper", "atext_completion", "text_completion"]

TEXT_COMPLETION_PARAMS = frozenset(
    {
        "best_of", "echo", "frequency_penalty", "logit_bias", "logprobs", "max_tokens", "n",
        "presence_penalty", "seed", "stop", "stream_options", "suffix", "temperature", "top_p", "user",
    }
)  # fmt: skip

# params the chat bridge cannot carry (chat has no such thing)
_COMPLETIONS_ONLY = frozenset({"best_of", "echo", "suffix"})

_COMPLETIONS_MODEL = re.compile(r"(^|/)(gpt-3\.?5-turbo-instruct|babbage-002|davinci-002|text-davinci)", re.I)


# LiteLLM's provider names that always mean /completions on the OpenAI wire: text-completion-openai/<model>
# (OpenAI or a compatible api_base), azure_text/<deployment> (Azure OpenAI)
_TEXT_PROVIDERS = {"text-completion-openai": "openai", "azure_text": "azure"}


def _uses_completions_endpoint(p: Prepared) -> bool:
    if getattr(p.adapter, "chat_url", None) is None:
        return False  # a native chat-only provider: always the bridge
    if p.inputs.get("_completions"):
        return True
    if _COMPLETIONS_MODEL.search(p.model):
        return True
    from litellm.cost.price_map import resolve_entry

    found = resolve_entry(p.model, p.provider)
    return found is not None and found[1].get("mode") == "completion"


def _prompts(prompt: Any) -> list[Any]:
    """The prompt as a list of prompts (a token-id list is one prompt)."""
    if isinstance(prompt, list) and prompt and not all(isinstance(x, int) for x in prompt):
        return list(prompt)
    return [prompt]


def _log_input(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": p if isinstance(p, str) else json.dumps(p)}
        for p in _prompts(inputs["prompt"])
    ]


# ---------------------------------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------------------------------


class _CompletionsStream:
    """The adapter as the stream wrapper sees it on ``/v1/completions``: each ``text_completion``
    event becomes a chunk dict whose ``delta.content`` is the text (errors, state and everything else
    are the real adapter's)."""

    def __init__(self, adapter: Any) -> None:
        self._adapter = adapter

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)

    def parse_stream_event(self, state: Any, event: str | None, data: str) -> list[dict[str, Any]]:
        if not data or data == "[DONE]":
            return []
        obj = json.loads(data)
        if not isinstance(obj, dict):
            return []
        if event == "error" or ("error" in obj and not obj.get("choices")):
            return self._adapter.parse_stream_event(state, event, data)  # raises the mapped error event
        choices = obj.get("choices") or []
        if not choices and obj.get("usage") is None:
            return []
        chunk = {
            "id": obj.get("id") or f"cmpl-{state.created}",
            "created": obj.get("created") or state.created,
            "model": obj.get("model") or state.model,
            "object": "text_completion",
            "choices": [
                {
                    "index": c.get("index", 0),
                    "delta": {"content": c.get("text") or ""},
                    "finish_reason": c.get("finish_reason"),
                    "logprobs": c.get("logprobs"),
                }
                for c in choices
            ],
        }
        if obj.get("usage") is not None:
            chunk["usage"] = obj["usage"]
        return [chunk]


# providers whose streams we ask for a usage chunk the caller did not ask for (exact cost; kept out of sight)
_ASK_STREAM_USAGE = frozenset({"openai", "azure"})


def _build(p: Prepared) -> Any:
    prompt = p.inputs["prompt"]
    if p.stream and p.provider in _ASK_STREAM_USAGE and "stream_options" not in p.params:
        p.params["stream_options"] = {"include_usage": True}
        p.hide_usage = True
    if _uses_completions_endpoint(p):
        body: dict[str, Any] = {"model": wire_model(p), "prompt": prompt}
        for key, value in p.params.items():
            if key == "stream_options" and not p.stream:
                continue
            body[key] = value
        if p.stream:
            body["stream"] = True
            p.adapter = _CompletionsStream(p.adapter)
        p.inputs["_route"] = "completions"
        return endpoint_request(p, "completions", body=body)
    return _build_bridge(p, prompt)


def _build_bridge(p: Prepared, prompt: Any) -> Any:
    from litellm.calls.endpoints import request_headers

    prompts = _prompts(prompt)
    if len(prompts) != 1 or not isinstance(prompts[0], str):
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(
            f"text_completion: {p.provider}/{p.model} is a chat model, reached through the chat bridge, "
            "which takes one text prompt. Pass a single string (one call per prompt), or use a "
            "completions model (e.g. gpt-3.5-turbo-instruct) for a list of prompts or token ids.",
            p.model,
            p.provider,
        )
    unsupported = sorted(k for k in p.params if k in _COMPLETIONS_ONLY)
    if unsupported:
        from litellm.core.exceptions import UnsupportedParamsError

        raise UnsupportedParamsError(
            f"text_completion: {', '.join(unsupported)} exist only on /v1/completions; {p.model} is "
            "reached through the chat bridge. Remove them or use a completions model.",
            p.model,
            p.provider,
        )
    params = dict(p.params)
    if isinstance(params.get("logprobs"), int):  # completions: a count; chat: a flag plus top_logprobs
        params["top_logprobs"] = params.pop("logprobs")
        params["logprobs"] = True
    p.inputs["_route"] = "chat"
    return p.adapter.build_request(
        p.model,
        [{"role": "user", "content": prompts[0]}],
        params,
        p.creds,
        stream=p.stream,
        extra_headers=request_headers(p),
        extra_body=p.call.lp.get("extra_body"),
    )


# ---------------------------------------------------------------------------------------------------
# parse / mock
# ---------------------------------------------------------------------------------------------------


def _from_chat(data: dict[str, Any]) -> dict[str, Any]:
    """A chat.completion dict as a text_completion dict."""
    return {
        "id": data.get("id"),
        "object": "text_completion",
        "created": data.get("created") or int(time.time()),
        "model": data.get("model"),
        "system_fingerprint": data.get("system_fingerprint"),
        "choices": [
            {
                "index": c.get("index", i),
                "text": (c.get("message") or {}).get("content") or "",
                "finish_reason": c.get("finish_reason"),
                "logprobs": c.get("logprobs"),
            }
            for i, c in enumerate(data.get("choices") or [])
        ],
        "usage": data.get("usage"),
    }


def _parse(p: Prepared, content: bytes, headers: Mapping[str, str], started: float) -> TextCompletionResponse:
    data = json_object(p, content)
    if p.inputs.get("_route") == "chat":
        data = _from_chat(p.adapter.parse_response(p.model, data))
    else:
        data.setdefault("object", "text_completion")
        data.setdefault("model", p.model)
    if not data.get("usage"):
        from litellm.calls.streaming import count_usage

        chat_choices = [{"message": {"content": c.get("text") or ""}} for c in data.get("choices") or []]
        data["usage"] = count_usage(p.model, p.ctx.messages, chat_choices)
    response = TextCompletionResponse.model_validate(data)
    return finish(p, response, data, started, headers, usage=data["usage"])


def _mock(p: Prepared, mock: Any) -> Any:
    if isinstance(mock, TextCompletionResponse):
        data = mock.model_dump()
    elif isinstance(mock, dict):
        data = {"object": "text_completion", "model": p.model, **mock}
    else:
        text = str(mock)
        # the fixed usage a chat mock carries (LiteLLM's numbers), so mocked calls price alike
        usage = {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}
        data = {
            "id": f"cmpl-mock-{time.time_ns()}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": p.model,
            "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
            "usage": usage,
        }
    if p.stream:
        from litellm.calls.pipeline import _mock_chunks

        chat = {
            **data,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": c.get("text") or ""}}
                for c in data.get("choices") or []
            ][:1],
        }
        chunks = _mock_chunks(chat, True)
        for chunk in chunks:
            chunk["object"] = "text_completion"
        return chunks
    response = TextCompletionResponse.model_validate(data)
    return finish(p, response, data, p.ctx.start_time, None, usage=data.get("usage"))


def _from_cache(p: Prepared, value: dict[str, Any]) -> TextCompletionResponse:
    """A stored answer: a text completion, or (stored from a stream) the assembled chat-shaped one."""
    choices = value.get("choices") or []
    data = _from_chat(value) if choices and "message" in choices[0] else dict(value)
    response = TextCompletionResponse.model_validate(data)
    return finish(p, response, data, time.time(), None, usage=data.get("usage"))


TEXT_COMPLETION = CallSpec(
    name="text_completion",
    build=_build,
    parse=_parse,
    mock=_mock,
    log_input=_log_input,
    openai_params=TEXT_COMPLETION_PARAMS,
    streamable=True,
    from_cache=_from_cache,
    to_cache=lambda response: response.model_dump(),
)


# ---------------------------------------------------------------------------------------------------
# the stream as text-completion chunks
# ---------------------------------------------------------------------------------------------------


def _text_chunk(chunk: Any) -> TextCompletionResponse:
    usage = getattr(chunk, "usage", None)
    data = {
        "id": chunk.id,
        "object": "text_completion",
        "created": chunk.created,
        "model": chunk.model,
        "system_fingerprint": chunk.system_fingerprint,
        "choices": [
            {
                "index": c.index,
                "text": c.delta.content or "",
                "finish_reason": c.finish_reason,
                "logprobs": c.logprobs,
            }
            for c in chunk.choices
        ],
        "usage": usage.model_dump() if usage is not None else None,
    }
    out = TextCompletionResponse.model_validate(data)
    hidden = chunk.__pydantic_private__.get("_hidden_params")
    if hidden:
        out._hidden_params = dict(hidden)
    return out


class TextCompletionStreamWrapper:
    """Iterate (``for`` or ``async for``) to get ``TextCompletionResponse`` chunks. Closing it closes
    the underlying stream, which logs the call once with what arrived."""

    def __init__(self, stream: Any) -> None:
        # a cache hit arrives whole: it is replayed as a one-chunk stream (already logged)
        self._whole: list[TextCompletionResponse] | None = (
            [stream] if isinstance(stream, TextCompletionResponse) else None
        )
        self._stream = stream
        self.logging_obj = getattr(stream, "logging_obj", None)
        self.model = getattr(stream, "model", None)

    def __iter__(self) -> TextCompletionStreamWrapper:
        return self

    def __next__(self) -> TextCompletionResponse:
        if self._whole is not None:
            if not self._whole:
                raise StopIteration
            return self._whole.pop()
        return _text_chunk(next(self._stream))

    def __aiter__(self) -> TextCompletionStreamWrapper:
        return self

    async def __anext__(self) -> TextCompletionResponse:
        if self._whole is not None:
            if not self._whole:
                raise StopAsyncIteration
            return self._whole.pop()
        return _text_chunk(await self._stream.__anext__())

    def close(self) -> None:
        if self._whole is None:
            self._stream.close()

    async def aclose(self) -> None:
        if self._whole is None:
            await self._stream.aclose()

    def __enter__(self) -> TextCompletionStreamWrapper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> TextCompletionStreamWrapper:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _check_prompt(prompt: Any) -> None:
    if isinstance(prompt, str):
        return
    if isinstance(prompt, list) and prompt:
        if all(isinstance(x, int) for x in prompt):
            return
        if all(
            isinstance(x, str) or (isinstance(x, list) and all(isinstance(t, int) for t in x)) for x in prompt
        ):
            return
    from litellm.core.exceptions import BadRequestError

    raise BadRequestError(
        "text_completion: prompt must be a string, a list of strings, a list of token ids, or a list of "
        f"token-id lists; got {type(prompt).__name__}.",
        "",
        None,
    )


def _inputs(prompt: Any, model: str | None, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if model is None:
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(
            "text_completion needs a model: pass model='gpt-3.5-turbo-instruct' or similar.", ""
        )
    _check_prompt(prompt)
    head, sep, rest = model.partition("/")
    if sep and head in _TEXT_PROVIDERS and not kwargs.get("custom_llm_provider"):
        return f"{_TEXT_PROVIDERS[head]}/{rest}", {"prompt": prompt, "_completions": True}
    return model, {"prompt": prompt}


def text_completion(prompt: Any = None, model: str | None = None, **kwargs: Any) -> Any:
    """Legacy completions (``/v1/completions``), or the chat bridge for chat models. Returns
    ``TextCompletionResponse``, or a stream of them with ``stream=True``."""
    model, inputs = _inputs(prompt, model, kwargs)
    result = run(TEXT_COMPLETION, model, inputs, kwargs)
    return TextCompletionStreamWrapper(result) if kwargs.get("stream") else result


async def atext_completion(prompt: Any = None, model: str | None = None, **kwargs: Any) -> Any:
    """Async :func:`text_completion`; with ``stream=True`` returns an async-iterable stream."""
    model, inputs = _inputs(prompt, model, kwargs)
    result = await arun(TEXT_COMPLETION, model, inputs, kwargs)
    return TextCompletionStreamWrapper(result) if kwargs.get("stream") else result
