"""The delivery engine every destination shares: a bounded queue drained by one worker thread.

Owns batching (by count, by JSON bytes, by interval), retry with jittered exponential backoff under a
deadline, the memory cap with counted drops, the optional disk spool, flush, shutdown and fork safety.
It must not know any destination's format (``send`` does), must not use asyncio (it runs from sync
code, async code and at interpreter exit alike), and must never raise into, block or log per item on
the caller's path.

Delivery is at least once. Items are opaque dicts that carry their own ``"id"`` (the logging payload
id); the engine never rewrites it, so receivers dedupe on it after a retry, a restore or a shutdown
that raced a send.

Accounting, readable from ``stats()`` at any time (counts of items unless said otherwise)::

    submitted + restored == sent + failed + spooled + sum(dropped.values()) + queued

``retried`` counts retry attempts of batches and ``send_errors`` unexpected exceptions from ``send``.
"""

from __future__ import annotations

import json
import math
import os
import random
import threading
import time
import weakref
from collections import Counter, deque
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from litellm.exporters import registry
from litellm.exporters._diag import RateLimitedLog
from litellm.exporters.errors import PayloadTooLargeError, PermanentExportError, RetryableExportError
from litellm.exporters.spool import SEGMENT_BYTES, Segment, Spool, encode_line

__all__ = ["SPOOL_MODES", "BatchExporter"]

SPOOL_MODES = ("on_failure", "write_ahead")

# Worker step kinds returned by _next_step.
_SEND, _RESTORE, _STOP = "send", "restore", "stop"
# Outcomes of one piece of a batch.
_SENT, _TOO_LARGE, _PERMANENT, _GIVE_UP = "sent", "too_large", "permanent", "give_up"
# How often to look again for segments another live process still holds.
_RESTORE_RECHECK = 5.0
# After a batch had to be spooled, how long before restoring again probes whether the receiver is back
# (a successful send of new events ends the wait at once).
_RESTORE_PROBE = 30.0


def _safe_dirname(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip(".")
    return cleaned or "exporter"


class BatchExporter:
    """Queue items with ``submit``; a daemon worker calls ``send(batch)`` with lists of them.

    ``send`` raises ``RetryableExportError`` (or anything unexpected) to retry, ``PermanentExportError``
    to give up on the batch, ``PayloadTooLargeError`` to have it split in halves.

    The worker starts on the first ``submit`` (and again in a forked child, which starts empty). It
    sends a batch when ``max_batch_size`` items (or ``max_batch_bytes`` of JSON) are queued, when
    ``flush_interval`` has passed since the oldest waiting item arrived, or when asked by ``flush``.

    With ``spool_dir`` set, items live under ``spool_dir/<name>/``. In ``spool_mode="on_failure"``
    (default) the spool takes items that failed after retries, did not fit in the queue, or were still
    queued at shutdown; they are re-queued when a send succeeds again (or every 30 s as a probe). In
    ``"write_ahead"`` mode a second thread also appends every queued item, in batches, before it may be
    sent, and deletes a segment once all of its items are settled: a process killed with SIGKILL loses
    only what that thread had not yet written (normally well under a millisecond of traffic). A new
    exporter re-queues what a previous process left (``restored``).
    """

    def __init__(
        self,
        name: str,
        send: Callable[[list[dict]], None],
        *,
        max_batch_size: int = 512,
        flush_interval: float = 1.0,
        max_queue_size: int = 20_000,
        max_retries: int = 6,
        retry_deadline: float = 60.0,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        spool_dir: str | os.PathLike[str] | None = None,
        max_batch_bytes: int | None = None,
        spool_mode: str = "on_failure",
        max_spool_bytes: int = 1 << 30,
    ) -> None:
        if max_batch_size < 1 or max_queue_size < 1:
            raise ValueError("max_batch_size and max_queue_size must be at least 1")
        if flush_interval <= 0:
            raise ValueError("flush_interval must be positive")
        if spool_mode not in SPOOL_MODES:
            raise ValueError(f"spool_mode must be one of {SPOOL_MODES}, not {spool_mode!r}")
        if spool_mode == "write_ahead" and spool_dir is None:
            raise ValueError('spool_mode="write_ahead" needs a spool_dir')
        self.name = name
        self._send = send
        self._max_batch_size = max_batch_size
        self._flush_interval = flush_interval
        self._max_queue_size = max_queue_size
        self._max_retries = max_retries
        self._retry_deadline = retry_deadline
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._max_batch_bytes = max_batch_bytes
        self._wal_mode = spool_mode == "write_ahead"
        self._spool = (
            Spool(Path(spool_dir) / _safe_dirname(name), max_bytes=max_spool_bytes)
            if spool_dir is not None
            else None
        )
        self._log = RateLimitedLog(name)
        self._init_state()
        _watch_forks(self)
        registry.register(self)
        if self._spool is not None and self._spool.has_segments():
            self._restore_wanted = True
            while len(self._queue) < self._max_queue_size and self._restore_one():
                pass
            if self._queue:
                with self._lock:
                    self._ensure_worker_locked()

    # ----------------------------------------------------------------------------------- state

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # the sending worker waits here
        self._wal_cond = threading.Condition(self._lock)  # the write-ahead thread waits here
        self._done = threading.Condition(self._lock)  # flush() waits here
        self._queue: deque[Any] = deque()
        # Sequence numbers: items ever queued, taken by the worker, settled in order, written ahead.
        self._enq = self._taken = self._handled = self._wal_upto = 0
        self._first_at = 0.0
        self._flush_target = 0
        self._flush_gen = 0
        self._closing = False
        self._stop_deadline = math.inf
        self._abandoned = False
        self._worker: threading.Thread | None = None
        self._wal_thread: threading.Thread | None = None
        self._inflight: list[Any] | None = None
        self._inflight_lo = 0
        self._inflight_done = 0
        self._held: list[Segment] = []  # segments whose items are queued; deleted once all settled
        self._restored_ranges: list[tuple[int, int]] = []  # seqs already on disk in a held segment
        self._wal: Segment | None = None
        self._last_ok = True
        self._restore_wanted = False
        self._next_restore = 0.0
        self._rng = random.Random()
        self._counts = dict.fromkeys(
            ("submitted", "sent", "batches_sent", "retried", "failed", "spooled", "restored", "send_errors"),
            0,
        )
        self._dropped: Counter[str] = Counter()

    def _reset_after_fork(self) -> None:
        # The child keeps the configuration but none of the parent's queue, thread, locks or files:
        # the parent delivers its own items.
        for seg in self._held:
            seg.forget()
        if self._spool is not None:
            self._spool.reset_after_fork()
        self._log.reset_after_fork()
        self._init_state()

    # ------------------------------------------------------------------------------ public API

    def submit(self, item: dict) -> bool:
        """Queue one item. Never blocks on delivery, never raises; False (and counted) when dropped."""
        try:
            with self._lock:
                self._counts["submitted"] += 1
                if self._closing:
                    reason = "shutdown"
                elif len(self._queue) < self._max_queue_size:
                    was_idle = not self._queue
                    if was_idle:
                        self._first_at = time.monotonic()
                    self._queue.append(item)
                    self._enq += 1
                    if self._wal_mode:
                        if self._enq - self._wal_upto == 1:
                            self._wal_cond.notify()
                    elif was_idle or len(self._queue) == self._max_batch_size:
                        # Wake an idle worker to start the interval clock, a busy one for a full batch.
                        self._work.notify()
                    if self._worker is None:
                        self._ensure_worker_locked()
                    return True
                else:
                    reason = "queue_full"
            return self._overflow(item, reason)
        except Exception:
            return False

    def flush(self, timeout: float | None = 10.0) -> bool:
        """Wait until everything queued so far is handled (sent, failed, spooled or dropped)."""
        deadline = math.inf if timeout is None else time.monotonic() + timeout
        target = self._request_flush()
        return target is None or self._wait_flushed(target, deadline)

    def shutdown(self, timeout: float | None = 10.0) -> None:
        """Stop accepting, deliver what the deadline allows, then spool (or count as dropped) the rest."""
        deadline = math.inf if timeout is None else time.monotonic() + timeout
        self._begin_shutdown(deadline)
        self._finish_shutdown(deadline)

    def stats(self) -> dict:
        with self._lock:
            out: dict[str, Any] = {"name": self.name, **self._counts}
            out["dropped"] = dict(self._dropped)
            out["queued"] = len(self._queue) + (
                len(self._inflight) - self._inflight_done if self._inflight is not None else 0
            )
        return out

    def __repr__(self) -> str:
        return f"<BatchExporter {self.name!r}>"

    # ------------------------------------------------------------------- flush/shutdown plumbing

    def _request_flush(self) -> int | None:
        """Ask the worker to send partial batches now; returns the sequence number to wait for."""
        with self._lock:
            target = self._enq
            if self._handled >= target:
                return None
            if self._worker is threading.current_thread():
                # send() calling flush would wait on itself: report "not done" at once instead.
                return -1
            self._flush_target = max(self._flush_target, target)
            self._flush_gen += 1
            self._ensure_worker_locked()
            self._work.notify_all()
            return target

    def _wait_flushed(self, target: int, deadline: float) -> bool:
        with self._lock:
            if target < 0:
                return False
            while self._handled < target:
                if self._abandoned:
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._done.wait(None if math.isinf(remaining) else remaining)
            return True

    def _begin_shutdown(self, deadline: float) -> None:
        with self._lock:
            if not self._closing:
                self._closing = True
                self._stop_deadline = deadline
            else:
                self._stop_deadline = min(self._stop_deadline, deadline)
            self._work.notify_all()
            self._wal_cond.notify_all()

    def _finish_shutdown(self, deadline: float) -> None:
        with self._lock:
            worker, wal_thread = self._worker, self._wal_thread
        for thread in (worker, wal_thread):
            if thread is not None and thread is not threading.current_thread():
                remaining = deadline - time.monotonic()
                thread.join(None if math.isinf(remaining) else max(0.0, remaining))
        if worker is None or worker.is_alive():
            self._take_over()

    def _take_over(self) -> None:
        """The worker did not finish in time (a slow send): keep what is left on disk from here."""
        with self._lock:
            if self._abandoned:
                return
            self._abandoned = True
            self._work.notify_all()
            self._wal_cond.notify_all()
            self._done.notify_all()
            pending: list[tuple[int, Any]] = []
            if self._inflight is not None:
                lo = self._inflight_lo + self._inflight_done
                pending.extend(enumerate(self._inflight[self._inflight_done :], lo))
                self._inflight_done = len(self._inflight)
            pending.extend(enumerate(self._queue, self._taken))
            self._queue.clear()
            # Items already in a held segment (written ahead, or restored) stay there; the rest is
            # written now. Held segments are released, not deleted: the next process restores them.
            to_write = [item for seq, item in pending if not self._on_disk(seq)]
            on_disk = len(pending) - len(to_write)
            drop = self._keep(to_write, reason="shutdown")
            self._counts["spooled"] += on_disk
            for seg in self._held:
                seg.release()
            self._held.clear()
            self._wal = None
            if self._spool is not None:
                self._spool.close()
        self._warn_drop(drop)

    def _on_disk(self, seq: int) -> bool:
        if self._wal_mode and seq < self._wal_upto:
            return True
        return any(lo <= seq < hi for lo, hi in self._restored_ranges)

    # ------------------------------------------------------------------------------- overflow

    def _overflow(self, item: Any, reason: str) -> bool:
        if self._spool is not None:
            try:
                written, _ = self._spool.write([item])
            except OSError:
                written, reason = 0, "spool_error"
            if written:
                with self._lock:
                    self._counts["spooled"] += 1
                    self._restore_wanted = True
                return True
            reason = "spool_full" if reason == "queue_full" else reason
        with self._lock:
            self._dropped[reason] += 1
        self._log.warn(reason, "exporter dropped events", reason=reason)
        return False

    def _keep(self, items: list[Any], reason: str) -> tuple[str, int] | None:
        """Under the lock: spool items that could not be delivered, else count them as lost.

        Returns the drop to log, which the caller does after releasing the lock: a logging handler
        that submits to this exporter must not find the lock held by its own thread."""
        if not items:
            return None
        if self._spool is not None:
            try:
                written, refused = self._spool.write(items)
            except OSError:
                # Disk full or gone: the items cannot be kept; count them rather than fail the worker.
                self._dropped["spool_error"] += len(items)
                return "spool_error", len(items)
            self._counts["spooled"] += written
            self._restore_wanted = True
            if refused:
                self._dropped["spool_full"] += refused
                return "spool_full", refused
            return None
        if reason == "shutdown":
            self._dropped["shutdown"] += len(items)
            return "shutdown", len(items)
        self._counts["failed"] += len(items)
        return None

    def _warn_drop(self, drop: tuple[str, int] | None) -> None:
        if drop is not None:
            reason, count = drop
            self._log.warn(reason, "exporter dropped events", count=count, reason=reason)

    # --------------------------------------------------------------------------------- worker

    def _ensure_worker_locked(self) -> None:
        if self._worker is not None or self._abandoned:
            return
        # Write-ahead copies get their own thread, so a send that hangs does not stop items reaching disk.
        if self._wal_mode and self._wal_thread is None:
            self._wal_thread = self._start_thread(self._run_wal, f"litellm-exporter-wal-{self.name}")
            if self._wal_thread is None:
                return
        self._worker = self._start_thread(self._run, f"litellm-exporter-{self.name}")

    @staticmethod
    def _start_thread(target: Callable[[], None], name: str) -> threading.Thread | None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        try:
            thread.start()
        except RuntimeError:
            # No new threads at interpreter shutdown: shutdown() takes over the queue instead.
            return None
        return thread

    def _run(self) -> None:
        while True:
            try:
                if not self._step():
                    break
            except BaseException as exc:
                # A bug here must not kill delivery for the rest of the process.
                self._log.warn("worker_error", "exporter worker error", error=type(exc).__name__)
                time.sleep(0.05)
        self._finish_worker()

    def _step(self) -> bool:
        with self._lock:
            kind, batch = self._next_step()
        if kind == _STOP:
            return False
        if kind == _RESTORE:
            self._restore_one()
        else:
            assert batch is not None
            self._deliver(batch)
        return True

    def _next_step(self) -> tuple[str, list[Any] | None]:
        """Under the lock: wait until there is something to do, and say what."""
        while True:
            if self._abandoned:
                return _STOP, None
            # In write-ahead mode only items already on disk may leave.
            n = self._wal_upto - self._taken if self._wal_mode else len(self._queue)
            now = time.monotonic()
            if n and (
                self._closing
                or n >= self._max_batch_size
                or self._taken < self._flush_target
                or now - self._first_at >= self._flush_interval
            ):
                return _SEND, self._pop_batch(now, n)
            if self._closing and not self._queue:
                return _STOP, None
            if not self._closing and self._restore_due(now, len(self._queue)):
                return _RESTORE, None
            timeout = self._first_at + self._flush_interval - now if n else None
            if self._restore_possible(len(self._queue)):
                # Not due yet (it would have been returned above): wake when it is.
                wait_restore = max(0.001, self._next_restore - now)
                timeout = wait_restore if timeout is None else min(timeout, wait_restore)
            self._work.wait(timeout)

    def _pop_batch(self, now: float, ready: int) -> list[Any]:
        q = self._queue
        k = min(ready, self._max_batch_size)
        batch = [q.popleft() for _ in range(k)]
        self._inflight, self._inflight_lo, self._inflight_done = batch, self._taken, 0
        self._taken += k
        if q:
            # The rest waits for a full batch or one more interval, whichever comes first.
            self._first_at = now
        return batch

    def _restore_possible(self, queued: int) -> bool:
        return self._spool is not None and self._restore_wanted and queued < self._max_queue_size // 2

    def _restore_due(self, now: float, queued: int) -> bool:
        return self._restore_possible(queued) and now >= self._next_restore

    def _finish_worker(self) -> None:
        with self._lock:
            if self._abandoned:
                return
            self._release_settled_locked(include_current=True)
            for seg in self._held:
                seg.release()
            self._held.clear()
            self._wal = None
            if self._spool is not None:
                self._spool.close()

    # ------------------------------------------------------------------------ write-ahead, restore

    def _run_wal(self) -> None:
        while True:
            with self._lock:
                while True:
                    if self._abandoned:
                        return
                    if self._enq > self._wal_upto:
                        break
                    if self._closing:
                        return
                    if self._wal is not None and self._wal.hi <= self._handled:
                        break
                    self._wal_cond.wait()
            try:
                self._write_ahead()
            except BaseException as exc:
                self._log.warn("wal_error", "exporter write-ahead error", error=type(exc).__name__)
                time.sleep(0.05)

    def _write_ahead(self) -> None:
        with self._lock:
            lo, hi = self._wal_upto, self._enq
            items = list(islice(self._queue, lo - self._taken, None))
            skip = [r for r in self._restored_ranges if r[1] > lo]
            done = self._wal
            if done is not None and done.hi <= self._handled:
                # Everything in the current segment is delivered: delete it rather than append to it.
                self._wal = None
                if done in self._held:
                    self._held.remove(done)
            else:
                done = None
        if done is not None:
            done.discard()
        data = bytearray()
        count = 0
        for seq, item in enumerate(items, lo):
            if skip and any(a <= seq < b for a, b in skip):
                continue
            try:
                data += encode_line(item)
            except (TypeError, ValueError):
                continue
            count += 1
        try:
            if count:
                seg = self._wal
                if seg is None:
                    assert self._spool is not None
                    seg = self._spool.new_segment("wal")
                    with self._lock:
                        self._wal = seg
                        self._held.append(seg)
                seg.append(bytes(data), count)
                seg.hi = hi
                if seg.size >= SEGMENT_BYTES:
                    # Rotated but kept open (and locked) until its items are delivered.
                    with self._lock:
                        self._wal = None
        except (OSError, ValueError) as exc:
            # The items stay deliverable from memory; only their crash safety is lost.
            self._log.warn("wal_error", "exporter could not write ahead", error=type(exc).__name__)
        with self._lock:
            self._wal_upto = hi
            self._work.notify()

    def _restore_one(self) -> bool:
        """Re-queue one segment left on disk. True when one was restored."""
        assert self._spool is not None
        claimed = None
        try:
            if self._spool.pending_in_current():
                # Our own open segment is locked even to us: close it so it can be claimed back.
                self._spool.rotate()
            claimed = self._spool.claim()
        except OSError as exc:
            self._log.warn("restore_error", "exporter could not read its spool", error=type(exc).__name__)
        with self._lock:
            now = time.monotonic()
            if claimed is None:
                self._restore_wanted = self._spool.locked_by_others > 0
                self._next_restore = now + _RESTORE_RECHECK
                return False
            seg, items = claimed
            if self._closing or self._abandoned:
                seg.release(sync=False)
                return False
            lo = self._enq
            if not self._queue:
                self._first_at = now
            self._queue.extend(items)
            self._enq += len(items)
            seg.hi = self._enq
            self._held.append(seg)
            self._restored_ranges.append((lo, self._enq))
            self._counts["restored"] += len(items)
            # While the receiver answers, keep restoring; while it fails, one segment per probe.
            self._next_restore = now if self._last_ok else now + _RESTORE_PROBE
            self._work.notify()
            self._wal_cond.notify()
            return True

    def _release_settled_locked(self, include_current: bool = False) -> None:
        """Delete held segments whose items are all settled. The segment the write-ahead thread is
        appending to is its own to retire, unless that thread is done."""
        if self._restored_ranges:
            self._restored_ranges = [r for r in self._restored_ranges if r[1] > self._handled]
        if not self._held:
            return
        keep = []
        for seg in self._held:
            if seg.hi and seg.hi <= self._handled and (include_current or seg is not self._wal):
                if seg is self._wal:
                    self._wal = None
                seg.discard()
                if seg.counted and self._spool is not None:
                    self._spool.forget_bytes(seg.size)
            else:
                keep.append(seg)
        self._held = keep

    # -------------------------------------------------------------------------------- delivery

    def _deliver(self, batch: list[Any]) -> None:
        pieces = self._split_by_bytes(batch) if self._max_batch_bytes else [batch]
        # A stack so that halves of a too-large piece go out in order, before the next piece.
        stack = list(reversed(pieces))
        while stack:
            piece = stack.pop()
            outcome = self._send_with_retry(piece)
            if outcome == _TOO_LARGE and len(piece) > 1:
                mid = len(piece) // 2
                stack.append(piece[mid:])
                stack.append(piece[:mid])
                continue
            self._settle(piece, outcome)
        with self._lock:
            if self._inflight is batch:
                self._inflight = None
                self._inflight_done = 0

    def _split_by_bytes(self, batch: list[Any]) -> list[list[Any]]:
        limit = self._max_batch_bytes or 0
        pieces: list[list[Any]] = []
        cur: list[Any] = []
        size = 2  # the array's brackets
        for item in batch:
            try:
                n = len(json.dumps(item, separators=(",", ":"), default=str)) + 1
            except (TypeError, ValueError):
                n = 1
            if cur and size + n > limit:
                pieces.append(cur)
                cur, size = [], 2
            cur.append(item)
            size += n
        if cur:
            pieces.append(cur)
        return pieces

    def _send_with_retry(self, piece: list[Any]) -> str:
        attempt = 0
        started = time.monotonic()
        while True:
            if self._abandoned or (self._closing and time.monotonic() >= self._stop_deadline):
                return _GIVE_UP
            try:
                self._send(piece)
                return _SENT
            except PayloadTooLargeError:
                return _TOO_LARGE
            except PermanentExportError as exc:
                self._log.warn("permanent", "exporter batch refused", error=str(exc)[:300])
                return _PERMANENT
            except RetryableExportError as exc:
                retry_after = exc.retry_after
                error = str(exc)[:300]
            except BaseException as exc:
                # Unexpected: a bug in send or a library it uses. Retried like a transient failure.
                with self._lock:
                    self._counts["send_errors"] += 1
                retry_after = None
                error = f"{type(exc).__name__}: {str(exc)[:200]}"
            attempt += 1
            if self._closing or attempt > self._max_retries:
                self._log.warn("give_up", "exporter gave up on a batch", error=error, attempts=attempt)
                return _GIVE_UP
            delay = self._backoff(attempt, retry_after)
            if time.monotonic() + delay - started > self._retry_deadline:
                self._log.warn("give_up", "exporter gave up on a batch", error=error, attempts=attempt)
                return _GIVE_UP
            with self._lock:
                self._counts["retried"] += 1
            self._pause(delay, retry_after is not None)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Full-range jitter on an exponential step, or exactly what the receiver asked for."""
        if retry_after is not None:
            return max(0.0, retry_after)
        step = min(self._backoff_max, self._backoff_base * (2 ** (attempt - 1)))
        return step * self._rng.uniform(0.5, 1.0)

    def _pause(self, delay: float, mandated: bool) -> None:
        """Sleep between attempts. Shutdown cuts it short; so does flush, unless the receiver set the
        wait (Retry-After)."""
        end = time.monotonic() + delay
        with self._lock:
            gen = self._flush_gen
            while True:
                if self._closing or self._abandoned or (not mandated and self._flush_gen != gen):
                    return
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return
                self._work.wait(remaining)

    def _settle(self, piece: list[Any], outcome: str) -> None:
        n = len(piece)
        drop: tuple[str, int] | None = None
        with self._lock:
            if self._abandoned:
                return  # _take_over already accounted for these
            if outcome == _SENT:
                self._counts["sent"] += n
                self._counts["batches_sent"] += 1
                if not self._last_ok:
                    self._next_restore = 0.0  # the receiver is back
                self._last_ok = True
            elif outcome == _TOO_LARGE:
                self._dropped["too_large"] += n
                drop = ("too_large", n)
            elif outcome == _PERMANENT:
                self._counts["failed"] += n
            else:
                self._last_ok = False
                self._next_restore = time.monotonic() + _RESTORE_PROBE
                drop = self._keep(piece, reason="shutdown" if self._closing else "failed")
            self._inflight_done += n
            self._handled += n
            self._release_settled_locked()
            if self._wal is not None and self._wal.hi <= self._handled:
                self._wal_cond.notify()
            self._done.notify_all()
            rotate = outcome == _SENT and self._spool is not None and self._spool.pending_in_current()
        self._warn_drop(drop)
        if rotate:
            # The receiver is back: make what we spooled during the outage claimable, and restore it.
            assert self._spool is not None
            self._spool.rotate()
            with self._lock:
                self._restore_wanted = True
                self._next_restore = 0.0


def _watch_forks(exporter: BatchExporter) -> None:
    ref = weakref.ref(exporter)

    def after_in_child() -> None:
        exp = ref()
        if exp is not None:
            exp._reset_after_fork()

    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=after_in_child)
