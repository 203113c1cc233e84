"""The ``litellm`` command (also ``python -m litellm.proxy``): start the proxy, or talk to a running one.

Owns the flags LiteLLM documents (``--config --model --api_base --alias --port --host --num_workers
--detailed_debug --debug --drop_params --temperature --max_tokens --request_timeout --health --version
--test --ssl_keyfile_path --ssl_certfile_path``), the start-up order (validate and apply the whole config
in this process first, so a bad config exits with a clear message before anything listens; then serve
with uvicorn on uvloop + httptools; with ``--num_workers`` > 1 every worker rebuilds the same runtime from
the options in ``LITELLM_PROXY_OPTIONS`` and Prometheus collects across workers through
``PROMETHEUS_MULTIPROC_DIR``), and the banner saying where it listens.
HTTP/1.1 is served by our own httptools protocol (``litellm.proxy.http_server``) when httptools is
installed; ``LITELLM_PROXY_HTTP=uvicorn`` selects uvicorn's httptools protocol, ``h11`` uvicorn's h11 one.

Must not: be imported by ``import litellm``; print secrets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from typing import Any

__all__ = ["main", "runtime_from_options"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="litellm", description="OpenAI-compatible LLM proxy (LiteLLM's CLI).")
    p.add_argument("--config", "-c", default=os.environ.get("CONFIG_FILE_PATH"), help="path to config.yaml")
    p.add_argument("--model", "-m", help="serve one model, e.g. openai/gpt-4o (instead of --config)")
    p.add_argument("--api_base", help="API base for --model")
    p.add_argument("--alias", help="the name clients use for --model")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 4000)))
    p.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    p.add_argument("--num_workers", type=int, default=int(os.environ.get("NUM_WORKERS", 1)))
    p.add_argument("--detailed_debug", action="store_true", help="debug logs, including each LLM request")
    p.add_argument("--debug", action="store_true", help="info logs and the HTTP access log")
    p.add_argument("--drop_params", action="store_true", help="drop params a provider does not support")
    p.add_argument("--temperature", type=float, help="temperature for every request")
    p.add_argument("--max_tokens", type=int, help="max_tokens for every request")
    p.add_argument("--request_timeout", type=float, help="timeout (s) for each LLM call")
    p.add_argument("--health", action="store_true", help="probe every model of a running proxy and exit")
    p.add_argument("--version", "-v", action="store_true", help="print the version and exit")
    p.add_argument("--test", action="store_true", help="send one chat request to a running proxy and exit")
    p.add_argument("--ssl_keyfile_path", help="serve HTTPS with this key (with --ssl_certfile_path)")
    p.add_argument("--ssl_certfile_path", help="serve HTTPS with this certificate")
    return p


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "config": os.path.abspath(args.config) if args.config else None,
        "model": args.model,
        "api_base": args.api_base,
        "alias": args.alias,
        "drop_params": args.drop_params,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
        "request_timeout": args.request_timeout,
        "debug": args.debug,
        "detailed_debug": args.detailed_debug,
    }


def runtime_from_options(options: dict[str, Any]) -> Any:
    """Load, validate and apply the config the options name; raises ConfigError (or ValueError)."""
    from litellm.proxy.config import apply_cli_overrides, config_from_cli, load_config
    from litellm.proxy.setup import apply_config

    if options.get("detailed_debug"):
        os.environ.setdefault("LITELLM_LOG", "DEBUG")
    if options.get("config"):
        cfg = load_config(options["config"])
        if options.get("model"):
            raise ValueError("pass either --config or --model, not both")
    elif options.get("model"):
        cfg = config_from_cli(options["model"], api_base=options.get("api_base"), alias=options.get("alias"))
    else:
        raise ValueError("nothing to serve: pass --config config.yaml or --model <provider/model>")
    apply_cli_overrides(
        cfg,
        drop_params=bool(options.get("drop_params")),
        temperature=options.get("temperature"),
        max_tokens=options.get("max_tokens"),
        request_timeout=options.get("request_timeout"),
    )
    rt = apply_config(cfg)
    if options.get("detailed_debug"):
        from litellm.core.log import turn_on_debug

        turn_on_debug()
    return rt


def _client_base(args: argparse.Namespace) -> str:
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    scheme = "https" if args.ssl_certfile_path else "http"
    return f"{scheme}://{host}:{args.port}"


def _client_key(args: argparse.Namespace) -> str | None:
    key = os.environ.get("LITELLM_MASTER_KEY")
    if key or not args.config:
        return key
    try:
        from litellm.proxy.config import load_config

        return load_config(args.config).general_settings.get("master_key")
    except Exception:  # --test/--health still work against an open proxy
        return None


def _talk(args: argparse.Namespace) -> int:
    import httpx

    base = _client_base(args)
    key = _client_key(args)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with httpx.Client(base_url=base, headers=headers, timeout=120, verify=False) as client:
        try:
            if args.health:
                r = client.get("/health")
                print(json.dumps(r.json(), indent=2))
                return 0 if r.status_code == 200 and not r.json().get("unhealthy_count") else 1
            model = args.model or args.alias
            if not model:
                listed = client.get("/v1/models").json().get("data") or []
                if not listed:
                    print("litellm --test: the proxy serves no models", file=sys.stderr)
                    return 1
                model = listed[0]["id"]
            body = {
                "model": model,
                "messages": [{"role": "user", "content": "this is a test request, write a short poem"}],
            }
            r = client.post("/chat/completions", json=body)
        except httpx.HTTPError as exc:
            print(f"litellm: cannot reach the proxy at {base}: {exc}", file=sys.stderr)
            return 1
        print(f"POST {base}/chat/completions model={model} -> {r.status_code}")
        print(json.dumps(r.json(), indent=2))
        return 0 if r.status_code == 200 else 1


def _banner(args: argparse.Namespace, rt: Any) -> str:
    base = f"{'https' if args.ssl_certfile_path else 'http'}://{args.host}:{args.port}"
    names = rt.config.model_names()
    shown = ", ".join(names[:8]) + (f" (+{len(names) - 8} more)" if len(names) > 8 else "")
    auth = (
        "master key required"
        if rt.master_key or rt.custom_auth
        else "no auth (set general_settings.master_key)"
    )
    workers = f"{args.num_workers} worker{'s' if args.num_workers != 1 else ''}"
    return (
        f"\nLiteLLM proxy listening on {base} ({workers}, {auth})\n"
        f"  OpenAI base URL: {base}/v1    docs: {base}/docs    metrics: {base}/metrics\n"
        f"  models: {shown or '(none)'}\n"
    )


def _serve(args: argparse.Namespace, rt: Any, options: dict[str, Any], app: Any) -> None:
    import importlib.util

    import uvicorn

    log_level = "debug" if args.detailed_debug else ("info" if args.debug else "warning")
    timeout = int(rt.general.get("graceful_shutdown_timeout") or 30)
    common: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": log_level,
        "access_log": bool(args.debug or args.detailed_debug),
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        # ours (litellm.proxy.http_server) unless LITELLM_PROXY_HTTP=uvicorn (uvicorn's httptools) or h11
        "http": (
            {"uvicorn": "httptools", "h11": "h11"}.get(
                os.environ.get("LITELLM_PROXY_HTTP", ""), "litellm.proxy.http_server:HttpProtocol"
            )
            if importlib.util.find_spec("httptools")
            else "h11"
        ),
        "timeout_graceful_shutdown": timeout,
        "timeout_keep_alive": 30,
        "ssl_keyfile": args.ssl_keyfile_path,
        "ssl_certfile": args.ssl_certfile_path,
        "lifespan": "on",
        # X-Forwarded-For is read by the request path only when general_settings.use_x_forwarded_for
        "proxy_headers": False,
        "server_header": False,
    }
    print(_banner(args, rt), flush=True)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _fresh_metrics_dir(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if args.num_workers > 1:
        os.environ["LITELLM_PROXY_OPTIONS"] = json.dumps(options)
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="litellm-prometheus-")
        sys.exit(_run_workers(args.num_workers, common))
    config = uvicorn.Config(app, **common)
    _Server(config).run()
    print(
        "litellm: shut down cleanly (in-flight requests finished, loggers flushed)",
        file=sys.stderr,
        flush=True,
    )


def _fresh_metrics_dir(path: str) -> None:
    """Remove the last run's Prometheus multiprocess files (prometheus_client asks for the directory to be
    wiped before start): a restarted container keeps the directory, and its new workers, often with the
    same PIDs, would carry on the old counters."""
    from pathlib import Path

    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for kind in ("counter", "gauge", "histogram", "summary"):
        for stale in folder.glob(f"{kind}_*.db"):
            stale.unlink(missing_ok=True)


def _run_workers(workers: int, common: dict[str, Any]) -> int:
    """uvicorn's multi-worker supervisor; the exit status says whether a worker failed to start (uvicorn
    stops then, but returns as if it had shut down normally, so a restart policy would not see it)."""
    import uvicorn
    from uvicorn.server import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("litellm.proxy.app:app_from_env", factory=True, workers=workers, **common)
    supervisor = Multiprocess(config, sockets=[config.bind_socket()])
    supervisor.run()
    failed = any(worker.exitcode == STARTUP_FAILURE for worker in supervisor.processes)
    return STARTUP_FAILURE if failed else 0


def _server_class() -> Any:
    import contextlib

    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown (the process then dies by the
        signal); after a completed drain and flush we exit 0 instead, as a finished job should."""

        @contextlib.contextmanager
        def capture_signals(self) -> Any:
            with super().capture_signals():
                yield
                captured = getattr(self, "_captured_signals", None)
                if isinstance(captured, list):
                    captured.clear()

    return Server


def _Server(config: Any) -> Any:
    return _server_class()(config)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["migrate"]:  # `litellm migrate [--config c.yaml]`: apply database migrations
        from litellm.proxy.db.migrate import main as migrate

        sys.exit(migrate(argv[1:]))
    args = _parser().parse_args(argv)
    if args.version:
        from litellm.proxy.app import proxy_version

        print(f"litellm {proxy_version()}")
        return
    if args.health or args.test:
        sys.exit(_talk(args))
    if bool(args.ssl_keyfile_path) != bool(args.ssl_certfile_path):
        sys.exit("litellm: pass both --ssl_keyfile_path and --ssl_certfile_path for HTTPS")
    if args.num_workers < 1:
        sys.exit("litellm: --num_workers must be at least 1")
    options = _options(args)
    from litellm.proxy.config import ConfigError

    try:
        rt = runtime_from_options(options)
        from litellm.proxy.app import build_app

        app = build_app(rt)  # builds the Router too: its refusals are start-up errors, like the config's
    except ConfigError as exc:
        sys.exit(f"litellm: config error: {exc}")
    except ValueError as exc:
        sys.exit(f"litellm: {exc}")
    for warning in rt.config.warnings:
        print(f"litellm: warning: {warning}", file=sys.stderr)
    _serve(args, rt, options, app)


if __name__ == "__main__":
    main()
