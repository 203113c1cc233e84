"""S3 and GCS loggers: settings resolution, object key layout, upload bodies and error mapping (pure)."""

from __future__ import annotations

import email.parser
import json

import pytest

from litellm.exporters import PayloadTooLargeError, PermanentExportError, RetryableExportError
from litellm.integrations.gcs_bucket import (
    GCSSettings,
    batch_object_name,
    gcs_record,
    multipart_body,
    object_name,
)
from litellm.integrations.s3 import S3Settings, _map_boto_error, batch_object_key, object_key, s3_record

# 2026-11-25 06:07:08.123456 UTC
START = 1795586828.123456


def payload(call_id: str = "call-1", **over: object) -> dict:
    return {
        "id": call_id,
        "litellm_call_id": call_id,
        "startTime": START,
        "status": "success",
        "metadata": {},
        **over,
    }


# -- S3 ---------------------------------------------------------------------------------------------


def s3(**kw: object) -> S3Settings:
    return S3Settings.from_env({}, {}, s3_bucket_name="logs", **kw)


def test_s3_key_is_date_partitioned_with_time_and_payload_id() -> None:
    assert object_key(payload(), s3()) == "2026-11-25/time-06-07-08-123456_call-1.json"


def test_s3_path_prefix_and_hour_partitions() -> None:
    key = object_key(payload(), s3(s3_path="/gw/logs/", s3_partition_granularity="hour"))
    assert key == "gw/logs/2026-11-25/06/time-06-07-08-123456_call-1.json"


def test_s3_key_fields_are_zero_padded_in_utc() -> None:
    early = 1767229261.000007  # 2026-01-01 01:01:01.000007 UTC
    key = object_key(payload(startTime=early), s3(s3_partition_granularity="hour"))
    assert key == "2026-01-01/01/time-01-01-01-000007_call-1.json"


def test_s3_team_and_key_prefixes_come_from_metadata() -> None:
    p = payload(metadata={"user_api_key_team_alias": "team a", "user_api_key_alias": "k/1"})
    key = object_key(p, s3(s3_use_team_prefix=True, s3_use_key_prefix=True))
    assert key.startswith("team a/k_1/2026-11-25/")


def test_s3_key_of_an_absurd_id_stays_within_the_s3_limit() -> None:
    key = object_key(payload("x" * 3000), s3())
    assert len(key.encode()) <= 1024 and key.startswith("2026-11-25/")


def test_s3_batch_key_is_the_same_for_the_same_records_in_any_order() -> None:
    settings = s3(s3_batch_file_upload=True)
    records = [s3_record(payload(f"c{i}", startTime=START + i), settings) for i in range(3)]
    a = batch_object_key("2026-11-25/", records)
    assert a == batch_object_key("2026-11-25/", list(reversed(records)))
    assert a.startswith("2026-11-25/batch_06-07-08_") and a.endswith(".jsonl")
    assert a != batch_object_key("2026-11-25/", records[:2])


def test_s3_prompts_only_drops_the_response() -> None:
    record = s3_record(payload(response={"x": 1}), s3(s3_log_prompts_only=True))
    assert record["body"]["response"] is None and record["key"].endswith("call-1.json")


def test_s3_settings_priority_is_keywords_then_callback_params_then_environment() -> None:
    env = {"AWS_S3_BUCKET_NAME": "env-bucket", "AWS_REGION_NAME": "eu-west-1", "MY_KEY": "AKIA-from-env"}
    params = {"s3_bucket_name": "param-bucket", "s3_aws_access_key_id": "os.environ/MY_KEY"}
    s = S3Settings.from_env(params, env)
    assert (s.bucket_name, s.region_name, s.aws_access_key_id) == (
        "param-bucket",
        "eu-west-1",
        "AKIA-from-env",
    )
    assert S3Settings.from_env(params, env, s3_bucket_name="kw-bucket").bucket_name == "kw-bucket"
    assert S3Settings.from_env({}, env).bucket_name == "env-bucket"


def test_s3_without_a_bucket_is_refused() -> None:
    with pytest.raises(ValueError, match="s3_bucket_name"):
        S3Settings.from_env({}, {})


def test_s3_credentials_never_appear_in_the_settings_repr() -> None:
    s = s3(s3_aws_access_key_id="AKIA-SECRET-ID", s3_aws_secret_access_key="very-secret")
    assert "very-secret" not in repr(s) and "AKIA-SECRET-ID" not in repr(s)


def test_s3_litellm_options_we_do_not_implement_are_accepted_but_typos_are_not() -> None:
    assert s3(s3_api_version="2006-03-01").bucket_name == "logs"
    with pytest.raises(TypeError):
        S3Settings.from_env({}, {}, s3_bucket_name="logs", bucket="oops")


def client_error(code: str, status: int) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError(
        {
            "Error": {"Code": code, "Message": "AWSAccessKeyId AKIA-LEAK"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "PutObject",
    )


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("SlowDown", 503, RetryableExportError),
        ("InternalError", 500, RetryableExportError),
        ("RequestTimeout", 400, RetryableExportError),
        ("NoSuchBucket", 404, PermanentExportError),
        ("AccessDenied", 403, PermanentExportError),
        ("EntityTooLarge", 400, PayloadTooLargeError),
    ],
)
def test_s3_client_errors_map_to_retry_refuse_or_split(code: str, status: int, kind: type) -> None:
    mapped = _map_boto_error(client_error(code, status), "logs")
    assert type(mapped) is kind
    assert code in str(mapped) and "AKIA-LEAK" not in str(mapped)


def test_s3_connection_failures_are_retried_and_missing_credentials_are_not() -> None:
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError

    assert isinstance(
        _map_boto_error(EndpointConnectionError(endpoint_url="http://x"), "b"), RetryableExportError
    )
    assert isinstance(_map_boto_error(NoCredentialsError(), "b"), PermanentExportError)


# -- GCS --------------------------------------------------------------------------------------------


def gcs(**kw: object) -> GCSSettings:
    return GCSSettings.from_env({}, **{"bucket_name": "bkt", **kw})


def test_gcs_success_and_failure_objects_are_named_by_day_and_payload_id() -> None:
    assert object_name(payload(), gcs()) == "2026-11-25/call-1"
    assert object_name(payload(status="failure"), gcs()) == "2026-11-25/failure-call-1"


def test_gcs_bucket_with_folders_prefixes_every_object() -> None:
    s = gcs(bucket_name="bkt/team/dev/")
    assert (s.bucket_name, s.object_prefix) == ("bkt", "team/dev/")
    assert object_name(payload(), s) == "team/dev/2026-11-25/call-1"


def test_gcs_batch_name_is_stable_and_marks_ndjson() -> None:
    s = gcs()
    records = [gcs_record(payload(f"c{i}"), s) for i in range(3)]
    name = batch_object_name(records, s)
    assert name == batch_object_name(list(reversed(records)), s)
    assert name.startswith(f"2026-11-25/batch-{int(START * 1000)}-") and name.endswith(".ndjson")


def test_gcs_object_names_keep_safe_ids_and_replace_unsafe_characters() -> None:
    assert object_name(payload("3f2b8a1e-8c55_4b53.x"), gcs()) == "2026-11-25/3f2b8a1e-8c55_4b53.x"
    assert object_name(payload("a/b c:\u00e9"), gcs()) == "2026-11-25/a_b_c_\u00e9"


def test_gcs_day_is_the_utc_day_of_the_start_on_both_sides_of_midnight() -> None:
    midnight = 1795651200.0  # 2026-11-26 00:00:00 UTC
    assert object_name(payload(startTime=midnight - 0.001), gcs()) == "2026-11-25/call-1"
    assert object_name(payload(startTime=midnight), gcs()) == "2026-11-26/call-1"


def test_gcs_per_call_objects_are_named_even_for_records_queued_in_batched_mode() -> None:
    from litellm.integrations.gcs_bucket import GCSBucketLogger

    queued = gcs_record(payload("c1"), gcs())  # batched mode: no per-call name queued
    assert "name" not in queued
    logger = GCSBucketLogger(environ={"STORAGE_EMULATOR_HOST": "127.0.0.1:9", "GCS_BUCKET_NAME": "b"})
    logger.settings = gcs(use_batched_logging=False)
    ((name, body, content_type),) = logger._objects([queued])
    assert (name, json.loads(body)["id"], content_type) == ("2026-11-25/c1", "c1", "application/json")


def test_gcs_environment_names_and_emulator_host() -> None:
    env = {
        "GCS_BUCKET_NAME": "b",
        "GCS_PATH_SERVICE_ACCOUNT": "/k.json",
        "GCS_USE_BATCHED_LOGGING": "false",
        "GCS_BATCH_SIZE": "7",
        "GCS_FLUSH_INTERVAL": "3",
        "STORAGE_EMULATOR_HOST": "127.0.0.1:9023",
    }
    s = GCSSettings.from_env(env)
    assert (s.bucket_name, s.path_service_account, s.use_batched_logging, s.batch_size, s.flush_interval) == (
        "b",
        "/k.json",
        False,
        7,
        3.0,
    )
    assert (s.api_base, s.emulator) == ("http://127.0.0.1:9023", True)
    real = GCSSettings.from_env({"GCS_BUCKET_NAME": "b"})
    assert (real.api_base, real.emulator, real.use_batched_logging) == (
        "https://storage.googleapis.com",
        False,
        True,
    )


def test_gcs_without_a_bucket_is_refused_with_litellms_message() -> None:
    with pytest.raises(ValueError, match="GCS_BUCKET_NAME"):
        GCSSettings.from_env({})


def test_gcs_multipart_body_carries_metadata_then_the_object() -> None:
    body, ctype = multipart_body("2026-11-25/x", b'{"a":1}', "application/json")
    message = email.parser.BytesParser().parsebytes(b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    parts = message.get_payload()
    assert json.loads(parts[0].get_payload()) == {"name": "2026-11-25/x", "contentType": "application/json"}
    assert parts[1].get_content_type() == "application/json"
    assert parts[1].get_payload() == '{"a":1}'


def test_s3_logger_without_boto3_names_the_pip_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from litellm.integrations import s3 as s3_module

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "boto3" else real(name, *a)
    )
    with pytest.raises(ImportError, match=r"pip install 'litellm-observe\[s3\]'"):
        s3_module.S3Logger(s3_bucket_name="b", environ={}, s3_callback_params={})


def test_gcs_logger_without_google_auth_names_the_pip_extra_unless_on_the_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    from litellm.integrations.gcs_bucket import GCSBucketLogger

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name.startswith("google") else real(name, *a)
    )
    with pytest.raises(ImportError, match=r"pip install 'litellm-observe\[gcs\]'"):
        GCSBucketLogger(bucket_name="b", environ={})
    logger = GCSBucketLogger(bucket_name="b", environ={"STORAGE_EMULATOR_HOST": "127.0.0.1:1"})
    logger.exporter.shutdown(timeout=1)
