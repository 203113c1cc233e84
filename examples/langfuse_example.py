"""Langfuse: a trace with one generation per call (model, parameters, usage, cost, input/output).

    LANGFUSE_PUBLIC_KEY=pk-lf-... LANGFUSE_SECRET_KEY=sk-lf-... LANGFUSE_HOST=https://cloud.langfuse.com \\
        python examples/langfuse_example.py

Without LANGFUSE_PUBLIC_KEY the script runs offline: a small local OTLP receiver plays Langfuse's
ingestion endpoint (``/api/public/otel/v1/traces``) and prints what it receives. Calls go to the bundled
fake provider (no keys). Trace fields come from ``metadata`` as LiteLLM documents them (trace_id,
session_id, trace_user_id, tags, trace_name, generation_name, ...). Needs
``pip install 'litellm-observe[langfuse]'`` (the offline receiver also uses ``opentelemetry-proto``).
"""

from __future__ import annotations

import gzip
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import litellm
from litellm.fake_provider.server import start_fake_provider


class PrintingLangfuse(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        print(f"  [langfuse] {self.path} auth={self.headers['Authorization'][:12]}...")
        for rs in ExportTraceServiceRequest.FromString(body).resource_spans:
            for ss in rs.scope_spans:
                for span in ss.spans:
                    attrs = {a.key: a.value.string_value or a.value.bool_value for a in span.attributes}
                    print(
                        f"    generation {span.name!r} trace={span.trace_id.hex()} level={attrs.get('langfuse.observation.level')}"
                    )
                    for key in (
                        "langfuse.trace.name",
                        "session.id",
                        "user.id",
                        "langfuse.observation.model.name",
                        "langfuse.observation.usage_details",
                        "langfuse.observation.cost_details",
                    ):
                        if key in attrs:
                            print(f"      {key} = {attrs[key]}")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main() -> None:
    from litellm.integrations.langfuse import LangfuseLogger

    server = None
    if os.environ.get("LANGFUSE_PUBLIC_KEY"):
        logger = LangfuseLogger()  # keys and host from the environment
    else:
        server = ThreadingHTTPServer(("127.0.0.1", 0), PrintingLangfuse)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        host = f"http://127.0.0.1:{server.server_address[1]}"
        print(f"LANGFUSE_PUBLIC_KEY not set: sending to a local stand-in at {host}")
        logger = LangfuseLogger("pk-lf-local", "sk-lf-local", host, environ={})
    litellm.callbacks = [logger]
    try:
        with start_fake_provider() as fake:
            base = fake.url + "/v1"
            metadata = {
                "trace_name": "support-chat",
                "session_id": "session-123",
                "trace_user_id": "user-42",
                "tags": ["example"],
                "generation_name": "draft-answer",
            }
            litellm.completion(
                model="openai/gpt-4o-mini",
                api_base=base,
                api_key="x",
                messages=[{"role": "user", "content": "hi"}],
                metadata=metadata,
            )
            for _ in litellm.completion(
                model="openai/gpt-4o-mini",
                api_base=base,
                api_key="x",
                messages=[{"role": "user", "content": "stream"}],
                stream=True,
                stream_options={"include_usage": True},
                metadata=metadata,
            ):
                pass
            try:
                litellm.completion(
                    model="openai/fake-error-500",
                    api_base=base,
                    api_key="x",
                    messages=[{"role": "user", "content": "x"}],
                    num_retries=0,
                )
            except litellm.InternalServerError:
                pass
        litellm.flush_callbacks()
        print("exporter counters:", json.dumps(logger.stats()))
    finally:
        logger.shutdown()
        if server is not None:
            server.shutdown()


if __name__ == "__main__":
    main()
