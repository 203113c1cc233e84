"""``OpenTelemetryLogger`` ("otel", "opentelemetry"): one GenAI CLIENT span and GenAI metrics per call.

Owns the OpenTelemetry settings (:class:`OpenTelemetrySettings`, read from the environment once, in
the logger's constructor), the logger, its parent-context and sampling decisions, and the delivery of
spans. The mapping from a StandardLoggingPayload to GenAI semantic-convention attributes lives in
:mod:`litellm.integrations._genai_semconv`; span records, the direct OTLP protobuf encoder and the
direct-record preconditions in :mod:`litellm.integrations._otlp` (both shared with the Langfuse logger).
Their public names are re-exported here.

Span: name ``"{gen_ai.operation.name} {gen_ai.request.model}"``, kind CLIENT, start and end times taken
from the payload (so building it off the caller's thread is exact), ``gen_ai.*`` request, response and
usage attributes, ``gen_ai.usage.cost``, ``litellm.call_id``, ``server.address``/``server.port``,
``error.type`` and an ERROR status on failure, ``gen_ai.response.time_to_first_chunk`` for streams.
Message content (``gen_ai.input.messages`` / ``gen_ai.output.messages``) only when content capture is
on, as span attributes, as a span event, or both. Metrics: ``gen_ai.client.operation.duration``,
``gen_ai.client.token.usage``, ``gen_ai.client.operation.time_to_first_chunk`` and the cost counter
``gen_ai.usage.cost`` (USD).

Parent: the caller's trace context captured on the caller's thread by the pipeline
(``kwargs["litellm_params"]["otel_parent_context"]``), else a W3C ``traceparent`` in the call's metadata,
else a new trace. The logger only ever ends the span it started.

Where spans go, in this order:

1. a ``tracer_provider`` passed to the constructor: spans go through the application's processors;
2. an exporter configured by environment or settings (``OTEL_EXPORTER``, ``OTEL_ENDPOINT``,
   ``OTEL_EXPORTER_OTLP_*``) or a ``span_exporter`` object: a private TracerProvider whose spans are
   handed, as plain records, to a :class:`~litellm.exporters.BatchExporter` (batching, retry with
   backoff, spool on disk, exit flush) and sent as OTLP/HTTP protobuf through ``litellm.exporters.http``
   or through the SDK's gRPC/console/other exporter;
3. the global TracerProvider when the application installed an SDK one;
4. otherwise the console, as LiteLLM does.

``set_tracer_provider``/``set_meter_provider`` are called only with ``set_global_providers=True``.

Environment (LiteLLM's names, then the standard ones, which win when both are set):
``OTEL_EXPORTER`` (console | otlp_http | otlp_grpc | in_memory; ``OTEL_EXPORTER_OTLP_PROTOCOL`` /
``..._TRACES_PROTOCOL``: grpc | http/protobuf), ``OTEL_ENDPOINT`` (``OTEL_EXPORTER_OTLP_ENDPOINT``,
``..._TRACES_ENDPOINT``), ``OTEL_HEADERS`` (``OTEL_EXPORTER_OTLP_HEADERS``, ``..._TRACES_HEADERS``;
``k=v,k2=v2``), ``OTEL_SERVICE_NAME`` (litellm), ``OTEL_TRACER_NAME`` (litellm),
``OTEL_ENVIRONMENT_NAME``, ``OTEL_EXPORTER_OTLP_COMPRESSION`` (gzip | none), ``OTEL_EXPORTER_OTLP_INSECURE``,
``OTEL_IGNORE_CONTEXT_PROPAGATION``, ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` (true | false |
NO_CONTENT | SPAN_ONLY | EVENT_ONLY | SPAN_AND_EVENT), ``LITELLM_OTEL_INTEGRATION_ENABLE_METRICS``.

Must not: import OpenTelemetry at module import (only in the constructor), read the environment outside
:meth:`OpenTelemetrySettings.from_env`, put headers or keys into spans or log lines, or trace its own
export traffic (exports run with OpenTelemetry's suppress-instrumentation flag).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from litellm.core.settings import settings as _core_settings
from litellm.exporters import BatchExporter, RetryableExportError
from litellm.integrations._genai_semconv import (
    _DURATION_BUCKETS,
    _TOKEN_BUCKETS,
    CAPTURE_MODES,
    CONTENT_EVENT,
    EVENT_ONLY,
    NO_CONTENT,
    SPAN_AND_EVENT,
    SPAN_ONLY,
    _exception_attributes,
    _failure_message,
    content_attributes,
    input_messages,
    metric_attributes,
    operation_name,
    output_messages,
    provider_name,
    request_model,
    server_address,
    span_attributes,
    span_name,
    usage_details,
)
from litellm.integrations._otlp import (
    _random_id,
    _suppressed,
    direct_record_spec,
    encode_otlp_traces,
    queue_span_processor,
    record_to_span,
    span_to_record,
)
from litellm.integrations.base import PayloadLogger

__all__ = [
    "CAPTURE_MODES",
    "OpenTelemetry",
    "OpenTelemetryConfig",
    "OpenTelemetryLogger",
    "OpenTelemetrySettings",
    "content_attributes",
    "encode_otlp_traces",
    "input_messages",
    "metric_attributes",
    "operation_name",
    "output_messages",
    "parse_headers",
    "provider_name",
    "queue_span_processor",
    "record_to_span",
    "request_model",
    "server_address",
    "span_attributes",
    "span_name",
    "span_to_record",
    "usage_details",
]

_EXTRA_HINT = "pip install 'litellm-observe[otel]'"

# ------------------------------------------------------------------------------------------- settings


def parse_headers(value: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"k=v,k2=v2"`` (OTLP env format, values URL-encoded) or a mapping -> a dict."""
    if not value:
        return {}
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for item in str(value).split(","):
        key, sep, val = item.partition("=")
        if sep and key.strip():
            out[unquote(key.strip())] = unquote(val.strip())
    return out


def _truthy(value: str | None) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _normalise_exporter(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # a SpanExporter object
    name = value.strip().lower()
    if name in ("otlp_http", "http/protobuf", "http/json", "http", "otlp"):
        return "otlp_http"
    if name in ("otlp_grpc", "grpc"):
        return "otlp_grpc"
    if name in ("console", "in_memory", "none"):
        return name
    raise ValueError(
        f"unknown OpenTelemetry exporter {value!r}: use console, otlp_http, otlp_grpc or in_memory"
    )


def _signal_url(base: str, signal: str) -> str:
    """An OTLP/HTTP URL for ``signal`` (traces, metrics) from a base URL or another signal's URL."""
    url = base.rstrip("/")
    for other in ("traces", "metrics", "logs"):
        if url.endswith(f"/v1/{other}"):
            return url[: -len(other)] + signal
    return f"{url}/v1/{signal}"


def _capture_mode(value: str | None) -> str | None:
    if not value:
        return None
    name = value.strip().upper()
    if name in ("TRUE", "1"):
        return EVENT_ONLY  # the contrib instrumentations' meaning of "true"
    if name in ("FALSE", "0"):
        return NO_CONTENT
    return name if name in CAPTURE_MODES else None


@dataclass
class OpenTelemetrySettings:
    """Where spans and metrics go; built once per logger. Headers never print.

    ``exporter`` is a name (console, otlp_http, otlp_grpc, in_memory, none) or a SpanExporter object.
    ``endpoint`` is the traces URL for otlp_http (a base URL gets ``/v1/traces``) or ``host:port`` for
    otlp_grpc; ``traces_endpoint`` (``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is used exactly as given. ``configured`` says whether the exporter was chosen explicitly (by argument or env).
    """

    exporter: Any = "console"
    endpoint: str | None = None
    headers: dict[str, str] | str | None = field(default=None, repr=False)
    traces_endpoint: str | None = None
    service_name: str = "litellm"
    tracer_name: str = "litellm"
    deployment_environment: str | None = None
    compression: str | None = None
    insecure: bool | None = None
    timeout: float = 10.0
    capture_mode: str | None = None
    enable_metrics: bool | None = None
    metrics_endpoint: str | None = None
    ignore_context_propagation: bool = False
    configured: bool = False

    def __post_init__(self) -> None:
        self.headers = parse_headers(self.headers)
        # LiteLLM: an endpoint with the default exporter means OTLP over HTTP
        if (self.endpoint or self.traces_endpoint) and self.exporter == "console":
            self.exporter = "otlp_http"
        self.exporter = _normalise_exporter(self.exporter)
        if self.compression is not None:
            self.compression = None if self.compression.lower() in ("", "none") else self.compression.lower()
        self.capture_mode = _capture_mode(self.capture_mode) if self.capture_mode else None

    @property
    def header_map(self) -> dict[str, str]:
        """The headers as a dict (``__post_init__`` parses the ``k=v,k2=v2`` string form once)."""
        return self.headers if isinstance(self.headers, dict) else parse_headers(self.headers)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> OpenTelemetrySettings:
        """Read the variables listed in the module docstring; keyword arguments win over them."""
        env = os.environ if environ is None else environ

        def first(*names: str) -> str | None:
            for name in names:
                value = env.get(name)
                if value not in (None, ""):
                    return value
            return None

        exporter = first("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER")
        traces_endpoint = first("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        base_endpoint = first("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_ENDPOINT")
        values: dict[str, Any] = {
            "exporter": exporter or "console",
            "endpoint": base_endpoint,
            "traces_endpoint": traces_endpoint,
            "headers": first(
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_HEADERS"
            ),
            "service_name": first("OTEL_SERVICE_NAME") or "litellm",
            "tracer_name": first("OTEL_TRACER_NAME") or "litellm",
            "deployment_environment": first("OTEL_ENVIRONMENT_NAME"),
            "compression": first("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"),
            "capture_mode": first("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"),
            "ignore_context_propagation": _truthy(first("OTEL_IGNORE_CONTEXT_PROPAGATION")),
            "configured": bool(exporter or traces_endpoint or base_endpoint),
        }
        insecure = first("OTEL_EXPORTER_OTLP_TRACES_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE")
        if insecure is not None:
            values["insecure"] = _truthy(insecure)
        metrics = first("LITELLM_OTEL_INTEGRATION_ENABLE_METRICS")
        if metrics is not None:
            values["enable_metrics"] = _truthy(metrics)
        metrics_endpoint = first("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
        if metrics_endpoint:
            values["metrics_endpoint"] = metrics_endpoint
        given = {k: v for k, v in overrides.items() if v is not None}
        if given.keys() & {"exporter", "endpoint", "traces_endpoint"}:
            values["configured"] = True
        values.update(given)
        return cls(**values)

    # -- derived ----------------------------------------------------------------------------------------

    def traces_url(self) -> str:
        if self.traces_endpoint:
            return self.traces_endpoint  # a signal-specific URL is used as given (OTLP spec)
        if self.endpoint:
            return (
                self.endpoint
                if self.endpoint.rstrip("/").endswith("/v1/traces")
                else _signal_url(self.endpoint, "traces")
            )
        return "http://localhost:4318/v1/traces"

    def metrics_url(self) -> str:
        if self.metrics_endpoint:
            return self.metrics_endpoint
        return _signal_url(self.endpoint or "http://localhost:4318", "metrics")

    def grpc_target(self) -> tuple[str, bool]:
        """(host:port, insecure) for the gRPC exporters."""
        endpoint = self.traces_endpoint or self.endpoint or "localhost:4317"
        insecure = self.insecure
        if "://" in endpoint:
            parts = urlsplit(endpoint)
            if insecure is None:
                insecure = parts.scheme == "http"
            endpoint = parts.netloc
        return endpoint, bool(insecure) if insecure is not None else False


OpenTelemetryConfig = OpenTelemetrySettings  # LiteLLM's name for the same settings object


# ------------------------------------------------------------------------------------------ the logger


def _require_sdk() -> None:
    try:
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"the OpenTelemetry logger needs the OpenTelemetry SDK: {_EXTRA_HINT}") from exc


class OpenTelemetryLogger(PayloadLogger):
    """One GenAI CLIENT span (and metrics) per call; see the module docstring for routing and settings.

    Arguments: ``config`` (an :class:`OpenTelemetrySettings`; default from the environment),
    ``tracer_provider`` / ``meter_provider`` (the application's; used as they are), ``set_global_providers``
    (install this logger's own providers globally), and for the built-in delivery ``flush_interval``,
    ``spool_dir`` / ``spool_mode`` and ``exporter_options`` (extra BatchExporter arguments).
    """

    name = "otel"

    def __init__(
        self,
        config: OpenTelemetrySettings | None = None,
        callback_name: str | None = None,
        *,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        set_global_providers: bool = False,
        flush_interval: float = 1.0,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_mode: str = "on_failure",
        exporter_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        logger_provider = kwargs.pop("logger_provider", None)  # LiteLLM's argument; logs are not exported
        del logger_provider
        super().__init__(**kwargs)
        _require_sdk()
        from opentelemetry import trace as trace_api

        self.settings = config if config is not None else OpenTelemetrySettings.from_env(environ)
        self.callback_name = callback_name
        self.exporter: BatchExporter | None = None
        self._own_provider = False
        self._own_meter = False
        self._closed = False
        self._span_exporter: Any = None
        self._resources: dict[str, Any] = {}
        self._http_headers: dict[str, str] | None = None
        s = self.settings
        if tracer_provider is None and not s.configured:
            global_provider = trace_api.get_tracer_provider()
            if _is_sdk_provider(global_provider):
                tracer_provider = global_provider  # the application's OpenTelemetry setup
        if tracer_provider is None and s.exporter != "none":
            tracer_provider = self._build_own_provider(
                flush_interval, spool_dir, spool_mode, exporter_options
            )
            if set_global_providers:
                trace_api.set_tracer_provider(tracer_provider)
        self.tracer_provider = tracer_provider
        self._tracer = (
            tracer_provider.get_tracer(s.tracer_name)
            if tracer_provider is not None
            else trace_api.NoOpTracer()
        )
        # per-process constants of the records built without SDK spans
        resource = getattr(tracer_provider, "resource", None)
        self._resource_attrs = dict(resource.attributes) if resource is not None else {}
        self._resource_schema = (resource.schema_url if resource is not None else "") or ""
        scope = getattr(self._tracer, "_instrumentation_scope", None)
        self._scope = [scope.name, scope.version] if scope is not None else [s.tracer_name, None]
        self._direct = self._direct_spec()
        self.meter_provider = self._pick_meter_provider(meter_provider, set_global_providers)
        self._instruments = self._make_instruments(self.meter_provider) if self.meter_provider else None

    # -- construction -----------------------------------------------------------------------------------

    def _build_own_provider(
        self,
        flush_interval: float,
        spool_dir: str | os.PathLike[str] | None,
        spool_mode: str,
        exporter_options: Mapping[str, Any] | None,
    ) -> Any:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider

        s = self.settings
        attrs: dict[str, Any] = {"service.name": s.service_name}
        if s.deployment_environment:
            attrs["deployment.environment"] = s.deployment_environment
        provider = TracerProvider(resource=Resource.create(attrs))
        self._span_exporter = self._build_span_exporter()
        options = {"max_batch_size": 512, **dict(exporter_options or {})}
        self.exporter = BatchExporter(
            self.name,
            self._send,
            flush_interval=flush_interval,
            spool_dir=spool_dir,
            spool_mode=spool_mode,
            **options,
        )
        provider.add_span_processor(queue_span_processor(self.exporter))
        self._own_provider = True
        return provider

    def _build_span_exporter(self) -> Any:
        s = self.settings
        if not isinstance(s.exporter, str):
            return s.exporter  # a SpanExporter object supplied by the user
        if s.exporter == "otlp_http":
            return None  # sent by _send_http through litellm.exporters.http
        if s.exporter == "otlp_grpc":
            try:
                from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
            except ImportError as exc:
                raise ImportError(
                    f"OTLP over gRPC needs opentelemetry-exporter-otlp-proto-grpc: {_EXTRA_HINT}"
                ) from exc
            from opentelemetry.exporter.otlp.proto.grpc.exporter import Compression

            target, insecure = s.grpc_target()
            return OTLPSpanExporter(
                endpoint=target,
                insecure=insecure,
                headers=dict(s.header_map) or None,
                timeout=s.timeout,
                compression=Compression.Gzip if s.compression == "gzip" else None,
            )
        if s.exporter == "in_memory":
            from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

            return InMemorySpanExporter()
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(service_name=s.service_name)

    def _pick_meter_provider(self, meter_provider: Any, set_global: bool) -> Any:
        if meter_provider is not None:
            return meter_provider
        s = self.settings
        if self._own_provider:
            wanted = (
                s.enable_metrics if s.enable_metrics is not None else s.exporter in ("otlp_http", "otlp_grpc")
            )
            if not wanted or s.exporter not in ("otlp_http", "otlp_grpc"):
                return None
            provider = self._build_meter_provider()
            self._own_meter = True
            if set_global:
                from opentelemetry import metrics

                metrics.set_meter_provider(provider)
            return provider
        if s.enable_metrics is False:
            return None
        from opentelemetry import metrics

        global_provider = metrics.get_meter_provider()
        return global_provider if _is_sdk_provider(global_provider) else None

    def _build_meter_provider(self) -> Any:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource

        s = self.settings
        if s.exporter == "otlp_grpc":
            from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

            target, insecure = s.grpc_target()
            metric_exporter: MetricExporter = OTLPMetricExporter(
                endpoint=target, insecure=insecure, headers=dict(s.header_map) or None, timeout=s.timeout
            )
        else:
            try:
                from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
                    OTLPMetricExporter as HTTPExporter,
                )
            except ImportError as exc:
                raise ImportError(
                    f"OTLP metrics need opentelemetry-exporter-otlp-proto-http: {_EXTRA_HINT}"
                ) from exc
            metric_exporter = HTTPExporter(
                endpoint=s.metrics_url(), headers=dict(s.header_map) or None, timeout=s.timeout
            )
        attrs: dict[str, Any] = {"service.name": s.service_name}
        if s.deployment_environment:
            attrs["deployment.environment"] = s.deployment_environment
        reader = PeriodicExportingMetricReader(metric_exporter)
        # no exit hook of its own: litellm's exit flush reaches flush() below, which exports the last
        # metrics; the SDK's hook would shut the exporter down first and that final export would be lost
        return MeterProvider(metric_readers=[reader], resource=Resource.create(attrs), shutdown_on_exit=False)

    def _make_instruments(self, meter_provider: Any) -> dict[str, Any]:
        meter = meter_provider.get_meter(self.settings.tracer_name)

        def histogram(name: str, unit: str, description: str, buckets: tuple) -> Any:
            try:
                return meter.create_histogram(
                    name,
                    unit=unit,
                    description=description,
                    explicit_bucket_boundaries_advisory=list(buckets),
                )
            except TypeError:  # an SDK older than the bucket advice
                return meter.create_histogram(name, unit=unit, description=description)

        return {
            "duration": histogram(
                "gen_ai.client.operation.duration", "s", "GenAI operation duration", _DURATION_BUCKETS
            ),
            "tokens": histogram(
                "gen_ai.client.token.usage", "{token}", "Tokens used per call", _TOKEN_BUCKETS
            ),
            "ttfc": histogram(
                "gen_ai.client.operation.time_to_first_chunk",
                "s",
                "Time to the first streamed chunk",
                _DURATION_BUCKETS,
            ),
            "cost": meter.create_counter("gen_ai.usage.cost", unit="USD", description="Cost of GenAI calls"),
        }

    # -- per event (the dispatcher's worker; never blocks) -----------------------------------------------

    def capture_mode(self) -> str:
        """Where message content goes for the next event (the global kill-switch always wins)."""
        if (
            _core_settings.turn_off_message_logging
            or self.turn_off_message_logging
            or self.message_logging is False
        ):
            return NO_CONTENT
        return self.settings.capture_mode or SPAN_ONLY

    def on_event(self, payload: dict, kwargs: dict) -> None:
        attrs = span_attributes(payload)
        mode = self.capture_mode()
        content = content_attributes(payload) if mode != NO_CONTENT else {}
        if mode in (SPAN_ONLY, SPAN_AND_EVENT):
            attrs.update(content)
        start_ns, end_ns = _ns(payload.get("startTime")), _ns(payload.get("endTime"))
        if start_ns is not None and end_ns is not None and end_ns < start_ns:
            end_ns = start_ns
        events = content if content and mode in (EVENT_ONLY, SPAN_AND_EVENT) else None
        exporter = self.exporter
        if exporter is not None and self._direct_records_ok(attrs, events):
            self._submit_record(exporter, payload, kwargs, attrs, events, start_ns, end_ns)
        else:
            self._end_sdk_span(payload, kwargs, attrs, events, start_ns, end_ns)
        if self._instruments is not None:
            self._record_metrics(payload, attrs)

    def _direct_records_ok(self, attrs: Mapping[str, Any], events: Mapping[str, Any] | None) -> bool:
        """Whether the record can be built without an SDK span and be exactly what the span would give.

        True for this logger's own provider when nothing was added to it (only our queue processor),
        its sampler is the SDK default (parent-based, always on) and no span limit would cut anything.
        """
        spec = self._direct
        if spec is None:
            return False
        provider, processors, limits = spec
        if provider._active_span_processor._span_processors != processors:
            return False  # someone added a processor to our provider: it must see real spans
        max_attrs = limits.max_span_attributes
        if max_attrs is not None and len(attrs) > max_attrs:
            return False
        if events is not None and limits.max_event_attributes is not None:
            if len(events) > limits.max_event_attributes:
                return False
        return True

    def _direct_spec(self) -> Any:
        if not self._own_provider or self.exporter is None:
            return None
        return direct_record_spec(self.tracer_provider)

    def _submit_record(
        self,
        exporter: BatchExporter,
        payload: Mapping[str, Any],
        kwargs: Mapping[str, Any],
        attrs: dict[str, Any],
        content_event: Mapping[str, Any] | None,
        start_ns: int | None,
        end_ns: int | None,
    ) -> None:
        """Queue the record :func:`span_to_record` would make of the SDK span, built from the payload."""
        parent = self._parent_span_context(payload, kwargs)
        if parent is not None and not parent.trace_flags.sampled:
            return  # the default parent-based sampler drops children of unsampled parents
        now = None
        if start_ns is None:
            start_ns = now = time.time_ns()
        if end_ns is None:
            end_ns = now or time.time_ns()
        # sampled, plus W3C's random-trace-id bit: set for our own random ids, inherited from a parent
        if parent is None:
            trace_id, flags = _random_id(128), 3
        else:
            trace_id, flags = parent.trace_id, 1 | (int(parent.trace_flags) & 2)
        span_id = _random_id(64)
        events = []
        if content_event is not None:
            events.append({"name": CONTENT_EVENT, "ts": end_ns, "attributes": dict(content_event)})
        status: list[Any] = [0, None]
        if payload.get("status") == "failure":
            message = _failure_message(payload)
            events.append({"name": "exception", "ts": end_ns, "attributes": _exception_attributes(payload)})
            status = [2, message]
        trace_hex, span_hex = f"{trace_id:032x}", f"{span_id:016x}"
        call_id = attrs.get("litellm.call_id")
        exporter.submit(
            {
                "id": str(call_id or f"{trace_hex}{span_hex}"),
                "name": span_name(payload),
                "trace_id": trace_hex,
                "span_id": span_hex,
                "trace_flags": flags,
                "parent_span_id": f"{parent.span_id:016x}" if parent is not None else None,
                "parent_remote": bool(parent.is_remote) if parent is not None else False,
                "kind": 2,  # SpanKind.CLIENT
                "start": start_ns,
                "end": end_ns,
                "attributes": attrs,
                "events": events,
                "status": status,
                "resource": self._resource_attrs,
                "resource_schema": self._resource_schema,
                "scope": self._scope,
            }
        )

    def _end_sdk_span(
        self,
        payload: Mapping[str, Any],
        kwargs: Mapping[str, Any],
        attrs: dict[str, Any],
        content_event: Mapping[str, Any] | None,
        start_ns: int | None,
        end_ns: int | None,
    ) -> None:
        """Start and end a real span on the tracer (the application's provider, or ours when customised)."""
        from opentelemetry.trace import SpanKind, Status, StatusCode

        span = self._tracer.start_span(
            span_name(payload),
            context=self._parent_context(payload, kwargs),
            kind=SpanKind.CLIENT,
            attributes=attrs,
            start_time=start_ns,
        )
        try:
            if content_event is not None:
                span.add_event(CONTENT_EVENT, content_event, timestamp=end_ns)
            if payload.get("status") == "failure":
                span.add_event("exception", _exception_attributes(payload), timestamp=end_ns)
                span.set_status(Status(StatusCode.ERROR, _failure_message(payload)))
        finally:
            span.end(end_time=end_ns)

    def _parent_span_context(self, payload: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any:
        """The parent's SpanContext (see _parent_context), or None for a new trace."""
        if self.settings.ignore_context_propagation:
            return None
        params = kwargs.get("litellm_params") or {}
        parent = params.get("otel_parent_context")
        carrier = None
        if parent is None:
            carrier = _traceparent_carrier(payload, params)
            if not carrier:
                return None  # the common case: no OpenTelemetry import, no context objects
        from opentelemetry import trace as trace_api

        context = self._parent_context(payload, kwargs)
        span_context = trace_api.get_current_span(context).get_span_context()
        return span_context if span_context.is_valid else None

    def _parent_context(self, payload: Mapping[str, Any], kwargs: Mapping[str, Any]) -> Any:
        from opentelemetry.context import Context

        if self.settings.ignore_context_propagation:
            return Context()
        params = kwargs.get("litellm_params") or {}
        parent = params.get("otel_parent_context")
        if parent is not None:
            from opentelemetry import trace as trace_api

            # the caller's context joins only when it holds a span; an empty one falls through to
            # the metadata's traceparent
            if trace_api.get_current_span(parent).get_span_context().is_valid:
                return parent
        carrier = _traceparent_carrier(payload, params)
        if carrier:
            from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

            return TraceContextTextMapPropagator().extract(carrier, context=Context())
        # an explicit empty context: a new trace, never whatever this worker thread has current
        return Context()

    def _record_metrics(self, payload: Mapping[str, Any], span_attrs: Mapping[str, Any]) -> None:
        inst = self._instruments
        assert inst is not None
        attrs = metric_attributes(span_attrs)
        duration = payload.get("response_time")
        if isinstance(duration, (int, float)):
            inst["duration"].record(float(duration), attrs)
        if payload.get("status") != "failure":
            usage = usage_details(payload)
            inst["tokens"].record(usage["input"], {**attrs, "gen_ai.token.type": "input"})
            inst["tokens"].record(usage["output"], {**attrs, "gen_ai.token.type": "output"})
        ttfc = span_attrs.get("gen_ai.response.time_to_first_chunk")
        if ttfc is not None:
            inst["ttfc"].record(ttfc, attrs)
        cost = payload.get("response_cost")
        if isinstance(cost, (int, float)) and cost > 0:
            inst["cost"].add(float(cost), attrs)

    # -- delivery (the exporter's worker) ----------------------------------------------------------------

    def _send(self, batch: list[dict]) -> None:
        if self._span_exporter is None:
            self._send_http(batch)
            return
        spans = [record_to_span(record, self._resources) for record in batch]
        from opentelemetry.sdk.trace.export import SpanExportResult

        with _suppressed():
            result = self._span_exporter.export(spans)
        if result is not SpanExportResult.SUCCESS:
            raise RetryableExportError(
                f"{type(self._span_exporter).__name__} could not export {len(spans)} spans"
            )

    def _send_http(self, records: list[dict]) -> None:
        from litellm.exporters.http import post

        body = encode_otlp_traces(records)
        headers = self._http_headers
        if headers is None:
            headers = self._http_headers = {
                **dict(self.settings.header_map),
                "Content-Type": "application/x-protobuf",
            }
        post(
            self.settings.traces_url(),
            content=body,
            headers=headers,
            gzip=self.settings.compression == "gzip",
            timeout=self.settings.timeout,
        )

    def flush(self, timeout: float | None = None) -> bool:
        budget = 10.0 if timeout is None else timeout
        if self._closed:
            return True  # after shutdown there is nothing left to flush (and the providers refuse)
        ok = True
        if self.exporter is not None:
            ok = self.exporter.flush(budget)
        elif self.tracer_provider is not None and hasattr(self.tracer_provider, "force_flush"):
            ok = bool(self.tracer_provider.force_flush(int(budget * 1000)))
        if self.meter_provider is not None and hasattr(self.meter_provider, "force_flush"):
            try:
                ok = bool(self.meter_provider.force_flush(int(budget * 1000))) and ok
            except Exception:
                ok = False
        return ok

    def shutdown(self, timeout: float = 5.0) -> None:
        """Deliver what the deadline allows and stop this logger's own exporter and providers.

        The application's providers (passed in or global) are left running: they are not ours to stop.
        """
        self._closed = True
        if self.exporter is not None:
            self.exporter.shutdown(timeout)
        owned = [
            self.tracer_provider if self._own_provider else None,
            self.meter_provider if self._own_meter else None,
        ]
        for provider in owned:
            if provider is not None and hasattr(provider, "shutdown"):
                try:
                    provider.shutdown()
                except Exception:
                    pass

    def stats(self) -> dict:
        """The built-in exporter's counters (empty when spans go through the application's provider)."""
        return self.exporter.stats() if self.exporter is not None else {}

    @property
    def span_exporter(self) -> Any:
        """The SDK exporter spans are handed to (None for OTLP/HTTP, which litellm.exporters sends)."""
        return self._span_exporter


OpenTelemetry = OpenTelemetryLogger  # LiteLLM's class name


def _is_sdk_provider(provider: Any) -> bool:
    """True for a real (SDK) provider the application installed, False for the API's proxy/no-op ones."""
    module = type(provider).__module__
    return module.startswith("opentelemetry.sdk") or not module.startswith("opentelemetry")


def _ns(seconds: Any) -> int | None:
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 0:
        return int(seconds * 1e9)
    return None


def _traceparent_carrier(payload: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, str]:
    """A W3C traceparent (and tracestate) from the call's metadata or the proxy request headers."""
    metadata = payload.get("metadata") or params.get("metadata") or {}
    sources: list[Any] = [metadata]
    request = params.get("proxy_server_request") or metadata.get("proxy_server_request") or {}
    if isinstance(request, Mapping):
        sources.append(request.get("headers") or {})
    for source in sources:
        if not isinstance(source, Mapping):
            continue
        lowered = {str(k).lower(): v for k, v in source.items()}
        value = lowered.get("traceparent")
        if isinstance(value, str) and value:
            carrier = {"traceparent": value}
            state = lowered.get("tracestate")
            if isinstance(state, str) and state:
                carrier["tracestate"] = state
            return carrier
    return {}
