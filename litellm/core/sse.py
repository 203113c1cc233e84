"""A small incremental Server-Sent Events decoder shared by every streaming provider.

It takes lines (bytes, without or with their line ending) and yields ``(event, data)`` pairs when a blank
line ends an event. It knows nothing about JSON or providers, and does no I/O.
"""

from __future__ import annotations


class SSEDecoder:
    __slots__ = ("_data", "_event")

    def __init__(self) -> None:
        self._event: str | None = None
        self._data: list[str] = []

    def feed_line(self, raw: bytes | str) -> tuple[str | None, str] | None:
        """Feed one line; return a complete event when this line ends one, else None."""
        line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        if not line:
            if not self._data and self._event is None:
                return None
            out = (self._event, "\n".join(self._data))
            self._event = None
            self._data = []
            return out
        if line[0] == ":":  # comment / keep-alive
            return None
        field, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        # "id" and "retry" carry nothing LLM providers use
        return None

    def flush(self) -> tuple[str | None, str] | None:
        """End of stream: an event not followed by a blank line still counts."""
        if self._data:
            out = (self._event, "\n".join(self._data))
            self._event = None
            self._data = []
            return out
        return None
