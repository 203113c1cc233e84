"""The AWS event-stream decoder: frames as botocore encodes and decodes them, fed in any split."""

from __future__ import annotations

import json
import struct
import uuid

import pytest

from litellm.core.eventstream import (
    EventStreamDecoder,
    EventStreamError,
    encode_frame,
    event_frame,
    exception_frame,
    frame_event,
)


def _stream() -> bytes:
    return b"".join(
        [
            event_frame("messageStart", b'{"role":"assistant","p":"abc"}'),
            event_frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"Hel"}}'),
            event_frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"lo"}}'),
            event_frame("messageStop", b'{"stopReason":"end_turn"}'),
        ]
    )


def test_botocore_parses_our_frames_identically():
    from botocore.eventstream import EventStreamBuffer

    data = _stream()
    theirs = EventStreamBuffer()
    theirs.add_data(data)
    expected = [(m.headers, m.payload) for m in theirs]
    ours = [(f.headers, f.payload) for f in EventStreamDecoder().feed(data)]
    assert ours == expected
    assert [h[":event-type"] for h, _ in ours] == [
        "messageStart",
        "contentBlockDelta",
        "contentBlockDelta",
        "messageStop",
    ]


@pytest.mark.parametrize("step", [1, 3, 7, 16, 50, 4096])
def test_any_split_of_the_bytes_gives_the_same_frames(step):
    data = _stream()
    largest = max(len(event_frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"Hel"}}')), 0)
    decoder = EventStreamDecoder()
    frames = []
    for i in range(0, len(data), step):
        frames.extend(decoder.feed(data[i : i + step]))
        # never a whole frame's bytes held back: finished frames are dropped at once
        assert decoder.pending < largest
    decoder.close()
    assert [json.loads(f.payload).get("delta", {}).get("text") for f in frames] == [None, "Hel", "lo", None]


def test_all_header_types_round_trip_through_botocore():
    from botocore.eventstream import EventStreamBuffer

    # botocore's own encoder is not public; build a frame with every type by hand and compare parsers
    def header(name: str, vtype: int, raw: bytes) -> bytes:
        return bytes([len(name)]) + name.encode() + bytes([vtype]) + raw

    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    raw_headers = b"".join(
        [
            header("t", 0, b""),
            header("f", 1, b""),
            header("b", 2, struct.pack(">b", -3)),
            header("s", 3, struct.pack(">h", 300)),
            header("i", 4, struct.pack(">i", 70000)),
            header("l", 5, struct.pack(">q", 2**40)),
            header("ba", 6, struct.pack(">H", 3) + b"\x00\x01\x02"),
            header("str", 7, struct.pack(">H", 5) + b"hello"),
            header("ts", 8, struct.pack(">q", 1700000000000)),
            header("u", 9, uid.bytes),
        ]
    )
    import zlib

    payload = b"{}"
    total = 16 + len(raw_headers) + len(payload)
    prelude = struct.pack(">II", total, len(raw_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + raw_headers + payload
    frame = body + struct.pack(">I", zlib.crc32(body))
    theirs = EventStreamBuffer()
    theirs.add_data(frame)
    (message,) = list(theirs)
    (ours,) = EventStreamDecoder().feed(frame)
    assert ours.headers["t"] is True and ours.headers["f"] is False
    assert ours.headers["b"] == -3 and ours.headers["s"] == 300 and ours.headers["i"] == 70000
    assert ours.headers["l"] == 2**40 and ours.headers["ba"] == b"\x00\x01\x02"
    assert ours.headers["str"] == "hello" and ours.headers["u"] == uid
    for name in ("t", "f", "b", "s", "i", "l", "ba", "str"):
        assert ours.headers[name] == message.headers[name]


def test_exception_frame_is_reported_with_its_type():
    (frame,) = EventStreamDecoder().feed(exception_frame("throttlingException", b'{"message":"slow down"}'))
    event_type, payload, is_exception, exception_type = frame_event(frame)
    assert (event_type, is_exception, exception_type) == (None, True, "throttlingException")
    assert json.loads(payload) == {"message": "slow down"}
    (frame,) = EventStreamDecoder().feed(event_frame("metadata", b"{}"))
    assert frame_event(frame) == ("metadata", b"{}", False, None)


def test_error_message_type_uses_error_code():
    frame_bytes = encode_frame({":message-type": "error", ":error-code": "InternalFailure"}, b"")
    (frame,) = EventStreamDecoder().feed(frame_bytes)
    assert frame_event(frame)[2:] == (True, "InternalFailure")


def test_corrupt_message_crc_is_refused():
    data = bytearray(event_frame("chunk", b'{"bytes":"e30="}'))
    data[-6] ^= 0xFF  # flip a payload byte
    with pytest.raises(EventStreamError, match="message CRC"):
        EventStreamDecoder().feed(bytes(data))


def test_corrupt_prelude_is_refused_before_waiting_for_the_length():
    data = bytearray(event_frame("chunk", b"{}"))
    data[1] = 0x7F  # a huge length with a now-wrong prelude CRC
    with pytest.raises(EventStreamError, match="prelude CRC"):
        EventStreamDecoder().feed(bytes(data))


def test_an_oversized_length_with_a_valid_prelude_crc_is_refused():
    import zlib

    prelude = struct.pack(">II", 2**31, 0)
    prelude += struct.pack(">I", zlib.crc32(prelude))
    with pytest.raises(EventStreamError, match="payload larger"):
        EventStreamDecoder().feed(prelude)


def test_a_stream_cut_mid_frame_is_reported_on_close():
    data = event_frame("chunk", b'{"a":1}')
    decoder = EventStreamDecoder()
    assert decoder.feed(data[:-3]) == []
    with pytest.raises(EventStreamError, match="inside a frame"):
        decoder.close()
