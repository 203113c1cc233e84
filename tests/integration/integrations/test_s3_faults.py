"""S3 under faults, with the real moto S3 API behind a fault proxy (moto keeps its state while the
endpoint is unreachable): endpoint down then up, S3 answering 500 then OK, and a process killed with
events queued whose spool the next process delivers. The caller is never affected and nothing is lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from litellm.integrations.s3 import S3Logger
from tests.integration.receivers import ROOT
from tests.integration.receivers.killed import kill_after_spooling
from tests.integration.receivers.moto import CREDENTIALS, FaultProxy, MotoServer, shared_moto
from tests.integration.receivers.traffic import call

pytestmark = pytest.mark.integration

BUCKET = "gw-faults"
FAST_RETRY = {"backoff_base": 0.1, "backoff_max": 0.5, "max_retries": 30, "retry_deadline": 30.0}
S3_500 = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code>'
    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
)


@pytest.fixture(scope="module")
def moto() -> MotoServer:
    server = shared_moto()
    s3 = server.client()
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    return server


@pytest.fixture
def proxy(moto: MotoServer) -> Iterator[FaultProxy]:
    gate = FaultProxy(moto.url).up()
    yield gate
    gate.down()


def s3_options(endpoint: str, path: str) -> dict:
    return {
        "s3_bucket_name": BUCKET,
        "s3_path": path,
        "s3_endpoint_url": endpoint,
        "s3_aws_access_key_id": CREDENTIALS["aws_access_key_id"],
        "s3_aws_secret_access_key": CREDENTIALS["aws_secret_access_key"],
        "s3_region_name": CREDENTIALS["region_name"],
        "environ": {},
        "s3_callback_params": {},
    }


@pytest.fixture
def make_logger() -> Iterator:
    made: list[S3Logger] = []

    def make(endpoint: str, path: str, **kw: object) -> S3Logger:
        opts = {**s3_options(endpoint, path), "s3_flush_interval": 0.1, "exporter_options": FAST_RETRY, **kw}
        logger = S3Logger(**opts)
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.exporter.shutdown(timeout=2)


def stored_ids(moto: MotoServer, path: str) -> list[str]:
    return sorted(json.loads(body)["id"] for body in moto.objects(BUCKET, prefix=path + "/").values())


def test_endpoint_down_then_up_delivers_everything_and_calls_are_unaffected(
    fake_url: str, moto: MotoServer, proxy: FaultProxy, make_logger
) -> None:
    import litellm

    path = f"down-{uuid.uuid4().hex[:8]}"
    logger = make_logger(proxy.url, path)
    litellm.callbacks = [logger]
    proxy.down()
    ids = [f"s3-down-{i}" for i in range(4)]
    for call_id in ids:
        assert call(fake_url, call_id, "down").choices
    time.sleep(2.0)
    assert logger.stats()["retried"] >= 1 and logger.stats()["sent"] == 0
    proxy.up()
    assert litellm.flush_callbacks(timeout=15)
    assert stored_ids(moto, path) == ids
    stats = logger.stats()
    assert stats["sent"] == 4 and stats["failed"] == 0 and stats["dropped"] == {}


def test_s3_answering_500_is_retried_until_it_stores_the_object(
    fake_url: str, moto: MotoServer, proxy: FaultProxy, make_logger
) -> None:
    import litellm

    path = f"err-{uuid.uuid4().hex[:8]}"
    logger = make_logger(proxy.url, path)
    litellm.callbacks = [logger]
    proxy.fail_next(2, 500, S3_500)
    call(fake_url, "s3-500", "500")
    assert litellm.flush_callbacks(timeout=10)
    assert stored_ids(moto, path) == ["s3-500"]
    assert proxy.failed == 2 and logger.stats()["retried"] == 2


CHILD = """
import sys, time
from pathlib import Path
import litellm
from litellm.integrations.s3 import S3Logger

fake_url, endpoint, path, spool = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
logger = S3Logger(s3_bucket_name="gw-faults", s3_path=path, s3_endpoint_url=endpoint,
                  s3_aws_access_key_id="testing", s3_aws_secret_access_key="testing", s3_region_name="us-east-1",
                  s3_flush_interval=0.05, environ={}, s3_callback_params={},
                  spool_dir=spool, spool_mode="write_ahead",
                  exporter_options={"backoff_base": 5.0, "max_retries": 100, "retry_deadline": 600})
litellm.callbacks = [logger]
for i in range(6):
    litellm.completion(model="openai/gpt-4o-mini", api_base=fake_url + "/v1", api_key="x",
                       messages=[{"role": "user", "content": "hi"}], litellm_call_id=f"s3-killed-{i}")
print("ready", flush=True)
time.sleep(60)
"""


def test_process_killed_with_events_queued_leaves_them_to_the_next_process(
    fake_url: str, moto: MotoServer, proxy: FaultProxy, tmp_path: Path, make_logger
) -> None:
    import litellm

    path = f"killed-{uuid.uuid4().hex[:8]}"
    spool = tmp_path / "spool"
    proxy.down()  # the child can store nothing before it dies
    proc = kill_after_spooling(CHILD, [fake_url, proxy.url, path, str(spool)], spool, lines=6)
    assert proc.returncode == -signal.SIGKILL
    assert stored_ids(moto, path) == []

    logger = make_logger(moto.url, path, spool_dir=spool, spool_mode="write_ahead")
    litellm.callbacks = [logger]
    assert logger.stats()["restored"] == 6
    assert logger.flush(timeout=10)
    assert stored_ids(moto, path) == [f"s3-killed-{i}" for i in range(6)]


EXITING_CHILD = """
import sys
import litellm
from litellm.integrations.s3 import S3Logger

fake_url, endpoint, path = sys.argv[1], sys.argv[2], sys.argv[3]
litellm.callbacks = [S3Logger(s3_bucket_name="gw-faults", s3_path=path, s3_endpoint_url=endpoint,
                              s3_aws_access_key_id="testing", s3_aws_secret_access_key="testing",
                              s3_region_name="us-east-1", s3_flush_interval=600, environ={}, s3_callback_params={})]
for i in range(5):
    litellm.completion(model="openai/gpt-4o-mini", api_base=fake_url + "/v1", api_key="x",
                       messages=[{"role": "user", "content": "hi"}], litellm_call_id=f"s3-exit-{i}")
# no flush: the interpreter's exit must deliver what is still queued
"""


def test_normal_exit_delivers_events_still_queued(fake_url: str, moto: MotoServer) -> None:
    path = f"exit-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(EXITING_CHILD), fake_url, moto.url, path],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert stored_ids(moto, path) == [f"s3-exit-{i}" for i in range(5)]
