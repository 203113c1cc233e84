"""Slack alerting from ``general_settings.alerting`` (to a local webhook receiver), and the per-chunk
``async_post_call_streaming_hook`` stopping a stream with its own ``data:`` line."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.integration.proxy._proxy import MASTER_KEY, Proxy, running_proxy
from tests.integration.receivers import CaptureServer

pytestmark = pytest.mark.integration

GUARD = """
import json
from litellm.integrations.custom_logger import CustomLogger


class StreamGuard(CustomLogger):
    async def async_post_call_streaming_hook(self, user_api_key_dict, response):
        if "provider" in response:
            return "data: " + json.dumps({"error": {"message": "blocked by the streaming hook"}}) + "\\n\\n"
        return None


guard = StreamGuard()
"""

CONFIG = """
model_list:
  - {model_name: ok, litellm_params: {model: openai/gpt-4o-mini, api_base: os.environ/BASE_V1, api_key: sk-up}}
  - {model_name: broken, litellm_params: {model: openai/fake-error-500, api_base: os.environ/BASE_V1, api_key: sk-up}}
litellm_settings:
  callbacks: [stream_guard.guard]
general_settings:
  master_key: os.environ/PROXY_MASTER_KEY
  alerting: [slack]
  alert_types: [llm_exceptions]
  alerting_args: {squash_window: 0.2}
"""


@pytest.fixture(scope="module")
def webhook() -> Iterator[CaptureServer]:
    server = CaptureServer({("POST", "/services/T/B/X"): (200, "text/plain", b"ok")})
    yield server
    server.close()


@pytest.fixture(scope="module")
def proxy(fake_provider, webhook, tmp_path_factory) -> Iterator[Proxy]:
    tmp = tmp_path_factory.mktemp("alerting")
    (tmp / "stream_guard.py").write_text(GUARD)
    env = {
        "BASE_V1": fake_provider.url + "/v1",
        "PROXY_MASTER_KEY": MASTER_KEY,
        "SLACK_WEBHOOK_URL": webhook.url + "/services/T/B/X",
    }
    with running_proxy(tmp, CONFIG, env=env) as p:
        yield p


def test_failure_reaches_slack_without_secrets(proxy: Proxy, webhook: CaptureServer) -> None:
    with proxy.client() as c:
        r = c.post(
            "/v1/chat/completions",
            json={"model": "broken", "messages": [{"role": "user", "content": "secret prompt"}]},
        )
    assert r.status_code == 500
    posts = webhook.wait_for(1, timeout=15)
    assert posts, "no Slack alert arrived"
    text = json.dumps(posts[0]["json"])
    assert "fake-error-500" in text or "broken" in text
    assert "secret prompt" not in text and MASTER_KEY not in text and "sk-up" not in text


def test_streaming_hook_replaces_the_rest_of_the_stream(proxy: Proxy) -> None:
    body = {"model": "ok", "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with proxy.client() as c, c.stream("POST", "/v1/chat/completions", json=body) as r:
        lines = [line for line in r.iter_lines() if line.startswith("data: ")]
    texts = [json.loads(line[6:]) for line in lines if line != "data: [DONE]"]
    assert texts[-1] == {"error": {"message": "blocked by the streaming hook"}}
    sent = "".join((t.get("choices") or [{}])[0].get("delta", {}).get("content") or "" for t in texts[:-1])
    assert "provider" not in sent and sent.startswith("Hello")  # cut before the chunk that tripped it
