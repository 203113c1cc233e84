"""Stream decoders: one small class per reply framing, each turning body bytes into ``(event, data)``.

Every decoder offers the same two methods, so the stream wrapper has no framing-specific code:

* ``feed(data: bytes) -> list[tuple[str | None, str]]``: a line (``line_based`` decoders are fed one line
  at a time, its ending optional) or a raw chunk of the body (the others); returns completed events;
* ``flush() -> list[...]``: the end of the body (an event not yet terminated still counts).

Framings: ``sse`` (Server-Sent Events: the ``event:`` name and the ``data:`` text), ``ndjson`` (one JSON
document per line: ``(None, line)``), ``json-array`` (a streamed JSON array of objects, as Gemini sends
without ``alt=sse``: ``(None, object text)``) and ``aws-eventstream`` (binary frames: ``(":event-type",
payload text)``; an exception frame raises :class:`EventStreamError`).

Must not: parse JSON into Python objects (adapters do), do I/O, or know about providers.
"""

from __future__ import annotations

from typing import Any

from litellm.core.sse import SSEDecoder

__all__ = ["EventStreamError", "decoder_for"]

Event = tuple[str | None, str]


class EventStreamError(Exception):
    """An AWS event-stream exception frame: ``error_type`` (e.g. ``throttlingException``) and its body."""

    def __init__(self, error_type: str, body: str) -> None:
        super().__init__(f"{error_type}: {body}")
        self.error_type = error_type
        self.body = body


class SSE:
    line_based = True
    __slots__ = ("_sse",)

    def __init__(self) -> None:
        self._sse = SSEDecoder()

    def feed(self, line: bytes) -> list[Event]:
        event = self._sse.feed_line(line)
        return [] if event is None else [event]

    def flush(self) -> list[Event]:
        tail = self._sse.flush()
        return [] if tail is None else [tail]


class NDJSON:
    line_based = True
    __slots__ = ()

    def feed(self, line: bytes) -> list[Event]:
        text = line.decode("utf-8").strip()
        return [(None, text)] if text else []

    def flush(self) -> list[Event]:
        return []


class JSONArray:
    """Objects of a streamed top-level JSON array, found by brace depth outside strings."""

    line_based = False
    __slots__ = ("_buf", "_depth", "_escape", "_in_string", "_start")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._start = -1

    def feed(self, data: bytes) -> list[Event]:
        out: list[Event] = []
        base = len(self._buf)
        self._buf.extend(data)
        buf = self._buf
        i = base
        while i < len(buf):
            c = buf[i]
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif c == 0x5C:  # backslash
                    self._escape = True
                elif c == 0x22:  # quote
                    self._in_string = False
            elif c == 0x22:
                self._in_string = True
            elif c == 0x7B:  # {
                if self._depth == 0:
                    self._start = i
                self._depth += 1
            elif c == 0x7D:  # }
                self._depth -= 1
                if self._depth == 0 and self._start >= 0:
                    out.append((None, buf[self._start : i + 1].decode("utf-8")))
                    del buf[: i + 1]
                    i = -1
                    self._start = -1
            i += 1
        if self._depth == 0 and self._start < 0:
            self._buf.clear()  # separators and brackets between objects
        return out

    def flush(self) -> list[Event]:
        return []


class AWSEventStream:
    """AWS ``application/vnd.amazon.eventstream`` frames, decoded by :mod:`litellm.core.eventstream`."""

    line_based = False
    __slots__ = ("_decoder",)

    def __init__(self) -> None:
        from litellm.core import eventstream

        self._decoder = eventstream.EventStreamDecoder()

    def feed(self, data: bytes) -> list[Event]:
        from litellm.core.eventstream import frame_event

        out: list[Event] = []
        for frame in self._decoder.feed(data):
            event_type, payload, is_exception, exception_type = frame_event(frame)
            if is_exception:
                raise EventStreamError(exception_type or "error", payload.decode("utf-8", "replace"))
            # surrogateescape: a SageMaker part may end inside a UTF-8 character; its adapter rejoins bytes
            out.append((event_type or "", payload.decode("utf-8", "surrogateescape")))
        return out

    def flush(self) -> list[Event]:
        return []


_DECODERS: dict[str, Any] = {
    "sse": SSE,
    "ndjson": NDJSON,
    "json-array": JSONArray,
    "aws-eventstream": AWSEventStream,
}


def decoder_for(stream_format: str) -> Any:
    """A fresh decoder for ``stream_format`` ("sse", "ndjson", "json-array", "aws-eventstream")."""
    cls = _DECODERS.get(stream_format)
    if cls is None:
        raise ValueError(f"unknown stream format {stream_format!r}; known: {', '.join(_DECODERS)}")
    return cls()
