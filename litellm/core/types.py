"""OpenAI-format response types: what every provider's answer is turned into.

Models are tolerant (unknown fields are kept, as provider extras), readable as attributes and as dict
keys (``r.choices[0].message.content`` and ``r["choices"][0]["message"]["content"]``), and carry
``_hidden_params`` and ``_response_ms`` as LiteLLM's do. They are built from OpenAI-format dicts that
adapters produce; they import no provider code and nothing heavy.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

__all__ = [
    "ChatCompletionDeltaToolCall",
    "ChatCompletionMessageToolCall",
    "Choices",
    "CompletionTokensDetailsWrapper",
    "Delta",
    "Embedding",
    "EmbeddingResponse",
    "Function",
    "FunctionCall",
    "Message",
    "ModelResponse",
    "ModelResponseStream",
    "PromptTokensDetailsWrapper",
    "StreamingChoices",
    "Usage",
]


def _new_id() -> str:
    return f"chatcmpl-{uuid.uuid4()}"


class _OpenAIObject(BaseModel):
    """Dict-style access on top of pydantic, extras kept."""

    model_config = ConfigDict(extra="allow", protected_namespaces=(), arbitrary_types_allowed=True)

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and getattr(self, key, None) is not None

    def get(self, key: str, default: Any = None) -> Any:
        value = getattr(self, key, default)
        return default if value is None else value

    def json(self, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        # LiteLLM's .json() returns a dict; users depend on that
        return self.model_dump(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()


class Function(_OpenAIObject):
    name: str | None = None
    arguments: str = ""

    @field_validator("arguments", mode="before")
    @classmethod
    def _arguments_as_json(cls, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return json.dumps(value)


FunctionCall = Function


class ChatCompletionMessageToolCall(_OpenAIObject):
    id: str | None = Field(default_factory=lambda: f"call_{uuid.uuid4().hex[:24]}")
    type: str = "function"
    function: Function = Field(default_factory=Function)


class ChatCompletionDeltaToolCall(_OpenAIObject):
    id: str | None = None
    type: str | None = None
    function: Function = Field(default_factory=Function)
    index: int = 0


class Message(_OpenAIObject):
    content: Any | None = None
    role: str = "assistant"
    tool_calls: list[ChatCompletionMessageToolCall] | None = None
    function_call: Function | None = None
    provider_specific_fields: dict[str, Any] | None = None


class Delta(_OpenAIObject):
    content: Any | None = None
    role: str | None = None
    tool_calls: list[ChatCompletionDeltaToolCall] | None = None
    function_call: Function | None = None
    provider_specific_fields: dict[str, Any] | None = None


class Choices(_OpenAIObject):
    finish_reason: str | None = "stop"
    index: int = 0
    message: Message = Field(default_factory=Message)
    logprobs: Any | None = None


class StreamingChoices(_OpenAIObject):
    finish_reason: str | None = None
    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    logprobs: Any | None = None


class PromptTokensDetailsWrapper(_OpenAIObject):
    cached_tokens: int | None = None
    audio_tokens: int | None = None
    text_tokens: int | None = None
    image_tokens: int | None = None


class CompletionTokensDetailsWrapper(_OpenAIObject):
    reasoning_tokens: int | None = None
    audio_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None
    text_tokens: int | None = None


class Usage(_OpenAIObject):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: PromptTokensDetailsWrapper | None = None
    completion_tokens_details: CompletionTokensDetailsWrapper | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if not data.get("total_tokens"):
                data = dict(data)
                data["total_tokens"] = int(data.get("prompt_tokens") or 0) + int(
                    data.get("completion_tokens") or 0
                )
            if data.get("reasoning_tokens") and data.get("completion_tokens_details") is None:
                data = dict(data)
                data["completion_tokens_details"] = {"reasoning_tokens": data.pop("reasoning_tokens")}
        return data


class ModelResponse(_OpenAIObject):
    id: str = Field(default_factory=_new_id)
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str | None = None
    object: str = "chat.completion"
    system_fingerprint: str | None = None
    choices: list[Choices] = Field(default_factory=lambda: [Choices()])
    usage: Usage | None = Field(default_factory=Usage)

    _hidden_params: dict[str, Any] = PrivateAttr(default_factory=dict)
    _response_ms: float | None = PrivateAttr(default=None)
    _response_headers: dict[str, str] | None = PrivateAttr(default=None)


class ModelResponseStream(_OpenAIObject):
    id: str = Field(default_factory=_new_id)
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str | None = None
    object: str = "chat.completion.chunk"
    system_fingerprint: str | None = None
    choices: list[StreamingChoices] = Field(default_factory=lambda: [StreamingChoices()])
    usage: Usage | None = None

    _hidden_params: dict[str, Any] = PrivateAttr(default_factory=dict)


def _fast_private_init(cls: type[BaseModel]) -> None:
    """Replace pydantic's generic private-attribute initialiser (a Python loop over the attributes and
    their defaults, ~3 µs per object) with one dict literal of the same defaults. pydantic-core calls
    ``model_post_init`` by name after validation, ``__init__`` and ``model_construct``, so every way of
    building the object gets the same private store; ``copy``/``deepcopy`` keep copying it."""
    # every default must be a fresh empty dict or a constant, as PrivateAttr declares it above
    factories: dict[str, Any] = {}
    for name, attr in cls.__private_attributes__.items():
        if attr.default_factory is dict:
            factories[name] = dict
        elif attr.default_factory is None:
            factories[name] = attr.default
        else:  # a default this fast path does not know: keep pydantic's own initialiser
            return
    dict_names = tuple(n for n, f in factories.items() if f is dict)
    template = {n: (None if f is dict else f) for n, f in factories.items()}  # declaration order
    setattr_ = object.__setattr__

    def model_post_init(self: BaseModel, context: Any, /) -> None:
        if getattr(self, "__pydantic_private__", None) is None:
            private = template.copy()
            for name in dict_names:
                private[name] = {}
            setattr_(self, "__pydantic_private__", private)

    cls.model_post_init = model_post_init  # type: ignore[method-assign]


class Embedding(_OpenAIObject):
    embedding: Any
    index: int = 0
    object: Literal["embedding"] = "embedding"


class EmbeddingResponse(_OpenAIObject):
    model: str | None = None
    data: list[Any] = Field(default_factory=list)
    object: str = "list"
    usage: Usage | None = Field(default_factory=Usage)

    _hidden_params: dict[str, Any] = PrivateAttr(default_factory=dict)
    _response_ms: float | None = PrivateAttr(default=None)


for _cls in (ModelResponse, ModelResponseStream, EmbeddingResponse):
    _fast_private_init(_cls)
