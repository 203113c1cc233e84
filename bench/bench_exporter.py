"""Events per second one exporter delivers, and what ``submit`` costs the caller.

    .venv/bin/python bench/bench_exporter.py [--events N] [--json]

Scenarios, each on a fresh ``BatchExporter`` in this process:

* ``noop``: a send that does nothing (the engine's own ceiling).
* ``noop_write_ahead``: the same with ``spool_mode="write_ahead"`` (every event also written to disk).
* ``http_local``: ``litellm.exporters.http.post`` of JSON batches to a stdlib HTTP server on 127.0.0.1
  in a separate process (so the receiver does not share this process's GIL), the realistic fast path.

Delivery rate = events / (time from the first submit until flush() returns, all delivered). Submit cost
= caller time spent in submit() per event. Payloads are about 1 KB, shaped like a logging payload.
Budget (DESIGN.md): at least 20,000 events/s for one exporter.

Owns nothing the library uses; writes nothing but stdout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from litellm.exporters import BatchExporter

BUDGET = 20_000

_SERVER = r"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        # One write for status, headers and body: split small writes meet Nagle + delayed ACK (40 ms).
        self.wfile.write(b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""


def _payload(i: int) -> dict:
    return {
        "id": f"chatcmpl-{i:012d}",
        "trace_id": f"trace-{i:012d}",
        "call_type": "completion",
        "status": "success",
        "model": "gpt-4o-mini",
        "custom_llm_provider": "openai",
        "response_cost": 0.000123,
        "prompt_tokens": 12,
        "completion_tokens": 30,
        "total_tokens": 42,
        "startTime": 1_700_000_000.0 + i,
        "endTime": 1_700_000_000.5 + i,
        "metadata": {"user_api_key_alias": "bench", "tags": ["a", "b"]},
        "messages": [{"role": "user", "content": "x" * 400}],
        "response": {"choices": [{"message": {"role": "assistant", "content": "y" * 300}}]},
    }


def _run(name: str, send, events: int, **kw) -> dict:
    payloads = [_payload(i) for i in range(events)]
    exp = BatchExporter(f"bench-{name}", send, max_batch_size=512, max_queue_size=events + 1, **kw)
    try:
        t0 = time.perf_counter()
        for p in payloads:
            exp.submit(p)
        t_submit = time.perf_counter() - t0
        ok = exp.flush(timeout=120)
        elapsed = time.perf_counter() - t0
        stats = exp.stats()
    finally:
        exp.shutdown(timeout=10)
    return {
        "scenario": name,
        "events": events,
        "delivered": stats["sent"],
        "flushed": ok,
        "events_per_s": round(stats["sent"] / elapsed),
        "submit_us_per_event": round(t_submit / events * 1e6, 2),
        "batches": stats["batches_sent"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print one JSON line per scenario")
    args = parser.parse_args()

    results = [_run("noop", lambda batch: None, args.events)]
    with tempfile.TemporaryDirectory() as spool:
        results.append(
            _run(
                "noop_write_ahead", lambda batch: None, args.events, spool_dir=spool, spool_mode="write_ahead"
            )
        )

    server = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        from litellm.exporters.http import close_client, post

        url = f"http://127.0.0.1:{port}/ingest"
        results.append(_run("http_local", lambda batch: post(url, json_body=batch), args.events))
        close_client()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()

    for r in results:
        if args.json:
            print(json.dumps(r))
        else:
            verdict = "ok" if r["events_per_s"] >= BUDGET else f"UNDER BUDGET ({BUDGET}/s)"
            print(
                f"{r['scenario']:<18} {r['events_per_s']:>10,} events/s  "
                f"submit {r['submit_us_per_event']:>5} us/event  "
                f"{r['delivered']}/{r['events']} delivered in {r['batches']} batches  {verdict}"
            )


if __name__ == "__main__":
    main()
