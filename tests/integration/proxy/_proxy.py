"""Start the proxy the way a user does (``python -m litellm.proxy --config config.yaml``) in a subprocess.

``running_proxy(tmp_dir, config_yaml, ...)`` writes the config (and a ``custom_callbacks.py`` whose
handler records every logging event and proxy hook call to a JSONL file), starts the CLI on a free port,
waits for ``/health/liveliness`` and yields a :class:`Proxy`; on exit it sends SIGTERM and waits.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

MASTER_KEY = "sk-master-test-1234"

CUSTOM_CALLBACKS = """
import json, os
from litellm.integrations.custom_logger import CustomLogger

EVENTS = os.environ["PROXY_EVENTS_FILE"]


def _write(kind, **fields):
    with open(EVENTS, "a") as fh:
        fh.write(json.dumps({"kind": kind, **fields}, default=str) + "\\n")


class Handler(CustomLogger):
    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        _write("success", payload=kwargs["standard_logging_object"])

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        _write("failure", payload=kwargs["standard_logging_object"])

    async def async_pre_call_hook(self, user_api_key_dict, cache, data, call_type):
        text = str((data.get("messages") or [{}])[-1].get("content") or data.get("input") or "")
        _write("pre_call", call_type=call_type, key_hash=user_api_key_dict.api_key)
        if "[reject]" in text:
            return "Rejected by the pre-call hook"
        if "[rewrite]" in text:
            data["messages"][-1]["content"] = "rewritten"
            data.setdefault("metadata", {})["rewritten"] = True
        return data

    async def async_moderation_hook(self, data, user_api_key_dict, call_type):
        text = str((data.get("messages") or [{}])[-1].get("content") or "")
        if "[flag]" in text:
            from litellm.proxy.errors import ProxyError
            raise ProxyError(400, "Violated content policy (moderation hook)")

    async def async_post_call_success_hook(self, data, user_api_key_dict, response):
        _write("post_success", model=data.get("model"), keys=sorted(data), response=type(response).__name__)

    async def async_post_call_failure_hook(self, request_data, original_exception, user_api_key_dict, traceback_str=None):
        _write("post_failure", error=type(original_exception).__name__, keys=sorted(request_data))

    async def async_post_call_streaming_iterator_hook(self, user_api_key_dict, response, request_data):
        n = 0
        async for chunk in response:
            n += 1
            yield chunk
        _write("stream_iterator", chunks=n)

    async def async_post_call_response_headers_hook(self, data, user_api_key_dict, response, request_headers=None, litellm_call_info=None):
        return {"x-custom-hook": "yes"}


proxy_handler_instance = Handler()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    def __init__(self, proc: subprocess.Popen, url: str, events: Path, log: Path) -> None:
        self.proc, self.url, self.events_file, self.log = proc, url, events, log

    def client(self, key: str | None = MASTER_KEY, **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        kw.setdefault("timeout", 30)
        return httpx.Client(base_url=self.url, headers=headers, **kw)

    def events(self, kind: str | None = None) -> list[dict[str, Any]]:
        if not self.events_file.exists():
            return []
        rows = [json.loads(line) for line in self.events_file.read_text().splitlines() if line.strip()]
        return [r for r in rows if kind is None or r["kind"] == kind]

    def wait_events(self, predicate: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events() if predicate(e)]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no matching event within {timeout}s; have {len(self.events())}")


def start(tmp: Path, config: str, *args: str, env: dict[str, str] | None = None, wait: bool = True) -> Proxy:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "config.yaml").write_text(config)
    (tmp / "custom_callbacks.py").write_text(CUSTOM_CALLBACKS)
    port = free_port()
    events, log = tmp / "events.jsonl", tmp / "proxy.log"
    full_env = {**os.environ, "PROXY_EVENTS_FILE": str(events), **(env or {})}
    full_env.pop("LITELLM_MASTER_KEY", None) if "LITELLM_MASTER_KEY" not in (env or {}) else None
    cmd = [sys.executable, "-m", "litellm.proxy", "--config", str(tmp / "config.yaml"), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), *args]
    proc = subprocess.Popen(cmd, cwd=tmp, env=full_env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    proxy = Proxy(proc, f"http://127.0.0.1:{port}", events, log)
    if wait:
        wait_ready(proxy)
    return proxy


def wait_ready(proxy: Proxy, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proxy.proc.poll() is not None:
            raise RuntimeError(f"proxy exited {proxy.proc.returncode}:\n{proxy.log.read_text()}")
        try:
            if httpx.get(proxy.url + "/health/liveliness", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    stop(proxy)
    raise RuntimeError(f"proxy did not start:\n{proxy.log.read_text()}")


def stop(proxy: Proxy, timeout: float = 20.0) -> int:
    if proxy.proc.poll() is None:
        proxy.proc.send_signal(signal.SIGTERM)
        try:
            proxy.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proxy.proc.kill()
            proxy.proc.wait()
    return proxy.proc.returncode


@contextlib.contextmanager
def running_proxy(tmp: Path, config: str, *args: str, env: dict[str, str] | None = None) -> Iterator[Proxy]:
    proxy = start(tmp, config, *args, env=env)
    try:
        yield proxy
    finally:
        stop(proxy)
