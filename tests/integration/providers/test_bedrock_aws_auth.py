"""AWS auth against an independent SigV4 implementation: moto in server mode with IAM auth on
(``INITIAL_NO_AUTH_ACTION_COUNT``) verifies signatures our signer made, and serves STS for role
assumption (``aws_role_name`` with ``aws_sts_endpoint``), whose credentials then sign Bedrock calls to the
fake provider and are reused from the cache."""

from __future__ import annotations

import json
import urllib.parse

import httpx
import pytest

from litellm.calls.pipeline import completion
from litellm.providers.auth import aws as aws_auth
from litellm.providers.auth.aws import sigv4_headers
from tests.integration.receivers import free_port, receiver_venv, start, stop, wait_http
from tests.integration.receivers.moto import CREDENTIALS, MOTO_PACKAGES

pytestmark = pytest.mark.integration

_SETUP_ACTIONS = 3  # create_user, create_access_key, put_user_policy run before auth is enforced


@pytest.fixture(scope="module")
def moto_iam():
    """A private moto server enforcing IAM auth after the setup actions; yields (url, user keys)."""
    import boto3

    venv = receiver_venv("moto", MOTO_PACKAGES)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start(
        [str(venv / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        env={"INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_ACTIONS)},
    )
    try:
        wait_http(f"{url}/moto-api/", timeout=30, proc=proc)
        iam = boto3.client("iam", endpoint_url=url, **CREDENTIALS)
        iam.create_user(UserName="signer")
        key = iam.create_access_key(UserName="signer")["AccessKey"]
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_user_policy(UserName="signer", PolicyName="all", PolicyDocument=json.dumps(policy))
        yield url, key["AccessKeyId"], key["SecretAccessKey"]
    finally:
        stop(proc)


def _get_caller_identity(url: str, access_key: str, secret_key: str) -> httpx.Response:
    body = urllib.parse.urlencode({"Action": "GetCallerIdentity", "Version": "2011-06-15"}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    signed = sigv4_headers(
        "POST",
        url + "/",
        headers,
        body,
        access_key=access_key,
        secret_key=secret_key,
        session_token=None,
        region="us-east-1",
        service="sts",
    )
    return httpx.post(url + "/", content=body, headers={**headers, **signed}, timeout=10)


def test_moto_accepts_our_signature_and_refuses_a_wrong_secret(moto_iam):
    url, access_key, secret_key = moto_iam
    ok = _get_caller_identity(url, access_key, secret_key)
    assert ok.status_code == 200, ok.text
    assert "user/signer" in ok.text
    bad = _get_caller_identity(url, access_key, secret_key + "x")
    assert bad.status_code == 403
    assert "SignatureDoesNotMatch" in bad.text


def test_assumed_role_credentials_sign_bedrock_calls_and_are_cached(
    moto_iam, fake_provider, fake_url, monkeypatch
):
    url, access_key, secret_key = moto_iam
    aws_auth.clear_credentials_cache()
    assumed = []
    real = aws_auth._resolve_uncached

    def counting(params, region):
        creds = real(params, region)
        assumed.append(creds.access_key)
        return creds

    monkeypatch.setattr(aws_auth, "_resolve_uncached", counting)
    kwargs = {
        "api_base": fake_url,
        "aws_access_key_id": access_key,
        "aws_secret_access_key": secret_key,
        "aws_role_name": "arn:aws:iam::123456789012:role/bedrock-caller",
        "aws_session_name": "litellm-test",
        "aws_sts_endpoint": url,
        "aws_region_name": "us-east-1",
    }
    for _ in range(2):
        response = completion(
            "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
            messages=[{"role": "user", "content": "hi"}],
            **kwargs,
        )
        assert response.choices[0].message.content
    assert len(assumed) == 1  # one AssumeRole for both calls
    for sent in fake_provider.requests[-2:]:
        headers = sent["headers"]
        assert f"Credential={assumed[0]}/" in headers["authorization"]
        assert headers["x-amz-security-token"]  # the assumed role's session token is sent and signed
        assert "x-amz-security-token" in headers["authorization"]
    aws_auth.clear_credentials_cache()


def test_web_identity_token_assumes_the_role_without_keys(fake_provider, fake_url, monkeypatch):
    # AssumeRoleWithWebIdentity is an unsigned call; moto's IAM-auth mode cannot serve it (HTTP 500), so
    # this one uses the session's plain moto server
    from tests.integration.receivers.moto import shared_moto

    url = shared_moto().url
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    aws_auth.clear_credentials_cache()
    response = completion(
        "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
        messages=[{"role": "user", "content": "hi"}],
        api_base=fake_url,
        aws_web_identity_token="eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.sig",
        aws_role_name="arn:aws:iam::123456789012:role/web-identity-caller",
        aws_session_name="oidc-session",
        aws_sts_endpoint=url,
        aws_region_name="us-east-1",
    )
    assert response.choices[0].message.content
    headers = fake_provider.requests[-1]["headers"]
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
    assert headers["x-amz-security-token"]
    aws_auth.clear_credentials_cache()
