"""Pure parts of the HTTP exporter: Retry-After parsing and keeping secrets out of error messages."""

from __future__ import annotations

import email.utils

import pytest

from litellm.exporters.http import _safe_url, _secret_values, _snippet, parse_retry_after


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_seconds_and_milliseconds(headers: dict, expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_retry_after_http_date_is_seconds_from_now() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30.0)
    assert parse_retry_after({"retry-after": email.utils.formatdate(now - 30, usegmt=True)}, now=now) == 0.0


def test_safe_url_drops_credentials_query_and_fragment() -> None:
    url = "https://user:pa55@intake.example.com:8443/api/v2/logs?dd-api-key=SECRET#frag"
    assert _safe_url(url) == "https://intake.example.com:8443/api/v2/logs"


def test_error_body_snippet_masks_credentials_the_receiver_echoes() -> None:
    headers = {"Authorization": "Bearer sk-live-123456", "DD-API-KEY": "abcdef123456", "Accept": "json"}
    body = b'{"error": "bad key sk-live-123456 / abcdef123456", "accept": "json"}'
    text = _snippet(body, _secret_values(headers))
    assert "sk-live-123456" not in text and "abcdef123456" not in text
    assert "bad key" in text and "json" in text


def test_error_body_snippet_is_short() -> None:
    assert len(_snippet(b"x" * 10_000, [])) <= 200
