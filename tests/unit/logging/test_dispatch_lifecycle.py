"""Events survive the end of the caller's event loop and of the process; a forked child starts clean."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from logging_fakes import ctx_for

from litellm.integrations.custom_logger import CustomLogger

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


class SlowAsync(CustomLogger):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        await asyncio.sleep(0.02)
        self.ids.append(kwargs["litellm_call_id"])


def test_asyncio_run_ending_with_events_queued_delivers_them_once(dispatcher):
    logger = SlowAsync()

    async def burst(n):
        for _ in range(n):
            dispatcher.emit_success(ctx_for(logger, is_async=True))
        # return at once: the user's loop closes with every event still queued

    asyncio.run(burst(20))
    assert len(logger.ids) < 20  # the loop really ended before delivery finished
    assert dispatcher.flush(10)
    assert len(logger.ids) == 20

    asyncio.run(burst(5))  # a later asyncio.run starts a new loop: nothing is delivered twice
    assert dispatcher.flush(10)
    assert len(logger.ids) == 25
    assert len(set(logger.ids)) == 25


def run_script(body: str, timeout: float = 60) -> subprocess.CompletedProcess:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = [{str(ROOT)!r}, {str(HERE)!r}]
        """
    ) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout, cwd=str(ROOT)
    )


def test_events_queued_at_interpreter_exit_are_delivered(tmp_path):
    out = tmp_path / "delivered.txt"
    result = run_script(
        f"""
        import time
        from litellm.dispatch.dispatcher import get_dispatcher
        from logging_fakes import ctx_for

        def slow_writer(kwargs, response, start, end):
            time.sleep(0.005)
            with open({str(out)!r}, "a") as f:
                f.write(kwargs["litellm_call_id"] + "\\n")

        async def async_writer(kwargs, response, start, end):
            with open({str(out)!r}, "a") as f:
                f.write("async-" + kwargs["litellm_call_id"] + "\\n")

        d = get_dispatcher()
        for i in range(100):
            d.emit_success(ctx_for(slow_writer, async_writer, index=i))
        print("queued", d.stats()["in_flight"] + d.stats()["queued"])
        # no flush: the interpreter exits now
        """
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 0  # there really was work left at exit
    lines = out.read_text().splitlines()
    assert len([x for x in lines if not x.startswith("async-")]) == 100
    assert len([x for x in lines if x.startswith("async-")]) == 100
    assert len(set(lines)) == 200


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_delivers_its_own_events_and_not_the_parents():
    result = run_script(
        """
        import os, threading
        from litellm.dispatch.dispatcher import get_dispatcher
        from logging_fakes import Sink, ctx_for

        release = threading.Event()

        class Gate(Sink):
            def log_success_event(self, kwargs, response_obj, start_time, end_time):
                if kwargs["index"] < 100:
                    release.wait(10)
                super().log_success_event(kwargs, response_obj, start_time, end_time)

        d = get_dispatcher()
        sink = Gate()
        for i in range(5):  # the parent's events are still in flight at fork time
            d.emit_success(ctx_for(sink, index=i))
        pid = os.fork()
        if pid == 0:
            sink.indexes.clear()
            for i in range(100, 110):
                d.emit_success(ctx_for(sink, index=i))
            ok = d.flush(10)
            code = 0 if ok and sink.indexes == list(range(100, 110)) else 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        release.set()
        assert d.flush(10)
        print("child", os.waitstatus_to_exitcode(status), "parent", sink.indexes)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "child 0 parent [0, 1, 2, 3, 4]" in result.stdout


def test_the_dispatcher_starts_its_threads_on_the_first_event_not_before():
    result = run_script(
        """
        import threading
        from litellm.dispatch.dispatcher import get_dispatcher
        from logging_fakes import Sink, ctx_for

        d = get_dispatcher()
        assert d is get_dispatcher()
        assert threading.active_count() == 1, threading.enumerate()
        sink = Sink()
        d.emit_success(ctx_for(sink))
        assert threading.active_count() > 1
        assert d.flush(5) and sink.indexes == [0]
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_flush_called_from_inside_a_hook_does_not_deadlock(dispatcher):
    results = []

    class Flusher(CustomLogger):
        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            results.append(dispatcher.flush(5))

    dispatcher.emit_success(ctx_for(Flusher()))
    assert dispatcher.flush(5)
    assert results == [False]  # its own event is still in progress: reported, not waited for
