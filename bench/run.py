"""One command for every performance budget in DESIGN.md: ``python bench/run.py [--quick]``.

Starts the fake provider in separate processes (so its CPU does not share the client's GIL; the
machine has 2 cores), runs each measurement in a fresh worker process (``bench/_workers.py``), compares
our client with bare floors measured in the same run, prints a table with each budget and PASS/FAIL,
and writes ``bench/results/latest.json``. A part that cannot run yet prints ``skipped: <reason>``.

Owns orchestration, budgets and reporting; the measuring loops live in ``_workers.py``. Must not leave
processes behind: every process it starts is stopped by its own pid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "latest.json"
HEAVY = (
    "openai",
    "tiktoken",
    "aiohttp",
    "boto3",
    "opentelemetry",
    "fastapi",
    "google.cloud",
    "langfuse",
    "sentry_sdk",
)
STREAM_CHUNKS = 200

# Per mode: rounds x (up to n calls or `seconds`) per contender, after a warm-up. Full stays under
# ~5 minutes, quick under 1 minute, on the 2-core machine. Many short rounds rather than a few long
# ones: a paired difference taken within 0.25 s is far less exposed to another job's burst of load.
MODES: dict[str, dict[str, Any]] = {
    "full": {
        "sync": {"rounds": 30, "n": 5000, "seconds": 0.25, "warmup": 300},
        "stream": {"rounds": 30, "n": 300, "seconds": 0.25, "warmup": 20},
        "async": {"rounds": 3, "n": 40000, "seconds": 2.5, "warmup": 1000},
        "rss": {"n": 100_000, "warmup": 3000, "seconds": 150.0},
        "import_samples": 5,
    },
    "quick": {
        "sync": {"rounds": 6, "n": 1000, "seconds": 0.2, "warmup": 100},
        "stream": {"rounds": 6, "n": 60, "seconds": 0.2, "warmup": 5},
        "async": {"rounds": 2, "n": 8000, "seconds": 1.0, "warmup": 300},
        "rss": {"n": 5000, "warmup": 1000, "seconds": 12.0},
        "import_samples": 5,
    },
}


@dataclass
class Row:
    name: str
    value: float | None
    unit: str
    budget: str
    status: str  # PASS, FAIL, info, skipped
    detail: str = ""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONSTARTUP", None)
    return env


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- processes ----------------------------------------------------------------------------------------


class Server:
    """The fake provider in its own process; ``url`` once it listens."""

    def __init__(self, chunks: int) -> None:
        cmd = [sys.executable, "-m", "litellm.fake_provider", "--port", "0", "--chunks", str(chunks)]
        # stderr to a file, not a pipe: nobody drains a pipe during the run, and a full one would stall
        # the server mid-benchmark.
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=self._stderr, text=True, cwd=ROOT, env=_env()
        )
        assert self.proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=20)
        selector.close()
        line = self.proc.stdout.readline().strip() if ready else ""
        if not line.startswith("fake provider listening on "):
            self.stop(keep_stderr=True)
            tail = self._stderr_tail()
            self._stderr.close()
            raise RuntimeError(f"fake provider did not start: {line or 'no output'} {tail}".strip())
        self.url = line.rsplit(" ", 1)[1]

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        return self._stderr.read()[-500:]

    def stop(self, keep_stderr: bool = False) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if not keep_stderr and not self._stderr.closed:
            self._stderr.close()


def run_worker(name: str, cfg: dict[str, Any], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, str(BENCH / "_workers.py"), name, json.dumps(cfg)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=_env())
    except subprocess.TimeoutExpired:
        return {"error": f"worker {name!r} timed out after {timeout:.0f} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = " ".join(done.stderr.strip().splitlines()[-3:])[-400:]
    return {"error": f"worker {name!r} exited {done.returncode}: {tail}"}


def import_samples(statement: str, count: int) -> list[dict[str, Any]]:
    """``statement`` timed in ``count`` fresh interpreters, with RSS and heavy modules after it."""
    code = (
        "import json, sys, time\n"
        "t = time.perf_counter()\n"
        f"{statement}\n"
        "elapsed = time.perf_counter() - t\n"
        "rss = next(int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmRSS:'))\n"
        f"heavy = sorted({{m.split('.')[0] if not m.startswith('google.cloud') else 'google.cloud' for m in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps({'seconds': elapsed, 'rss_mb': rss, 'heavy': heavy}))\n"
    )
    out = []
    for _ in range(count):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT, env=_env()
        )
        if done.returncode != 0:
            raise RuntimeError(" ".join(done.stderr.strip().splitlines()[-2:])[-300:])
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


# --- measurements -> rows -----------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _skip(name: str, unit: str, budget: str, reason: str) -> Row:
    return Row(name, None, unit, budget, "skipped", reason)


def _cpu(r: dict[str, Any], name: str, per: int = 1) -> str:
    """The CPU-time view of a difference (less disturbed by other jobs than wall time)."""
    added = r.get(f"{name}_added_cpu_us")
    return "" if added is None else f"; client CPU {added / per:+.1f} µs"


def rows_sync(r: dict[str, Any]) -> list[Row]:
    rows = []
    floor = r.get("httpx_us")
    if floor is None:
        return [
            _skip(
                "sync: litellm.completion, added over httpx",
                "µs",
                "< 100 µs",
                r.get("error") or r.get("httpx_error", "?"),
            )
        ]
    rows.append(Row("floor: bare httpx.Client loop (sync)", floor, "µs/call", "", "info"))
    if "openai_us" in r:
        rows.append(
            Row(
                "openai SDK sync, added over httpx",
                r.get("openai_added_us", r["openai_us"] - floor),
                "µs",
                "(~680 µs)",
                "info",
                f"{r['openai_us']:.0f} µs/call" + _cpu(r, "openai"),
            )
        )
    name, budget = "sync: litellm.completion, added over httpx", "< 100 µs"
    if "litellm_us" in r:
        added = r.get("litellm_added_us", r["litellm_us"] - floor)
        rows.append(
            Row(
                name,
                added,
                "µs",
                budget,
                _verdict(added < 100),
                f"{r['litellm_us']:.0f} µs/call vs {floor:.0f}" + _cpu(r, "litellm"),
            )
        )
    else:
        rows.append(_skip(name, "µs", budget, r.get("litellm_error", "not measured")))
    return rows


def rows_callbacks(r: dict[str, Any]) -> list[Row]:
    name, budget = "sync + 3 callbacks, added over httpx", "< 150 µs"
    floor, ours = r.get("httpx_us"), r.get("litellm_callbacks_us")
    if floor is None or ours is None:
        return [
            _skip(name, "µs", budget, r.get("litellm_callbacks_error") or r.get("error") or "not measured")
        ]
    added = r.get("litellm_callbacks_added_us", ours - floor)
    detail = f"{ours:.0f} µs/call vs {floor:.0f}" + _cpu(r, "litellm_callbacks")
    detail += f"; delivered {r.get('delivered', r.get('flush_error'))}"
    if r.get("note"):
        detail += f"; {r['note']}"
    return [Row(name, added, "µs", budget, _verdict(added < 150), detail)]


def rows_all_destinations(r: dict[str, Any]) -> list[Row]:
    """Issue 5: the request-path cost of every destination on (no DESIGN budget: reported, not judged)."""
    name = "sync + every destination on, added over httpx"
    floor, ours = r.get("httpx_us"), r.get("litellm_all_us")
    if floor is None or ours is None:
        return [_skip(name, "µs", "", r.get("litellm_all_error") or r.get("error") or "not measured")]
    added = r.get("litellm_all_added_us", ours - floor)
    missing = [k[: -len("_error")] for k in r if k.endswith("_error") and k != "flush_error"]
    detail = f"{ours:.0f} µs/call vs {floor:.0f}" + _cpu(r, "litellm_all")
    detail += f"; {len(r.get('destinations') or [])} destinations; {r.get('delivered', r.get('flush_error'))}"
    if missing:
        detail += f"; not enabled: {', '.join(missing)}"
    return [Row(name, added, "µs", "(info)", "info", detail)]


def rows_stream(r: dict[str, Any]) -> list[Row]:
    name, budget = f"streaming ({STREAM_CHUNKS} chunks): added per SSE chunk", "< 20 µs"
    floor, ours = r.get("httpx_us"), r.get("litellm_us")
    chunks = (r.get("chunks") or {}).get("httpx") or 0
    if floor is None or ours is None or not chunks:
        return [_skip(name, "µs", budget, r.get("litellm_error") or r.get("error") or "not measured")]
    added = r.get("litellm_added_us", ours - floor) / chunks
    theirs = (r.get("chunks") or {}).get("litellm")
    detail = f"{ours / 1000:.2f} ms/stream vs {floor / 1000:.2f} (bare httpx SSE reader); chunks {theirs} vs {chunks}"
    detail += _cpu(r, "litellm", chunks)
    return [Row(name, added, "µs/chunk", budget, _verdict(added < 20), detail)]


def rows_async(r: dict[str, Any]) -> list[Row]:
    name, budget = "acompletion, 32 concurrent: share of aiohttp floor", ">= 50 %"
    floor = r.get("aiohttp_per_s")
    if floor is None:
        return [_skip(name, "%", budget, r.get("aiohttp_error") or r.get("error") or "not measured")]
    rows = [Row("floor: bare aiohttp, 32 concurrent", floor, "calls/s", "", "info")]
    for key, label in (
        ("httpx_httpcore", "httpx.AsyncClient (httpcore)"),
        ("httpx_aiohttp", "httpx + httpx-aiohttp transport"),
    ):
        if f"{key}_per_s" in r:
            value = r[f"{key}_per_s"]
            rows.append(
                Row(
                    f"transport: {label}, 32 concurrent",
                    value,
                    "calls/s",
                    "",
                    "info",
                    f"{100 * value / floor:.0f} % of aiohttp",
                )
            )
    if "litellm_per_s" in r:
        share = 100 * r["litellm_per_s"] / floor
        rows.append(
            Row(
                name,
                share,
                "%",
                budget,
                _verdict(share >= 50),
                f"{r['litellm_per_s']:.0f} calls/s vs {floor:.0f}",
            )
        )
    else:
        rows.append(_skip(name, "%", budget, r.get("litellm_error", "not measured")))
    return rows


def rows_import(samples: int) -> list[Row]:
    try:
        ours = import_samples("import litellm", samples)
        base = import_samples("import httpx, pydantic", samples)
        bare = import_samples("pass", samples)
    except Exception as exc:
        reason = f"import failed: {exc}"
        return [
            _skip("import litellm (fresh process)", "s", "< 0.15 s and < 1.5x", reason),
            _skip("RSS after import litellm", "MB", "< 45 MB", reason),
        ]
    t_ours = statistics.median(s["seconds"] for s in ours)
    t_base = statistics.median(s["seconds"] for s in base)
    rss = statistics.median(s["rss_mb"] for s in ours)
    ratio = t_ours / t_base if t_base else float("inf")
    heavy = sorted({m for s in ours for m in s["heavy"]})
    return [
        Row(
            f"import litellm (fresh process, median of {samples})",
            t_ours,
            "s",
            "< 0.15 s and < 1.5x",
            _verdict(t_ours < 0.15 and ratio < 1.5),
            f"{ratio:.2f}x `import httpx, pydantic` ({t_base:.3f} s)",
        ),
        Row(
            "RSS after import litellm",
            rss,
            "MB",
            "< 45 MB",
            _verdict(rss < 45),
            f"bare interpreter {statistics.median(s['rss_mb'] for s in bare):.1f} MB",
        ),
        Row(
            "heavy modules loaded by import litellm",
            len(heavy),
            "modules",
            "none",
            _verdict(not heavy),
            ", ".join(heavy) or "-",
        ),
    ]


def rows_rss(r: dict[str, Any]) -> list[Row]:
    requested = r.get("requested_calls")
    name, budget = f"RSS growth over {requested or 'N'} calls with callbacks", "< 5 MB"
    if "growth_mb" not in r:
        return [_skip(name, "MB", budget, r.get("error", "not measured"))]
    detail = f"{r['calls']} calls, base {r['rss_base_mb']} MB, peak +{r['peak_growth_mb']} MB; delivered {r.get('delivered')}"
    if r["calls"] < (requested or 0):
        detail += " (stopped at the time cap)"
    if r.get("note"):
        detail += f"; {r['note']}"
    if r.get("error"):
        return [Row(name, r["growth_mb"], "MB", budget, "FAIL", f"{r['error']}; {detail}")]
    return [Row(name, r["growth_mb"], "MB", budget, _verdict(r["growth_mb"] < 5), detail)]


def rows_exporter(r: dict[str, Any]) -> list[Row]:
    name, budget = "exporter: events delivered per second", ">= 20,000"
    if r.get("skipped") or r.get("error") or r.get("events_per_s") is None:
        return [
            _skip(
                name, "events/s", budget, r.get("skipped") or r.get("error") or "no events/s figure reported"
            )
        ]
    value = float(r["events_per_s"])
    if r.get("scenario"):
        name = f"exporter ({r['scenario']}): events delivered per second"
    return [Row(name, value, "events/s", budget, _verdict(value >= 20_000), r.get("detail", ""))]


# The scenario that stands for "one exporter" when the script reports several: a real HTTP send to a
# local receiver beats a no-op send.
_EXPORTER_SCENARIOS = ("http_local", "noop")


def _exporter_script(path: Path, quick: bool) -> dict[str, Any]:
    """Run bench_exporter.py as a script: JSON lines with ``--json``, else its ``N events/s`` text."""
    events = ["--events", "20000" if quick else "100000"]
    for args in (["--json", *events], events, []):
        try:
            done = subprocess.run(
                [sys.executable, str(path), *args],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=ROOT,
                env=_env(),
            )
        except subprocess.TimeoutExpired:
            return {"error": "bench_exporter.py timed out"}
        if done.returncode == 2 and "unrecognized arguments" in done.stderr:
            continue  # an older or newer CLI: try with fewer arguments
        break
    scenarios = {}
    for line in done.stdout.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict) and "events_per_s" in item:
            scenarios[str(item.get("scenario", len(scenarios)))] = item
    if scenarios:
        key = next((k for k in _EXPORTER_SCENARIOS if k in scenarios), next(iter(scenarios)))
        others = ", ".join(f"{k} {v['events_per_s']:,}/s" for k, v in scenarios.items() if k != key)
        return {"events_per_s": scenarios[key]["events_per_s"], "scenario": key, "detail": others}
    found = re.findall(r"([0-9][0-9,_.]*)\s*events/s", done.stdout)
    if not found:
        tail = " ".join(done.stderr.strip().splitlines()[-2:])[-300:]
        return {"error": f"bench_exporter.py printed no events/s (exit {done.returncode}) {tail}".strip()}
    return {"events_per_s": float(found[0].replace(",", "").replace("_", ""))}


# --- report -------------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def print_table(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    print(f"\n{'measurement':<{width}}  {'result':>12} {'unit':<9} {'budget':<20} verdict")
    print("-" * (width + 60))
    for r in rows:
        verdict = r.status if r.status != "skipped" else f"skipped: {r.detail}"
        print(f"{r.name:<{width}}  {_fmt(r.value):>12} {r.unit:<9} {r.budget:<20} {verdict}")
        if r.detail and r.status != "skipped":
            print(f"{'':<{width}}    {r.detail}")


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, timeout=10
        )
        return out.stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds (under a minute)")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help=f"JSON results (default {RESULTS.relative_to(ROOT)})"
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    cfg = MODES[mode]
    started = time.monotonic()
    rows: list[Row] = []
    raw: dict[str, Any] = {}

    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        log(f"bench: warning: load average {load_before[0]:.2f} before the run; other jobs will add noise")
    log(f"bench ({mode}): starting the fake provider processes")
    servers: list[Server] = []
    try:
        try:
            main_server = Server(chunks=9)
            servers.append(main_server)
            stream_server = Server(chunks=STREAM_CHUNKS)
            servers.append(stream_server)
        except RuntimeError as exc:
            reason = str(exc)
            rows += [
                _skip(label, "", "", reason) for label in ("sync", "streaming", "async", "RSS over calls")
            ]
        else:
            base = {"url": main_server.url}
            stages: list[tuple[str, str, dict[str, Any], float]] = [
                ("sync", "sync", {**base, **cfg["sync"]}, 120),
                ("sync_callbacks", "sync_callbacks", {**base, **cfg["sync"]}, 120),
                ("all_destinations", "all_destinations", {**base, **cfg["sync"]}, 180),
                ("stream", "stream", {"url": stream_server.url, **cfg["stream"]}, 120),
                ("async", "async", {**base, **cfg["async"]}, 180),
                ("rss", "rss", {**base, **cfg["rss"]}, cfg["rss"]["seconds"] + 90),
            ]
            for key, worker, worker_cfg, timeout in stages:
                log(f"bench: {key} ...")
                raw[key] = run_worker(worker, worker_cfg, timeout)
            rows += rows_sync(raw["sync"])
            rows += rows_callbacks(raw["sync_callbacks"])
            rows += rows_all_destinations(raw["all_destinations"])
            rows += rows_stream(raw["stream"])
            rows += rows_async(raw["async"])
            rows += rows_rss(raw["rss"])
    finally:
        for server in servers:
            server.stop()

    log("bench: import time and RSS ...")
    rows += rows_import(cfg["import_samples"])
    log("bench: exporter ...")
    exporter = run_worker("exporter", {"quick": args.quick}, 150)
    if "script" in exporter:
        exporter = _exporter_script(Path(exporter["script"]), args.quick)
    raw["exporter"] = exporter
    rows += rows_exporter(exporter)

    elapsed = time.monotonic() - started
    print_table(rows)
    verdicts = [r.status for r in rows]
    summary = {s: verdicts.count(s) for s in ("PASS", "FAIL", "skipped")}
    print(
        f"\n{summary['PASS']} pass, {summary['FAIL']} fail, {summary['skipped']} skipped in {elapsed:.0f} s ({mode})"
    )
    load_after = os.getloadavg()
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (2 cores: above ~2 means contention)"
    )

    report = {
        "meta": {
            "mode": mode,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "seconds": round(elapsed, 1),
            "loadavg_before": load_before,
            "loadavg_after": load_after,
        },
        "rows": [asdict(r) for r in rows],
        "raw": raw,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
