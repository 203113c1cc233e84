"""Slack alerting: failed, slow and hanging calls, outages, budget crossings and a spend report.

    SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... python examples/slack_example.py

Without SLACK_WEBHOOK_URL the alerts go to a small local webhook that prints them. Things to notice:
twenty identical failures produce one alert plus one "repeated N more times" follow-up (and two outage
alerts), not twenty messages; a call slower than the threshold raises a hanging alert while it runs and a
slow alert when it ends; and nothing here can fail or slow a call, even a broken webhook.
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import litellm
from litellm.fake_provider.server import start_fake_provider
from litellm.integrations.slack import SlackAlertingLogger


class PrintingWebhook(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        text = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["text"]
        print("  [slack] " + text.replace("\n", "\n          ") + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def main() -> None:
    webhook = os.environ.get("SLACK_WEBHOOK_URL")
    if not webhook:
        server = ThreadingHTTPServer(("127.0.0.1", 0), PrintingWebhook)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        webhook = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/XXXX"
    alerts = SlackAlertingLogger(webhook_url=webhook, alerting_threshold=0.5, max_budget=0.00003)
    litellm.callbacks = [alerts]  # in `callbacks`, so it also sees calls start (hanging detection)
    with start_fake_provider() as fake:
        base = dict(
            api_base=f"{fake.url}/v1", api_key="sk-fake", messages=[{"role": "user", "content": "hi"}]
        )
        for _ in range(20):
            try:
                litellm.completion(model="openai/fake-error-503", max_retries=0, **base)
            except litellm.ServiceUnavailableError:
                pass
        litellm.completion(model="openai/gpt-4o-mini", extra_headers={"x-fake-latency-ms": "1500"}, **base)
        for _ in range(5):
            litellm.completion(model="openai/gpt-4o-mini", **base)
        litellm.flush_callbacks(timeout=10)
        alerts.send_daily_report()
        alerts.flush(timeout=10)
    print("alert counters:", alerts.stats())


if __name__ == "__main__":
    main()
