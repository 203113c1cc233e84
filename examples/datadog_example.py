"""Datadog: every call as a Datadog log record ("datadog") and an LLM Observability span
("datadog_llm_observability").

    DD_API_KEY=... DD_SITE=datadoghq.com python examples/datadog_example.py     # your Datadog account

Without DD_API_KEY the script runs offline: the logs go to a small local intake that prints what it
receives, and the spans go to ``ddapm-test-agent`` when it is installed (``pip install ddapm-test-agent``)
through the agent's EVP proxy, as LITELLM_DD_AGENT_HOST / LITELLM_DD_LLM_OBS_PORT would configure it.
Optional: DD_SERVICE, DD_ENV, DD_VERSION, DD_SOURCE, HOSTNAME, POD_NAME, DD_LLMOBS_ML_APP, DD_BASE_URL.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import litellm
from litellm.fake_provider.server import start_fake_provider


class PrintingIntake(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = gzip.decompress(self.rfile.read(int(self.headers["Content-Length"])))
        for entry in json.loads(body):
            record = json.loads(entry["message"])
            print(f"  [intake] status={entry['status']} tags={entry['ddtags']}")
            print(
                f"           call={record['litellm_call_id']} cost={record['response_cost']} "
                f"tokens={record['prompt_tokens']}+{record['completion_tokens']}"
            )
        self.send_response(202)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_test_agent() -> tuple[subprocess.Popen, int] | None:
    local = Path(__file__).resolve().parents[1] / ".receivers/ddagent/bin/ddapm-test-agent"
    exe = shutil.which("ddapm-test-agent") or (str(local) if local.exists() else None)
    if exe is None:
        print("(ddapm-test-agent not installed: skipping LLM Observability)")
        return None
    port = free_port()
    ports = ["--otlp-http-port", str(free_port()), "--otlp-grpc-port", str(free_port())]
    proc = subprocess.Popen(
        [exe, "--host", "127.0.0.1", "-p", str(port), *ports, "--disable-llmobs-data-forwarding"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    print("(ddapm-test-agent did not start: skipping LLM Observability)")
    return None


def main() -> None:
    from litellm.integrations.datadog import DatadogLogger
    from litellm.integrations.datadog_llm_obs import DatadogLLMObsLogger

    agent = None if os.environ.get("DD_API_KEY") else start_test_agent()
    try:
        if os.environ.get("DD_API_KEY"):
            # Your account: both loggers read DD_API_KEY, DD_SITE and friends from the environment.
            litellm.callbacks = ["datadog", "datadog_llm_observability"]
        else:
            intake = ThreadingHTTPServer(("127.0.0.1", 0), PrintingIntake)
            threading.Thread(target=intake.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{intake.server_address[1]}"
            litellm.callbacks = [
                DatadogLogger(dd_api_key="local-demo-key", dd_base_url=url, flush_interval=0.5)
            ]
            if agent is not None:
                litellm.callbacks.append(
                    DatadogLLMObsLogger(dd_agent_host="127.0.0.1", dd_agent_port=agent[1])
                )
        with start_fake_provider() as fake:
            base = dict(
                api_base=f"{fake.url}/v1", api_key="sk-fake", messages=[{"role": "user", "content": "hi"}]
            )
            litellm.completion(model="openai/gpt-4o-mini", metadata={"tags": ["demo"]}, **base)
            list(litellm.completion(model="openai/gpt-4o-mini", stream=True, **base))
            try:
                litellm.completion(model="openai/fake-error-500", **base)
            except litellm.InternalServerError as exc:
                print("a failing call:", type(exc).__name__)
            litellm.flush_callbacks(timeout=10)
        if agent is not None:
            with urllib.request.urlopen(f"http://127.0.0.1:{agent[1]}/test/session/requests") as r:
                spans = [x for x in json.loads(r.read()) if "llmobs" in x["url"]]
            print(f"LLM Observability: the test agent received {len(spans)} span request(s)")
    finally:
        if agent is not None:
            agent[0].terminate()
            agent[0].wait(5)


if __name__ == "__main__":
    main()
