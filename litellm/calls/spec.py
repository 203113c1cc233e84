"""A call type is a spec, not a copy of the pipeline (DESIGN.md, "Call types").

:class:`CallSpec` names what differs between call types: how the provider request is built, how the
reply becomes the response object, what a ``mock_response`` returns, which OpenAI params belong to the
type, what the logging record shows as its input. :class:`Prepared` is one call on its way through the
pipeline (``litellm.calls.pipeline``), which owns everything the types share: resolution, credentials,
params, the pre-call event, the cache seam, the one send path with retries and error mapping, timing,
cost and the one terminal event.

Must not: send, sleep, log or read the environment (the pipeline does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CallSpec", "Prepared"]


@dataclass(frozen=True, slots=True)
class CallSpec:
    #: the sync call type ("completion", "embedding", "image_generation", ...); async is "a" + name
    name: str
    #: (prepared) -> ProviderRequest; raise BadRequestError naming providers that have the endpoint
    build: Callable[[Prepared], Any]
    #: (prepared, body bytes, reply headers, send start) -> the typed response
    parse: Callable[[Prepared, bytes, Mapping[str, str], float], Any]
    #: (prepared, mock_response value) -> the typed response (or chunk dicts for a streamed mock)
    mock: Callable[[Prepared, Any], Any]
    #: (inputs) -> what the logging record's ``messages`` shows (text, never raw bytes)
    log_input: Callable[[dict[str, Any]], Any]
    #: OpenAI params of this type; for chat they are checked against the provider (drop_params)
    openai_params: frozenset[str] = frozenset()
    #: chat only: params are checked against the provider's supported set
    check_params: bool = False
    streamable: bool = False
    cacheable: bool = True
    #: (prepared, cached OpenAI dict) -> the typed response; None = not restorable from a cache
    from_cache: Callable[[Prepared, dict[str, Any]], Any] | None = None
    #: (response) -> the dict a cache stores
    to_cache: Callable[[Any], dict[str, Any]] | None = None
    #: cached per input item (embeddings): a partial hit sends only the missing items
    item_cache: bool = False
    #: (prepared, response) -> None: more work before the event (e.g. pricing a finished batch)
    enrich: Callable[[Prepared, Any], None] | None = None
    #: the async twin of ``enrich``: returns an awaitable (awaited) or None (nothing more to do)
    aenrich: Callable[[Prepared, Any], Any] | None = None
    #: (prepared, open reply or None, mock chunk dicts or None) -> the stream object the caller
    #: iterates; None = the chat stream wrapper
    make_stream: Callable[[Prepared, Any, Any], Any] | None = None
    #: "a" + name, made once (read for every async call)
    async_name: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "async_name", "a" + self.name)


class Prepared:
    """One call after preparation: the pieces the send path and the spec's functions need."""

    __slots__ = (
        "adapter",
        "attempt",
        "body",
        "cache_key",
        "cache_kwargs",
        "call",
        "client",
        "creds",
        "ctx",
        "deadline",
        "hide_usage",
        "inputs",
        "is_async",
        "items",
        "mock",
        "model",
        "params",
        "provider",
        "request",
        "retries",
        "spec",
        "stream",
        "timeout",
    )

    def __init__(self, spec: CallSpec, inputs: dict[str, Any], is_async: bool) -> None:
        self.spec = spec
        self.inputs = inputs
        self.is_async = is_async
        self.adapter: Any = None
        self.provider: str | None = None
        self.model: str = ""
        self.creds: Any = None
        self.params: dict[str, Any] = {}
        self.request: Any = None
        self.body: bytes | None = None
        self.stream = False
        self.hide_usage = False
        self.timeout: Any = None
        self.retries = 0
        self.deadline: float | None = None
        self.client: Any = None
        self.attempt: Any = None
        self.mock: Any = None
        self.cache_key: str | None = None
        self.cache_kwargs: dict[str, Any] | None = None
        #: per-item cache state: (keys, {index: cached vector}, the original input list)
        self.items: tuple[list[str], dict[int, Any], list[Any]] | None = None
        self.call: Any = None
        self.ctx: Any = None
