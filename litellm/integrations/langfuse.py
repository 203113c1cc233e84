"""``LangfuseLogger`` ("langfuse"): a Langfuse trace with one generation per call, via the ``langfuse`` SDK.

Owns the Langfuse settings (:class:`LangfuseSettings`, read from the environment once, in the logger's
constructor), the mapping from a StandardLoggingPayload to a Langfuse generation (pure functions), and
the logger's own OpenTelemetry channel to the project.

Langfuse v3+ ingests OpenTelemetry spans. Each call becomes one span in the official SDK's format: the
SDK's instrumentation scope (``langfuse-sdk``, with the project's public key) and its attribute names
(``LangfuseOtelSpanAttributes``: ``langfuse.observation.type=generation``, model, model parameters,
input/output, usage and cost details, completion start time, level, status message, metadata), trace ids
from the SDK's ``create_trace_id``. The span is started at the call's real start time and ended at its
end time, on a private TracerProvider (never the global one, never ``set_tracer_provider``). The SDK's
client object is not created: it is a per-public-key process singleton bound to the first provider and
exporter it saw, which would route a second logger's (or the application's) spans the wrong way.
Trace-level attributes (name, user, session, tags, trace metadata) come from the call's ``metadata``
under the names LiteLLM documents: ``trace_id``, ``existing_trace_id``, ``parent_observation_id``,
``session_id``, ``trace_user_id``, ``tags``, ``trace_name``, ``generation_name``, ``trace_metadata``,
``version``, ``trace_version``, ``trace_release``, ``mask_input``, ``mask_output``.

Delivery: a span processor of ours queues each finished span as a record on a BatchExporter (retry
with backoff, 413 split, optional disk spool, exit flush); its worker posts them as OTLP/HTTP protobuf
(gzip) to ``{host}/api/public/otel/v1/traces`` (or ``{host}/{LANGFUSE_OTEL_TRACES_EXPORT_PATH}``) with
the headers the SDK sends: Basic auth from the key pair, ``x-langfuse-sdk-name``,
``x-langfuse-sdk-version``, ``x-langfuse-public-key``, ``x-langfuse-ingestion-version``.

Environment: ``LANGFUSE_PUBLIC_KEY``, ``LANGFUSE_SECRET_KEY`` (or ``LANGFUSE_SECRET``), ``LANGFUSE_HOST``
(or ``LANGFUSE_BASE_URL``; default https://cloud.langfuse.com), ``LANGFUSE_RELEASE``,
``LANGFUSE_TRACING_ENVIRONMENT``, ``LANGFUSE_FLUSH_INTERVAL`` (seconds a span may wait to be batched),
``LANGFUSE_OTEL_TRACES_EXPORT_PATH``.

Must not: import ``langfuse`` at module import, read the environment outside
:meth:`LangfuseSettings.from_env`, or let the secret key reach a record, a log line or an error message.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from litellm.exporters import BatchExporter
from litellm.integrations._genai_semconv import request_model, usage_details
from litellm.integrations.base import PayloadLogger

__all__ = [
    "LANGFUSE_STEERING_KEYS",
    "LangfuseLogger",
    "LangfuseSettings",
    "generation_attributes",
    "generation_fields",
    "langfuse_trace_id",
    "trace_and_parent_ids",
    "trace_fields",
]

_EXTRA_HINT = "pip install 'litellm-observe[langfuse]'"
_REDACTED = "redacted-by-litellm"
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX16 = re.compile(r"^[0-9a-f]{16}$")

# metadata keys that steer the Langfuse record instead of being logged as metadata (LiteLLM's names)
LANGFUSE_STEERING_KEYS = frozenset(
    {
        "trace_id",
        "existing_trace_id",
        "parent_observation_id",
        "session_id",
        "trace_user_id",
        "tags",
        "trace_name",
        "generation_name",
        "generation_id",
        "trace_metadata",
        "version",
        "trace_version",
        "trace_release",
        "mask_input",
        "mask_output",
        "debug_langfuse",
        "update_trace_keys",
        "traceparent",
    }
)


# ------------------------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class LangfuseSettings:
    """The key pair, host and SDK options; built once per logger. The secret key never prints."""

    public_key: str
    secret_key: str = field(repr=False)
    host: str = "https://cloud.langfuse.com"
    release: str | None = None
    environment: str | None = None
    flush_interval: float = 1.0
    export_path: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> LangfuseSettings:
        """Read the LANGFUSE_* variables; keyword arguments win. Raises ValueError without a key pair."""
        env = os.environ if environ is None else environ

        def pick(name: str, *variables: str) -> str | None:
            value = overrides.get(name)
            if value not in (None, ""):
                return str(value)
            for var in variables:
                if env.get(var) not in (None, ""):
                    return env[var]
            return None

        public_key = pick("public_key", "LANGFUSE_PUBLIC_KEY")
        secret_key = pick("secret_key", "LANGFUSE_SECRET_KEY", "LANGFUSE_SECRET")
        if not public_key or not secret_key:
            raise ValueError(
                "Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY (or pass them to the logger)"
            )
        interval = pick("flush_interval", "LANGFUSE_FLUSH_INTERVAL")
        try:
            flush_interval = float(interval) if interval else 1.0
        except ValueError:
            flush_interval = 1.0
        return cls(
            public_key=public_key,
            secret_key=secret_key,
            host=(pick("host", "LANGFUSE_HOST", "LANGFUSE_BASE_URL") or "https://cloud.langfuse.com").rstrip(
                "/"
            ),
            release=pick("release", "LANGFUSE_RELEASE"),
            environment=pick("environment", "LANGFUSE_TRACING_ENVIRONMENT"),
            flush_interval=max(flush_interval, 0.01),
            export_path=pick("export_path", "LANGFUSE_OTEL_TRACES_EXPORT_PATH"),
        )

    def traces_url(self) -> str:
        if self.export_path:
            return f"{self.host}/{self.export_path.lstrip('/')}"
        return f"{self.host}/api/public/otel/v1/traces"

    def headers(self, sdk_version: str) -> dict[str, str]:
        """The headers the Langfuse SDK's own exporter sends (Basic auth from the key pair)."""
        token = base64.b64encode(f"{self.public_key}:{self.secret_key}".encode()).decode("ascii")
        return {
            "Authorization": f"Basic {token}",
            "x-langfuse-sdk-name": "python",
            "x-langfuse-sdk-version": sdk_version,
            "x-langfuse-public-key": self.public_key,
            "x-langfuse-ingestion-version": "4",
            "Content-Type": "application/x-protobuf",
        }


# ------------------------------------------------------------------------------------------- mapping


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"))


def langfuse_trace_id(value: Any) -> str | None:
    """``value`` as a Langfuse trace id (32 lowercase hex; a UUID's dashes dropped), else None (the
    caller then derives one with the SDK's seeded ``create_trace_id``)."""
    text = str(value).strip().lower().replace("-", "") if value else ""
    return text if _HEX32.match(text) else None


def _safe_base(api_base: Any) -> str | None:
    if not api_base:
        return None
    try:
        parts = urlsplit(str(api_base))
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    except ValueError:
        return None


def _output(payload: Mapping[str, Any]) -> Any:
    """The generation's output as LiteLLM logs it: the first choice's message (or text / embedding info)."""
    response = payload.get("response")
    if not isinstance(response, Mapping):
        return response
    choices = response.get("choices") or []
    if choices and isinstance(choices[0], Mapping):
        first = choices[0]
        message = first.get("message")
        if isinstance(message, Mapping):
            return {k: v for k, v in message.items() if v is not None and k != "provider_specific_fields"}
        if first.get("text") is not None:
            return first.get("text")
    if "data" in response:
        return {"object": response.get("object"), "items": len(response.get("data") or [])}
    return response


def trace_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Trace-level fields from the payload and its metadata: name, user_id, session_id, tags, metadata,
    version, release; plus ``existing`` (continue a trace: no trace attributes are written)."""
    metadata = payload.get("metadata") or {}
    call_type = payload.get("call_type") or "completion"
    tags = list(payload.get("request_tags") or [])
    for tag in metadata.get("tags") or []:
        if str(tag) not in tags:
            tags.append(str(tag))
    trace_metadata = metadata.get("trace_metadata")
    return {
        "existing": metadata.get("existing_trace_id") is not None,
        "name": metadata.get("trace_name") or f"litellm-{call_type}",
        "user_id": metadata.get("trace_user_id") or payload.get("end_user"),
        "session_id": metadata.get("session_id") or payload.get("session_id"),
        "tags": [str(t) for t in tags],
        "metadata": dict(trace_metadata) if isinstance(trace_metadata, Mapping) else None,
        "version": metadata.get("trace_version") or metadata.get("version"),
        "release": metadata.get("trace_release"),
    }


def _generation_name(payload: Mapping[str, Any]) -> str:
    metadata = payload.get("metadata") or {}
    return metadata.get("generation_name") or f"litellm-{payload.get('call_type') or 'completion'}"


def generation_fields(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the SDK's ``LangfuseGeneration`` for one call (pure)."""
    metadata = payload.get("metadata") or {}
    failed = payload.get("status") == "failure"
    usage = usage_details(payload)
    cost = payload.get("response_cost")
    breakdown = payload.get("cost_breakdown") or {}
    clean_metadata = {
        k: v
        for k, v in metadata.items()
        if k not in LANGFUSE_STEERING_KEYS and "api_key" not in str(k).lower() and v is not None
    }
    clean_metadata.update(
        {
            "litellm_call_id": payload.get("litellm_call_id") or payload.get("id"),
            "custom_llm_provider": payload.get("custom_llm_provider"),
            "api_base": _safe_base(payload.get("api_base")),
            "cache_hit": bool(payload.get("cache_hit")),
            "litellm_response_cost": cost,
        }
    )
    fields: dict[str, Any] = {
        "name": _generation_name(payload),
        "model": request_model(payload),
        "model_parameters": {
            k: v
            for k, v in (payload.get("model_parameters") or {}).items()
            if isinstance(v, (str, int, float, bool)) and k not in ("stream",)
        },
        "input": _REDACTED if _truthy(metadata.get("mask_input")) else payload.get("messages"),
        "output": None,
        "metadata": {k: v for k, v in clean_metadata.items() if v is not None},
        "version": str(metadata["version"]) if metadata.get("version") is not None else None,
        "level": "ERROR" if failed else "DEFAULT",
        "status_message": None,
    }
    if failed:
        fields["status_message"] = str(payload.get("error_str") or "")
    else:
        fields["output"] = _REDACTED if _truthy(metadata.get("mask_output")) else _output(payload)
        cache_read = usage.get("cache_read", 0)
        details = {
            # Langfuse counts cached prompt tokens separately from the input it prices at full rate
            "input": max(usage["input"] - cache_read, 0),
            "output": usage["output"],
            "total": usage["total"],
        }
        if cache_read:
            details["cache_read_input_tokens"] = cache_read
        if usage.get("cache_creation"):
            details["cache_creation_input_tokens"] = usage["cache_creation"]
        fields["usage_details"] = details
        if isinstance(cost, (int, float)) and not isinstance(cost, bool):
            costs = {"total": float(cost)}
            for key, name in (
                ("input_cost", "input"),
                ("output_cost", "output"),
                ("cache_read_cost", "cache_read_input_tokens"),
            ):
                value = breakdown.get(key)
                if isinstance(value, (int, float)) and value:
                    costs[name] = float(value)
            fields["cost_details"] = costs
        start = payload.get("completionStartTime")
        if isinstance(start, (int, float)) and start > 0:
            fields["completion_start_time"] = datetime.fromtimestamp(start, tz=timezone.utc)
    return fields


def _json(value: Any) -> str:
    """JSON text as the SDK writes it (strings kept raw, compact separators, non-ASCII as is)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":"))


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def generation_attributes(
    payload: Mapping[str, Any], *, environment: str | None = None, release: str | None = None
) -> dict[str, Any]:
    """The span attributes the Langfuse server reads for one call's generation (and, unless the call
    continues an existing trace, for its trace), named by the SDK's ``LangfuseOtelSpanAttributes``."""
    from langfuse import LangfuseOtelSpanAttributes as A

    fields = generation_fields(payload)
    trace = trace_fields(payload)
    metadata = payload.get("metadata") or {}
    attrs: dict[str, Any] = {
        A.OBSERVATION_TYPE: "generation",
        A.OBSERVATION_LEVEL: fields["level"],
        A.OBSERVATION_MODEL: fields["model"],
        A.OBSERVATION_MODEL_PARAMETERS: _json(fields["model_parameters"]),
        A.ENVIRONMENT: environment or "default",
    }
    if fields["input"] is not None:
        attrs[A.OBSERVATION_INPUT] = _json(fields["input"])
    if fields["output"] is not None:
        attrs[A.OBSERVATION_OUTPUT] = _json(fields["output"])
    if fields["status_message"]:
        attrs[A.OBSERVATION_STATUS_MESSAGE] = fields["status_message"]
    for key in ("usage_details", "cost_details"):
        if fields.get(key) is not None:
            attrs[A.OBSERVATION_USAGE_DETAILS if key == "usage_details" else A.OBSERVATION_COST_DETAILS] = (
                _json(fields[key])
            )
    if fields.get("completion_start_time") is not None:
        attrs[A.OBSERVATION_COMPLETION_START_TIME] = json.dumps(_iso(fields["completion_start_time"]))
    for key, value in fields["metadata"].items():
        # every metadata value JSON-encoded, strings included, as the SDK does
        attrs[f"{A.OBSERVATION_METADATA}.{key}"] = json.dumps(value, default=str, ensure_ascii=False)
    version = fields["version"] or (None if trace["existing"] else trace["version"])
    if version:
        attrs[A.VERSION] = str(version)
    if release or trace["release"]:
        attrs[A.RELEASE] = str(trace["release"] or release)
    if trace["existing"]:
        return attrs
    if not _HEX16.match(str(metadata.get("parent_observation_id") or "").lower()):
        attrs[A.AS_ROOT] = True
    attrs[A.TRACE_NAME] = str(trace["name"])
    if trace.get("user_id"):
        attrs[A.TRACE_USER_ID] = str(trace["user_id"])
    if trace.get("session_id"):
        attrs[A.TRACE_SESSION_ID] = str(trace["session_id"])
    if trace.get("tags"):
        attrs[A.TRACE_TAGS] = list(trace["tags"])
    for key, value in (trace.get("metadata") or {}).items():
        if value is not None:
            attrs[f"{A.TRACE_METADATA}.{key}"] = json.dumps(value, default=str, ensure_ascii=False)
    return attrs


def trace_and_parent_ids(payload: Mapping[str, Any]) -> tuple[str, str | None]:
    """(32-hex trace id, 16-hex parent observation id or None) for one call.

    The trace id is ``existing_trace_id`` or ``trace_id`` from metadata, else the payload's trace id; a
    value that is not already a Langfuse id is turned into one with the SDK's seeded ``create_trace_id``,
    so the same value always lands in the same trace."""
    from langfuse import Langfuse

    metadata = payload.get("metadata") or {}
    raw = (
        metadata.get("existing_trace_id")
        or metadata.get("trace_id")
        or payload.get("trace_id")
        or payload.get("id")
    )
    trace_id = langfuse_trace_id(raw) or Langfuse.create_trace_id(seed=str(raw))
    parent = str(metadata.get("parent_observation_id") or "").lower()
    return trace_id, parent if _HEX16.match(parent) else None


# ------------------------------------------------------------------------------------------ the logger


class LangfuseLogger(PayloadLogger):
    """One Langfuse generation (in its trace) per call; see the module docstring.

    ``langfuse_public_key``, ``langfuse_secret`` and ``langfuse_host`` (LiteLLM's argument names) override
    the environment; ``flush_interval`` is how long spans may wait to be batched; ``spool_dir`` /
    ``spool_mode`` / ``exporter_options`` configure the BatchExporter.
    """

    name = "langfuse"

    def __init__(
        self,
        langfuse_public_key: str | None = None,
        langfuse_secret: str | None = None,
        langfuse_host: str | None = None,
        *,
        flush_interval: float | None = None,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_mode: str = "on_failure",
        exporter_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        langfuse_secret = langfuse_secret or kwargs.pop("langfuse_secret_key", None)
        super().__init__(**kwargs)
        try:
            import langfuse as langfuse_sdk
            from opentelemetry.sdk.resources import Resource
            from opentelemetry.sdk.trace import TracerProvider
        except ImportError as exc:
            raise ImportError(f"the Langfuse logger needs the langfuse package: {_EXTRA_HINT}") from exc
        from litellm.integrations._otlp import queue_span_processor

        self.settings = LangfuseSettings.from_env(
            environ,
            public_key=langfuse_public_key,
            secret_key=langfuse_secret,
            host=langfuse_host,
            flush_interval=flush_interval,
        )
        s = self.settings
        sdk_version = getattr(langfuse_sdk, "__version__", "unknown")
        self._headers = s.headers(sdk_version)
        self._resources: dict[str, Any] = {}
        self.exporter = BatchExporter(
            self.name,
            self._send,
            flush_interval=s.flush_interval,
            spool_dir=spool_dir,
            spool_mode=spool_mode,
            **{"max_batch_size": 512, "max_batch_bytes": 3_000_000, **dict(exporter_options or {})},
        )
        # litellm's own channel to the project: a private provider (the global one stays untouched and
        # no application span leaks into Langfuse), the SDK's instrumentation scope (what the server
        # recognises as SDK spans), and our exporter behind it. The SDK's client is not created: it is a
        # per-key process singleton that would bind to whichever provider and exporter came first.
        resource = {"service.name": "litellm"}
        if s.environment:
            resource["langfuse.environment"] = s.environment
        if s.release:
            resource["langfuse.release"] = s.release
        self.tracer_provider = TracerProvider(resource=Resource.create(resource))
        self.tracer_provider.add_span_processor(queue_span_processor(self.exporter))
        self._tracer = self.tracer_provider.get_tracer(
            "langfuse-sdk", sdk_version, attributes={"public_key": s.public_key}
        )
        # per-process constants of the records built without SDK spans
        from litellm.integrations._otlp import direct_record_spec

        scope = getattr(self._tracer, "_instrumentation_scope", None)
        self._scope = [scope.name, scope.version] if scope is not None else ["langfuse-sdk", sdk_version]
        resource_obj = self.tracer_provider.resource
        self._resource_attrs = dict(resource_obj.attributes)
        self._resource_schema = resource_obj.schema_url or ""
        self._direct = direct_record_spec(self.tracer_provider)

    # -- per event -----------------------------------------------------------------------------------------

    def on_event(self, payload: dict, kwargs: dict) -> None:
        attrs = generation_attributes(
            payload, environment=self.settings.environment, release=self.settings.release
        )
        name = _generation_name(payload)
        trace_id, parent_id = trace_and_parent_ids(payload)
        spec = self._direct
        if spec is not None and spec[0]._active_span_processor._span_processors == spec[1]:
            max_attrs = spec[2].max_span_attributes
            if max_attrs is None or len(attrs) <= max_attrs:
                self._submit_record(payload, name, attrs, trace_id, parent_id)
                return
        self._end_sdk_span(payload, name, attrs, trace_id, parent_id)

    def _submit_record(
        self, payload: Mapping[str, Any], name: str, attrs: dict, trace_id: str, parent_id: str | None
    ) -> None:
        """Queue the record the SDK span below would give, without creating it (see the otel logger)."""
        from litellm.integrations._otlp import _random_id

        start = _ns(payload.get("startTime"))
        end = _ns(payload.get("endTime"))
        if start is None:
            start = time.time_ns()
        if end is None:
            end = time.time_ns()
        span_hex = f"{_random_id(64):016x}"
        failed = payload.get("status") == "failure"
        self.exporter.submit(
            {
                "id": f"{trace_id}{span_hex}",
                "name": name,
                "trace_id": trace_id,
                "span_id": span_hex,
                "trace_flags": 1,  # the parent's flags: sampled, no random-id bit
                "parent_span_id": parent_id or f"{_random_id(64):016x}",
                "parent_remote": False,
                "kind": 0,  # SpanKind.INTERNAL
                "start": start,
                "end": end,
                "attributes": attrs,
                "events": [],
                "status": [2, str(payload.get("error_str") or "")] if failed else [0, None],
                "resource": self._resource_attrs,
                "resource_schema": self._resource_schema,
                "scope": self._scope,
            }
        )

    def _end_sdk_span(
        self, payload: Mapping[str, Any], name: str, attrs: dict, trace_id: str, parent_id: str | None
    ) -> None:
        from opentelemetry import trace as trace_api
        from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
        from opentelemetry.trace import Status, StatusCode

        parent = trace_api.NonRecordingSpan(
            trace_api.SpanContext(
                int(trace_id, 16),
                int(parent_id, 16) if parent_id else RandomIdGenerator().generate_span_id(),
                is_remote=False,
                trace_flags=trace_api.TraceFlags(1),
            )
        )
        span = self._tracer.start_span(
            name=name,
            context=trace_api.set_span_in_context(parent),
            start_time=_ns(payload.get("startTime")),
            attributes=attrs,
        )
        if payload.get("status") == "failure":
            span.set_status(Status(StatusCode.ERROR, str(payload.get("error_str") or "")))
        span.end(end_time=_ns(payload.get("endTime")))

    # -- delivery (the exporter's worker) ---------------------------------------------------------------

    def _send(self, batch: list[dict]) -> None:
        from litellm.exporters.http import post
        from litellm.integrations._otlp import encode_otlp_traces

        post(
            self.settings.traces_url(),
            content=encode_otlp_traces(batch),
            headers=self._headers,
            gzip=True,
            timeout=self.settings.timeout,
        )

    def flush(self, timeout: float | None = None) -> bool:
        return self.exporter.flush(10.0 if timeout is None else timeout)

    def shutdown(self, timeout: float = 5.0) -> None:
        """Deliver what the deadline allows, then stop this logger's exporter and provider."""
        self.exporter.shutdown(timeout)
        self.tracer_provider.shutdown()

    def stats(self) -> dict:
        """The exporter's counters (sent, retried, failed, spooled, dropped, queued)."""
        return self.exporter.stats()


def _ns(seconds: Any) -> int | None:
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0:
        return int(seconds * 1e9)
    return None
