"""AWS ``application/vnd.amazon.eventstream`` framing: an incremental decoder and a frame encoder.

Owns the binary framing Bedrock (ConverseStream, InvokeModelWithResponseStream) and SageMaker
(InvokeEndpointWithResponseStream) use for streamed replies. Each message is::

    total_length:u32  headers_length:u32  prelude_crc:u32   (prelude, CRC32 of the first 8 bytes)
    headers (headers_length bytes)                          name_len:u8 name type:u8 value ...
    payload (total_length - headers_length - 16 bytes)
    message_crc:u32                                         (CRC32 of everything before it)

:class:`EventStreamDecoder` is fed bytes as they arrive and returns the frames completed so far; it holds
at most one incomplete frame (never the whole stream) and checks both CRCs. :func:`frame_event` reads the
``:message-type`` / ``:event-type`` / ``:exception-type`` headers the pipeline needs, and
:func:`encode_frame` builds a frame (the fake provider and the tests speak the format with it).

Must not: do I/O, import anything beyond the standard library, or parse payloads (JSON is the adapter's).
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EventStreamDecoder",
    "EventStreamError",
    "Frame",
    "encode_frame",
    "event_frame",
    "exception_frame",
    "frame_event",
]

_PRELUDE = struct.Struct(">III")
_PRELUDE_LEN = 12
_CRC_LEN = 4
_MIN_FRAME = _PRELUDE_LEN + _CRC_LEN
# AWS's documented limits (16 MiB payload, 128 KiB headers); a bigger prelude is corrupt input, and
# refusing it keeps one bad length from making the decoder wait for gigabytes
MAX_HEADERS_LENGTH = 128 * 1024
MAX_PAYLOAD_LENGTH = 24 * 1024 * 1024

# header value types (the wire's type byte)
_TRUE, _FALSE, _BYTE, _SHORT, _INT, _LONG, _BYTES, _STRING, _TIMESTAMP, _UUID = range(10)
_FIXED = {_BYTE: struct.Struct(">b"), _SHORT: struct.Struct(">h"), _INT: struct.Struct(">i")}
_INT64 = struct.Struct(">q")
_U16 = struct.Struct(">H")


class EventStreamError(ValueError):
    """The byte stream is not valid event-stream framing (bad CRC, impossible length, bad header)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded message: its headers (name -> value) and raw payload bytes."""

    headers: dict[str, Any]
    payload: bytes


def _crc(data: bytes | memoryview, start: int = 0) -> int:
    return zlib.crc32(data, start) & 0xFFFFFFFF


def _parse_headers(raw: memoryview) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    i, end = 0, len(raw)
    try:
        while i < end:
            name_len = raw[i]
            i += 1
            name = bytes(raw[i : i + name_len]).decode("utf-8")
            i += name_len
            vtype = raw[i]
            i += 1
            value: Any
            if vtype == _TRUE:
                value = True
            elif vtype == _FALSE:
                value = False
            elif vtype in _FIXED:
                fmt = _FIXED[vtype]
                (value,) = fmt.unpack_from(raw, i)
                i += fmt.size
            elif vtype in (_LONG, _TIMESTAMP):
                (value,) = _INT64.unpack_from(raw, i)
                i += 8
            elif vtype in (_BYTES, _STRING):
                (length,) = _U16.unpack_from(raw, i)
                i += 2
                data = bytes(raw[i : i + length])
                if len(data) != length:
                    raise EventStreamError("header value runs past the headers section")
                i += length
                value = data.decode("utf-8") if vtype == _STRING else data
            elif vtype == _UUID:
                value = uuid.UUID(bytes=bytes(raw[i : i + 16]))
                i += 16
            else:
                raise EventStreamError(f"unknown header value type {vtype} for header {name!r}")
            if i > end:
                raise EventStreamError("header value runs past the headers section")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, EventStreamError):
            raise
        raise EventStreamError(f"malformed event-stream headers: {exc}") from exc
    return headers


class EventStreamDecoder:
    """Incremental decoder: ``feed(chunk)`` returns the frames that chunk completed.

    Bytes of an unfinished frame are kept until the rest arrives; a finished frame's bytes are dropped
    at once, so memory stays at one frame however long the stream runs.
    """

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[Frame]:
        if chunk:
            self._buf += chunk
        frames: list[Frame] = []
        buf = self._buf
        start = 0
        while len(buf) - start >= _PRELUDE_LEN:
            total, headers_len, prelude_crc = _PRELUDE.unpack_from(buf, start)
            if _crc(memoryview(buf)[start : start + 8]) != prelude_crc:
                raise EventStreamError("event-stream prelude CRC mismatch (corrupt or not an event stream)")
            if headers_len > MAX_HEADERS_LENGTH or total < _MIN_FRAME + headers_len:
                raise EventStreamError(
                    f"impossible event-stream lengths: total={total} headers={headers_len}"
                )
            if total - _MIN_FRAME - headers_len > MAX_PAYLOAD_LENGTH:
                raise EventStreamError(f"event-stream payload larger than {MAX_PAYLOAD_LENGTH} bytes")
            if len(buf) - start < total:
                break
            view = memoryview(buf)[start : start + total]
            (message_crc,) = struct.unpack_from(">I", view, total - _CRC_LEN)
            if _crc(view[: total - _CRC_LEN]) != message_crc:
                view.release()
                raise EventStreamError("event-stream message CRC mismatch")
            headers = _parse_headers(view[_PRELUDE_LEN : _PRELUDE_LEN + headers_len])
            payload = bytes(view[_PRELUDE_LEN + headers_len : total - _CRC_LEN])
            view.release()
            frames.append(Frame(headers, payload))
            start += total
        if start:
            del buf[:start]
        return frames

    @property
    def pending(self) -> int:
        """Bytes held for a frame not yet complete (0 at a clean end of stream)."""
        return len(self._buf)

    def close(self) -> None:
        """End of stream: raise when it stopped in the middle of a frame."""
        if self._buf:
            left = len(self._buf)
            self._buf.clear()
            raise EventStreamError(f"event stream ended inside a frame ({left} bytes left over)")


def frame_event(frame: Frame) -> tuple[str | None, bytes, bool, str | None]:
    """``(event_type, payload, is_exception, exception_type)`` for one frame.

    ``:message-type`` "exception" frames (a modeled error such as ``throttlingException``) and "error"
    frames (``:error-code``) both report ``is_exception=True`` with the error's type.
    """
    headers = frame.headers
    message_type = headers.get(":message-type", "event")
    if message_type == "exception":
        return None, frame.payload, True, headers.get(":exception-type") or "exception"
    if message_type == "error":
        return None, frame.payload, True, headers.get(":error-code") or "error"
    return headers.get(":event-type"), frame.payload, False, None


def _encode_header(name: str, value: Any) -> bytes:
    raw_name = name.encode("utf-8")
    out = bytes([len(raw_name)]) + raw_name
    if isinstance(value, bool):
        return out + bytes([_TRUE if value else _FALSE])
    if isinstance(value, int):
        return out + bytes([_LONG]) + _INT64.pack(value)
    if isinstance(value, uuid.UUID):
        return out + bytes([_UUID]) + value.bytes
    if isinstance(value, (bytes, bytearray)):
        return out + bytes([_BYTES]) + _U16.pack(len(value)) + bytes(value)
    data = str(value).encode("utf-8")
    return out + bytes([_STRING]) + _U16.pack(len(data)) + data


def encode_frame(headers: dict[str, Any], payload: bytes) -> bytes:
    """One event-stream message with both CRCs (strings, bytes, bools, ints and UUIDs as header values)."""
    raw_headers = b"".join(_encode_header(k, v) for k, v in headers.items())
    total = _MIN_FRAME + len(raw_headers) + len(payload)
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", _crc(prelude))
    body = prelude + raw_headers + payload
    return body + struct.pack(">I", _crc(body))


def event_frame(event_type: str, payload: bytes, content_type: str = "application/json") -> bytes:
    """An ``event`` message as Bedrock sends them."""
    return encode_frame(
        {":event-type": event_type, ":content-type": content_type, ":message-type": "event"}, payload
    )


def exception_frame(exception_type: str, payload: bytes) -> bytes:
    """An ``exception`` message (a modeled error in the middle of a stream)."""
    return encode_frame(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        payload,
    )
