"""Slack alerting: real calls through litellm.completion, alerts read back from a webhook capture server.

No local Slack exists, so the receiver is the capture server speaking the incoming-webhook contract
(200 ``ok``; plain-text error codes). One test sends through ``slack_sdk``'s official WebhookClient to
show our body is the one Slack's own client produces and accepts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from litellm.integrations.slack import SlackAlertingLogger, format_message
from tests.integration.receivers import CaptureServer
from tests.integration.receivers.traffic import call

pytestmark = pytest.mark.integration

HOOK = "/services/T000/B000/SECRETHOOKTOKEN"
OK = (200, "text/plain", b"ok")


class ScriptedRoutes(dict):
    """A route table whose first answers come from a script (e.g. 429, then the normal route)."""

    def __init__(self, routes: dict, script: list[tuple[int, str, bytes]] | None = None) -> None:
        super().__init__(routes)
        self.script = list(script or [])

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self and self.script:
            return self.script.pop(0)
        return super().get(key, default)


@pytest.fixture
def webhook() -> Iterator[CaptureServer]:
    server = CaptureServer(ScriptedRoutes({("POST", HOOK): OK}))
    yield server
    server.close()


@pytest.fixture
def make_logger(webhook: CaptureServer) -> Iterator:
    made: list[SlackAlertingLogger] = []

    def make(**kw: object) -> SlackAlertingLogger:
        kw.setdefault("environ", {"SLACK_WEBHOOK_URL": webhook.url + HOOK})
        kw.setdefault("exporter_options", {"backoff_base": 0.1, "backoff_max": 0.5})
        logger = SlackAlertingLogger(**kw)
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.close()
        logger.exporter.shutdown(timeout=2)


def alerts(webhook: CaptureServer, kind: str | None = None) -> list[str]:
    texts = [r["json"]["text"] for r in webhook.received if r["json"]]
    return [t for t in texts if kind is None or f"Alert type: `{kind}`" in t]


def test_failed_call_posts_an_exception_alert_to_the_webhook(
    fake_url: str, webhook: CaptureServer, make_logger
) -> None:
    import litellm

    litellm.callbacks = [make_logger()]
    with pytest.raises(openai.APIStatusError):
        call(fake_url, "slack-fail", "f", model="openai/fake-error-500", max_retries=0)
    assert litellm.flush_callbacks(timeout=10)

    [request] = [r for r in webhook.received if "llm_exceptions" in r["json"]["text"]]
    assert request["path"] == HOOK and request["headers"]["Content-Type"] == "application/json"
    body = request["json"]
    assert set(body) == {"text", "blocks"} and body["blocks"][0]["text"]["text"] == body["text"]
    assert "Level: `High`" in body["text"] and "fake-error-500" in body["text"]
    assert "InternalServerError 500" in body["text"] and "slack-fail" in body["text"]
    assert "hello f" not in body["text"]  # no message content in alerts


def test_an_outage_floods_nothing_identical_alerts_are_squashed_with_a_count(
    fake_url: str, webhook: CaptureServer, make_logger
) -> None:
    import litellm

    litellm.callbacks = [make_logger(minor_outage_alert_threshold=5, major_outage_alert_threshold=10)]
    for i in range(20):
        with pytest.raises(openai.APIStatusError):
            call(fake_url, f"flood-{i}", "flood", model="openai/fake-error-503", max_retries=0)
    assert litellm.flush_callbacks(timeout=10)

    exceptions = alerts(webhook, "llm_exceptions")
    assert len(exceptions) == 2
    assert "Repeated 19 more times" in exceptions[1]
    outages = alerts(webhook, "outage_alerts")
    assert len(outages) == 2 and "Minor service outage" in outages[0] and "Major service outage" in outages[1]
    assert len(webhook.received) == 4


def test_slow_call_raises_hanging_while_running_and_slow_when_done(
    fake_url: str, webhook: CaptureServer, make_logger
) -> None:
    import litellm

    litellm.callbacks = [make_logger(alerting_threshold=0.3)]
    call(fake_url, "slow-call", "slow", extra_headers={"x-fake-latency-ms": "1200"})
    assert litellm.flush_callbacks(timeout=10)

    hanging = alerts(webhook, "llm_requests_hanging")
    slow = alerts(webhook, "llm_too_slow")
    assert len(hanging) == 1 and "slow-call" in hanging[0] and "Requests are hanging" in hanging[0]
    assert len(slow) == 1 and "Responses are slow" in slow[0] and "Alerting threshold: 0.3s" in slow[0]
    order = [t for t in alerts(webhook) if "slow-call" in t]
    assert "llm_requests_hanging" in order[0]  # sent while the call was still running


def test_budget_crossing_and_the_spend_report(fake_url: str, webhook: CaptureServer, make_logger) -> None:
    import litellm

    logger = make_logger(max_budget=1e-9)
    litellm.callbacks = [logger]
    call(fake_url, "budget-1", "budget")
    call(fake_url, "budget-2", "budget")
    assert litellm.flush_callbacks(timeout=10)
    [budget] = alerts(webhook, "budget_alerts")
    assert "budget crossed" in budget and "Level: `High`" in budget

    assert logger.send_daily_report()
    assert logger.flush(timeout=10)
    [report] = alerts(webhook, "daily_reports")
    assert "`gpt-4o-mini`: 2 calls, 0 failed" in report and "*Total*: 2 calls" in report


def test_rate_limited_webhook_is_retried_after_retry_after_and_posts_once(
    fake_url: str, webhook: CaptureServer, make_logger
) -> None:
    import litellm

    webhook.routes.script = [(429, "text/plain", b"rate_limited")]
    logger = make_logger()
    litellm.callbacks = [logger]
    with pytest.raises(openai.APIStatusError):
        call(fake_url, "slack-429", "r", model="openai/fake-error-500", max_retries=0)
    assert litellm.flush_callbacks(timeout=10)
    assert len(webhook.received) == 2  # the 429, then the delivery
    assert logger.stats()["delivery"]["sent"] == 1 and logger.stats()["delivery"]["retried"] == 1


def test_a_bad_webhook_never_fails_a_call_and_never_leaks_its_url(
    fake_url: str, webhook: CaptureServer, make_logger, capsys: pytest.CaptureFixture
) -> None:
    import litellm

    logger = make_logger(environ={"SLACK_WEBHOOK_URL": webhook.url + "/services/T000/B000/WRONGSECRET"})
    litellm.callbacks = [logger]
    with pytest.raises(openai.APIStatusError) as info:
        call(fake_url, "bad-hook", "b", model="openai/fake-error-500", max_retries=0)
    assert getattr(info.value, "status_code", None) == 500  # the provider's error, nothing from Slack
    assert call(fake_url, "bad-hook-ok", "b").choices
    assert litellm.flush_callbacks(timeout=10)
    assert logger.stats()["delivery"]["failed"] >= 1
    captured = capsys.readouterr()
    assert "webhook path" in captured.err  # the refusal was logged, with the path taken out
    assert "WRONGSECRET" not in captured.err + captured.out
    assert "WRONGSECRET" not in json.dumps(logger.stats())


def test_our_alert_body_is_what_slack_sdks_webhook_client_sends(webhook: CaptureServer) -> None:
    from slack_sdk.webhook import WebhookClient

    body = format_message("llm_exceptions", "High", "LLM API call failed: `boom`", fields={"Model": "m"})
    response = WebhookClient(webhook.url + HOOK).send(text=body["text"], blocks=body["blocks"])
    assert (response.status_code, response.body) == (200, "ok")
    assert webhook.received[-1]["json"] == body
