"""Proxy benchmark: our proxy vs a direct-to-upstream floor (and LiteLLM 1.77.0's proxy) with ``wrk``.

Usage::

    python bench/proxy_bench.py [--seconds 10] [--connections 16] [--ref /tmp/refproxy/bin/litellm]

Starts the fake provider (its own process), then for each contender runs ``wrk`` (a C load generator,
``apt-get install wrk``) with ``POST /v1/chat/completions``, non-streamed, 16 connections:

* ``floor``   -- wrk straight at the fake provider: the upstream's own latency;
* ``ours``    -- ``python -m litellm.proxy --config`` (1 worker, master key on, one CustomLogger callback);
* ``litellm`` -- LiteLLM 1.77.0's proxy on the same config, when ``--ref`` points at its ``litellm`` CLI.

Reports requests/s per worker, p50/p99 latency and the *added* p50/p99 over the floor, and the proxy
process's CPU per request read from ``/proc/<pid>/stat`` (utime + stime, all threads, over the run).

Three load shapes per contender: *saturated* (16 connections back to back: rps and CPU per request;
latency there is queueing behind a busy process, not what the proxy adds), *paced* (16 concurrent
connections, each waiting a random 0..2x ``--pace-ms`` (50) between its requests, ~300 requests/s
offered to every contender: the latency 16 concurrent clients see from a proxy that is not overloaded) and *c1* (one
connection, back to back). Budgets (DESIGN.md): under 0.6 ms CPU per request, p50 added under 1 ms at
16 concurrent (the paced run), and at least 10x less CPU than LiteLLM's proxy in the same run. Prints a
table and one JSON line ``RESULT {...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CALLBACK = """
from litellm.integrations.custom_logger import CustomLogger


class BenchLogger(CustomLogger):
    def __init__(self):
        super().__init__()
        self.n = 0

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.n += 1


proxy_handler_instance = BenchLogger()
"""

CONFIG = """
model_list:
  - model_name: bench-model
    litellm_params:
      model: openai/gpt-4o-mini
      api_base: {base}
      api_key: sk-upstream
litellm_settings:
  callbacks: ["custom_callbacks.proxy_handler_instance"]
general_settings:
  master_key: sk-bench-1234
"""

BODY = {"model": "bench-model", "messages": [{"role": "user", "content": "Say hello."}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process and its children that were waited for (all threads)."""
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return []
    out = [int(k) for k in kids]
    for k in list(out):
        out += children(k)
    return out


def run_wrk(
    url: str, seconds: int, connections: int, key: str | None, tmp: Path, pace_ms: int = 0
) -> dict[str, Any]:
    script = tmp / "post.lua"
    headers = 'wrk.headers["Content-Type"] = "application/json"\n'
    if key:
        headers += f'wrk.headers["Authorization"] = "Bearer {key}"\n'
    if pace_ms:  # each connection waits 0..2x this long between its requests (wrk's delay() hook):
        # random think times, so 16 clients do not all arrive in the same millisecond
        headers += f"function delay()\n  return math.random(0, {2 * int(pace_ms)})\nend\n"
    script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(BODY))}\n{headers}')
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def measure_proxy(
    name: str, cmd: list[str], port: int, env: dict[str, str], args: argparse.Namespace, tmp: Path
) -> dict[str, Any]:
    log = (tmp / f"{name}.log").open("w")
    proc = subprocess.Popen(
        cmd, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/health/liveliness", proc=proc)
        url = f"http://127.0.0.1:{port}/v1/chat/completions"
        run_wrk(url, 3, args.connections, "sk-bench-1234", tmp)  # warm-up
        time.sleep(1.0)  # let the logging worker drain the warm-up's events
        one = run_wrk(url, max(3, args.seconds // 2), 1, "sk-bench-1234", tmp)  # unloaded: one connection
        paced = run_wrk(url, max(3, args.seconds // 2), args.connections, "sk-bench-1234", tmp, args.pace_ms)
        before = cpu_seconds(proc.pid)
        result = run_wrk(url, args.seconds, args.connections, "sk-bench-1234", tmp)
        result["cpu_ms_per_request"] = (cpu_seconds(proc.pid) - before) * 1000 / max(1, result["requests"])
        result["c1_p50_ms"], result["c1_p99_ms"] = one["p50_ms"], one["p99_ms"]
        result["paced_p50_ms"], result["paced_p99_ms"] = paced["p50_ms"], paced["p99_ms"]
        result["paced_rps"] = paced["rps"]
        if result["non_2xx"]:  # say why, so a failing run is never read as a fast one
            import httpx

            r = httpx.post(url, json=BODY, headers={"Authorization": "Bearer sk-bench-1234"}, timeout=30)
            result["sample_error"] = f"{r.status_code} {r.text[:300]}"
            print(
                f"{name}: {result['non_2xx']} non-2xx responses, e.g. {result['sample_error']}",
                file=sys.stderr,
            )
        return result
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pace-ms", type=int, default=50, help="think time per connection, paced run")
    parser.add_argument(
        "--ref", default="/tmp/refproxy/bin/litellm", help="LiteLLM 1.77.0's CLI, if installed"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    tmp = Path(tempfile.mkdtemp(prefix="proxy-bench-"))
    fake_port = free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "litellm.fake_provider", "--host", "127.0.0.1", "--port", str(fake_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: dict[str, Any] = {}
    try:
        wait_http(f"http://127.0.0.1:{fake_port}/health")
        base = f"http://127.0.0.1:{fake_port}/v1"
        (tmp / "config.yaml").write_text(CONFIG.format(base=base))
        (tmp / "custom_callbacks.py").write_text(CALLBACK)
        url = f"{base}/chat/completions"
        run_wrk(url, 2, args.connections, None, tmp)
        results["floor"] = run_wrk(url, args.seconds, args.connections, None, tmp)
        one = run_wrk(url, max(3, args.seconds // 2), 1, None, tmp)
        results["floor"]["c1_p50_ms"], results["floor"]["c1_p99_ms"] = one["p50_ms"], one["p99_ms"]
        paced = run_wrk(url, max(3, args.seconds // 2), args.connections, None, tmp, args.pace_ms)
        results["floor"]["paced_p50_ms"], results["floor"]["paced_p99_ms"] = paced["p50_ms"], paced["p99_ms"]
        results["floor"]["paced_rps"] = paced["rps"]
        env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "litellm.proxy",
            "--config",
            "config.yaml",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        results["ours"] = measure_proxy("ours", cmd, port, env, args, tmp)
        if args.ref and os.path.exists(args.ref):
            port = free_port()
            cmd = [
                args.ref,
                "--config",
                "config.yaml",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--num_workers",
                "1",
            ]
            ref_env = {**env, "DISABLE_SCHEMA_UPDATE": "true", "LITELLM_LOG": "ERROR"}
            try:
                results["litellm_1.77.0"] = measure_proxy("litellm", cmd, port, ref_env, args, tmp)
            except Exception as exc:  # the reference is optional
                results["litellm_1.77.0"] = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        fake.terminate()
        fake.wait(10)
    floor = results["floor"]
    print(
        f"\n{args.connections} connections back to back (saturated: rps and CPU; latency there is queueing);"
        f" paced = {args.connections} connections\neach waiting 0-{2 * args.pace_ms} ms between requests (the"
        " latency budget's load); c1 = one connection back to back"
    )
    head = (
        "rps",
        "p50 ms",
        "p99 ms",
        "+p50 ms",
        "+p99 ms",
        "CPU ms/req",
        "non-2xx",
        "paced p50",
        "paced +p50",
        "paced +p99",
        "c1 +p50",
    )
    print(f"{'':16}" + "".join(f"{h:>11}" for h in head))
    for name, r in results.items():
        if "error" in r:
            print(f"{name:16}{r['error']}")
            continue
        if name != "floor":
            for key in ("p50_ms", "p99_ms", "c1_p50_ms", "c1_p99_ms", "paced_p50_ms", "paced_p99_ms"):
                r["added_" + key] = r[key] - floor[key]
        row = (
            r["rps"], r["p50_ms"], r["p99_ms"], r.get("added_p50_ms", 0.0), r.get("added_p99_ms", 0.0),
            r.get("cpu_ms_per_request", float("nan")), r["non_2xx"], r["paced_p50_ms"],
            r.get("added_paced_p50_ms", 0.0), r.get("added_paced_p99_ms", 0.0), r.get("added_c1_p50_ms", 0.0),
        )  # fmt: skip
        print(
            f"{name:16}" + "".join(f"{v:>11.0f}" if i in (0, 6) else f"{v:>11.3f}" for i, v in enumerate(row))
        )
    ours, ref = results["ours"], results.get("litellm_1.77.0") or {}
    summary = {
        "cpu_budget_ms": 0.6,
        "cpu_ok": ours["cpu_ms_per_request"] < 0.6,
        "p50_added_16c_ok": ours["added_paced_p50_ms"] < 1.0,
        "p50_added_unloaded_ok": ours["added_c1_p50_ms"] < 1.0,
    }
    if "cpu_ms_per_request" in ref:
        summary["cpu_ratio_litellm_over_ours"] = ref["cpu_ms_per_request"] / ours["cpu_ms_per_request"]
        summary["rps_ratio_ours_over_litellm"] = ours["rps"] / ref["rps"]
    print(
        "\n" + "  ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in summary.items())
    )
    print("RESULT " + json.dumps({**results, "summary": summary}))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
