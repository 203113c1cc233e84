"""Datadog Logs under faults: intake down then up, 5xx then OK, 429 with Retry-After, a refused key, and
a process killed with logs still queued. The caller is never affected and no log is lost.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from litellm.integrations.datadog import DatadogLogger
from tests.integration.receivers.ddagent import LogsIntake
from tests.integration.receivers.killed import kill_after_spooling
from tests.integration.receivers.traffic import call

pytestmark = pytest.mark.integration

FAST_RETRY = {"backoff_base": 0.1, "backoff_max": 0.5, "max_retries": 30, "retry_deadline": 30.0}


@pytest.fixture
def intake() -> Iterator[LogsIntake]:
    server = LogsIntake().up()
    yield server
    server.down()


@pytest.fixture
def make_logger() -> Iterator:
    made: list[DatadogLogger] = []

    def make(intake: LogsIntake, **kw: object) -> DatadogLogger:
        kw.setdefault("exporter_options", FAST_RETRY)
        logger = DatadogLogger(
            environ={"DD_API_KEY": "k-faults", "DD_BASE_URL": intake.url}, flush_interval=0.1, **kw
        )
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.exporter.shutdown(timeout=2)


def delivered(intake: LogsIntake) -> list[str]:
    return [m["litellm_call_id"] for m in intake.messages()]


def test_intake_down_then_up_delivers_everything_and_calls_are_unaffected(
    fake_url: str, intake: LogsIntake, make_logger
) -> None:
    import litellm

    logger = make_logger(intake)
    litellm.callbacks = [logger]
    intake.down()
    ids = [f"down-{i}" for i in range(5)]
    for call_id in ids:
        assert call(fake_url, call_id, "down").choices[0].message.content
    time.sleep(2.0)  # a few failed attempts while it is down
    assert logger.stats()["retried"] >= 1 and logger.stats()["sent"] == 0
    intake.up()
    assert litellm.flush_callbacks(timeout=15)
    assert sorted(set(delivered(intake))) == ids
    stats = logger.stats()
    assert stats["sent"] == 5 and stats["failed"] == 0 and stats["dropped"] == {}


def test_intake_answering_500_is_retried_until_it_accepts(
    fake_url: str, intake: LogsIntake, make_logger
) -> None:
    import litellm

    logger = make_logger(intake)
    litellm.callbacks = [logger]
    intake.fail_next(3, 500)
    call(fake_url, "five-hundred", "500")
    assert litellm.flush_callbacks(timeout=10)
    assert delivered(intake) == ["five-hundred"]
    assert [r["status"] for r in intake.requests] == [500, 500, 500, 202]
    assert logger.stats()["retried"] == 3


def test_429_retry_after_is_honoured_and_the_batch_is_delivered_once(
    fake_url: str, intake: LogsIntake, make_logger
) -> None:
    import litellm

    logger = make_logger(intake)
    litellm.callbacks = [logger]
    intake.fail_next(1, 429, {"Retry-After": "1"})
    call(fake_url, "rate-limited", "429")
    assert litellm.flush_callbacks(timeout=10)
    assert delivered(intake) == ["rate-limited"]
    assert [r["status"] for r in intake.requests] == [429, 202]


def test_a_refused_key_counts_the_logs_as_failed_without_retrying_or_failing_the_call(
    fake_url: str, intake: LogsIntake, make_logger
) -> None:
    import litellm

    logger = make_logger(intake)
    litellm.callbacks = [logger]
    intake.fail_next(1, 403)
    assert call(fake_url, "forbidden", "403").choices
    assert litellm.flush_callbacks(timeout=10)
    assert [r["status"] for r in intake.requests] == [403]
    assert logger.stats()["failed"] == 1 and logger.stats()["retried"] == 0


CHILD = """
import sys, time
from pathlib import Path
import litellm
from litellm.integrations.datadog import DatadogLogger

fake_url, intake_url, spool = sys.argv[1], sys.argv[2], Path(sys.argv[3])
logger = DatadogLogger(environ={"DD_API_KEY": "k", "DD_BASE_URL": intake_url}, flush_interval=0.05,
                       spool_dir=spool, spool_mode="write_ahead",
                       exporter_options={"backoff_base": 5.0, "max_retries": 100, "retry_deadline": 600})
litellm.callbacks = [logger]
for i in range(8):
    litellm.completion(model="openai/gpt-4o-mini", api_base=fake_url + "/v1", api_key="x",
                       messages=[{"role": "user", "content": "hi"}], litellm_call_id=f"killed-{i}")
print("ready", flush=True)
time.sleep(60)
"""


def test_process_killed_with_logs_queued_leaves_them_to_the_next_process(
    fake_url: str, intake: LogsIntake, tmp_path: Path, make_logger
) -> None:
    import litellm

    spool = tmp_path / "spool"
    intake.down()  # nothing can be delivered before the kill
    proc = kill_after_spooling(CHILD, [fake_url, intake.url, str(spool)], spool, lines=8)
    assert proc.returncode == -signal.SIGKILL

    intake.up()
    logger = make_logger(intake, spool_dir=spool, spool_mode="write_ahead")
    litellm.callbacks = [logger]
    assert logger.stats()["restored"] == 8
    assert logger.flush(timeout=10)
    assert sorted(set(delivered(intake))) == [f"killed-{i}" for i in range(8)]
