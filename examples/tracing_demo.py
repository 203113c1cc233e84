"""Tracing demo: a few LLM calls (success, stream, failure) traced with OpenTelemetry into a local UI.

    python examples/tracing_demo.py            # then open the URL it prints

Receiver, in order of preference:

1. Arize Phoenix, a real OTLP backend with a UI, when installed (``pip install arize-phoenix``, about
   850 MB, or a venv at ``.receivers/phoenix``). It takes about 8 s to start; the script keeps it running
   until you press Enter so you can look at the traces (project ``litellm-demo``).
2. ``ddapm-test-agent`` (``pip install ddapm-test-agent``): stores the spans; the script prints them.
3. Neither: the spans are printed to the console by the OpenTelemetry console exporter.

Calls go to the bundled fake provider (no keys). The calls run inside an application span, so the
logger's GenAI spans appear as its children in one trace. Needs ``pip install 'litellm-observe[otel]'``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import litellm
from litellm.fake_provider.server import start_fake_provider

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ok(url: str, proc: subprocess.Popen, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def find(exe: str, venv: str) -> str | None:
    local = ROOT / ".receivers" / venv / "bin" / exe
    return shutil.which(exe) or (str(local) if local.exists() else None)


def start_phoenix() -> tuple[subprocess.Popen, str, str] | None:
    exe = find("phoenix", "phoenix")
    if exe is None:
        return None
    http, grpc = free_port(), free_port()
    env = {
        **os.environ,
        "PHOENIX_WORKING_DIR": tempfile.mkdtemp(prefix="phoenix-"),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(http),
        "PHOENIX_GRPC_PORT": str(grpc),
        "PHOENIX_TELEMETRY_ENABLED": "false",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
    }
    print("starting Phoenix (about 8 s) ...")
    proc = subprocess.Popen([exe, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait_ok(f"http://127.0.0.1:{http}/healthz", proc, 60):
        proc.terminate()
        return None
    return proc, f"http://127.0.0.1:{http}/v1/traces", f"http://127.0.0.1:{http}/projects"


def start_test_agent() -> tuple[subprocess.Popen, str, str] | None:
    exe = find("ddapm-test-agent", "ddagent")
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
    if not wait_ok(f"http://127.0.0.1:{port}/info", proc, 20):
        proc.terminate()
        return None
    return proc, f"http://127.0.0.1:{otlp}/v1/traces", f"http://127.0.0.1:{otlp}/test/session/traces"


def run_calls(base: str, tracer_provider: Any) -> None:
    # the application's span comes from the logger's provider here, so it is exported with them and the
    # UI shows one tree; any application tracer works (the GenAI spans join whatever span is current)
    tracer = tracer_provider.get_tracer("tracing-demo")
    with tracer.start_as_current_span("answer-user-question"):
        r = litellm.completion(
            model="openai/gpt-4o-mini",
            api_base=base,
            api_key="x",
            messages=[
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is tracing?"},
            ],
            temperature=0.2,
            metadata={"session_id": "demo-session"},
        )
        print(f"  success: {r.choices[0].message.content!r}")
        chunks = litellm.completion(
            model="openai/gpt-4o-mini",
            api_base=base,
            api_key="x",
            messages=[{"role": "user", "content": "Stream a reply"}],
            stream=True,
            stream_options={"include_usage": True},
            extra_headers={"x-fake-latency-ms": "120", "x-fake-chunk-delay-ms": "30"},
        )
        print(f"  stream: {''.join(c.choices[0].delta.content or '' for c in chunks if c.choices)!r}")
        try:
            litellm.completion(
                model="openai/fake-error-429",
                api_base=base,
                api_key="x",
                messages=[{"role": "user", "content": "x"}],
                num_retries=0,
            )
        except litellm.RateLimitError as exc:
            print(f"  failure: {type(exc).__name__}")
    litellm.flush_callbacks()


def show_phoenix_spans(base: str) -> None:
    """What Phoenix stored, read through its REST API (it can take a moment to appear)."""
    import json

    for _ in range(50):
        try:
            with urllib.request.urlopen(f"{base}/v1/projects/litellm-demo/spans?limit=20") as r:
                spans = json.loads(r.read())["data"]
            if len(spans) >= 4:
                break
        except OSError:
            pass
        time.sleep(0.2)
    else:
        return
    for span in spans:
        attrs = span.get("attributes", {})
        print(
            f"  {span['name']:<28} status={span.get('status_code')} model={attrs.get('gen_ai.request.model', '-')}"
        )


def main() -> None:
    from litellm.integrations.opentelemetry import OpenTelemetryLogger, OpenTelemetrySettings

    # Phoenix files spans under the project named by this resource attribute
    os.environ.setdefault("OTEL_RESOURCE_ATTRIBUTES", "openinference.project.name=litellm-demo")
    receiver, kind = start_phoenix(), "Phoenix"
    if receiver is None:
        receiver, kind = start_test_agent(), "ddapm-test-agent"
    if receiver is None:
        print("neither Phoenix nor ddapm-test-agent is installed: printing spans to the console")
        settings = OpenTelemetrySettings(exporter="console", service_name="tracing-demo")
    else:
        # Phoenix takes traces only (it answers 405 to OTLP metrics)
        settings = OpenTelemetrySettings(
            exporter="otlp_http",
            endpoint=receiver[1],
            service_name="tracing-demo",
            enable_metrics=kind != "Phoenix",
        )
    logger = OpenTelemetryLogger(settings)
    litellm.callbacks = [logger]
    try:
        with start_fake_provider() as fake:
            run_calls(fake.url + "/v1", logger.tracer_provider)
        if receiver is not None:
            print(f"\n{kind}: look at {receiver[2]}")
            if kind == "Phoenix":
                show_phoenix_spans(receiver[2].rsplit("/", 1)[0])
            if kind == "Phoenix" and sys.stdin.isatty():
                input("press Enter to stop Phoenix ... ")
            elif kind != "Phoenix":
                with urllib.request.urlopen(receiver[2]) as r:
                    print(r.read()[:1500].decode(), "...")
    finally:
        logger.shutdown()
        if receiver is not None:
            receiver[0].terminate()
            receiver[0].wait()


if __name__ == "__main__":
    main()
