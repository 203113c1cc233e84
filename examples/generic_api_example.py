"""Generic API ("generic_api"): every call's payload POSTed, batched, to any HTTP endpoint.

    GENERIC_LOGGER_ENDPOINT=https://example.com/llm-logs GENERIC_LOGGER_HEADERS="Authorization=Bearer t" \\
        python examples/generic_api_example.py

Without GENERIC_LOGGER_ENDPOINT the script runs offline against a small local webhook that prints what
it receives. Calls go to the bundled fake provider (no keys). The logger is registered by name, as in
``litellm.callbacks = ["generic_api"]``; the body is a JSON array of StandardLoggingPayloads (or NDJSON,
or one request per payload, with ``GenericAPILogger(log_format=...)``).
"""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import litellm
from litellm.fake_provider.server import start_fake_provider


class PrintingWebhook(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        payloads = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        print(
            f"  [webhook] {len(payloads)} payloads, Authorization={self.headers.get('Authorization', '-')[:10]}..."
        )
        for p in payloads:
            print(
                f"    {p['id']} {p['status']:<8} {p['model']} cost={p['response_cost']} tokens={p['total_tokens']}"
            )
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def main() -> None:
    server = None
    if not os.environ.get("GENERIC_LOGGER_ENDPOINT"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), PrintingWebhook)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        os.environ["GENERIC_LOGGER_ENDPOINT"] = f"http://127.0.0.1:{server.server_address[1]}/hook"
        os.environ.setdefault("GENERIC_LOGGER_HEADERS", "Authorization=Bearer local-token")
        print(f"GENERIC_LOGGER_ENDPOINT not set: posting to {os.environ['GENERIC_LOGGER_ENDPOINT']}")
    litellm.callbacks = ["generic_api"]
    try:
        with start_fake_provider() as fake:
            base = fake.url + "/v1"
            for question in ("hi", "how are you?"):
                litellm.completion(
                    model="openai/gpt-4o-mini",
                    api_base=base,
                    api_key="x",
                    messages=[{"role": "user", "content": question}],
                )
            try:
                litellm.completion(
                    model="openai/fake-error-400",
                    api_base=base,
                    api_key="x",
                    messages=[{"role": "user", "content": "x"}],
                )
            except litellm.BadRequestError:
                pass
        litellm.flush_callbacks()  # sends the batch now instead of after the flush interval
        print("exporter counters:", litellm.callback_stats().get("exporters", {}).get("generic_api"))
    finally:
        if server is not None:
            server.shutdown()


if __name__ == "__main__":
    main()
