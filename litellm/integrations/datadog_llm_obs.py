"""``DatadogLLMObsLogger`` ("datadog_llm_observability"): one LLM Observability span per call.

Owns the mapping from a StandardLoggingPayload to a span event in the format dd-trace's LLM Observability
writer sends (``{"_dd.stage": "raw", "event_type": "span", "spans": [event]}``, a JSON list of such
envelopes per request), and its delivery:

* through a Datadog agent's EVP proxy, ``http://<LITELLM_DD_AGENT_HOST>:<LITELLM_DD_LLM_OBS_PORT or
  8126>/evp_proxy/v2/api/v2/llmobs`` with ``X-Datadog-EVP-Subdomain: llmobs-intake`` (no key needed);
* agentless, ``https://llmobs-intake.<DD_SITE>/api/v2/llmobs`` with ``DD-API-KEY``;
* or ``<DD_BASE_URL>/api/v2/llmobs`` (tests).

A span event carries ``trace_id`` (32 hex digits, stable per LiteLLM trace), ``span_id`` (decimal,
derived from the call id so a redelivered span keeps its id), ``parent_id`` ("undefined" at the root),
``name``, ``start_ns``, ``duration`` (ns), ``status``, ``tags`` (``ml_app:``, ``env:``, ``service:``,
``error:0|1``, ...), ``meta`` (``span.kind``, ``model_name``, ``model_provider``, ``input.messages``,
``output.messages``, ``metadata``, ``error.message`` / ``error.type`` / ``error.stack``) and ``metrics``
(input/output/total tokens, ``total_cost``, ``time_to_first_token``). Message content follows the
payload's redaction (the dispatcher redacts before this logger sees it).

Cost per event (it shares the caller's GIL): a span is encoded to JSON exactly once, in ``on_event``
(the same text measures it against the 1 MB limit), and the exporter queues that text
(``{"llmobs_span": "<span JSON>"}``); ``send`` joins the texts of a batch into the envelopes, so the
request's size is known without encoding again.

Must not: do I/O in ``on_event``, read the environment outside the settings, or put the API key into
a span, a log line or an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from typing import Any

from litellm.exporters import BatchExporter, PayloadTooLargeError
from litellm.integrations.base import PayloadLogger
from litellm.integrations.datadog import DatadogSettings, datadog_tags

__all__ = [
    "DatadogLLMObsLogger",
    "build_span_event",
    "encode_span_event",
    "llmobs_settings_from_env",
    "wrap_events",
]

# dd-trace's limits: 5 MB per request (the intake takes a little more) and just under 1 MB per event.
_MAX_REQUEST_BYTES = 5 << 20
_MAX_EVENT_BYTES = (1 << 20) - 1024
_DROPPED_TEXT = "[This value has been dropped because this span's size exceeds the 1MB size limit.]"
_EMBEDDING_CALLS = frozenset({"embedding", "aembedding"})
_TASK_CALLS = frozenset(
    {
        "image_generation",
        "aimage_generation",
        "transcription",
        "atranscription",
        "speech",
        "aspeech",
        "rerank",
        "arerank",
        "moderation",
        "amoderation",
    }
)
_PARAM_METADATA = ("temperature", "max_tokens", "max_completion_tokens", "top_p", "n", "stop", "seed")
# Built once: json.dumps with keyword arguments builds a new encoder on every call. The output is what
# the shared HTTP client's JSON encoding gives, so the request bytes are as before.
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
_ENVELOPE_HEAD = '{"_dd.stage":"raw","event_type":"span","spans":['
_ENVELOPE_TAIL = "]}"


def llmobs_settings_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> DatadogSettings:
    """Datadog settings with LLM Observability's endpoints (see the module docstring)."""
    return DatadogSettings.from_env(
        environ,
        path="/api/v2/llmobs",
        agent_port_var="LITELLM_DD_LLM_OBS_PORT",
        agent_port_default="8126",
        agent_path="/evp_proxy/v2/api/v2/llmobs",
        agentless_url="https://llmobs-intake.{site}{path}",
        **overrides,
    )


def _trace_id(value: Any) -> str:
    text = str(value or "")
    try:
        return uuid.UUID(text).hex
    except ValueError:
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _span_id(value: Any) -> str:
    # 63 bits, so that the id is positive in every signed 64-bit consumer.
    digest = hashlib.sha256(str(value or "").encode()).digest()
    return str(int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF)


def _text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, Mapping):
                if isinstance(part.get("text"), str):
                    parts.append(part["text"])
                elif part.get("type"):
                    parts.append(f"[{part['type']}]")
            elif isinstance(part, str):
                parts.append(part)
        return "\n".join(parts)
    return json.dumps(content, default=str)


def _message(msg: Any) -> dict[str, Any]:
    if not isinstance(msg, Mapping):
        return {"role": "", "content": _text(msg)}
    out: dict[str, Any] = {"role": str(msg.get("role") or ""), "content": _text(msg.get("content"))}
    calls = msg.get("tool_calls")
    if isinstance(calls, list) and calls:
        tool_calls = []
        for call in calls:
            if not isinstance(call, Mapping):
                continue
            fn = call.get("function") or {}
            args: Any = fn.get("arguments")
            if isinstance(args, str):
                try:
                    args = json.loads(args)
                except ValueError:
                    pass
            tool_calls.append(
                {
                    "name": fn.get("name") or "",
                    "arguments": args,
                    "tool_id": call.get("id") or "",
                    "type": "function",
                }
            )
        out["tool_calls"] = tool_calls
    return out


def _input_messages(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    messages = payload.get("messages")
    if isinstance(messages, list):
        return [_message(m) for m in messages]
    if messages is None:
        return []
    return [{"role": "user", "content": _text(messages)}]


def _output_messages(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    response = payload.get("response")
    if not isinstance(response, Mapping):
        return [] if response is None else [{"role": "assistant", "content": _text(response)}]
    out = []
    for choice in response.get("choices") or ():
        if isinstance(choice, Mapping) and isinstance(choice.get("message"), Mapping):
            out.append(_message(choice["message"]))
    return out


def _span_kind(call_type: str | None, has_parent: bool) -> str:
    # A span without a parent must be a root kind; LiteLLM falls back to "llm" there too.
    if not has_parent or not call_type:
        return "llm"
    if call_type in _EMBEDDING_CALLS:
        return "embedding"
    if call_type in _TASK_CALLS:
        return "task"
    return "llm"


def _model_name(payload: Mapping[str, Any]) -> str:
    # Datadog groups by provider and model separately: "openai/gpt-4o" is model "gpt-4o" of "openai".
    model = str(payload.get("model") or "unknown")
    provider = payload.get("custom_llm_provider")
    if provider and model.startswith(f"{provider}/"):
        return model[len(provider) + 1 :]
    return model


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        return json.loads(json.dumps(value, default=str))
    except (TypeError, ValueError):
        return str(value)


def _usage_detail(payload: Mapping[str, Any], *path: str) -> float:
    node: Any = (payload.get("hidden_params") or {}).get("usage_object") or {}
    for key in path:
        if not isinstance(node, Mapping):
            return 0.0
        node = node.get(key)
    try:
        return float(node or 0)
    except (TypeError, ValueError):
        return 0.0


def build_span_event(payload: Mapping[str, Any], settings: DatadogSettings) -> dict[str, Any]:
    """The LLM Observability span event for one call (pure)."""
    return _fit(_span_event(payload, settings))


def encode_span_event(payload: Mapping[str, Any], settings: DatadogSettings, base_tags: list[str]) -> str:
    """``build_span_event`` as JSON text, encoded once (``base_tags``: ``datadog_tags(settings)``)."""
    event = _span_event(payload, settings, base_tags)
    text = _encode(event)
    if len(text) <= _MAX_EVENT_BYTES:
        return text
    return _encode(_trimmed(event))


def _span_event(
    payload: Mapping[str, Any], settings: DatadogSettings, base_tags: list[str] | None = None
) -> dict[str, Any]:
    metadata = payload.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        metadata = {}
    failed = payload.get("status") == "failure"
    parent = metadata.get("parent_id")
    start = float(payload.get("startTime") or 0.0)
    end = float(payload.get("endTime") or start)
    first = payload.get("completionStartTime")
    params = payload.get("model_parameters") or {}

    meta: dict[str, Any] = {
        "span.kind": _span_kind(payload.get("call_type"), bool(parent)),
        "model_name": _model_name(payload),
        "model_provider": payload.get("custom_llm_provider") or "unknown",
        "input": {"messages": _input_messages(payload)},
        "output": {"messages": _output_messages(payload)},
        "metadata": {
            **{k: _scalar(v) for k, v in metadata.items() if k not in ("parent_id", "span_id", "name")},
            **{k: _scalar(params[k]) for k in _PARAM_METADATA if k in params},
            "litellm_call_id": payload.get("litellm_call_id"),
            "call_type": payload.get("call_type"),
            "is_streamed_request": bool(payload.get("stream")),
            "cache_hit": payload.get("cache_hit"),
            "response_cost": payload.get("response_cost"),
            "api_base": payload.get("api_base") or None,
        },
    }
    error = payload.get("error_information") or {}
    if failed:
        meta["error.message"] = error.get("error_message") or payload.get("error_str") or "Unknown error"
        meta["error.type"] = error.get("error_class") or "Exception"
        if error.get("traceback"):
            meta["error.stack"] = error["traceback"]

    metrics: dict[str, float] = {
        "input_tokens": float(payload.get("prompt_tokens") or 0),
        "output_tokens": float(payload.get("completion_tokens") or 0),
        "total_tokens": float(payload.get("total_tokens") or 0),
        "total_cost": float(payload.get("response_cost") or 0.0),
        "time_to_first_token": max(0.0, float(first if first is not None else end) - start),
    }
    cache_read = _usage_detail(payload, "prompt_tokens_details", "cached_tokens")
    if cache_read:
        metrics["cache_read_input_tokens"] = cache_read
    reasoning = _usage_detail(payload, "completion_tokens_details", "reasoning_tokens")
    if reasoning:
        metrics["reasoning_output_tokens"] = reasoning

    trace_id = _trace_id(payload.get("trace_id") or payload.get("litellm_call_id"))
    span_id = str(metadata.get("span_id") or _span_id(payload.get("id") or payload.get("litellm_call_id")))
    tags = [
        f"ml_app:{settings.ml_app}",
        "source:integration",
        "language:python",
        f"error:{int(failed)}",
        *([f"error_type:{meta['error.type']}"] if failed else []),
        *(
            base_tags
            if base_tags is not None and not (payload.get("request_tags") or payload.get("metadata"))
            else datadog_tags(settings, payload)
        ),
    ]
    event: dict[str, Any] = {
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_id": str(parent) if parent else "undefined",
        "name": str(metadata.get("name") or "litellm_llm_call"),
        "start_ns": int(start * 1e9),
        "duration": max(0, int((end - start) * 1e9)),
        "status": "error" if failed else "ok",
        "tags": tags,
        "meta": meta,
        "metrics": metrics,
        "_dd": {"span_id": span_id, "trace_id": trace_id, "apm_trace_id": trace_id},
    }
    session = payload.get("session_id") or metadata.get("session_id")
    if session:
        event["session_id"] = str(session)
    return event


def _fit(event: dict[str, Any]) -> dict[str, Any]:
    """Keep one event under the intake's 1 MB: drop input/output text first, as dd-trace does."""
    try:
        size = len(json.dumps(event, default=str, separators=(",", ":")))
    except (TypeError, ValueError):
        return event
    if size <= _MAX_EVENT_BYTES:
        return event
    return _trimmed(event)


def _trimmed(event: dict[str, Any]) -> dict[str, Any]:
    meta = dict(event["meta"])
    meta["input"] = {"value": _DROPPED_TEXT}
    meta["output"] = {"value": _DROPPED_TEXT}
    meta.pop("error.stack", None)
    tags = [*event["tags"], "dropped_io:1"]
    return {**event, "meta": meta, "tags": tags}


def wrap_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The request body: one envelope per span, as dd-trace's span writer builds it."""
    return [{"_dd.stage": "raw", "event_type": "span", "spans": [event]} for event in events]


class DatadogLLMObsLogger(PayloadLogger):
    """Sends one LLM Observability span per call (see the module docstring for endpoints and settings).

    Keyword arguments override the environment: ``dd_api_key``, ``dd_site``, ``dd_agent_host``,
    ``dd_agent_port``, ``dd_base_url``, ``ml_app``, ``batch_size``, ``flush_interval``, ``spool_dir`` /
    ``spool_mode`` and ``exporter_options`` (extra BatchExporter arguments)."""

    name = "datadog_llm_observability"

    def __init__(
        self,
        dd_api_key: str | None = None,
        dd_site: str | None = None,
        dd_agent_host: str | None = None,
        dd_agent_port: str | int | None = None,
        *,
        dd_base_url: str | None = None,
        ml_app: str | None = None,
        batch_size: int | None = None,
        flush_interval: float = 5.0,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_mode: str = "on_failure",
        exporter_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.settings = llmobs_settings_from_env(
            environ,
            api_key=dd_api_key,
            site=dd_site,
            agent_host=dd_agent_host,
            agent_port=dd_agent_port,
            base_url=dd_base_url,
            ml_app=ml_app,
            batch_size=batch_size,
        )
        headers = self.settings.headers()
        if "/evp_proxy/" in self.settings.intake_url:
            # The agent forwards to the intake named by this header, adding its own key.
            headers["X-Datadog-EVP-Subdomain"] = "llmobs-intake"
        self._headers = headers
        self._base_tags = datadog_tags(self.settings)
        self.exporter = BatchExporter(
            self.name,
            self._send,
            max_batch_size=self.settings.batch_size,
            # No max_batch_bytes: the engine would encode every span again to measure it; _send knows
            # the sizes from the queued text and asks the engine to split (PayloadTooLargeError).
            flush_interval=flush_interval,
            spool_dir=spool_dir,
            spool_mode=spool_mode,
            **dict(exporter_options or {}),
        )

    def on_event(self, payload: dict, kwargs: dict) -> None:
        self.exporter.submit({"llmobs_span": encode_span_event(payload, self.settings, self._base_tags)})

    def _send(self, batch: list[dict]) -> None:
        from litellm.exporters.http import post

        # A span spooled by an earlier version is the event dict itself.
        texts = [item["llmobs_span"] if "llmobs_span" in item else _encode(item) for item in batch]
        body = ("[" + ",".join(_ENVELOPE_HEAD + t + _ENVELOPE_TAIL for t in texts) + "]").encode()
        if len(body) > _MAX_REQUEST_BYTES - 64 * 1024 and len(batch) > 1:
            raise PayloadTooLargeError(f"batch of {len(batch)} spans is {len(body)} bytes")
        post(self.settings.intake_url, content=body, headers=self._headers)

    def flush(self, timeout: float | None = None) -> bool:
        return self.exporter.flush(10.0 if timeout is None else timeout)

    def stats(self) -> dict:
        """The exporter's counters (sent, retried, failed, spooled, dropped, queued)."""
        return self.exporter.stats()
