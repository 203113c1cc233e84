"""Our SigV4 signer against botocore's, byte for byte, and the aws_* argument/env resolution."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from litellm.providers.auth import aws
from litellm.providers.auth.aws import (
    AwsAuthParams,
    BearerAuth,
    SigV4Auth,
    pop_aws_params,
    resolve_region,
    sigv4_headers,
)

NOW = dt.datetime(2026, 12, 3, 11, 22, 33, tzinfo=dt.timezone.utc)
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def _botocore_auth(method, url, headers, body, token=None, region="us-east-1", service="bedrock"):
    from botocore.auth import SigV4Auth as BotoSigV4
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW.replace(tzinfo=None)):
        BotoSigV4(Credentials(KEY, SECRET, token), service, region).add_auth(request)
    return dict(request.headers)


CASES = [
    (
        "POST",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse",
        {"Content-Type": "application/json"},
        b'{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}',
        None,
    ),
    (  # an ARN: the path is percent-encoded once on the wire and twice in the canonical request
        "POST",
        "https://bedrock-runtime.eu-west-1.amazonaws.com/model/"
        "arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-haiku"
        "/converse-stream",
        {"Content-Type": "application/json", "Accept": "application/vnd.amazon.eventstream"},
        b"{}",
        "IQoJb3JpZ2luX2VjEXAMPLETOKEN",
    ),
    (  # a query string, a custom port (fake provider / VPC endpoint), an x-amz header
        "GET",
        "http://127.0.0.1:8123/endpoints/my-endpoint/invocations?b=2&a=1&a=0&empty=",
        {"X-Amz-Target": "Foo.Bar", "Content-Type": "application/json"},
        b"",
        None,
    ),
]


@pytest.mark.parametrize("method,url,headers,body,token", CASES)
def test_signature_matches_botocore(method, url, headers, body, token):
    region = "eu-west-1" if "eu-west-1" in url else "us-east-1"
    ours = sigv4_headers(
        method,
        url,
        headers,
        body,
        access_key=KEY,
        secret_key=SECRET,
        session_token=token,
        region=region,
        service="bedrock",
        now=NOW,
    )
    # botocore signs every header it is given; we sign host, content-type and x-amz-* only (extra
    # headers stay unsigned, as LiteLLM filters them), so botocore gets that subset
    signed = {
        k: v for k, v in headers.items() if k.lower() == "content-type" or k.lower().startswith("x-amz")
    }
    theirs = _botocore_auth(method, url, signed, body, token, region)
    assert ours["Authorization"] == theirs["Authorization"]
    assert ours["X-Amz-Date"] == theirs["X-Amz-Date"] == "20261203T112233Z"
    if token:
        assert ours["X-Amz-Security-Token"] == theirs["X-Amz-Security-Token"] == token
    else:
        assert "X-Amz-Security-Token" not in ours


def test_unsigned_extra_headers_do_not_change_the_signature():
    url = CASES[0][1]
    base = sigv4_headers(
        "POST", url, {"Content-Type": "application/json"}, b"{}", access_key=KEY, secret_key=SECRET,
        session_token=None, region="us-east-1", service="bedrock", now=NOW,
    )  # fmt: skip
    more = sigv4_headers(
        "POST", url, {"Content-Type": "application/json", "User-Agent": "x", "X-Trace": "1"}, b"{}",
        access_key=KEY, secret_key=SECRET, session_token=None, region="us-east-1", service="bedrock", now=NOW,
    )  # fmt: skip
    assert base == more
    assert "SignedHeaders=content-type;host;x-amz-date," in base["Authorization"]


def test_the_body_is_part_of_the_signature():
    kw = dict(
        access_key=KEY, secret_key=SECRET, session_token=None, region="us-east-1", service="bedrock", now=NOW
    )
    a = sigv4_headers("POST", CASES[0][1], {}, b'{"a":1}', **kw)
    b = sigv4_headers("POST", CASES[0][1], {}, b'{"a":2}', **kw)
    assert a["Authorization"] != b["Authorization"]


def test_aws_args_are_popped_and_filled_from_env(monkeypatch):
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION_NAME",
        "AWS_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "envtoken")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    params = {"temperature": 0.1, "aws_region_name": "ap-south-1"}
    got = pop_aws_params(params)
    assert params == {"temperature": 0.1}
    assert (got.aws_access_key_id, got.aws_secret_access_key, got.aws_session_token) == (
        "AKIAENV",
        "envsecret",
        "envtoken",
    )
    assert got.aws_region_name == "ap-south-1"
    # explicit keys never pick up the env's session token (it belongs to other keys)
    got = pop_aws_params({"aws_access_key_id": "AKIAARG", "aws_secret_access_key": "argsecret"})
    assert got.aws_session_token is None
    assert "argsecret" not in repr(got) and "envtoken" not in repr(got)


def test_region_order(monkeypatch):
    for name in ("AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert resolve_region(AwsAuthParams(aws_region_name="us-east-2")) == "us-east-2"
    arn = "arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.amazon.nova-pro-v1:0"
    assert resolve_region(AwsAuthParams(), arn) == "ap-northeast-1"
    assert resolve_region(AwsAuthParams(), "anthropic.claude-v2") == "us-west-2"
    monkeypatch.setenv("AWS_REGION_NAME", "eu-west-3")
    assert resolve_region(pop_aws_params({}), "anthropic.claude-v2") == "eu-west-3"
    with pytest.raises(ValueError, match="not an AWS region"):
        pop_aws_params({"aws_region_name": "us-east-1/../x"})


def test_missing_credentials_name_what_to_set(monkeypatch):
    from litellm.core.exceptions import AuthenticationError

    aws.clear_credentials_cache()
    auth = SigV4Auth(AwsAuthParams(aws_access_key_id="AKIAONLY"), "us-east-1", "bedrock")
    with pytest.raises(AuthenticationError, match="aws_secret_access_key is missing"):
        auth.apply("POST", "https://x.amazonaws.com/", {}, b"")

    class NoChain:
        def get_credentials(self):
            return None

    monkeypatch.setattr(aws, "_botocore_session", lambda profile=None: NoChain())
    auth = SigV4Auth(AwsAuthParams(), "us-east-1", "bedrock")
    with pytest.raises(AuthenticationError, match="AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"):
        auth.apply("POST", "https://x.amazonaws.com/", {}, b"")


def test_assumed_role_credentials_are_cached_until_near_expiry(monkeypatch):
    aws.clear_credentials_cache()
    calls = []
    expiry = {"at": dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)}

    class FakeSts:
        def assume_role(self, **kw):
            calls.append(kw)
            return {
                "Credentials": {
                    "AccessKeyId": f"ASIA{len(calls)}",
                    "SecretAccessKey": "s",
                    "SessionToken": "t",
                    "Expiration": expiry["at"],
                }
            }

    monkeypatch.setattr(aws, "_sts_client", lambda params, region, base: FakeSts())
    params = AwsAuthParams(
        aws_role_name="arn:aws:iam::1:role/r", aws_session_name="s1", aws_external_id="ext"
    )
    auth = SigV4Auth(params, "us-east-1", "bedrock")
    first = auth.apply("POST", "https://x.amazonaws.com/", {}, b"")
    second = auth.apply("POST", "https://x.amazonaws.com/", {}, b"")
    assert len(calls) == 1 and calls[0]["ExternalId"] == "ext" and calls[0]["RoleSessionName"] == "s1"
    assert "Credential=ASIA1/" in first["Authorization"] and "Credential=ASIA1/" in second["Authorization"]
    assert first["X-Amz-Security-Token"] == "t"
    # inside the refresh margin: assumed again, once
    aws._cache[params.cache_key()] = aws.AwsCredentials("ASIA1", "s", "t", dt.datetime.now().timestamp() + 60)
    third = auth.apply("POST", "https://x.amazonaws.com/", {}, b"")
    assert len(calls) == 2 and "Credential=ASIA2/" in third["Authorization"]
    aws.clear_credentials_cache()


async def test_async_apply_resolves_off_the_loop_once(monkeypatch):
    aws.clear_credentials_cache()
    seen_threads = []

    class Creds:
        _expiry_time = None

        def get_frozen_credentials(self):
            import threading

            seen_threads.append(threading.current_thread().name)
            from botocore.credentials import ReadOnlyCredentials

            return ReadOnlyCredentials("AKIACHAIN", "chainsecret", None)

    class Chain:
        def get_credentials(self):
            return Creds()

    monkeypatch.setattr(aws, "_botocore_session", lambda profile=None: Chain())
    auth = SigV4Auth(AwsAuthParams(), "us-east-1", "bedrock")
    headers = await auth.aapply("POST", "https://x.amazonaws.com/", {}, b"")
    headers2 = await auth.aapply("POST", "https://x.amazonaws.com/", {}, b"")
    assert "Credential=AKIACHAIN/" in headers["Authorization"] and headers2["Authorization"].startswith(
        "AWS4"
    )
    assert len(seen_threads) == 1 and seen_threads[0] != "MainThread"
    aws.clear_credentials_cache()


def test_bearer_auth_hides_its_token():
    auth = BearerAuth("bedrock-api-key-abc")
    assert auth.apply("POST", "u", {}, b"") == {"Authorization": "Bearer bedrock-api-key-abc"}
    assert "abc" not in repr(auth)


def test_profile_credentials_and_region_come_from_the_aws_files(tmp_path, monkeypatch):
    (tmp_path / "credentials").write_text(
        "[dev]\naws_access_key_id = AKIAPROFILEDEV\naws_secret_access_key = profilesecret\n"
    )
    (tmp_path / "config").write_text("[profile dev]\nregion = ap-southeast-2\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_REGION_NAME",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    aws.clear_credentials_cache()
    params = pop_aws_params({"aws_profile_name": "dev"})
    region = resolve_region(params, "anthropic.claude-v2")
    assert region == "ap-southeast-2"
    signed = SigV4Auth(params, region, "bedrock").apply("POST", "https://x.amazonaws.com/", {}, b"")
    assert (
        "Credential=AKIAPROFILEDEV/" in signed["Authorization"]
        and "/ap-southeast-2/bedrock/" in signed["Authorization"]
    )
    aws.clear_credentials_cache()
