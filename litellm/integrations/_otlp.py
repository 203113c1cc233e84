"""The OTLP side of span delivery, without SDK objects where it can: finished spans as plain records
(what :class:`~litellm.exporters.BatchExporter` queues and spools) and back, records written straight to
OTLP/HTTP protobuf bytes (:func:`encode_otlp_traces`), and the direct-record path's preconditions
(:func:`direct_record_spec`) and ids.

Shared by the OpenTelemetry and Langfuse loggers; :mod:`litellm.integrations.opentelemetry` re-exports the
public names.

Must not: import OpenTelemetry or protobuf at module import (the SDK is imported inside the functions that
need it), send, retry or log anything (delivery belongs to ``litellm.exporters``), or trace its own export
traffic (:func:`_suppressed`).
"""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litellm.exporters import BatchExporter

__all__ = [
    "direct_record_spec",
    "encode_otlp_traces",
    "queue_span_processor",
    "record_to_span",
    "span_to_record",
]

# ------------------------------------------------------------------ spans <-> records (for the spool)


def span_to_record(span: Any) -> dict[str, Any]:
    """A finished SDK span as a JSON-serialisable dict (what the exporter queues and spools)."""
    ctx = span.context
    parent = span.parent
    attrs = {k: list(v) if isinstance(v, tuple) else v for k, v in (span.attributes or {}).items()}
    resource = span.resource
    scope = span.instrumentation_scope
    return {
        "id": str(attrs.get("litellm.call_id") or f"{ctx.trace_id:032x}{ctx.span_id:016x}"),
        "name": span.name,
        "trace_id": f"{ctx.trace_id:032x}",
        "span_id": f"{ctx.span_id:016x}",
        "trace_flags": int(ctx.trace_flags),
        "parent_span_id": f"{parent.span_id:016x}" if parent is not None else None,
        "parent_remote": bool(parent.is_remote) if parent is not None else False,
        "kind": span.kind.value,
        "start": span.start_time,
        "end": span.end_time,
        "attributes": attrs,
        "events": [
            {
                "name": e.name,
                "ts": e.timestamp,
                "attributes": {
                    k: list(v) if isinstance(v, tuple) else v for k, v in (e.attributes or {}).items()
                },
            }
            for e in span.events
        ],
        "status": [span.status.status_code.value, span.status.description],
        "resource": dict(resource.attributes) if resource is not None else {},
        "resource_schema": (resource.schema_url if resource is not None else "") or "",
        "scope": [scope.name, scope.version] if scope is not None else ["litellm", None],
    }


def record_to_span(record: Mapping[str, Any], resources: dict[str, Any] | None = None) -> Any:
    """Rebuild a ReadableSpan from :func:`span_to_record`'s dict (in this or a later process)."""
    from opentelemetry import trace as trace_api
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import SpanKind, Status, StatusCode

    trace_id = int(record["trace_id"], 16)
    flags = trace_api.TraceFlags(int(record.get("trace_flags", 1)))
    context = trace_api.SpanContext(trace_id, int(record["span_id"], 16), is_remote=False, trace_flags=flags)
    parent = None
    if record.get("parent_span_id"):
        parent = trace_api.SpanContext(
            trace_id,
            int(record["parent_span_id"], 16),
            is_remote=bool(record.get("parent_remote")),
            trace_flags=flags,
        )
    key = json.dumps([record.get("resource") or {}, record.get("resource_schema") or ""], sort_keys=True)
    cache = resources if resources is not None else {}
    resource = cache.get(key)
    if resource is None:
        resource = cache[key] = Resource(record.get("resource") or {}, record.get("resource_schema") or None)
    code, description = record.get("status") or (0, None)
    scope_name, scope_version = (record.get("scope") or ["litellm", None])[:2]
    return ReadableSpan(
        name=record["name"],
        context=context,
        parent=parent,
        resource=resource,
        attributes=record.get("attributes") or {},
        events=[Event(e["name"], e.get("attributes") or {}, e.get("ts")) for e in record.get("events") or ()],
        kind=SpanKind(int(record.get("kind", SpanKind.CLIENT.value))),
        status=Status(StatusCode(int(code)), description if int(code) == StatusCode.ERROR.value else None),
        start_time=record.get("start"),
        end_time=record.get("end"),
        instrumentation_scope=InstrumentationScope(scope_name, scope_version),
    )


# ------------------------------------------------------------- records -> OTLP protobuf, without the SDK
#
# Building SDK ReadableSpans from queued records only to have the SDK's encoder turn them into protobuf
# message objects cost about 100 us per span on the exporter's thread, which shares the GIL with callers.
# The OTLP trace messages are small and fixed, so the records are written straight to protobuf wire bytes:
# fields in field-number order, proto3 defaults omitted, explicitly set sub-messages and oneof members kept
# (the bytes the SDK's encoder produces for the same spans; a unit test holds the two equal).

_U64 = 0xFFFFFFFFFFFFFFFF
_pack_fixed64 = struct.Struct("<Q").pack
_pack_fixed32 = struct.Struct("<I").pack
_pack_double = struct.Struct("<d").pack
# Span.flags: the parent's is_remote bit is known (0x100) and, for a remote parent, set (0x200)
_FLAGS_LOCAL = b"\x85\x01" + _pack_fixed32(0x100)
_FLAGS_REMOTE = b"\x85\x01" + _pack_fixed32(0x300)
_EMPTY_STATUS = b"\x7a\x00"


def _varint(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _ld(tag: bytes, payload: bytes) -> bytes:
    """A length-delimited field: tag, length, payload."""
    return tag + _varint(len(payload)) + payload


def _pb_any(value: Any) -> bytes:
    """An AnyValue message's body (oneof members are written even when they hold the default)."""
    if value is None:
        return b""
    if value is True:
        return b"\x10\x01"
    if value is False:
        return b"\x10\x00"
    if isinstance(value, str):
        return _ld(b"\x0a", value.encode("utf-8"))
    if isinstance(value, int):
        return b"\x18" + _varint(value & _U64)
    if isinstance(value, float):
        return b"\x21" + _pack_double(value)
    if isinstance(value, bytes):
        return _ld(b"\x3a", value)
    if isinstance(value, Mapping):
        return _ld(b"\x32", _pb_attributes(value, b"\x0a"))
    if isinstance(value, (list, tuple)):
        return _ld(b"\x2a", b"".join([_ld(b"\x0a", _pb_any(v)) for v in value]))
    raise TypeError(f"unsupported attribute value type {type(value).__name__}")


def _pb_attributes(attrs: Mapping[str, Any], tag: bytes) -> bytes:
    """Repeated KeyValue fields under ``tag``; a value that cannot be encoded is left out, as the SDK does."""
    parts = []
    for key, value in attrs.items():
        try:
            body = _pb_any(value)
        except TypeError:
            continue
        key_bytes = str(key).encode("utf-8")
        kv = (_ld(b"\x0a", key_bytes) if key_bytes else b"") + _ld(b"\x12", body)
        parts.append(_ld(tag, kv))
    return b"".join(parts)


def _pb_span(record: Mapping[str, Any]) -> bytes:
    parts = [
        b"\x0a\x10" + bytes.fromhex(record["trace_id"]),
        b"\x12\x08" + bytes.fromhex(record["span_id"]),
    ]
    parent = record.get("parent_span_id")
    if parent:
        parts.append(b"\x22\x08" + bytes.fromhex(parent))
    name = record.get("name")
    if name:
        parts.append(_ld(b"\x2a", str(name).encode("utf-8")))
    # SDK SpanKind values are one below the protobuf enum's (which starts at UNSPECIFIED)
    parts.append(b"\x30" + _varint(int(record.get("kind", 2)) + 1))
    start, end = record.get("start"), record.get("end")
    if start:
        parts.append(b"\x39" + _pack_fixed64(start & _U64))
    if end:
        parts.append(b"\x41" + _pack_fixed64(end & _U64))
    attrs = record.get("attributes")
    if attrs:
        parts.append(_pb_attributes(attrs, b"\x4a"))
    for event in record.get("events") or ():
        body = []
        if event.get("ts"):
            body.append(b"\x09" + _pack_fixed64(event["ts"] & _U64))
        if event.get("name"):
            body.append(_ld(b"\x12", str(event["name"]).encode("utf-8")))
        if event.get("attributes"):
            body.append(_pb_attributes(event["attributes"], b"\x1a"))
        parts.append(_ld(b"\x5a", b"".join(body)))
    code, description = record.get("status") or (0, None)
    if code or description:
        status = _ld(b"\x12", str(description).encode("utf-8")) if description else b""
        if code:
            status += b"\x18" + _varint(int(code))
        parts.append(_ld(b"\x7a", status))
    else:
        parts.append(_EMPTY_STATUS)
    parts.append(_FLAGS_REMOTE if parent and record.get("parent_remote") else _FLAGS_LOCAL)
    return b"".join(parts)


def encode_otlp_traces(records: Sequence[Mapping[str, Any]]) -> bytes:
    """An OTLP ``ExportTraceServiceRequest`` (protobuf bytes) for records of :func:`span_to_record`'s
    shape, grouped by resource and instrumentation scope in first-seen order as the SDK's encoder does."""
    groups: dict[Any, tuple[Mapping[str, Any], str, dict[tuple, list[bytes]]]] = {}
    keys: dict[int, Any] = {}  # resource dict id -> its key (records of one logger share one dict)
    for record in records:
        resource = record.get("resource") or {}
        schema = record.get("resource_schema") or ""
        rid = id(resource)
        key = keys.get(rid)
        if key is None:
            key = keys[rid] = (json.dumps(resource, sort_keys=True, default=str), schema)
        group = groups.get(key)
        if group is None:
            group = groups[key] = (resource, schema, {})
        scope = tuple((record.get("scope") or ["litellm", None])[:2])
        group[2].setdefault(scope, []).append(_ld(b"\x12", _pb_span(record)))
    out = []
    for resource, schema, scopes in groups.values():
        body = [_ld(b"\x0a", _pb_attributes(resource, b"\x0a"))]
        for (scope_name, scope_version), spans in scopes.items():
            scope_pb = (_ld(b"\x0a", scope_name.encode("utf-8")) if scope_name else b"") + (
                _ld(b"\x12", str(scope_version).encode("utf-8")) if scope_version else b""
            )
            body.append(_ld(b"\x12", _ld(b"\x0a", scope_pb) + b"".join(spans)))
        if schema:
            body.append(_ld(b"\x1a", schema.encode("utf-8")))
        out.append(_ld(b"\x0a", b"".join(body)))
    return b"".join(out)


@contextmanager
def _suppressed() -> Iterator[None]:
    """Run an export with OpenTelemetry instrumentation suppressed, so it never traces itself."""
    from opentelemetry import context as otel_context

    ctx = None
    for name in ("_SUPPRESS_INSTRUMENTATION_KEY", "_SUPPRESS_HTTP_INSTRUMENTATION_KEY"):
        key = getattr(otel_context, name, None)
        if key is not None:
            ctx = otel_context.set_value(key, True, ctx)
    token = otel_context.attach(ctx) if ctx is not None else None
    try:
        yield
    finally:
        if token is not None:
            otel_context.detach(token)


def queue_span_processor(exporter: BatchExporter) -> Any:
    """A SpanProcessor that queues each finished span, as a record, on ``exporter`` (never blocks)."""
    from opentelemetry.sdk.trace import SpanProcessor

    class _QueueSpanProcessor(SpanProcessor):
        def on_end(self, span: Any) -> None:
            exporter.submit(span_to_record(span))

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return exporter.flush(timeout_millis / 1000.0)

    return _QueueSpanProcessor()


def direct_record_spec(provider: Any) -> Any:
    """(provider, processors, limits) when a logger's own provider lets records skip SDK spans: its
    sampler and id generator are the SDK defaults and no span limit cuts anything; else None."""
    from opentelemetry.sdk.trace import sampling
    from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

    limits = getattr(provider, "_span_limits", None)
    multi = getattr(provider, "_active_span_processor", None)
    processors = getattr(multi, "_span_processors", None)
    sampler = getattr(provider, "sampler", None)
    if type(getattr(provider, "id_generator", None)) is not RandomIdGenerator:
        return None  # a custom id generator (OTEL_PYTHON_ID_GENERATOR) must pick the ids
    default_sampler = isinstance(sampler, sampling.ParentBased) and all(
        getattr(sampler, name, None) is expected
        for name, expected in (
            ("_root", sampling.ALWAYS_ON),
            ("_remote_parent_sampled", sampling.ALWAYS_ON),
            ("_remote_parent_not_sampled", sampling.ALWAYS_OFF),
            ("_local_parent_sampled", sampling.ALWAYS_ON),
            ("_local_parent_not_sampled", sampling.ALWAYS_OFF),
        )
    )
    if (
        limits is None
        or processors is None
        or not default_sampler
        or limits.max_attribute_length is not None
        or limits.max_span_attribute_length is not None
        or (limits.max_events is not None and limits.max_events < 2)
    ):
        return None
    return provider, processors, limits


def _random_id(bits: int) -> int:
    """A non-zero random trace (128) or span (64) id, drawn as the SDK's RandomIdGenerator does."""
    value = random.getrandbits(bits)
    while not value:
        value = random.getrandbits(bits)
    return value
