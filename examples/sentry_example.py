"""Sentry: failed calls as error events with the call's tags, recent calls as breadcrumbs.

    SENTRY_DSN=https://<key>@o0.ingest.sentry.io/<project> python examples/sentry_example.py

If the application already initialised Sentry (``sentry_sdk.init``), the logger uses that client as it
is. Without SENTRY_DSN the script runs offline: a small local server plays Sentry's envelope endpoint
and prints the events it receives. Calls go to the bundled fake provider (no keys); message content is
left out of events unless ``include_content=True`` (or SENTRY_SEND_DEFAULT_PII=true). Needs
``pip install 'litellm-observe[sentry]'``. Optional: SENTRY_ENVIRONMENT, SENTRY_API_SAMPLE_RATE.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import litellm
from litellm.fake_provider.server import start_fake_provider


class PrintingSentry(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        lines = body.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                event = json.loads(payload)
                exc = event["exception"]["values"][-1]
                print(f"  [sentry] {exc['type']}: {exc['value'][:60]}")
                print(f"           tags={event['tags']}")
                crumbs = event.get("breadcrumbs", {}).get("values", [])
                print(f"           breadcrumbs={[c['message'] for c in crumbs]}")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def main() -> None:
    from litellm.integrations.sentry import SentryLogger

    server = None
    if os.environ.get("SENTRY_DSN"):
        logger = SentryLogger()
    else:
        server = ThreadingHTTPServer(("127.0.0.1", 0), PrintingSentry)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        dsn = f"http://public@127.0.0.1:{server.server_address[1]}/1"
        print(f"SENTRY_DSN not set: sending to a local stand-in ({dsn})")
        logger = SentryLogger(dsn, environ={})
    litellm.callbacks = [logger]
    try:
        with start_fake_provider() as fake:
            base = fake.url + "/v1"
            for _ in range(2):  # successes: breadcrumbs only
                litellm.completion(
                    model="openai/gpt-4o-mini",
                    api_base=base,
                    api_key="x",
                    messages=[{"role": "user", "content": "hi"}],
                )
            try:
                litellm.completion(
                    model="openai/fake-error-429",
                    api_base=base,
                    api_key="x",
                    messages=[{"role": "user", "content": "hi"}],
                    num_retries=0,
                )
            except litellm.RateLimitError:
                pass
        litellm.flush_callbacks()
        print("exporter counters:", logger.stats())
    finally:
        logger.shutdown()
        if server is not None:
            server.shutdown()


if __name__ == "__main__":
    main()
