"""Slack alerting rules: which events raise which alert, squashing, rate limit, budgets, report (no network).

The logger's ``_enqueue`` is replaced by a recorder, so these tests see exactly the messages that would
be posted, and drive the timer by calling ``_tick`` / ``flush`` themselves.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest

from litellm.exporters import PermanentExportError, RetryableExportError
from litellm.integrations.slack import SlackAlertingLogger, SlackSettings, _without_url, format_message

WEBHOOK = "https://hooks.slack.com/services/T000/B000/SECRETPATH"


class Recording(SlackAlertingLogger):
    def __init__(self, **kw: Any) -> None:
        kw.setdefault("webhook_url", WEBHOOK)
        kw.setdefault("environ", {})
        super().__init__(**kw)
        self.sent: list[tuple[str, dict]] = []

    def _enqueue(self, alert_type: str, body: dict) -> None:
        self.sent.append((alert_type, body))

    def _ensure_ticker(self) -> None:
        pass  # tests drive the timer themselves

    def texts(self, alert_type: str | None = None) -> list[str]:
        return [b["text"] for t, b in self.sent if alert_type is None or t == alert_type]


def ok(call: str = "c1", **over: Any) -> dict:
    return {
        "id": call,
        "litellm_call_id": call,
        "status": "success",
        "model": "gpt-4o-mini",
        "custom_llm_provider": "openai",
        "api_base": "http://127.0.0.1:9/v1",
        "response_cost": 0.01,
        "prompt_tokens": 10,
        "completion_tokens": 5,
        "response_time": 0.5,
        "metadata": {},
        **over,
    }


def failed(call: str = "f1", code: str = "500", **over: Any) -> dict:
    return ok(
        call,
        status="failure",
        response_cost=0.0,
        error_str="upstream exploded",
        error_information={
            "error_class": "InternalServerError",
            "error_code": code,
            "error_message": "exploded",
        },
        **over,
    )


def test_failed_call_raises_an_llm_exceptions_alert_with_model_and_error() -> None:
    log = Recording()
    log.on_event(failed(), {})
    [text] = log.texts("llm_exceptions")
    assert "Level: `High`" in text and "exploded" in text
    assert "Model: `gpt-4o-mini`" in text and "InternalServerError 500" in text


def test_identical_failures_are_squashed_and_summarised_with_a_count() -> None:
    log = Recording(minor_outage_alert_threshold=1000, major_outage_alert_threshold=2000)
    for i in range(7):
        log.on_event(failed(f"f{i}"), {})
    assert len(log.texts("llm_exceptions")) == 1
    log.flush(timeout=1)
    texts = log.texts("llm_exceptions")
    assert len(texts) == 2 and "Repeated 6 more times" in texts[1]
    assert log.stats()["alerts_squashed"] == 6


def test_different_errors_of_the_same_model_are_not_squashed_together() -> None:
    log = Recording()
    log.on_event(failed("a", code="500"), {})
    log.on_event(failed("b", code="503"), {})
    assert len(log.texts("llm_exceptions")) == 2


def test_squash_window_closes_on_the_timer() -> None:
    log = Recording(squash_window=0.05)
    log.on_event(failed("a"), {})
    log.on_event(failed("b"), {})
    time.sleep(0.1)
    log._tick()
    assert "Repeated 1 more time" in log.texts("llm_exceptions")[-1]


def test_rate_limit_holds_extra_alerts_and_sends_them_when_tokens_return() -> None:
    log = Recording(max_alerts_per_minute=2, alert_types=["llm_exceptions"])
    for code in ("500", "501", "502", "503"):
        log.on_event(failed(code=code), {})
    assert len(log.texts()) == 2
    log._tokens = 2.0  # a minute later
    log.flush(timeout=1)
    texts = log.texts()
    assert len(texts) == 4 and not any("follow-up" in t for t in texts[2:])


def test_repeated_failures_of_a_deployment_raise_minor_then_major_outage() -> None:
    log = Recording(minor_outage_alert_threshold=3, major_outage_alert_threshold=5)
    for i in range(6):
        log.on_event(failed(f"f{i}"), {})
    outages = log.texts("outage_alerts")
    assert len(outages) == 2
    assert "Minor service outage: 3 failed calls" in outages[0]
    assert "Major service outage: 5 failed calls" in outages[1]


def test_bad_requests_do_not_count_towards_an_outage() -> None:
    log = Recording(minor_outage_alert_threshold=2)
    for i in range(4):
        log.on_event(failed(f"f{i}", code="400"), {})
    assert log.texts("outage_alerts") == []


def test_slow_success_over_threshold_raises_llm_too_slow() -> None:
    log = Recording(alerting_threshold=1.0)
    log.on_event(ok(response_time=0.4), {})
    assert log.texts("llm_too_slow") == []
    log.on_event(ok("c2", response_time=2.5), {})
    [text] = log.texts("llm_too_slow")
    assert "2.50s response time > Alerting threshold: 1s" in text


def test_call_without_an_end_past_threshold_raises_hanging_once() -> None:
    log = Recording(alerting_threshold=0.05)
    start = datetime.fromtimestamp(time.time() - 1)
    log.log_pre_api_call(
        "gpt-4o-mini", [], {"litellm_call_id": "h1", "model": "gpt-4o-mini", "start_time": start}
    )
    log.log_pre_api_call(
        "gpt-4o-mini", [], {"litellm_call_id": "h2", "model": "gpt-4o-mini", "start_time": start}
    )
    log.on_event(ok("h2"), {})  # h2 finished in time
    log._tick()
    log._tick()
    hanging = log.texts("llm_requests_hanging")
    assert len(hanging) == 1 and "h1" in hanging[0] and "Requests are hanging" in hanging[0]
    assert log.stats()["calls_in_flight"] == 1


def test_budget_levels_alert_once_each_until_the_ttl_passes() -> None:
    log = Recording(max_budget=1.0)
    for cost in (0.5, 0.36, 0.01, 0.1, 0.2, 0.3):  # 0.5, 0.86, 0.87, 0.97, 1.17, 1.47
        log.on_event(ok(response_cost=cost), {})
    budget = log.texts("budget_alerts")
    assert len(budget) == 3
    assert "15% budget left" in budget[0] and "5% budget left" in budget[1] and "budget crossed" in budget[2]


def test_proxy_key_budget_in_metadata_is_checked_with_this_calls_cost() -> None:
    log = Recording()
    meta = {"user_api_key_spend": 9.99, "user_api_key_max_budget": 10.0, "user_api_key_alias": "ci-key"}
    log.on_event(ok(response_cost=0.02, metadata=meta), {})
    [text] = log.texts("budget_alerts")
    assert "key ci-key: budget crossed" in text


def test_daily_report_sums_calls_failures_cost_and_tokens_per_model() -> None:
    log = Recording()
    log.on_event(ok("a", response_cost=0.25), {})
    log.on_event(ok("b", response_cost=0.25, model="claude"), {})
    log.on_event(failed("c"), {})
    assert log.send_daily_report()
    [text] = log.texts("daily_reports")
    assert "`gpt-4o-mini`: 2 calls, 1 failed, $0.250000, 20+10 tokens" in text
    assert "*Total*: 3 calls, 1 failed, $0.500000, 45 tokens" in text
    assert not log.send_daily_report()  # a new, empty period


def test_daily_report_is_sent_by_the_timer_when_due() -> None:
    log = Recording(daily_report_frequency=3600)
    log.on_event(ok(), {})
    log._next_report = time.time() - 1
    log._tick()
    assert len(log.texts("daily_reports")) == 1


def test_alert_types_select_which_alerts_are_sent() -> None:
    log = Recording(alert_types=["llm_too_slow"], alerting_threshold=0.1)
    log.on_event(failed(), {})
    log.on_event(ok(response_time=1.0), {})
    assert [t for t, _ in log.sent] == ["llm_too_slow"]


def test_alert_to_webhook_url_routes_a_type_to_its_own_channels() -> None:
    s = SlackSettings.from_env({}, webhook_url=WEBHOOK, alert_to_webhook_url={"budget_alerts": ["u1", "u2"]})
    assert s.urls_for("budget_alerts") == ("u1", "u2")
    assert s.urls_for("llm_exceptions") == (WEBHOOK,)


def test_webhook_comes_from_the_environment_and_is_required() -> None:
    assert SlackSettings.from_env({"SLACK_WEBHOOK_URL": WEBHOOK}).webhook_url == WEBHOOK
    assert SlackSettings.from_env({"ALERTING_WEBHOOK_URL": WEBHOOK}).webhook_url == WEBHOOK
    with pytest.raises(ValueError, match="SLACK_WEBHOOK_URL"):
        SlackSettings.from_env({})


def test_webhook_url_never_appears_in_settings_repr_or_export_errors() -> None:
    s = SlackSettings.from_env({"SLACK_WEBHOOK_URL": WEBHOOK})
    assert "SECRETPATH" not in repr(s)
    err = _without_url(
        RetryableExportError(
            "HTTP 500 from https://hooks.slack.com/services/T000/B000/SECRETPATH: rollup_error",
            3.0,
            status_code=500,
        ),
        WEBHOOK,
    )
    assert isinstance(err, RetryableExportError) and err.retry_after == 3.0
    assert "SECRETPATH" not in str(err) and "rollup_error" in str(err)
    refused = _without_url(
        PermanentExportError(f"HTTP 404 from {WEBHOOK}: no_service", status_code=404), WEBHOOK
    )
    assert "SECRETPATH" not in str(refused)


def test_message_has_litellms_text_layout_and_a_mrkdwn_block() -> None:
    body = format_message("llm_exceptions", "High", "boom", fields={"Model": "m"}, proxy_base_url="http://gw")
    assert body["text"].startswith("Alert type: `llm_exceptions`\nLevel: `High`\nTimestamp: `")
    assert "Message: boom\nModel: `m`" in body["text"] and body["text"].endswith("Proxy URL: `http://gw`")
    assert body["blocks"] == [{"type": "section", "text": {"type": "mrkdwn", "text": body["text"]}}]


def test_a_rule_that_raises_inside_the_timer_does_not_stop_it() -> None:
    from litellm.integrations import slack

    class Boom(Recording):
        ticks = 0

        def _tick(self) -> None:
            type(self).ticks += 1
            raise RuntimeError("rule bug")

    log = Boom()
    stop = log._stop
    import threading
    import weakref

    thread = threading.Thread(target=slack._tick_loop, args=(weakref.ref(log), stop, 0.01), daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while Boom.ticks < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(1)
    assert Boom.ticks >= 3
