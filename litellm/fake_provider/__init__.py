"""A fake LLM provider: a fast local server speaking OpenAI, Azure OpenAI and Anthropic wire formats.

For tests, examples, load tests and the benchmarks; no keys, no network. Owns nothing the client
library uses: ``litellm`` never imports this package (it imports aiohttp, which ``import litellm`` must
not). Importing ``litellm.fake_provider`` itself stays light too; the server loads on first use.

Run it
------
::

    python -m litellm.fake_provider --host 127.0.0.1 --port 8080 [--latency-ms N] [--error-rate F]
        [--error-status S] [--chunks N] [--chunk-delay-ms N] [--seed N]

or in-process (a daemon thread with its own event loop)::

    from litellm.fake_provider import start_fake_provider
    with start_fake_provider(record=True) as fake:         # port=0: any free port
        litellm.completion(model="openai/fake", api_base=fake.url + "/v1", api_key="x", messages=...)
        fake.requests[-1]["json"]                          # {method, path, query, headers, json}

Endpoints
---------
OpenAI (also without the ``/v1`` prefix): ``POST /v1/chat/completions`` (JSON, or SSE with ``stream``;
with ``stream_options.include_usage`` every chunk carries ``"usage": null`` and a last chunk has
``choices: []`` and the usage; ``data: [DONE]`` ends the stream), ``POST /v1/completions`` (text
completion, JSON or SSE), ``POST /v1/embeddings`` (float or ``encoding_format: "base64"``; unit vectors
seeded by the text, ``dimensions`` honoured, 16 by default), ``GET /v1/models``, ``GET /v1/models/{id}``.
A missing key is accepted (OpenAI-compatible servers often run keyless).

Azure OpenAI: ``POST /openai/deployments/{deployment}/chat/completions?api-version=...`` (and
``/completions``, ``/embeddings``), ``POST /openai/v1/chat/completions``. Requires an ``api-key``
header or ``Authorization: Bearer`` (401 with Azure's body otherwise); the deployment paths require
``api-version`` (404 ``Resource not found`` otherwise). Responses add Azure's
``prompt_filter_results`` / ``content_filter_results``, and a stream starts with Azure's empty-choices
filter chunk.

Anthropic: ``POST /v1/messages`` (JSON, or SSE: ``message_start``, ``content_block_start``, ``ping``,
``content_block_delta`` with ``text_delta`` / ``thinking_delta`` / ``signature_delta`` /
``input_json_delta``, ``content_block_stop``, ``message_delta`` with ``stop_reason`` and
``usage.output_tokens``, ``message_stop``), ``POST /v1/messages/count_tokens``. Requires a key in
``x-api-key`` or ``Authorization: Bearer`` (as current Anthropic SDKs send it; 401
``authentication_error`` otherwise) and ``anthropic-version`` (400); ``model``, ``messages`` and
``max_tokens`` are required (400 ``<field>: Field required``).

Native formats (one ``wire_*.py`` module each, with the same fault injection): Gemini ``POST
/v1beta/models/{model}:generateContent`` / ``:streamGenerateContent[?alt=sse]`` / ``:embedContent`` /
``:batchEmbedContents`` / ``:predict`` (Imagen), key in ``x-goog-api-key`` or ``?key=``; Vertex AI the
same under ``/v1/projects/{p}/locations/{l}/publishers/{google|anthropic|mistralai}/models/{model}:...``
(``:rawPredict`` / ``:streamRawPredict`` for Claude, ``endpoints/openapi/chat/completions``), Bearer
required, and ``POST /token`` (OAuth JWT-bearer); Cohere ``POST /v2/chat`` (JSON/SSE), ``/v2/embed``;
Ollama ``POST /api/chat``, ``/api/generate`` (NDJSON streams), ``/api/embed``, ``GET /api/tags``;
Bedrock Converse / ConverseStream / invoke (SigV4 checked, AWS event-stream frames), SageMaker runtime;
Hugging Face TGI and feature-extraction; watsonx.ai and IBM IAM; and the OpenAI resources: files,
batches (validating -> in_progress -> completed, answered by this server), fine-tuning jobs, the
Responses API (JSON and typed SSE), assistants / threads / messages / runs.

``GET /health`` answers ``{"status": "ok"}``; any other path is a 404 in OpenAI's shape.

What the fake model answers
---------------------------
* Text: ``"Hello from the fake provider! This reply is deterministic."`` -- nine words. One word is one
  completion token and one SSE content chunk. ``chunks=N`` (server option, ``--chunks``) or the header
  ``x-fake-chunks: N`` makes the reply N words long, cycling through the sentence. ``max_tokens`` (or
  ``max_completion_tokens``) below the word count truncates the reply, with ``finish_reason: "length"``
  (Anthropic: ``stop_reason: "max_tokens"``). ``n`` gives n identical choices.
* ``model`` is echoed (Azure: the body's ``model``, else the deployment name).
* Prompt tokens are estimated as ceil(characters / 4) per message plus 3 per message, plus the tools'
  JSON; ``prompt_tokens_details.cached_tokens`` is 0 unless ``x-fake-cached-tokens: N``.
  ``reasoning_effort`` (minimal/low/medium/high) adds 8/16/32/64 ``reasoning_tokens``.
* Tool calls: when ``tools`` are given and ``tool_choice`` requires one (OpenAI ``"required"`` or
  ``{"type": "function", "function": {"name": ...}}``; Anthropic ``{"type": "any"}`` or
  ``{"type": "tool", "name": ...}``), or the last user message contains the marker ``[fake:tool]``
  (calls the first tool) or ``[fake:tools]`` (calls every tool, in parallel). Arguments are
  synthesised from the tool's JSON schema: required properties only, enums take their first value,
  strings are ``"fake"``, integers 1, numbers 1.5, booleans true. ``tool_choice: "none"`` never calls.
  Finish reason ``tool_calls`` / stop reason ``tool_use``; streamed arguments arrive in three fragments.
* ``response_format`` ``json_schema``: content is JSON built from the schema the same way;
  ``json_object``: ``{"message":"Hello from the fake provider!"}``.
* Anthropic ``thinking`` (``enabled`` or ``adaptive``): a ``thinking`` block ("Let me think about
  this step by step.") with a signature, before the answer; its words count as output tokens.
* Anthropic prompt caching: when any tool, system block or message block carries ``cache_control``,
  the prompt up to the last such block is the cached prefix. The first request with a given prefix
  reports it as ``cache_creation_input_tokens``, later ones as ``cache_read_input_tokens``;
  ``input_tokens`` is the rest. ``x-fake-cache: write | read | none`` forces the outcome.
* A prompt above the context window (128,000 estimated tokens for OpenAI/Azure, 200,000 for
  Anthropic; options ``context_window`` / ``anthropic_context_window``) is refused with the
  provider's real context-length error.

Fault injection, per request
----------------------------
Headers (names are case-insensitive):

``x-fake-error: <status>``
    Answer that status with the provider's real error body (OpenAI
    ``{"error": {"message", "type", "param", "code"}}``; Azure's ``{"error": {"code": "429",
    "message"}}`` for 401/404/429; Anthropic ``{"type": "error", "error": {"type", "message"}}``,
    e.g. 429 ``rate_limit_error``, 529 ``overloaded_error``).
``x-fake-error: context_window`` / ``x-fake-error: content_policy``
    The provider's context-length error (OpenAI code ``context_length_exceeded``; Anthropic
    ``prompt is too long: N tokens > M maximum``) or content-policy error (OpenAI
    ``content_policy_violation``; Azure ``content_filter`` with ``innererror``), both 400.
``x-fake-retry-after: S``
    With an error: ``retry-after: ceil(S)`` and ``retry-after-ms: S*1000``.
    ``x-fake-retry-after-ms: M`` sets ``retry-after-ms`` only.
``x-fake-fail-times: N`` with ``x-fake-key: K``
    The first N requests carrying key K fail (with ``x-fake-error``'s status, else 500), later ones
    succeed: for retry tests. Use a fresh key per test (``FakeProvider.reset()`` forgets them all).
``x-fake-stream-disconnect-after: N``
    Send N SSE events, then close the connection mid-body.
``x-fake-stream-error-after: N``
    Send N SSE events, then an in-stream error and end the body: OpenAI ``data: {"error": {...}}``,
    Anthropic ``event: error`` with ``overloaded_error``.
``x-fake-stream-hang-after: N``
    Send N SSE events, then stall (for stream read-timeout tests).
    In all three, N counts every SSE event from the first; the terminal event is never sent.
``x-fake-latency-ms: N``
    Wait N ms before answering (added to ``--latency-ms``).
``x-fake-chunk-delay-ms: N``
    Wait N ms between SSE events (added to ``--chunk-delay-ms``): time-to-first-token tests.
``x-fake-hang[: S]``
    Do not answer for S seconds (default 300): for timeout tests. The server cancels the handler
    when the client gives up.

Magic model names do the same without headers (they work through any client that only lets you
choose the model): a model containing ``fake-error-<status>`` (``fake-error-429``,
``openai/fake-error-500``, an Azure deployment ``fake-error-404``), ``fake-context-window``,
``fake-content-policy``.

Keys: a key starting with ``invalid`` (Bearer, ``api-key`` or ``x-api-key``) is refused with the
provider's 401 body.

Server options ``error_rate`` / ``--error-rate F`` fail a fraction F of requests at random (seeded by
``seed``) with ``error_status`` (default 500), and ``latency_ms`` delays every response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litellm.fake_provider.options import FakeProviderOptions
    from litellm.fake_provider.server import FakeProvider, start_fake_provider

__all__ = ["FakeProvider", "FakeProviderOptions", "start_fake_provider"]

_LAZY = {
    "FakeProvider": "litellm.fake_provider.server",
    "start_fake_provider": "litellm.fake_provider.server",
    "FakeProviderOptions": "litellm.fake_provider.options",
}


def __getattr__(name: str) -> Any:
    # Lazy so that importing the package (e.g. for its docs) does not load aiohttp.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
