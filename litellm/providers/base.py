"""The provider adapter contract.

An adapter is pure: it builds a request (URL, headers, JSON body) from OpenAI-format input, turns the
provider's JSON response and stream events into OpenAI-format *dicts*, and classifies error responses.
It never sends, sleeps, logs or reads the environment: the pipeline (``litellm.calls.pipeline``) owns
HTTP, retries, timing, credentials lookup and logging, and turns the OpenAI-format dicts into
``ModelResponse`` / ``ModelResponseStream`` objects.

Every adapter returns the same shapes, so the pipeline has no ``if provider == ...`` chains:

* ``build_request`` -> :class:`ProviderRequest`
* ``parse_response`` -> an OpenAI ``chat.completion`` dict (``id``, ``created``, ``model``, ``object``,
  ``choices[].message`` with ``content`` / ``tool_calls`` / ``reasoning_content`` / ``thinking_blocks``,
  ``finish_reason``, ``usage`` with ``prompt_tokens_details.cached_tokens``,
  ``cache_creation_input_tokens``, ``completion_tokens_details.reasoning_tokens``)
* ``parse_stream_event`` -> a list of OpenAI ``chat.completion.chunk`` dicts (possibly empty); the
  adapter keeps what it needs across events in the ``StreamState`` it created
* ``classify_error`` -> :class:`ErrorInfo` (the exception *kind* by name, and a clean message)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(slots=True)
class Credentials:
    """What the pipeline resolved for this call (arguments, then module settings, then env)."""

    api_key: str | None = None
    api_base: str | None = None
    api_version: str | None = None
    organization: str | None = None
    azure_ad_token: str | None = None


class RequestAuth(Protocol):
    """Authorises the exact bytes about to be sent (SigV4 signing, an OAuth/IAM bearer token).

    Built by an adapter from shared auth helpers (``litellm.providers.auth``); run by the pipeline after
    the body is serialised, on every attempt (a signature covers the time). ``apply`` may refresh a
    cached token (network I/O, at most once per expiry); it returns the headers to add.
    """

    def apply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]: ...

    async def aapply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]: ...


#: how a streamed reply is framed; the pipeline picks the decoder, the adapter parses each event
STREAM_FORMATS = ("sse", "ndjson", "aws-eventstream", "json-array")


@dataclass(slots=True)
class ProviderRequest:
    """One HTTP request an adapter wants sent. Exactly one of ``body`` (JSON, serialised once by the
    pipeline), ``content`` (raw bytes) or ``files`` (multipart) is set; none for a GET/DELETE."""

    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None = None
    method: str = "POST"
    content: bytes | None = None
    #: multipart parts: (field, value) or (field, (filename, bytes, content_type)); ``data`` fields too
    files: list[tuple[str, Any]] | None = None
    #: framing of a streamed reply: "sse" (default), "ndjson", "aws-eventstream", "json-array"
    stream_format: str = "sse"
    auth: RequestAuth | None = None


@dataclass(slots=True)
class ErrorInfo:
    """How a failed response maps to our exception tree.

    ``kind`` is one of the class names in ``litellm.core.exceptions`` (``"BadRequestError"``,
    ``"ContextWindowExceededError"``, ``"RateLimitError"``, ...).
    """

    kind: str
    message: str


@dataclass(slots=True)
class StreamState:
    """Per-stream scratch space an adapter may use between events."""

    model: str = ""
    response_id: str = ""
    created: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class ProviderAdapter(Protocol):
    """What every provider adapter offers. See the module docstring for the shapes."""

    #: provider name as users write it before the slash ("openai", "anthropic", "azure", "groq", ...)
    name: str
    #: the env var users set for the key (named in the error when it is missing); None = no key needed
    api_key_env: str | None
    #: the env var for the base URL, if the provider has one
    api_base_env: str | None
    #: default base URL
    default_api_base: str | None

    def supported_params(self, model: str) -> frozenset[str]:
        """OpenAI params this provider accepts for ``model`` (others: dropped or UnsupportedParamsError)."""
        ...

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
    ) -> ProviderRequest: ...

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]: ...

    def new_stream_state(self, model: str) -> StreamState: ...

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        """One stream event -> OpenAI chunk dicts. SSE: the ``event:`` name or None and the raw ``data:``
        text; NDJSON and JSON-array: None and one JSON document's text; AWS event-stream: the
        ``:event-type`` header and the payload's text (an ``:exception-type`` frame is raised by the
        pipeline as a StreamErrorEvent before it reaches the adapter).

        Returns [] for events that carry nothing for the caller (pings, ``[DONE]``). Raises
        ``StreamErrorEvent`` when the stream carries an error event.
        """
        ...

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo: ...


class StreamErrorEvent(Exception):
    """Raised by ``parse_stream_event`` for an in-band error event; the pipeline maps it."""

    def __init__(self, status_code: int, body: Any):
        super().__init__(str(body))
        self.status_code = status_code
        self.body = body
