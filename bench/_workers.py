"""Benchmark workers: each measurement runs in its own fresh process, started by ``bench/run.py``.

``python bench/_workers.py <name> '<json config>'`` runs one measurement against an already running
fake provider (a separate process, so the server does not share this process's GIL) and prints one
line ``RESULT {json}``. A part that cannot run yet (litellm's pipeline is still being written) is
reported as ``{"<part>_error": "<reason>"}`` next to whatever did run, never as a crash.

Method, the same everywhere: a warm-up, then *rounds* in which each contender runs for up to ``n``
calls or ``seconds``, whichever comes first; contenders alternate inside a round so that machine drift
hits them equally; a contender's figure is the median over rounds. The floors decode the JSON they
receive, as any real client must.

Owns nothing the library uses; must not write files (``run.py`` writes the results).
"""

from __future__ import annotations

import asyncio
import gc
import json
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

MESSAGES = [{"role": "user", "content": "Say hello."}]
HEADERS = {"Authorization": "Bearer x", "Content-Type": "application/json"}
CONCURRENCY = 32


def _error(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" at {last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}" if last else ""
    return f"{type(exc).__name__}: {str(exc)[:200]}{where}"


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed_loop(call: Callable[[], Any], n: int, seconds: float) -> tuple[int, float, float]:
    """Run ``call`` up to ``n`` times or for ``seconds``; return (calls, wall seconds, CPU seconds).

    CPU time is this process's, background threads included: less sensitive than wall time to other
    jobs on a shared machine, so it is reported next to the wall-time verdicts.
    """
    perf, cpu = time.perf_counter, time.process_time
    start, cpu_start = perf(), cpu()
    deadline = start + seconds
    done = 0
    while done < n:
        call()
        done += 1
        if not done & 15 and perf() > deadline:
            break
    return done, perf() - start, cpu() - cpu_start


def _settle(timeout: float = 15.0) -> None:
    """Wait (bounded) for litellm's one-time background import of its exception module (and openai,
    ~1-2 s of GIL-holding work here) to finish, so it lands in the warm-up and not in a measured round."""
    import threading

    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name == "litellm-warm-exceptions":
            thread.join(max(0.0, deadline - time.monotonic()))


def compare_sync(
    contenders: dict[str, Callable[[], Any]],
    rounds: int,
    n: int,
    seconds: float,
    warmup: int,
    after: dict[str, Callable[[], Any]] | None = None,
) -> dict[str, Any]:
    """Median µs per call for each contender, and each one's median *paired* difference to the first.

    The first contender is the floor. Rounds run every contender back to back (rotating the order), so
    a difference taken inside one round cancels drift that a difference of two medians would keep:
    ``<name>_added_us`` is the median over rounds of (name - floor). A contender that raises is reported
    as ``<name>_error`` and leaves the rounds. ``after[name]`` runs untimed after each of that
    contender's rounds (flushing callbacks, so a logging backlog never spills into the next
    contender's round and flatters the difference).
    """
    out: dict[str, Any] = {}
    live: dict[str, Callable[[], Any]] = {}
    for name, call in contenders.items():
        try:
            timed_loop(call, warmup, seconds)
            live[name] = call
        except Exception as exc:
            out[f"{name}_error"] = _error(exc)
    _settle()
    samples: dict[str, dict[int, float]] = {name: {} for name in live}
    cpu_samples: dict[str, dict[int, float]] = {name: {} for name in live}
    names = list(live)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)] if names else []
        for name in order:
            try:
                calls, elapsed, cpu = timed_loop(live[name], n, seconds)
            except Exception as exc:
                out[f"{name}_error"] = _error(exc)
                names.remove(name)
                samples.pop(name, None)
                cpu_samples.pop(name, None)
                continue
            samples[name][r] = elapsed / calls * 1e6
            cpu_samples[name][r] = cpu / calls * 1e6
            if after is not None and name in after:
                after[name]()
    floor = next(iter(contenders))
    for name, by_round in samples.items():
        if not by_round:
            continue
        out[f"{name}_us"] = statistics.median(by_round.values())
        out[f"{name}_rounds_us"] = [round(v, 1) for v in by_round.values()]
        out[f"{name}_cpu_us"] = statistics.median(cpu_samples[name].values())
        if name != floor and floor in samples:
            for suffix, table in (("added_us", samples), ("added_cpu_us", cpu_samples)):
                diffs = [v - table[floor][r] for r, v in table[name].items() if r in table[floor]]
                if diffs:
                    out[f"{name}_{suffix}"] = statistics.median(diffs)
    return out


# --- litellm helpers ----------------------------------------------------------------------------------


def litellm_kwargs(url: str) -> dict[str, Any]:
    return {"model": "openai/fake", "api_base": url + "/v1", "api_key": "x", "messages": MESSAGES}


def _max_param(cls: type) -> dict[str, int]:
    """A bound for a logger's in-memory buffer, if its constructor takes one, so RSS can level off."""
    import inspect

    try:
        params = inspect.signature(cls).parameters
    except (TypeError, ValueError):
        return {}
    for name in params:
        if any(word in name for word in ("max", "capacity", "limit", "size")):
            return {name: 1000}
    return {}


def install_callbacks(litellm: Any) -> dict[str, Any]:
    """A plain function, a CustomLogger subclass and (when it exists) the in-memory integration logger."""
    from litellm.integrations.custom_logger import CustomLogger

    counts = {"function": 0, "custom_logger": 0}

    def on_success(kwargs: Any, response: Any, start_time: Any, end_time: Any) -> None:
        counts["function"] += 1

    class CountingLogger(CustomLogger):
        def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            counts["custom_logger"] += 1

        async def async_log_success_event(
            self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
        ) -> None:
            counts["custom_logger"] += 1

    loggers: list[Any] = [CountingLogger()]
    info: dict[str, Any] = {"counts": counts, "memory": None, "note": ""}
    try:
        from litellm.integrations.memory import MemoryLogger
    except ImportError as exc:
        info["note"] = f"MemoryLogger unavailable ({exc}); measured with 2 callbacks"
    else:
        info["memory"] = MemoryLogger(**_max_param(MemoryLogger))
        loggers.append(info["memory"])
    litellm.success_callback = [on_success]
    litellm.callbacks = loggers
    return info


def flush(litellm: Any, timeout: float = 10.0) -> None:
    fn = getattr(litellm, "flush_callbacks", None)
    if callable(fn):
        try:
            fn(timeout=timeout)
        except TypeError:
            fn()


def delivered(info: dict[str, Any]) -> dict[str, Any]:
    out = dict(info["counts"])
    memory = info["memory"]
    if memory is not None:
        for attr in ("payloads", "events", "records", "items"):
            held = getattr(memory, attr, None)
            if held is not None and hasattr(held, "__len__"):
                out[f"memory_logger_{attr}_held"] = len(held)
                break
    return out


# --- workers ------------------------------------------------------------------------------------------


def w_sync(cfg: dict[str, Any]) -> dict[str, Any]:
    import httpx

    url = cfg["url"]
    body = {"model": "fake", "messages": MESSAGES}
    client = httpx.Client()
    endpoint = url + "/v1/chat/completions"

    def floor() -> Any:
        return client.post(endpoint, json=body, headers=HEADERS).json()

    contenders: dict[str, Callable[[], Any]] = {"httpx": floor}
    errors: dict[str, str] = {}
    try:
        import openai

        sdk = openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0)
        contenders["openai"] = lambda: sdk.chat.completions.create(model="fake", messages=MESSAGES)
    except Exception as exc:
        errors["openai_error"] = _error(exc)
    try:
        import litellm

        kwargs = litellm_kwargs(url)
        contenders["litellm"] = lambda: litellm.completion(**kwargs)
    except Exception as exc:
        errors["litellm_error"] = _error(exc)
    out = compare_sync(contenders, cfg["rounds"], cfg["n"], cfg["seconds"], cfg["warmup"])
    out.update(errors)
    return out


def w_sync_callbacks(cfg: dict[str, Any]) -> dict[str, Any]:
    import httpx

    url = cfg["url"]
    body = {"model": "fake", "messages": MESSAGES}
    client = httpx.Client()
    endpoint = url + "/v1/chat/completions"
    contenders: dict[str, Callable[[], Any]] = {
        "httpx": lambda: client.post(endpoint, json=body, headers=HEADERS).json()
    }
    out: dict[str, Any] = {}
    info: dict[str, Any] | None = None
    try:
        import litellm

        info = install_callbacks(litellm)
        kwargs = litellm_kwargs(url)
        contenders["litellm_callbacks"] = lambda: litellm.completion(**kwargs)
    except Exception as exc:
        out["litellm_callbacks_error"] = _error(exc)
    drain = {"litellm_callbacks": lambda: flush(litellm)} if info is not None else None
    out.update(compare_sync(contenders, cfg["rounds"], cfg["n"], cfg["seconds"], cfg["warmup"], drain))
    if info is not None:
        try:
            flush(litellm)
            out["delivered"] = delivered(info)
        except Exception as exc:
            out["flush_error"] = _error(exc)
        out["note"] = info["note"]
    return out


def _start_sink() -> str:
    """A local HTTP sink answering every request with 200 (JSON ``{}``, or ``ok`` for Slack)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Sink(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # answers "Expect: 100-continue" (boto3 waits 1 s for it otherwise)

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            # Slack answers "ok"; S3 answers a PUT with an empty body (botocore reads "{}" as an error)
            body = b"ok" if "slack" in self.path else (b"" if self.command == "PUT" else b"{}")
            self.send_response(200)
            self.send_header("Content-Type", "application/json" if body == b"{}" else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", '"0"')
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_PUT = do_GET = _answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


ALL_DESTINATIONS = (
    "otel", "langfuse", "datadog", "datadog_llm_observability", "s3", "gcs_bucket", "slack", "sentry",
    "generic_api",
)  # fmt: skip


def w_all_destinations(cfg: dict[str, Any]) -> dict[str, Any]:
    """Request-path cost of having every destination on (registered by name, delivering to a local sink)."""
    import os

    import httpx

    sink = _start_sink()
    port = sink.rsplit(":", 1)[1]
    os.environ.update(
        {
            "OTEL_EXPORTER": "otlp_http", "OTEL_ENDPOINT": f"{sink}/v1/traces",
            "LANGFUSE_PUBLIC_KEY": "pk", "LANGFUSE_SECRET_KEY": "sk", "LANGFUSE_HOST": sink,
            "DD_API_KEY": "x", "DD_BASE_URL": sink, "DD_SITE": "localhost", "DD_LLMOBS_ML_APP": "bench",
            "LITELLM_DD_AGENT_HOST": "127.0.0.1", "LITELLM_DD_LLM_OBS_PORT": port,
            "AWS_S3_BUCKET_NAME": "bench", "AWS_REGION_NAME": "us-east-1", "AWS_S3_ENDPOINT_URL": sink,
            "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
            "GCS_BUCKET_NAME": "bench", "STORAGE_EMULATOR_HOST": sink,
            "SLACK_WEBHOOK_URL": f"{sink}/slack",
            "SENTRY_DSN": f"http://public@127.0.0.1:{port}/1",
            "GENERIC_LOGGER_ENDPOINT": f"{sink}/generic",
        }
    )  # fmt: skip
    url = cfg["url"]
    body = {"model": "fake", "messages": MESSAGES}
    client = httpx.Client()
    endpoint = url + "/v1/chat/completions"
    contenders: dict[str, Callable[[], Any]] = {
        "httpx": lambda: client.post(endpoint, json=body, headers=HEADERS).json()
    }
    out: dict[str, Any] = {}
    try:
        import litellm

        enabled = []
        for name in ALL_DESTINATIONS:
            try:
                litellm.callbacks = [name]
                litellm.completion(**litellm_kwargs(url))
                enabled.append(name)
            except Exception as exc:  # a missing extra: measure the others, say which
                out[f"{name}_error"] = _error(exc)
        litellm.callbacks = enabled
        out["destinations"] = enabled
        kwargs = litellm_kwargs(url)
        contenders["litellm_all"] = lambda: litellm.completion(**kwargs)
    except Exception as exc:
        out["litellm_all_error"] = _error(exc)
    drain = {"litellm_all": lambda: flush(litellm, timeout=20)} if "litellm_all" in contenders else None
    out.update(compare_sync(contenders, cfg["rounds"], cfg["n"], cfg["seconds"], cfg["warmup"], drain))
    try:
        flush(litellm, timeout=20)
        stats = litellm.callback_stats()
        out["delivered"] = {
            "delivered": stats.get("delivered"),
            "failed": stats.get("failed"),
            "dropped": stats.get("dropped"),
        }
    except Exception as exc:
        out["flush_error"] = _error(exc)
    return out


def w_stream(cfg: dict[str, Any]) -> dict[str, Any]:
    import httpx

    url = cfg["url"]
    client = httpx.Client()
    endpoint = url + "/v1/chat/completions"
    body = {"model": "fake", "messages": MESSAGES, "stream": True}
    loads = json.loads
    chunks = {"httpx": 0, "litellm": 0}

    def floor() -> None:
        n = 0
        with client.stream("POST", endpoint, json=body, headers=HEADERS) as r:
            for line in r.iter_lines():
                if line.startswith("data: "):
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    loads(data)
                    n += 1
        chunks["httpx"] = n

    contenders: dict[str, Callable[[], Any]] = {"httpx": floor}
    out: dict[str, Any] = {}
    try:
        import litellm

        kwargs = litellm_kwargs(url)

        def ours() -> None:
            n = 0
            for _ in litellm.completion(stream=True, **kwargs):
                n += 1
            chunks["litellm"] = n

        contenders["litellm"] = ours
    except Exception as exc:
        out["litellm_error"] = _error(exc)
    out.update(compare_sync(contenders, cfg["rounds"], cfg["n"], cfg["seconds"], cfg["warmup"]))
    out["chunks"] = chunks
    return out


async def _concurrent(call: Callable[[], Any], n: int, seconds: float) -> tuple[int, float]:
    perf = time.perf_counter
    start = perf()
    deadline = start + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while done < n and perf() < deadline:
            done += 1
            await call()

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(CONCURRENCY))), seconds + 30)
    return done, perf() - start


async def _w_async(cfg: dict[str, Any]) -> dict[str, Any]:
    import aiohttp
    import httpx

    url = cfg["url"]
    endpoint = url + "/v1/chat/completions"
    body = {"model": "fake", "messages": MESSAGES}
    out: dict[str, Any] = {}
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY))
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    httpcore_client = httpx.AsyncClient(limits=limits)

    async def aiohttp_call() -> Any:
        async with session.post(endpoint, json=body, headers=HEADERS) as r:
            return json.loads(await r.read())

    async def httpx_call() -> Any:
        return (await httpcore_client.post(endpoint, json=body, headers=HEADERS)).json()

    contenders: dict[str, Callable[[], Any]] = {"aiohttp": aiohttp_call, "httpx_httpcore": httpx_call}
    bridged = None
    try:
        from httpx_aiohttp import AiohttpTransport

        bridged = httpx.AsyncClient(transport=AiohttpTransport(limits=limits))

        async def bridged_call() -> Any:
            return (await bridged.post(endpoint, json=body, headers=HEADERS)).json()

        contenders["httpx_aiohttp"] = bridged_call
    except Exception as exc:
        out["httpx_aiohttp_error"] = _error(exc)
    try:
        import litellm

        kwargs = litellm_kwargs(url)
        contenders["litellm"] = lambda: litellm.acompletion(**kwargs)
    except Exception as exc:
        out["litellm_error"] = _error(exc)

    samples: dict[str, list[float]] = {}
    for name, call in list(contenders.items()):
        try:
            await _concurrent(call, cfg["warmup"], cfg["seconds"])
        except Exception as exc:
            out[f"{name}_error"] = _error(exc)
            contenders.pop(name)
    await asyncio.get_running_loop().run_in_executor(None, _settle)
    names = list(contenders)
    for r in range(cfg["rounds"]):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            if name not in contenders:
                continue
            try:
                calls, elapsed = await _concurrent(contenders[name], cfg["n"], cfg["seconds"])
            except Exception as exc:
                out[f"{name}_error"] = _error(exc)
                contenders.pop(name)
                continue
            samples.setdefault(name, []).append(calls / elapsed)
    for name, values in samples.items():
        out[f"{name}_per_s"] = statistics.median(values)
        out[f"{name}_rounds_per_s"] = [round(v) for v in values]
    await session.close()
    await httpcore_client.aclose()
    if bridged is not None:
        await bridged.aclose()
    return out


def w_async(cfg: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(_w_async(cfg))


def w_rss(cfg: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        import litellm

        info = install_callbacks(litellm)
        kwargs = litellm_kwargs(cfg["url"])
        for _ in range(cfg["warmup"]):
            litellm.completion(**kwargs)
        flush(litellm)
    except Exception as exc:
        return {"error": _error(exc)}
    gc.collect()
    base = rss_mb()
    samples = [base]
    n, step = cfg["n"], max(1, cfg["n"] // 10)
    deadline = time.monotonic() + cfg["seconds"]
    done = 0
    try:
        while done < n and time.monotonic() < deadline:
            for _ in range(min(step, n - done)):
                litellm.completion(**kwargs)
            done += min(step, n - done)
            samples.append(rss_mb())
        flush(litellm)
    except Exception as exc:
        out["error"] = _error(exc)
    gc.collect()
    final = rss_mb()
    out.update(
        {
            "calls": done,
            "requested_calls": n,
            "rss_base_mb": round(base, 2),
            "rss_final_mb": round(final, 2),
            "growth_mb": round(final - base, 2),
            "peak_growth_mb": round(max(samples) - base, 2),
            "samples_mb": [round(s, 1) for s in samples],
            "delivered": delivered(info),
            "note": info["note"],
        }
    )
    return out


def w_exporter(cfg: dict[str, Any]) -> dict[str, Any]:
    """Call ``bench/bench_exporter.py``'s ``run(quick=...)`` (events/s, or a dict with an events/s key)."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).with_name("bench_exporter.py")
    if not path.exists():
        return {"skipped": "bench/bench_exporter.py does not exist yet"}
    spec = importlib.util.spec_from_file_location("bench_exporter", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fn = next(
        (
            getattr(module, name)
            for name in ("run", "bench", "measure")
            if callable(getattr(module, name, None))
        ),
        None,
    )
    if fn is None:
        return {"script": str(path)}  # run.py falls back to running it as a script and reading "events/s"
    try:
        result = fn(quick=cfg["quick"])
    except TypeError:
        result = fn()
    if isinstance(result, dict):
        value = next((v for k, v in result.items() if "per_s" in k or "events/s" in k), None)
        return {"events_per_s": value, "raw": result}
    return {"events_per_s": result}


WORKERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "sync": w_sync,
    "sync_callbacks": w_sync_callbacks,
    "all_destinations": w_all_destinations,
    "stream": w_stream,
    "async": w_async,
    "rss": w_rss,
    "exporter": w_exporter,
}


def main() -> int:
    name, cfg = sys.argv[1], json.loads(sys.argv[2])
    try:
        result = WORKERS[name](cfg)
    except Exception as exc:
        result = {"error": _error(exc)}
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
