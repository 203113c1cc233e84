"""Sentry logger, through sentry-sdk, against Spotlight (Sentry's local receiver) or the capture fallback.

Real calls go through ``litellm.completion`` to the fake provider; the events are read back from the
receiver. Checked: a failure becomes one error event with the call's tags and the recent calls as
breadcrumbs, no message content or key unless allowed, and an application's active Sentry client is
used as it is, never re-initialised. Fault tests (capture server, which can script answers): 500 then
OK, receiver down then up, and a process killed with events queued.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

pytest.importorskip("sentry_sdk")

import litellm
from litellm.integrations.sentry import SentryLogger
from tests.integration.receivers import free_port
from tests.integration.receivers.killed import kill_after_spooling
from tests.integration.receivers.sentry import CaptureSentryReceiver, sentry_receiver, wait_for_events

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

CANARY_KEY = "sk-canary-sentry-0123456789abcdef"
FAST_RETRY = {"backoff_base": 0.1, "backoff_max": 0.5, "max_retries": 40, "retry_deadline": 30.0}


@pytest.fixture(scope="module")
def receiver() -> Iterator:
    r = sentry_receiver()
    yield r
    r.close()


@pytest.fixture
def make_logger() -> Iterator:
    made: list[SentryLogger] = []

    def make(dsn: str, **kw) -> SentryLogger:
        logger = SentryLogger(dsn, environ={}, **kw)
        made.append(logger)
        litellm.callbacks = [logger]
        return logger

    yield make
    for logger in made:
        logger.shutdown(2.0)


def _messages(marker: str) -> list[dict]:
    return [{"role": "user", "content": f"private question {marker}"}]


def _tagged(run: str):
    return lambda e: (e.get("tags") or {}).get("litellm_call_id", "").startswith(run)


def test_a_failed_call_is_an_error_event_with_tags_and_recent_calls_as_breadcrumbs(
    receiver, make_logger, fake_url
):
    logger = make_logger(receiver.dsn)
    assert logger.owns_client
    run = uuid.uuid4().hex[:10]
    base = fake_url + "/v1"
    litellm.completion(
        model="openai/gpt-4o-mini",
        api_base=base,
        api_key=CANARY_KEY,
        messages=_messages(run),
        litellm_call_id=f"{run}-ok",
    )
    for _ in litellm.completion(
        model="openai/gpt-4o-mini",
        api_base=base,
        api_key=CANARY_KEY,
        messages=_messages(run),
        stream=True,
        litellm_call_id=f"{run}-stream",
    ):
        pass
    with pytest.raises(litellm.BadRequestError):
        litellm.completion(
            model="openai/fake-error-400",
            api_base=base,
            api_key=CANARY_KEY,
            messages=_messages(run),
            litellm_call_id=f"{run}-fail",
        )
    assert litellm.flush_callbacks(timeout=20)

    [event] = wait_for_events(receiver, _tagged(run), 1)
    assert event["level"] == "error"
    assert event["exception"]["values"][-1]["type"] == "BadRequestError"
    tags = event["tags"]
    assert tags["model"] == "fake-error-400"
    assert tags["llm_provider"] == "openai"
    assert tags["litellm_call_id"] == f"{run}-fail"
    assert tags["error_code"] == "400"
    assert float(tags["response_cost"]) == 0.0
    crumbs = (
        event["breadcrumbs"]["values"] if isinstance(event["breadcrumbs"], dict) else event["breadcrumbs"]
    )
    ids = [c["data"]["litellm_call_id"] for c in crumbs if c.get("category") == "litellm.call"]
    assert ids[-3:] == [f"{run}-ok", f"{run}-stream", f"{run}-fail"]
    ok_crumb = next(c for c in crumbs if c["data"]["litellm_call_id"] == f"{run}-ok")
    assert ok_crumb["data"]["status"] == "success" and ok_crumb["data"]["response_cost"] > 0
    assert event["contexts"]["litellm"]["api_host"] == "127.0.0.1"
    text = json.dumps(event)
    assert f"private question {run}" not in text  # no content unless allowed
    assert CANARY_KEY not in text
    # frames never carry local variables or source lines (they can hold prompts and keys)
    for value in event["exception"]["values"]:
        for frame in (value.get("stacktrace") or {}).get("frames", []):
            assert not {"vars", "context_line", "pre_context", "post_context"} & set(frame)


def test_successful_calls_send_no_events(receiver, make_logger):
    make_logger(receiver.dsn)
    run = uuid.uuid4().hex[:10]
    litellm.completion(
        model="openai/gpt-4o-mini", mock_response="hi", messages=_messages(run), litellm_call_id=f"{run}-a"
    )
    assert litellm.flush_callbacks(timeout=10)
    time.sleep(0.3)
    assert [e for e in receiver.events() if _tagged(run)(e)] == []


def test_message_content_is_sent_only_when_allowed(receiver, make_logger):
    make_logger(receiver.dsn, include_content=True)
    run = uuid.uuid4().hex[:10]
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(
            model="openai/gpt-4o-mini",
            mock_response=Exception("upstream broke"),
            messages=_messages(run),
            litellm_call_id=f"{run}-1",
        )
    assert litellm.flush_callbacks(timeout=20)  # the switch below is read when the event is handled
    litellm.turn_off_message_logging = True  # the kill-switch wins over the allowance
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(
            model="openai/gpt-4o-mini",
            mock_response=Exception("upstream broke"),
            messages=_messages(run + "-off"),
            litellm_call_id=f"{run}-2",
        )
    assert litellm.flush_callbacks(timeout=20)
    events = {e["tags"]["litellm_call_id"]: e for e in wait_for_events(receiver, _tagged(run), 2)}
    assert events[f"{run}-1"]["contexts"]["litellm"]["messages"][0]["content"] == f"private question {run}"
    assert f"private question {run}-off" not in json.dumps(events[f"{run}-2"])


def test_an_active_application_client_is_used_and_never_reinitialised(receiver):
    import sentry_sdk

    app_client = sentry_sdk.Client(
        dsn=receiver.dsn, default_integrations=False, auto_enabling_integrations=False
    )
    sentry_sdk.get_global_scope().set_client(app_client)
    try:
        logger = SentryLogger(environ={"SENTRY_DSN": "http://other@127.0.0.1:9/2"})
        assert logger.client is app_client and not logger.owns_client
        assert logger.exporter is None
        litellm.callbacks = [logger]
        run = uuid.uuid4().hex[:10]
        with pytest.raises(litellm.InternalServerError):
            litellm.completion(
                model="openai/gpt-4o-mini",
                mock_response=Exception("boom"),
                messages=_messages(run),
                litellm_call_id=f"{run}-x",
            )
        assert litellm.flush_callbacks(timeout=20)
        assert sentry_sdk.get_client() is app_client
        [event] = wait_for_events(receiver, _tagged(run), 1)
        assert event["tags"]["model"] == "gpt-4o-mini"
    finally:
        sentry_sdk.get_global_scope().set_client(None)
        app_client.close(timeout=2)


def test_a_private_client_installs_nothing_globally(receiver):
    import logging

    import sentry_sdk

    hook, handlers = sys.excepthook, list(logging.getLogger().handlers)
    logger = SentryLogger(receiver.dsn, environ={})
    try:
        assert not sentry_sdk.get_client().is_active()  # not bound to the global scope
        assert logger.client.is_active() and logger.client.integrations == {}
        assert sys.excepthook is hook and logging.getLogger().handlers == handlers
    finally:
        logger.shutdown(1.0)


def test_missing_dsn_raises_a_clear_error():
    with pytest.raises(ValueError, match="SENTRY_DSN"):
        SentryLogger(environ={})


# ------------------------------------------------------------------------------------------- faults


def _fail(run: str, i: int = 0) -> None:
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(
            model="openai/gpt-4o-mini",
            mock_response=Exception("boom"),
            messages=_messages(run),
            litellm_call_id=f"{run}-{i}",
        )


def test_receiver_answering_500_is_retried_until_accepted(make_logger):
    capture = CaptureSentryReceiver(script=[500, 503])
    try:
        logger = make_logger(capture.dsn, exporter_options=FAST_RETRY)
        run = uuid.uuid4().hex[:10]
        _fail(run)
        assert litellm.flush_callbacks(timeout=20)
        assert len(capture.requests) == 3
        assert capture.requests[-1]["headers"]["X-Sentry-Auth"].startswith("Sentry sentry_key=public")
        assert len(capture.events()) == 3  # the same envelope, delivered on the third try
        assert {e["event_id"] for e in capture.events()} == {capture.events()[0]["event_id"]}
        assert logger.stats()["retried"] == 2 and logger.stats()["sent"] == 1
    finally:
        capture.close()


def test_receiver_down_then_up_loses_nothing(make_logger):
    port = free_port()
    logger = make_logger(f"http://public@127.0.0.1:{port}/1", exporter_options=FAST_RETRY)
    run = uuid.uuid4().hex[:10]
    for i in range(3):
        _fail(run, i)
    deadline = time.monotonic() + 10
    while logger.stats()["retried"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert logger.stats()["retried"] >= 1
    capture = CaptureSentryReceiver(port=port)
    try:
        assert litellm.flush_callbacks(timeout=30)
        ids = sorted(e["tags"]["litellm_call_id"] for e in capture.events())
        assert ids == [f"{run}-{i}" for i in range(3)]
    finally:
        capture.close()


_KILLED_PROCESS = """
import sys, time, litellm
from litellm.integrations.sentry import SentryLogger
spool, dsn, run = sys.argv[1], sys.argv[2], sys.argv[3]
logger = SentryLogger(dsn, environ={}, spool_dir=spool, spool_mode="write_ahead")
litellm.callbacks = [logger]
for i in range(3):
    try:
        litellm.completion(model="openai/gpt-4o-mini", mock_response=Exception("boom"),
                           messages=[{"role": "user", "content": "x"}], litellm_call_id=f"{run}-{i}")
    except Exception:
        pass
print("ready", flush=True)
time.sleep(60)
"""


def test_process_killed_with_events_queued_delivers_them_from_the_spool_next_time(tmp_path):
    spool = tmp_path / "spool"
    run = uuid.uuid4().hex[:10]
    port = free_port()
    dsn = f"http://public@127.0.0.1:{port}/1"
    kill_after_spooling(_KILLED_PROCESS, [str(spool), dsn, run], spool, lines=3)

    capture = CaptureSentryReceiver(port=port)
    logger = SentryLogger(dsn, environ={}, spool_dir=spool, spool_mode="write_ahead")
    try:
        assert logger.stats()["restored"] == 3
        assert logger.flush(20)
        ids = sorted(e["tags"]["litellm_call_id"] for e in capture.events())
        assert ids == [f"{run}-{i}" for i in range(3)]
    finally:
        logger.shutdown(2.0)
        capture.close()
