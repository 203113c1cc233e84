"""Secrets passed carelessly (URL userinfo in ``api_base``, credential-named metadata fields) reach no
callback kwargs, no payload, no integration record, no span attribute source and no log line.

The canary is deliberately not shaped like a provider key (no ``sk-`` prefix), so only the masking by
URL structure and field name can catch it. A successful call (a mock answer) and a failed one against
the fake provider (the payload's error fields and traceback) are both checked, sync and async.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from faults_helpers import figures

from litellm.calls.pipeline import acompletion, completion
from litellm.core import log
from litellm.core.settings import settings
from litellm.dispatch.dispatcher import get_dispatcher
from litellm.integrations.custom_logger import CustomLogger
from litellm.integrations.memory import MemoryLogger

CANARY = "zebra7f3a9c21e0d4b5a6c8"


def leaked(obj) -> bool:
    text = json.dumps(obj, default=repr)
    return CANARY in text or CANARY[:-4] in text


class Recorder(CustomLogger):
    def __init__(self):
        super().__init__()
        self.seen: list = []

    def log_pre_api_call(self, model, messages, kwargs):
        self.seen.append(("pre", kwargs))

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.seen.append(("success", kwargs))

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.seen.append(("failure", kwargs))

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.seen.append(("async_success", kwargs))

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.seen.append(("async_failure", kwargs))


def _secret_kwargs(fake_url: str) -> dict:
    host = fake_url.split("://", 1)[1]
    return {
        "api_base": f"http://svc:{CANARY}@{host}/v1",
        "api_key": "sk-test",
        "metadata": {
            "api_key": CANARY,
            "Authorization": f"Bearer {CANARY}",
            "session": {"token": CANARY, "refresh_TOKEN": CANARY},
            "db": {"password": CANARY, "host": "db.internal"},
            "client_secret": CANARY,
            "tags": ["ok"],
        },
    }


@pytest.mark.parametrize("fail", [False, True], ids=["success", "failure"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_no_door_carries_the_secret(fake_url, capsys, fail, mode):
    rec, memory = Recorder(), MemoryLogger(keep_kwargs=True)
    settings.callbacks = [rec, memory]
    log.turn_on_debug()
    kwargs = _secret_kwargs(fake_url)
    metadata_before = json.dumps(kwargs["metadata"])
    # success: a mock answer (the URL still travels in the event); failure: the fake provider answers an
    # error (its key check fails: httpx sends the URL's userinfo as Basic auth)
    extra = {"extra_headers": {"x-fake-error": "500"}, "num_retries": 0} if fail else {"mock_response": "ok"}
    call = dict(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], **kwargs, **extra)
    try:
        if mode == "sync":
            completion(**call)
        else:
            asyncio.run(acompletion(**call))
        assert not fail
    except Exception as exc:
        assert fail, exc
    finally:
        log._reset_for_tests()
    assert get_dispatcher().flush(5)
    assert memory.wait_for(1)
    terminal = [kw for kind, kw in rec.seen if kind != "pre"]
    assert len(terminal) == 1
    assert "failure" in [kind for kind, _ in rec.seen][-1] if fail else True
    for kind, seen in rec.seen:
        assert not leaked(seen), kind
    payload = memory.payloads[-1]
    assert not leaked(payload) and not leaked(memory.kwargs_seen[-1])
    assert payload["metadata"]["db"]["host"] == "db.internal" and payload["metadata"]["tags"] == ["ok"]
    assert "****@" in payload["api_base"]
    if fail:
        assert not leaked(payload["error_information"]) and not leaked(payload["error_str"])
    captured = capsys.readouterr()
    assert CANARY not in captured.err and CANARY not in captured.out  # debug log lines
    assert json.dumps(kwargs["metadata"]) == metadata_before  # the caller's metadata is untouched
    figures(
        f"secrets, {mode} {'failure' if fail else 'success'}",
        doors_checked=["pre kwargs", "terminal kwargs", "payload", "integration kwargs", "debug logs"],
        events_seen=len(rec.seen),
        api_base=payload["api_base"],
        metadata_api_key=payload["metadata"]["api_key"],
    )
