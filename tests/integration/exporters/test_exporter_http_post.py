"""``litellm.exporters.http.post`` against a real local HTTP server, and the engine delivering through it
while the receiver fails, throttles, refuses large bodies, or is down and then comes back."""

from __future__ import annotations

import email.utils
import gzip
import json
import socket
import sys
import threading
import time
import types

import pytest

from litellm.exporters import (
    BatchExporter,
    PayloadTooLargeError,
    PermanentExportError,
    RetryableExportError,
)
from litellm.exporters.http import post

from .conftest import Receiver, Reply

pytestmark = pytest.mark.integration

SECRET = "sk-secret-0123456789"


def test_2xx_returns_the_response_and_sends_compact_json(receiver: Receiver) -> None:
    receiver.script = [Reply(202, b'{"ok":true}')]
    resp = post(receiver.url + "/ingest", json_body=[{"id": "a", "n": 1}], headers={"X-Api-Key": SECRET})
    assert resp.status_code == 202 and resp.json() == {"ok": True}
    req = receiver.requests[0]
    assert req["path"] == "/ingest"
    assert req["body"] == b'[{"id":"a","n":1}]'
    assert req["headers"]["Content-Type"] == "application/json"
    assert req["headers"]["X-Api-Key"] == SECRET


def test_gzip_compresses_the_body_and_says_so(receiver: Receiver) -> None:
    post(receiver.url + "/logs", json_body={"id": "x" * 1000}, gzip=True)
    req = receiver.requests[0]
    assert req["headers"]["Content-Encoding"] == "gzip"
    assert len(req["raw"]) < 200
    assert json.loads(gzip.decompress(req["raw"])) == {"id": "x" * 1000}


def test_raw_content_is_sent_as_is_with_the_callers_content_type(receiver: Receiver) -> None:
    post(
        receiver.url + "/v1/traces",
        content=b"\x0a\x01\x02",
        headers={"Content-Type": "application/x-protobuf"},
    )
    req = receiver.requests[0]
    assert req["body"] == b"\x0a\x01\x02"
    assert req["headers"]["Content-Type"] == "application/x-protobuf"


def test_429_with_retry_after_seconds_is_retryable_with_the_wait(receiver: Receiver) -> None:
    receiver.script = [Reply(429, b"slow down", {"Retry-After": "3"})]
    with pytest.raises(RetryableExportError) as info:
        post(receiver.url, json_body={})
    assert info.value.retry_after == 3.0 and info.value.status_code == 429


def test_429_with_retry_after_http_date_is_seconds_from_now(receiver: Receiver) -> None:
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    receiver.script = [Reply(429, b"", {"Retry-After": when})]
    with pytest.raises(RetryableExportError) as info:
        post(receiver.url, json_body={})
    assert 15 <= (info.value.retry_after or 0) <= 21


def test_retry_after_ms_is_honoured(receiver: Receiver) -> None:
    receiver.script = [Reply(503, b"", {"retry-after-ms": "1500"})]
    with pytest.raises(RetryableExportError) as info:
        post(receiver.url, json_body={})
    assert info.value.retry_after == 1.5


@pytest.mark.parametrize("status", [408, 500, 502, 503, 504])
def test_server_errors_and_request_timeout_are_retryable(receiver: Receiver, status: int) -> None:
    receiver.script = [Reply(status, b"oops")]
    with pytest.raises(RetryableExportError) as info:
        post(receiver.url, json_body={})
    assert info.value.status_code == status and info.value.retry_after is None


def test_413_is_payload_too_large(receiver: Receiver) -> None:
    receiver.script = [Reply(413, b"too big")]
    with pytest.raises(PayloadTooLargeError) as info:
        post(receiver.url, json_body={})
    assert info.value.status_code == 413


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_other_4xx_are_permanent_with_status_and_body_but_no_secret(receiver: Receiver, status: int) -> None:
    echo = f'{{"error": "invalid api key {SECRET}"}}'.encode()
    receiver.script = [Reply(status, echo)]
    with pytest.raises(PermanentExportError) as info:
        post(
            f"{receiver.url}/api?api_key={SECRET}",
            json_body={},
            headers={"Authorization": f"Bearer {SECRET}"},
        )
    message = str(info.value)
    assert f"HTTP {status}" in message and "invalid api key" in message
    assert SECRET not in message
    assert not isinstance(info.value, PayloadTooLargeError)


def test_connection_refused_is_retryable_and_names_no_secret() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RetryableExportError) as info:
        post(f"http://127.0.0.1:{port}/x?token={SECRET}", json_body={}, headers={"Authorization": SECRET})
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None


def test_timeout_is_retryable(receiver: Receiver) -> None:
    receiver.script = [Reply(200, b"{}", delay=1.0)]
    with pytest.raises(RetryableExportError, match="timeout"):
        post(receiver.url, json_body={}, timeout=0.2)


def test_bad_scheme_is_permanent() -> None:
    with pytest.raises(PermanentExportError):
        post("ftp://127.0.0.1/x", json_body={})


def _http_send(url: str):
    def send(batch: list[dict]) -> None:
        post(url, json_body=batch, gzip=True)

    return send


def test_exporter_retries_500s_then_delivers(receiver: Receiver) -> None:
    receiver.script = [Reply(500), Reply(500)]
    exp = BatchExporter("http-500", _http_send(receiver.url), flush_interval=60.0, backoff_base=0.01)
    try:
        for i in range(10):
            exp.submit({"id": i})
        assert exp.flush(timeout=10)
        stats = exp.stats()
        assert stats["sent"] == 10 and stats["retried"] == 2
        assert [item["id"] for item in receiver.json_bodies()[-1]] == list(range(10))
    finally:
        exp.shutdown(timeout=2)


def test_exporter_waits_the_receivers_retry_after(receiver: Receiver) -> None:
    receiver.script = [Reply(429, b"", {"Retry-After": "0.3"})]
    exp = BatchExporter("http-429", _http_send(receiver.url), flush_interval=60.0, backoff_base=0.001)
    try:
        exp.submit({"id": 1})
        assert exp.flush(timeout=10)
        assert len(receiver.requests) == 2
        assert exp.stats()["retried"] == 1
    finally:
        exp.shutdown(timeout=2)


def test_exporter_splits_batches_the_receiver_finds_too_large(receiver: Receiver) -> None:
    receiver.max_body = 600
    exp = BatchExporter("http-413", _http_send(receiver.url), max_batch_size=64, flush_interval=60.0)
    try:
        for i in range(40):
            exp.submit({"id": i, "pad": "y" * 30})
        assert exp.flush(timeout=10)
        accepted = [json.loads(r["body"]) for r in receiver.requests if len(r["body"]) <= 600]
        assert [item["id"] for batch in accepted for item in batch] == list(range(40))
        assert len(accepted) < len(receiver.requests)  # some bodies were refused and split
        stats = exp.stats()
        assert stats["sent"] == 40 and stats["dropped"] == {}
    finally:
        exp.shutdown(timeout=2)


def test_exporter_drops_a_single_event_the_receiver_always_refuses(receiver: Receiver) -> None:
    receiver.max_body = 300
    exp = BatchExporter("http-413-one", _http_send(receiver.url), max_batch_size=64, flush_interval=60.0)
    try:
        exp.submit({"id": "small"})
        exp.submit({"id": "huge", "pad": "z" * 1000})
        assert exp.flush(timeout=10)
        stats = exp.stats()
        assert stats["sent"] == 1 and stats["dropped"] == {"too_large": 1}
    finally:
        exp.shutdown(timeout=2)


def test_receiver_down_then_up_loses_nothing(down_receiver: Receiver) -> None:
    exp = BatchExporter(
        "http-down-up",
        _http_send(down_receiver.url),
        max_batch_size=25,
        flush_interval=0.05,
        backoff_base=0.05,
        backoff_max=0.2,
        retry_deadline=20.0,
        max_retries=100,
    )
    try:
        for i in range(100):
            exp.submit({"id": f"ev-{i}"})
        # Let a few attempts fail against the closed port, then bring the receiver up.
        deadline = time.monotonic() + 5
        while exp.stats()["retried"] < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert exp.stats()["retried"] >= 3
        down_receiver.start()
        assert exp.flush(timeout=15)
        ids = [item["id"] for batch in down_receiver.json_bodies() for item in batch]
        assert sorted(set(ids)) == sorted(f"ev-{i}" for i in range(100))
        assert exp.stats()["sent"] == 100 and exp.stats()["failed"] == 0
    finally:
        exp.shutdown(timeout=2)


def test_receiver_down_beyond_the_retry_deadline_spools_then_delivers(
    down_receiver: Receiver, tmp_path
) -> None:
    exp = BatchExporter(
        "http-spool",
        _http_send(down_receiver.url),
        max_batch_size=10,
        flush_interval=0.02,
        backoff_base=0.02,
        backoff_max=0.05,
        retry_deadline=0.2,
        spool_dir=tmp_path,
    )
    try:
        for i in range(30):
            exp.submit({"id": i})
        assert exp.flush(timeout=10)
        assert exp.stats()["spooled"] == 30
        down_receiver.start()
        exp.submit({"id": 30})
        deadline = time.monotonic() + 10
        got: set = set()
        while time.monotonic() < deadline and got != set(range(31)):
            got = {item["id"] for batch in down_receiver.json_bodies() for item in batch}
            time.sleep(0.02)
        assert got == set(range(31))
    finally:
        exp.shutdown(timeout=2)


def test_concurrent_posts_share_the_pool(receiver: Receiver) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(20):
                post(receiver.url, json_body={"id": f"{n}-{i}"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert errors == [] and len(receiver.requests) == 80


def test_requests_are_marked_non_instrumented_when_opentelemetry_is_loaded(
    receiver: Receiver, monkeypatch
) -> None:
    # A stand-in for opentelemetry.context with the same names, recording what post() does with it.
    calls: list[tuple] = []
    fake = types.ModuleType("opentelemetry.context")
    fake._SUPPRESS_INSTRUMENTATION_KEY = "suppress_instrumentation"  # type: ignore[attr-defined]

    def set_value(key, value, context=None):
        return {**(context or {}), key: value}

    def attach(ctx):
        calls.append(("attach", dict(ctx), len(receiver.requests)))
        return "token"

    def detach(token):
        calls.append(("detach", token, len(receiver.requests)))

    fake.set_value, fake.attach, fake.detach = set_value, attach, detach  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "opentelemetry.context", fake)
    post(receiver.url, json_body={"id": 1})
    assert calls == [("attach", {"suppress_instrumentation": True}, 0), ("detach", "token", 1)]
