"""Command line for the fake provider: ``python -m litellm.fake_provider [--port 8080] [...]``.

Owns argument parsing, the process's event loop and its signal handling (this is the one place where
taking SIGINT/SIGTERM is ours to do). Prints one line, ``fake provider listening on <url>``, once the
socket accepts connections, so scripts (the benchmarks) can wait for it and read the port.

Must not hold server logic: ``app`` serves, ``server`` binds.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from litellm.fake_provider.app import build_app
from litellm.fake_provider.options import DEFAULT_CHUNKS, FakeProviderOptions
from litellm.fake_provider.server import bind_socket, start_site


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m litellm.fake_provider",
        description="A local server speaking the OpenAI, Azure OpenAI and Anthropic wire formats, with fault "
        "injection (see `python -c 'import litellm.fake_provider as f; help(f)'`).",
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080, help="0 picks a free port (printed on start)")
    p.add_argument("--latency-ms", type=float, default=0.0, help="delay before every response")
    p.add_argument("--error-rate", type=float, default=0.0, help="fraction of requests failed at random")
    p.add_argument("--error-status", type=int, default=500, help="status of the random failures")
    p.add_argument("--chunks", type=int, default=DEFAULT_CHUNKS, help="reply words = SSE content chunks")
    p.add_argument("--chunk-delay-ms", type=float, default=0.0, help="pause between SSE chunks")
    p.add_argument("--seed", type=int, default=0, help="seed of the --error-rate draw")
    p.add_argument(
        "--reuse-port", action="store_true", help="SO_REUSEPORT, to run several processes on one port"
    )
    return p


async def _serve(host: str, port: int, options: FakeProviderOptions, reuse_port: bool) -> None:
    sock = bind_socket(host, port, reuse_port=reuse_port)
    bound = sock.getsockname()[1]
    runner = await start_site(build_app(options), sock)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    shown = f"[{host}]" if ":" in host else host
    print(f"fake provider listening on http://{shown}:{bound}", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        options = FakeProviderOptions(
            latency_ms=args.latency_ms,
            error_rate=args.error_rate,
            error_status=args.error_status,
            chunks=args.chunks,
            chunk_delay_ms=args.chunk_delay_ms,
            seed=args.seed,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(args.host, args.port, options, args.reuse_port))
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
