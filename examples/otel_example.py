"""OpenTelemetry: one GenAI CLIENT span (plus GenAI metrics) per call, to any OTLP backend.

    OTEL_EXPORTER=otlp_http OTEL_ENDPOINT=http://localhost:4318 python examples/otel_example.py
    OTEL_EXPORTER=otlp_grpc OTEL_ENDPOINT=http://localhost:4317 python examples/otel_example.py

Without OTEL_EXPORTER / OTEL_ENDPOINT the script runs offline: it starts ``ddapm-test-agent`` (a real
OTLP receiver from PyPI: ``pip install ddapm-test-agent``) when installed and reads the spans back from
it, else it keeps the spans in memory. Calls go to the bundled fake provider (no keys): a success, a
stream and a failure, inside an application span the logger's spans join. Needs
``pip install 'litellm-observe[otel]'``. Optional: OTEL_HEADERS, OTEL_SERVICE_NAME, OTEL_TRACER_NAME,
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT (NO_CONTENT | SPAN_ONLY | EVENT_ONLY | SPAN_AND_EVENT).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import litellm
from litellm.fake_provider.server import start_fake_provider


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_test_agent() -> tuple[subprocess.Popen, int] | None:
    local = Path(__file__).resolve().parents[1] / ".receivers/ddagent/bin/ddapm-test-agent"
    exe = shutil.which("ddapm-test-agent") or (str(local) if local.exists() else None)
    if exe is None:
        return None
    port, otlp = free_port(), free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--host",
            "127.0.0.1",
            "-p",
            str(port),
            "--otlp-http-port",
            str(otlp),
            "--otlp-grpc-port",
            str(free_port()),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=1).close()
            return proc, otlp
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    return None


def make_calls(base: str) -> None:
    from opentelemetry.sdk.trace import TracerProvider

    # the application's own tracing (not installed globally): the logger's spans become its children
    with TracerProvider().get_tracer("my-app").start_as_current_span("handle-request"):
        litellm.completion(
            model="openai/gpt-4o-mini",
            api_base=base,
            api_key="x",
            messages=[{"role": "user", "content": "hi"}],
        )
        for _ in litellm.completion(
            model="openai/gpt-4o-mini",
            api_base=base,
            api_key="x",
            messages=[{"role": "user", "content": "stream please"}],
            stream=True,
            stream_options={"include_usage": True},
        ):
            pass
        try:
            litellm.completion(
                model="openai/fake-error-429",
                api_base=base,
                api_key="x",
                messages=[{"role": "user", "content": "x"}],
                num_retries=0,
            )
        except litellm.RateLimitError as exc:
            print(f"  call failed as expected: {type(exc).__name__}")
    litellm.flush_callbacks()


def show(name: str, attrs: dict, status: str) -> None:
    keys = (
        "gen_ai.request.model",
        "gen_ai.usage.input_tokens",
        "gen_ai.usage.output_tokens",
        "gen_ai.usage.cost",
        "gen_ai.response.time_to_first_chunk",
        "error.type",
    )
    picked = {k.split(".", 1)[1]: attrs[k] for k in keys if k in attrs}
    print(f"  span {name!r} status={status} {picked}")


def main() -> None:
    from litellm.integrations.opentelemetry import OpenTelemetryLogger, OpenTelemetrySettings

    configured = (
        os.environ.get("OTEL_EXPORTER")
        or os.environ.get("OTEL_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    agent = None if configured else start_test_agent()
    if configured:
        logger = OpenTelemetryLogger()  # everything from the environment
        print(f"exporting to {logger.settings.exporter} {logger.settings.endpoint or ''}")
    elif agent is not None:
        logger = OpenTelemetryLogger(
            OpenTelemetrySettings(exporter="otlp_http", endpoint=f"http://127.0.0.1:{agent[1]}")
        )
        print(f"exporting to ddapm-test-agent's OTLP port {agent[1]}")
    else:
        logger = OpenTelemetryLogger(OpenTelemetrySettings(exporter="in_memory"))
        print("no OTLP receiver configured or installed: keeping spans in memory")
    litellm.callbacks = [logger]
    try:
        with start_fake_provider() as fake:
            make_calls(fake.url + "/v1")
        if agent is not None:
            with urllib.request.urlopen(f"http://127.0.0.1:{agent[1]}/test/session/traces") as r:
                for request in json.loads(r.read()):
                    for rs in request["resource_spans"]:
                        for ss in rs["scope_spans"]:
                            for s in ss["spans"]:
                                attrs = {a["key"]: next(iter(a["value"].values())) for a in s["attributes"]}
                                show(s["name"], attrs, s.get("status", {}).get("code", "UNSET"))
                                print(f"       trace={base64.b64decode(s['trace_id']).hex()}")
        elif logger.span_exporter is not None and hasattr(logger.span_exporter, "get_finished_spans"):
            for s in logger.span_exporter.get_finished_spans():
                show(s.name, dict(s.attributes), s.status.status_code.name)
        print("exporter counters:", logger.stats())
    finally:
        logger.shutdown()
        if agent is not None:
            agent[0].terminate()
            agent[0].wait()


if __name__ == "__main__":
    main()
