"""Soft budgets and budget crossings alert through Slack (general_settings.alerting, a local webhook)."""

from __future__ import annotations

import json

import pytest

from tests.integration.proxy_db.conftest import MASTER, model_block, start_proxy, stop_proxy
from tests.integration.receivers import CaptureServer

pytestmark = pytest.mark.integration


def test_soft_budget_and_budget_crossed_alerts(fake_provider, tmp_path) -> None:
    webhook = CaptureServer({("POST", "/services/T/B/X"): (200, "text/plain", b"ok")})
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  alerting: [slack]
  alert_types: [budget_alerts]
  spend_spool_dir: {tmp_path}/spool
"""
    )
    p = start_proxy(tmp_path / "p", config, {"SLACK_WEBHOOK_URL": webhook.url + "/services/T/B/X"})
    try:
        with p.client() as admin:
            key = admin.post(
                "/key/generate", json={"key_alias": "alerted", "soft_budget": 0.00015, "max_budget": 0.00025}
            ).json()["key"]
        with p.client(key) as c:
            statuses = [
                c.post(
                    "/chat/completions",
                    json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]},
                ).status_code
                for _ in range(4)
            ]
        assert statuses == [200, 200, 200, 400]
        posts = webhook.wait_for(2, timeout=15)
        texts = [json.dumps(post["json"]) for post in posts]
        assert any("Soft budget crossed" in t for t in texts), texts
        assert any("Budget crossed" in t for t in texts), texts
        assert all(key not in t for t in texts)
    finally:
        stop_proxy(p)
        webhook.close()
