"""alerting_config: deployment failures and cooldowns reach a Slack incoming webhook (the capture server
speaking Slack's webhook contract) through the Slack integration, without the webhook URL or message
content in them."""

from __future__ import annotations

import openai
import pytest

from litellm.router import Router
from tests.integration.receivers import CaptureServer

pytestmark = pytest.mark.integration

HOOK = "/services/T000/B000/ROUTERHOOKTOKEN"
MSGS = [{"role": "user", "content": "secret prompt text"}]


@pytest.fixture
def webhook():
    server = CaptureServer({("POST", HOOK): (200, "text/plain", b"ok")})
    yield server
    server.close()


def test_failures_and_cooldowns_are_alerted(fake_url, webhook):
    router = Router(
        model_list=[
            {
                "model_name": "g",
                "litellm_params": {
                    "model": "openai/fake-error-429",
                    "api_base": f"{fake_url}/v1",
                    "api_key": "k",
                },
                "model_info": {"id": "limited"},
            }
        ],
        num_retries=0,
        alerting_config={"webhook_url": webhook.url + HOOK, "exporter_options": {"backoff_base": 0.1}},
    )
    try:
        with pytest.raises(openai.RateLimitError):
            router.completion(model="g", messages=MSGS)
        assert router.alerter.logger.flush(10)
        texts = [r["json"]["text"] for r in webhook.wait_for(2)]
    finally:
        router.close()
    failure = [t for t in texts if "llm_exceptions" in t]
    cooldown = [t for t in texts if "cooled down" in t]
    assert failure and "fake-error-429" in failure[0] and "RateLimitError (429)" in failure[0]
    assert cooldown and "limited" in cooldown[0] and "model group g" in cooldown[0]
    assert all("secret prompt text" not in t and "ROUTERHOOKTOKEN" not in t for t in texts)


def test_alerting_config_without_a_webhook_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    monkeypatch.delenv("ALERTING_WEBHOOK_URL", raising=False)
    with pytest.raises(ValueError, match="SLACK_WEBHOOK_URL"):
        Router(model_list=[], alerting_config={"alerting_threshold": 10})
