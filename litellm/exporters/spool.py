"""On-disk spool for one exporter: append-only JSONL segment files that survive the process.

Owns the files under one directory: creating segments, appending encoded items, fsync on rotate,
claiming segments a previous (or dead) process left, and removing segments once their items are
delivered. It must not decide what to retry or when; ``BatchExporter`` does that.

Ownership between processes uses ``flock``: a process holds an exclusive lock on every segment it is
writing or delivering, so a live segment is never claimed twice, and a process that dies (even by
SIGKILL) releases its locks, which makes its segments claimable by the next process. A segment is
created under a temporary name and renamed once locked, so no one can claim it half-born. On systems
without ``fcntl`` (Windows) segments are claimed by anyone but their writer; run one process per spool.

File names sort by creation time: ``<time_ns>-<pid>-<n>.<kind>.jsonl``, kind ``spool`` (items kept after
a failure, a full queue or shutdown) or ``wal`` (write-ahead copies of queued items).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["SEGMENT_BYTES", "Segment", "Spool", "encode_line"]

# Big enough that rotation (and its fsync) is rare, small enough that one restore fits in memory.
SEGMENT_BYTES = 4 << 20
_SUFFIX = ".jsonl"
_counter = itertools.count()


def encode_line(item: Any) -> bytes:
    """One item as one JSON line; values JSON cannot hold are stored as their ``str``."""
    return json.dumps(item, separators=(",", ":"), ensure_ascii=False, default=str).encode() + b"\n"


class Segment:
    """An open segment file this process holds the lock on. ``hi`` is bookkeeping for the exporter."""

    __slots__ = ("_file", "count", "counted", "hi", "path", "size")

    def __init__(self, path: Path, file: Any, size: int = 0, count: int = 0) -> None:
        self.path = path
        self._file = file
        self.size = size
        self.count = count
        self.hi = 0
        # True when its bytes are part of Spool.bytes_on_disk (claimed segments), so deleting it frees budget.
        self.counted = False

    @property
    def closed(self) -> bool:
        return self._file is None

    def append(self, data: bytes, count: int) -> None:
        # Unbuffered: once write returns the bytes are the kernel's, which survives SIGKILL (not a power
        # cut: fsync waits for rotation). It also means a forked child holds no half-written buffer.
        view = memoryview(data)
        while view:
            n = self._file.write(view)
            view = view[n:]
        self.size += len(data)
        self.count += count

    def release(self, sync: bool = True) -> None:
        """Close and unlock, leaving the file for whoever claims it next."""
        f, self._file = self._file, None
        if f is None:
            return
        try:
            if sync:
                os.fsync(f.fileno())
        except OSError:
            pass
        finally:
            f.close()

    def discard(self) -> None:
        """Delete the file: its items are delivered. Unlink before close so no one claims it in between."""
        f, self._file = self._file, None
        if f is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        finally:
            f.close()

    def forget(self) -> None:
        """Drop an inherited handle in a forked child without touching the parent's file or lock.

        Closing the child's copy of the descriptor leaves the lock with the parent, which still has
        the open file; the file is unbuffered, so closing writes nothing."""
        f, self._file = self._file, None
        if f is not None:
            try:
                f.close()
            except OSError:
                pass


def _try_lock(f: Any) -> bool:
    if fcntl is None:
        return True
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class Spool:
    """The segment directory of one exporter, with a byte budget for items kept after failures."""

    def __init__(self, directory: str | os.PathLike[str], max_bytes: int = 1 << 30) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._current: Segment | None = None
        self._pid = os.getpid()
        # Approximate: our own writes and deletes plus what was on disk at start.
        self.bytes_on_disk = sum(p.stat().st_size for p in self._segments())
        self.locked_by_others = 0

    def reset_after_fork(self) -> None:
        if self._current is not None:
            self._current.forget()
        self._current = None
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def _segments(self) -> list[Path]:
        try:
            return sorted(p for p in self.directory.iterdir() if p.name.endswith(_SUFFIX))
        except OSError:
            return []

    def has_segments(self) -> bool:
        return bool(self._segments())

    def new_segment(self, kind: str) -> Segment:
        """A fresh, locked, empty segment (write-ahead copies use their own segments)."""
        stem = f"{time.time_ns():020d}-{os.getpid()}-{next(_counter)}.{kind}"
        tmp = self.directory / f".{stem}.tmp"
        f = open(tmp, "xb", buffering=0)  # the handle lives as long as the segment
        if not _try_lock(f):  # pragma: no cover - nobody else knows this name yet
            f.close()
            raise OSError(f"could not lock new spool segment {tmp}")
        path = self.directory / f"{stem}{_SUFFIX}"
        os.rename(tmp, path)
        return Segment(path, f)

    def write(self, items: Iterable[Any]) -> tuple[int, int]:
        """Append items to the current spool segment. Returns (written, refused for lack of budget)."""
        data = bytearray()
        written = refused = 0
        for item in items:
            try:
                line = encode_line(item)
            except (TypeError, ValueError):
                refused += 1
                continue
            if self.bytes_on_disk + len(data) + len(line) > self.max_bytes:
                refused += 1
                continue
            data += line
            written += 1
        if not written:
            return 0, refused
        to_sync = None
        with self._lock:
            seg = self._current
            if seg is None or seg.closed:
                seg = self._current = self.new_segment("spool")
            seg.append(bytes(data), written)
            self.bytes_on_disk += len(data)
            if seg.size >= SEGMENT_BYTES:
                to_sync, self._current = seg, None
        if to_sync is not None:
            # fsync outside the lock so a caller spooling on a full queue does not wait for the disk.
            to_sync.release(sync=True)
        return written, refused

    def pending_in_current(self) -> bool:
        seg = self._current
        return seg is not None and seg.count > 0

    def rotate(self) -> None:
        """Close the current spool segment (fsync), making it claimable, by this process too."""
        with self._lock:
            seg, self._current = self._current, None
        if seg is not None:
            seg.release(sync=True)

    def close(self) -> None:
        self.rotate()

    def claim(self) -> tuple[Segment, list[Any]] | None:
        """Lock the oldest unowned segment and read its items, or None when there is none."""
        self.locked_by_others = 0
        for path in self._segments():
            try:
                f = open(path, "r+b", buffering=0)  # handed to the Segment
            except OSError:
                continue
            if fcntl is None and f"-{self._pid}-" in path.name:  # pragma: no cover - Windows
                f.close()
                continue
            if not _try_lock(f):
                f.close()
                self.locked_by_others += 1
                continue
            try:
                st = os.fstat(f.fileno())
                # The writer may have deleted it between our open and our lock: then it was delivered.
                if st.st_nlink == 0 or os.stat(path).st_ino != st.st_ino:
                    f.close()
                    continue
                data = f.readall()
            except OSError:
                f.close()
                continue
            items = _decode(data)
            seg = Segment(path, f, size=len(data), count=len(items))
            seg.counted = True
            if not items:
                seg.discard()
                self.bytes_on_disk = max(0, self.bytes_on_disk - len(data))
                continue
            return seg, items
        return None

    def forget_bytes(self, n: int) -> None:
        self.bytes_on_disk = max(0, self.bytes_on_disk - n)


def _decode(data: bytes) -> list[Any]:
    items = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except ValueError:
            # A torn last line from a process killed mid-write: the rest of the segment is still good.
            continue
    return items
