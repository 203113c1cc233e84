"""Our own cost on the request path, without a network: ``litellm.completion`` over an instant transport.

``python bench/profile_request_path.py`` times ``completion`` (and the variants below) against a
transport object that answers at once with the fake provider's real reply (same body, same headers), so
what is measured is the pipeline alone: argument split, resolution, credentials, params, request build,
serialisation, parse, response objects, finishing. ``--profile`` prints a cProfile ranking instead.

Variants (``--variant``): ``plain`` (no callbacks), ``callbacks`` (the 3 callbacks of ``run.py``),
``stream`` (a 9-chunk SSE reply iterated to the end), ``cache`` (an in-memory cache hit).

Paired comparison of two trees (say, HEAD in a worktree against the working tree)::

    python bench/profile_request_path.py --compare /tmp/base --rounds 15

runs this script's timing in alternating fresh processes, one per tree (``PYTHONPATH``), and prints the
median per-round difference. Owns nothing the library uses; never asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MESSAGES = [{"role": "user", "content": "Say hello."}]
BODY = (
    b'{"id":"chatcmpl-53a9b9ecf1cd1f532d5b979a","object":"chat.completion","created":1796297341,'
    b'"model":"fake","system_fingerprint":"fp_fake","choices":[{"index":0,"message":{"role":"assistant",'
    b'"content":"Hello from the fake provider! This reply is deterministic.","refusal":null,'
    b'"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":6,'
    b'"completion_tokens":9,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":0,'
    b'"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,'
    b'"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"service_tier":"default"}'
)
HEADERS = [
    ("x-request-id", "req_fake"),
    ("openai-processing-ms", "1"),
    ("x-ratelimit-limit-requests", "10000"),
    ("x-ratelimit-remaining-requests", "9999"),
    ("x-ratelimit-limit-tokens", "10000000"),
    ("x-ratelimit-remaining-tokens", "9999000"),
    ("Content-Type", "application/json"),
    ("Content-Length", str(len(BODY))),
    ("Date", "Thu, 03 Dec 2026 11:29:01 GMT"),
    ("Server", "Python/3.11 aiohttp/3.14.5"),
]


def _stream_body(chunks: int = 9) -> bytes:
    lines = []
    for i in range(chunks):
        delta = {"role": "assistant", "content": "w "} if i == 0 else {"content": "w "}
        chunk = {
            "id": "chatcmpl-x",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "fake",
            "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
        }
        lines.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    last = {"id": "chatcmpl-x", "object": "chat.completion.chunk", "created": 1, "model": "fake"}
    lines.append(
        b"data: "
        + json.dumps({**last, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}).encode()
        + b"\n\n"
    )
    usage = {"prompt_tokens": 6, "completion_tokens": chunks, "total_tokens": 6 + chunks}
    lines.append(b"data: " + json.dumps({**last, "choices": [], "usage": usage}).encode() + b"\n\n")
    lines.append(b"data: [DONE]\n\n")
    return b"".join(lines)


class InstantTransport:
    """``send(request, *, timeout, stream) -> Reply`` answering at once with a prebuilt reply."""

    def __init__(self, stream: bool = False) -> None:
        import httpx

        from litellm.core.transport import Reply

        self._reply_cls = Reply
        self._httpx = httpx
        self._stream_body = _stream_body() if stream else b""
        headers = [h for h in HEADERS if h[0] != "Content-Type"]
        if stream:
            headers = [*headers[:-3], ("Content-Type", "text/event-stream")]
            self._headers = headers
        else:
            self._headers = HEADERS
        self._response = httpx.Response(200, headers=self._headers, content=BODY)
        self._response.read()
        self.sent = 0

    def send(self, request: Any, *, timeout: Any, stream: bool) -> Any:
        self.sent += 1
        if stream:
            response = self._httpx.Response(
                200, headers=self._headers, stream=self._httpx.ByteStream(self._stream_body)
            )
            return self._reply_cls(response)
        return self._reply_cls(self._response)


def _install_callbacks(litellm: Any) -> None:
    from litellm.integrations.custom_logger import CustomLogger

    def on_success(kwargs: Any, response: Any, start_time: Any, end_time: Any) -> None:
        pass

    class CountingLogger(CustomLogger):
        def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            pass

    loggers: list[Any] = [CountingLogger()]
    try:
        from litellm.integrations.memory import MemoryLogger

        loggers.append(MemoryLogger(maxlen=1000))  # as bench/run.py bounds it
    except ImportError:
        pass
    litellm.success_callback = [on_success]
    litellm.callbacks = loggers


def make_call(variant: str) -> Any:
    import litellm

    transport = InstantTransport(stream=variant == "stream")
    kwargs: dict[str, Any] = {
        "model": "openai/fake",
        "api_base": "http://127.0.0.1:9/v1",
        "api_key": "x",
        "messages": MESSAGES,
        "client": transport,
    }
    if variant == "callbacks":
        _install_callbacks(litellm)
    if variant == "stream":

        def call() -> Any:
            for _ in litellm.completion(stream=True, **kwargs):
                pass

        return call
    if variant == "cache":
        from litellm.caching import Cache

        litellm.cache = Cache(type="local")
        litellm.completion(caching=True, **kwargs)

        def hit() -> Any:
            return litellm.completion(caching=True, **kwargs)

        return hit
    return lambda: litellm.completion(**kwargs)


def time_variant(variant: str, n: int, rounds: int) -> dict[str, Any]:
    call = make_call(variant)
    for _ in range(max(200, n // 5)):
        call()
    perf, cpu = time.perf_counter, time.process_time
    wall, cpus = [], []
    for _ in range(rounds):
        t, c = perf(), cpu()
        for _ in range(n):
            call()
        wall.append((perf() - t) / n * 1e6)
        cpus.append((cpu() - c) / n * 1e6)
    if variant == "callbacks":
        import litellm

        litellm.flush_callbacks(timeout=10)
    return {
        "variant": variant,
        "us": statistics.median(wall),
        "cpu_us": statistics.median(cpus),
        "rounds": wall,
    }


def profile_variant(variant: str, n: int, top: int) -> None:
    import cProfile
    import pstats

    call = make_call(variant)
    for _ in range(500):
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def _run_tree(tree: str, variant: str, n: int) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = tree
    cmd = [sys.executable, str(HERE / "profile_request_path.py"), "--variant", variant, "--n", str(n)]
    cmd += ["--rounds", "3", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tree, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-800:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(base: str, variant: str, n: int, rounds: int) -> None:
    here = str(HERE.parent)
    diffs: list[float] = []
    cpu_diffs: list[float] = []
    ours: list[float] = []
    theirs: list[float] = []
    for r in range(rounds):
        order = [(base, theirs), (here, ours)] if r % 2 == 0 else [(here, ours), (base, theirs)]
        got: dict[str, dict[str, Any]] = {}
        for tree, sink in order:
            result = _run_tree(tree, variant, n)
            sink.append(result["us"])
            got[tree] = result
        diffs.append(got[here]["us"] - got[base]["us"])
        cpu_diffs.append(got[here]["cpu_us"] - got[base]["cpu_us"])
        print(f"round {r}: base {got[base]['us']:.1f} µs, ours {got[here]['us']:.1f} µs", flush=True)
    print(
        f"{variant}: base median {statistics.median(theirs):.1f} µs, ours {statistics.median(ours):.1f} µs; "
        f"paired diff median {statistics.median(diffs):+.1f} µs (range {min(diffs):+.1f}..{max(diffs):+.1f}), "
        f"CPU {statistics.median(cpu_diffs):+.1f} µs"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", default="plain", choices=("plain", "callbacks", "stream", "cache"))
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--compare", metavar="TREE", help="another checkout to compare with, paired")
    args = parser.parse_args()
    if args.compare:
        compare(args.compare, args.variant, args.n, args.rounds)
        return 0
    if args.profile:
        profile_variant(args.variant, args.n, args.top)
        return 0
    result = time_variant(args.variant, args.n, args.rounds)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.variant}: {result['us']:.1f} µs/call, CPU {result['cpu_us']:.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
