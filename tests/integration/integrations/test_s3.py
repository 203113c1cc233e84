"""S3: real calls through litellm.completion, stored by the S3 logger in moto's real S3 API, read back with
boto3: one JSON object per call under LiteLLM's date-partitioned key, or NDJSON batch objects.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest

from litellm.integrations.s3 import S3Logger
from tests.integration.receivers.moto import CREDENTIALS, MotoServer, shared_moto
from tests.integration.receivers.traffic import call, three_calls

pytestmark = pytest.mark.integration

BUCKET = "gw-logs"
KEY_RE = re.compile(r"^(?P<path>[\w-]+)/\d{4}-\d{2}-\d{2}/time-\d{2}-\d{2}-\d{2}-\d{6}_(?P<id>[\w-]+)\.json$")


@pytest.fixture(scope="module")
def moto() -> MotoServer:
    server = shared_moto()
    s3 = server.client()
    if BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    return server


@pytest.fixture
def make_logger(moto: MotoServer) -> Iterator:
    made: list[S3Logger] = []

    def make(**kw: object) -> S3Logger:
        opts: dict = {
            "s3_bucket_name": BUCKET,
            "s3_endpoint_url": moto.url,
            "s3_aws_access_key_id": CREDENTIALS["aws_access_key_id"],
            "s3_aws_secret_access_key": CREDENTIALS["aws_secret_access_key"],
            "s3_region_name": CREDENTIALS["region_name"],
            "s3_flush_interval": 0.2,
            "environ": {},
            "s3_callback_params": {},
        }
        opts.update(kw)
        logger = S3Logger(**opts)
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.exporter.shutdown(timeout=2)


def test_each_call_is_one_json_object_under_a_date_partitioned_key(
    fake_url: str, moto: MotoServer, make_logger
) -> None:
    import litellm

    path = f"run-{uuid.uuid4().hex[:8]}"
    litellm.callbacks = [make_logger(s3_path=path)]
    calls = three_calls(fake_url)
    assert litellm.flush_callbacks(timeout=10)

    objects = moto.objects(BUCKET, prefix=path + "/")
    by_id = {}
    for key, body in objects.items():
        match = KEY_RE.match(key)
        assert match and match["path"] == path, key
        record = json.loads(body)
        assert record["id"] == match["id"]
        by_id[record["id"]] = record
    assert set(by_id) == set(calls.ids)

    ok = by_id[calls.success]
    assert ok["status"] == "success" and ok["response_cost"] > 0
    assert ok["prompt_tokens"] > 0 and ok["completion_tokens"] > 0
    assert ok["request_tags"] == [calls.tag]
    assert ok["response"]["choices"][0]["message"]["content"]
    err = by_id[calls.failure]
    assert err["status"] == "failure" and err["error_information"]["error_code"] == "500"
    assert by_id[calls.stream]["stream"] is True

    head = moto.client().head_object(Bucket=BUCKET, Key=next(iter(objects)))
    assert head["ContentType"] == "application/json"
    assert "sk-test-never-logged" not in str(objects)


def test_batch_file_upload_writes_ndjson_objects_with_every_call(
    fake_url: str, moto: MotoServer, make_logger
) -> None:
    import litellm

    path = f"batched-{uuid.uuid4().hex[:8]}"
    litellm.callbacks = [make_logger(s3_path=path, s3_batch_file_upload=True, s3_flush_interval=30)]
    calls = three_calls(fake_url)
    assert litellm.flush_callbacks(timeout=10)

    objects = moto.objects(BUCKET, prefix=path + "/")
    assert len(objects) == 1
    [(key, body)] = objects.items()
    assert re.match(
        rf"^{path}/\d{{4}}-\d{{2}}-\d{{2}}/batch_\d{{2}}-\d{{2}}-\d{{2}}_[0-9a-f]{{16}}\.jsonl$", key
    )
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert sorted(r["id"] for r in lines) == sorted(calls.ids)
    assert moto.client().head_object(Bucket=BUCKET, Key=key)["ContentType"] == "application/x-ndjson"


def test_s3_v2_by_name_reads_s3_callback_params_with_os_environ_values(
    fake_url: str, moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import litellm
    from litellm.integrations import registry

    path = f"named-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("GW_TEST_S3_KEY", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("GW_TEST_S3_SECRET", CREDENTIALS["aws_secret_access_key"])
    params = {
        "s3_bucket_name": BUCKET,
        "s3_path": path,
        "s3_region_name": "us-east-1",
        "s3_endpoint_url": moto.url,
        "s3_aws_access_key_id": "os.environ/GW_TEST_S3_KEY",
        "s3_aws_secret_access_key": "os.environ/GW_TEST_S3_SECRET",
        "s3_flush_interval": 0.2,
    }
    monkeypatch.setattr(litellm, "s3_callback_params", params, raising=False)
    registry.clear_instances()
    try:
        litellm.callbacks = ["s3_v2"]
        call(fake_url, "named-call", "named")
        assert litellm.flush_callbacks(timeout=10)
        [key] = moto.objects(BUCKET, prefix=path + "/")
        assert key.endswith("_named-call.json")
    finally:
        registry.get_integration("s3_v2").exporter.shutdown(timeout=2)
        registry.clear_instances()


def test_a_redelivered_event_overwrites_its_own_object(moto: MotoServer, make_logger) -> None:
    path = f"redeliver-{uuid.uuid4().hex[:8]}"
    logger = make_logger(s3_path=path)
    payload = {
        "id": "same-call",
        "litellm_call_id": "same-call",
        "startTime": 1_795_586_828.5,
        "status": "success",
    }
    logger.on_event(payload, {})
    assert logger.flush(timeout=10)
    logger.on_event(payload, {})  # at-least-once: the same event again
    assert logger.flush(timeout=10)
    assert len(moto.objects(BUCKET, prefix=path + "/")) == 1
    assert logger.stats()["sent"] == 2


def test_a_missing_bucket_fails_the_upload_permanently_without_failing_the_call(
    fake_url: str, make_logger
) -> None:
    import litellm

    logger = make_logger(s3_bucket_name=f"no-such-{uuid.uuid4().hex[:8]}")
    litellm.callbacks = [logger]
    assert call(fake_url, "no-bucket", "nb").choices
    assert litellm.flush_callbacks(timeout=10)
    stats = logger.stats()
    assert stats["failed"] == 1 and stats["retried"] == 0 and stats["sent"] == 0
