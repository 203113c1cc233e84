"""Where the proxy's CPU goes, per thread: wall-clock CPU from ``/proc`` or instruction counts from callgrind.

Usage::

    python bench/proxy_profile.py threads   [--seconds 8] [--setup key+sqlite]
    python bench/proxy_profile.py callgrind [--requests 300] [--setup key+sqlite]

Both start the fake provider and our proxy as a user does (``python -m litellm.proxy --config``) on one of
the budget's set-ups (``--setup``): ``master`` (master key, ledger off), ``key+sqlite`` (a virtual key and
the spend ledger on the default SQLite; DESIGN.md's budget set-up) -- each with one CustomLogger callback.

* ``threads``: ``wrk`` for ``--seconds`` at 16 connections, then CPU per request of every thread of the
  proxy, read from ``/proc/<pid>/task/*/stat`` before and after, with each thread's Python name (asked of
  the proxy through ``py-spy dump`` when installed). Seconds: drifts with the machine.
* ``callgrind``: the proxy runs under ``valgrind --tool=callgrind --separate-threads=yes``; after a warm-up
  the counters are zeroed (``callgrind_control -z``), ``--requests`` requests are sent one after another
  on one keep-alive connection, and the counters are dumped. Prints instructions per request of every
  thread. The main thread's count repeats to within ~1 % from run to run whatever else the machine does;
  the background threads poll on timers, so their counts grow with wall time and only their order of
  magnitude means something. ``--keep DIR`` keeps the callgrind files for ``callgrind_annotate``.

Never asserts on time; prints a table and one ``RESULT {...}`` JSON line.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

_spec = importlib.util.spec_from_file_location("proxy_bench", Path(__file__).with_name("proxy_bench.py"))
pb = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(pb)  # type: ignore[union-attr]

_spec = importlib.util.spec_from_file_location("proxy_ledger_keys", Path(__file__).with_name("proxy_ledger_keys.py"))
lk = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(lk)  # type: ignore[union-attr]

MASTER, CONFIG = lk.MASTER, lk.CONFIG  # the same proxy set-up as bench/proxy_ledger_keys.py
SETUPS = {"master": "  disable_spend_logs: true", "key+sqlite": ""}


def thread_ticks(pid: int) -> dict[int, int]:
    ticks = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks[int(task.name)] = int(fields[11]) + int(fields[12])
    return ticks


def thread_names(pid: int) -> dict[int, str]:
    """OS thread id -> Python thread name, from ``py-spy dump`` (empty when py-spy is missing)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return {}
    out = subprocess.run([spy, "dump", "--pid", str(pid)], capture_output=True, text=True, timeout=60).stdout
    return {int(m.group(1)): m.group(2) for m in re.finditer(r'^Thread (\d+) \(\w+\): "([^"]*)"', out, re.M)}


def start(setup: str, tmp: Path, base: str, env: dict, prefix: list[str]) -> tuple[subprocess.Popen, int, str]:
    work = tmp / setup
    work.mkdir()
    (work / "config.yaml").write_text(CONFIG.format(base=base, extra=SETUPS[setup]))
    (work / "custom_callbacks.py").write_text(pb.CALLBACK)
    port = pb.free_port()
    cmd = [*prefix, sys.executable, "-m", "litellm.proxy", "--config", "config.yaml", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=(work / "log").open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    pb.wait_http(f"http://127.0.0.1:{port}/health/liveliness", timeout=600, proc=proc)
    key = MASTER
    if setup != "master":
        r = httpx.post(f"http://127.0.0.1:{port}/key/generate", json={}, headers={"Authorization": f"Bearer {MASTER}"}, timeout=120)
        r.raise_for_status()
        key = r.json()["key"]
    return proc, port, key


def send(client: httpx.Client, port: int, key: str, n: int) -> None:
    for _ in range(n):
        r = client.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=pb.BODY, headers={"Authorization": f"Bearer {key}"})
        r.raise_for_status()


def threads_mode(args: Any, tmp: Path, base: str, env: dict) -> dict[str, Any]:
    proc, port, key = start(args.setup, tmp, base, env, [])
    try:
        url = f"http://127.0.0.1:{port}/v1/chat/completions"
        pb.run_wrk(url, 2, 16, key, tmp)
        names = thread_names(proc.pid)
        before = thread_ticks(proc.pid)
        result = pb.run_wrk(url, args.seconds, 16, key, tmp)
        after = thread_ticks(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)
    hz = os.sysconf("SC_CLK_TCK")
    n = max(1, result["requests"])
    per = {tid: (after[tid] - before.get(tid, 0)) * 1e6 / hz / n for tid in after}
    rows = sorted(per.items(), key=lambda kv: -kv[1])
    print(f"\n{result['requests']} requests, {result['rps']:.0f} rps; CPU µs per request by thread")
    out = {}
    for tid, us in rows:
        if us <= 0:
            continue
        label = "main" if tid == proc.pid else names.get(tid, f"tid {tid}")
        print(f"  {label:32} {us:8.1f}")
        out[label if label not in out else f"{label}#{tid}"] = round(us, 1)
    print(f"  {'all':32} {sum(per.values()):8.1f}")
    return {"rps": result["rps"], "us_per_request": out, "total_us": round(sum(per.values()), 1)}


def callgrind_mode(args: Any, tmp: Path, base: str, env: dict) -> dict[str, Any]:
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        sys.exit("valgrind is not installed: apt-get install valgrind")
    out_dir = Path(args.keep) if args.keep else tmp / "cg"
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = ["valgrind", "--tool=callgrind", "--separate-threads=yes", f"--callgrind-out-file={out_dir}/callgrind.out.%p"]
    env = {**env, "PYTHONMALLOC": "malloc"}  # valgrind's advice for CPython (the counts were taken with it)
    proc, port, key = start(args.setup, tmp, base, env, prefix)
    try:
        with httpx.Client(timeout=120) as client:
            send(client, port, key, args.warmup)
            time.sleep(2)  # let the logging threads drain the warm-up
            subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True, capture_output=True)
            send(client, port, key, args.requests)
            time.sleep(2)
            subprocess.run(["callgrind_control", "-d", "measured", str(proc.pid)], check=True, capture_output=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(120)
    per_thread: dict[int, int] = {}
    for f in out_dir.glob(f"callgrind.out.{proc.pid}*"):
        text = f.read_text(errors="replace")
        if "measured" not in text.split("\nevents:", 1)[0]:
            continue
        m = re.search(r"^thread: (\d+)", text, re.M)
        total = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
        if m and total:
            per_thread[int(m.group(1))] = int(total.group(1))
    if not per_thread:
        sys.exit(f"no callgrind dump found in {out_dir}")
    print(f"\n{args.requests} sequential requests ({args.setup}); instructions per request by valgrind thread")
    out = {}
    for tid, instr in sorted(per_thread.items()):
        label = "main" if tid == 1 else f"thread {tid}"
        out[label] = round(instr / args.requests)
        print(f"  {label:12} {instr / args.requests:14,.0f}")
    print(f"  {'all':12} {sum(per_thread.values()) / args.requests:14,.0f}")
    return {"instructions_per_request": out, "main": out.get("main")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["threads", "callgrind"])
    parser.add_argument("--setup", choices=sorted(SETUPS), default="key+sqlite")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--keep", help="keep callgrind files in this directory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="proxy-profile-"))
    fake_port = pb.free_port()
    fake = subprocess.Popen(
        [sys.executable, "-m", "litellm.fake_provider", "--host", "127.0.0.1", "--port", str(fake_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_HOST", "REDIS_PORT", "PROMETHEUS_MULTIPROC_DIR")}
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    try:
        pb.wait_http(f"http://127.0.0.1:{fake_port}/health")
        base = f"http://127.0.0.1:{fake_port}/v1"
        result = (threads_mode if args.mode == "threads" else callgrind_mode)(args, tmp, base, env)
    finally:
        fake.terminate()
        fake.wait(10)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("RESULT " + json.dumps({"mode": args.mode, "setup": args.setup, **result}))


if __name__ == "__main__":
    main()
