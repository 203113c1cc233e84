"""GCS: real calls through litellm.completion, stored by the GCS logger in gcp-storage-emulator (found
through ``STORAGE_EMULATOR_HOST``, as the official client does), read back with google-cloud-storage.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator

import pytest

from litellm.integrations.gcs_bucket import GCSBucketLogger
from tests.integration.receivers.gcs import GCSEmulator, shared_gcs
from tests.integration.receivers.traffic import call, three_calls

pytestmark = pytest.mark.integration

BUCKET = "gw-gcs-logs"


@pytest.fixture(scope="module")
def gcs() -> GCSEmulator:
    server = shared_gcs()
    client = server.client()
    if client.lookup_bucket(BUCKET) is None:
        client.create_bucket(BUCKET)
    return server


@pytest.fixture
def make_logger(gcs: GCSEmulator) -> Iterator:
    made: list[GCSBucketLogger] = []

    def make(**kw: object) -> GCSBucketLogger:
        kw.setdefault("environ", {"STORAGE_EMULATOR_HOST": gcs.url})
        kw.setdefault("flush_interval", 30)
        logger = GCSBucketLogger(**kw)
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.exporter.shutdown(timeout=2)


def test_batched_logging_writes_ndjson_objects_under_the_bucket_folder(
    fake_url: str, gcs: GCSEmulator, make_logger
) -> None:
    import litellm

    folder = f"run-{uuid.uuid4().hex[:8]}"
    litellm.callbacks = [make_logger(bucket_name=f"{BUCKET}/{folder}")]
    calls = three_calls(fake_url)
    assert litellm.flush_callbacks(timeout=10)

    objects = gcs.objects(BUCKET, prefix=folder + "/")
    assert len(objects) == 1
    [(name, (content_type, body))] = objects.items()
    assert re.match(rf"^{folder}/\d{{4}}-\d{{2}}-\d{{2}}/batch-\d{{13}}-[0-9a-f]{{8}}\.ndjson$", name)
    assert content_type == "application/x-ndjson"
    records = {r["id"]: r for r in map(json.loads, body.decode().splitlines())}
    assert set(records) == set(calls.ids)
    ok = records[calls.success]
    assert ok["status"] == "success" and ok["response_cost"] > 0 and ok["total_tokens"] > 0
    assert ok["request_tags"] == [calls.tag]
    assert records[calls.failure]["error_information"]["error_code"] == "500"
    assert records[calls.stream]["stream"] is True
    assert "sk-test-never-logged" not in body.decode()


def test_per_call_objects_by_name_from_the_documented_environment(
    fake_url: str, gcs: GCSEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import litellm
    from litellm.integrations import registry

    folder = f"single-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("GCS_BUCKET_NAME", f"{BUCKET}/{folder}")
    monkeypatch.setenv("GCS_USE_BATCHED_LOGGING", "false")
    monkeypatch.setenv("GCS_FLUSH_INTERVAL", "1")
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.url)
    registry.clear_instances()
    try:
        litellm.callbacks = ["gcs_bucket"]
        calls = three_calls(fake_url)
        assert litellm.flush_callbacks(timeout=10)
    finally:
        registry.get_integration("gcs_bucket").exporter.shutdown(timeout=2)
        registry.clear_instances()

    objects = gcs.objects(BUCKET, prefix=folder + "/")
    leaves = {name.rsplit("/", 1)[1]: (ctype, json.loads(body)) for name, (ctype, body) in objects.items()}
    assert set(leaves) == {calls.success, f"failure-{calls.failure}", calls.stream}
    assert all(ctype == "application/json" for ctype, _ in leaves.values())
    assert leaves[f"failure-{calls.failure}"][1]["status"] == "failure"
    assert all(re.match(rf"^{folder}/\d{{4}}-\d{{2}}-\d{{2}}/", name) for name in objects)


def test_a_missing_bucket_fails_the_upload_permanently_without_failing_the_call(
    fake_url: str, make_logger
) -> None:
    import litellm

    logger = make_logger(bucket_name=f"no-such-{uuid.uuid4().hex[:8]}", flush_interval=0.2)
    litellm.callbacks = [logger]
    assert call(fake_url, "gcs-no-bucket", "nb").choices
    assert litellm.flush_callbacks(timeout=10)
    stats = logger.stats()
    assert stats["failed"] == 1 and stats["sent"] == 0 and stats["retried"] == 0


def test_a_service_account_key_file_is_exchanged_for_a_bearer_token(fake_url: str, tmp_path) -> None:
    """GCS_PATH_SERVICE_ACCOUNT: google-auth signs a JWT with the key, trades it at the key's token_uri
    (a capture server here: no real Google endpoint is reachable), and the upload carries the token."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    import litellm
    from tests.integration.receivers import CaptureServer

    token = b'{"access_token": "ya29.test-token", "expires_in": 3600, "token_type": "Bearer"}'
    server = CaptureServer(
        {
            ("POST", "/token"): (200, "application/json", token),
            ("POST", "/upload/storage/v1/b/sa-bucket/o"): (200, "application/json", b'{"name": "x"}'),
        }
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key_file = tmp_path / "sa.json"
    key_file.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "demo",
                "private_key_id": "k1",
                "private_key": pem,
                "client_email": "logger@demo.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": server.url + "/token",
            }
        )
    )
    logger = GCSBucketLogger(
        environ={"GCS_BUCKET_NAME": "sa-bucket", "GCS_PATH_SERVICE_ACCOUNT": str(key_file)},
        api_base=server.url,
        flush_interval=0.2,
    )
    try:
        litellm.callbacks = [logger]
        call(fake_url, "sa-call", "sa")
        assert litellm.flush_callbacks(timeout=10)
        paths = [r["path"].split("?")[0] for r in server.received]
        assert paths == ["/token", "/upload/storage/v1/b/sa-bucket/o"]
        assert b"grant_type=urn" in server.received[0]["body"]  # a signed JWT assertion
        upload = server.received[1]
        assert upload["headers"]["Authorization"] == "Bearer ya29.test-token"
        assert "uploadType=multipart" in upload["path"] and b"sa-call" in upload["body"]
        assert logger.stats()["sent"] == 1
    finally:
        logger.exporter.shutdown(timeout=2)
        server.close()
