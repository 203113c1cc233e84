"""The ASGI application: route table, non-LLM endpoints (models, model info, health, metrics, docs), lifespan.

Owns :func:`build_app` (a :class:`~litellm.proxy.setup.Runtime` -> :class:`ProxyApp`) and
:func:`app_from_env` (the factory each uvicorn worker calls). Routing is a dict lookup on the exact path
(with and without ``/v1``) plus one pattern for Azure's ``/openai/deployments/{model}/...``; Starlette
provides only the Request/Response objects. On shutdown (uvicorn handles SIGTERM: stop accepting, wait
for in-flight requests and streams up to ``graceful_shutdown_timeout``) the lifespan flushes every logger.

Must not: contain the LLM request path (``handlers``), auth rules (``auth``) or config parsing (``config``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from litellm.proxy.auth import Authenticator
from litellm.proxy.backend import make_backend
from litellm.proxy.errors import ProxyError, error_body
from litellm.proxy.handlers import JSON, LLMRoute, RequestRecord, SinkList
from litellm.proxy.hooks import ProxyHooks
from litellm.proxy.setup import Runtime

__all__ = ["ProxyApp", "app_from_env", "build_app", "mask_params", "proxy_version"]

_SECRET_WORDS = ("key", "secret", "token", "password", "credential", "authorization")
_AZURE = re.compile(r"^/openai/deployments/([^/]+)(/.+)$")
_STATEFUL_PREFIXES = (
    "/files", "/v1/files", "/batches", "/v1/batches", "/fine_tuning", "/v1/fine_tuning",
    "/assistants", "/v1/assistants", "/threads", "/v1/threads",
)  # fmt: skip

# route suffix -> (call function name, hook call_type, multipart, model required)
LLM_ROUTES: dict[str, tuple[str, str, bool, bool]] = {
    "/chat/completions": ("acompletion", "completion", False, True),
    "/completions": ("atext_completion", "text_completion", False, True),
    "/embeddings": ("aembedding", "embeddings", False, True),
    "/images/generations": ("aimage_generation", "image_generation", False, True),
    "/audio/transcriptions": ("atranscription", "audio_transcription", True, True),
    "/audio/speech": ("aspeech", "audio_speech", False, True),
    "/moderations": ("amoderation", "moderation", False, False),
    "/rerank": ("arerank", "rerank", False, True),
    "/responses": ("aresponses", "responses", False, True),
}


def proxy_version() -> str:
    try:
        from importlib.metadata import version

        return version("litellm-observe")
    except Exception:  # not installed as a distribution (a source checkout)
        return "0.1.0"


def mask_params(params: dict[str, Any]) -> dict[str, Any]:
    """litellm_params safe to show a client: secrets masked, query strings dropped from URLs."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        low = key.lower()
        if any(word in low for word in _SECRET_WORDS) and value:
            out[key] = "********"
        elif low in ("api_base", "base_url") and isinstance(value, str):
            out[key] = value.split("?")[0]
        elif isinstance(value, dict):
            out[key] = mask_params(value)
        else:
            out[key] = value
    return out


def _error(status: int, message: str, type: str | None = None) -> Response:
    return Response(error_body(status, message, type), status_code=status, media_type=JSON)


class ProxyState:
    """Everything a request needs, built once at start."""

    def __init__(self, rt: Runtime) -> None:
        cfg = rt.config
        gs = cfg.general_settings
        self.runtime = rt
        self.version = proxy_version()
        self.backend = make_backend(cfg.model_list, cfg.litellm_settings, cfg.router_settings, cfg.path)
        self.auth = Authenticator(
            rt.master_key,
            custom_auth=rt.custom_auth,
            public_routes=gs.get("public_routes"),
            allowed_routes=gs.get("allowed_routes"),
        )
        self.hooks = ProxyHooks(rt.callbacks)
        size = gs.get("max_request_size_mb")
        self.max_request_bytes = int(size * 1048576) if size else 0
        self.trust_forwarded = bool(gs.get("use_x_forwarded_for"))
        self.on_request_done: list[Any] = SinkList([_metrics_sink])
        self.inflight = 0
        self.started = time.time()
        self.startup: list[Any] = []
        self.shutdown: list[Any] = []
        self.admission: Any = None  # ``await admission(auth, data, call_id, model, route) -> auth`` (keys)
        self.tracer = _proxy_tracer(rt.callbacks)


def _proxy_tracer(callbacks: list[Any]) -> Any:
    """A tracer on the OpenTelemetry logger's provider when ``otel`` is configured, else None (no
    OpenTelemetry import, no per-request cost)."""
    for cb in callbacks:
        logger = cb
        if isinstance(cb, str):
            if cb not in ("otel", "opentelemetry"):
                continue
            from litellm.integrations.registry import get_integration

            logger = get_integration(cb)
        provider = getattr(logger, "tracer_provider", None)
        if provider is not None and type(logger).__name__ == "OpenTelemetryLogger":
            return provider.get_tracer("litellm.proxy")
    return None


# litellm.proxy.metrics, imported on the first request (an import statement per call costs µs)
_metrics: Any = None


def _metrics_sink(record: RequestRecord) -> None:
    global _metrics
    metrics = _metrics
    if metrics is None:
        from litellm.proxy import metrics

        _metrics = metrics
    if record.auth is None:
        from litellm.proxy.auth import AuthContext

        record.auth = AuthContext()
    metrics.record_request(
        record.auth,
        record.route,
        record.requested_model,
        record.status,
        record.ended - record.started,
        record.exception,
        record.info.litellm_model if record.info is not None else None,
    )


_metrics_sink.after_response = True  # type: ignore[attr-defined]  # counted once the answer is out


# Packages that extend the app (virtual keys, management routes, spend ledger, budgets): each may expose
# ``install(app: ProxyApp) -> None``, called once at build time. Missing packages are skipped.
EXTENSIONS = (
    "litellm.proxy.keys",
    "litellm.proxy.management",
    "litellm.proxy.spend",
    "litellm.proxy.budgets",
)


class ProxyApp:
    """The ASGI callable uvicorn serves.

    Extension seams (for keys, management and the spend ledger): :meth:`add_route` (the handler gets the
    Starlette request; the caller's AuthContext is ``request.scope["litellm.auth"]``),
    ``state.auth.key_store`` (virtual keys), ``state.on_request_done`` (sinks called with each
    :class:`~litellm.proxy.handlers.RequestRecord`), ``state.startup`` / ``state.shutdown`` (async
    callables run by the lifespan, shutdown after in-flight requests drained and before loggers flush).
    """

    def __init__(self, rt: Runtime) -> None:
        self.state = ProxyState(rt)
        self.llm: dict[str, LLMRoute] = {}
        for suffix, (call, hook_type, multipart, required) in LLM_ROUTES.items():
            handler = LLMRoute(self.state, call, hook_type, multipart=multipart, model_required=required)
            self.llm[suffix] = handler
            self.llm["/v1" + suffix] = handler
        self.llm["/v2/rerank"] = self.llm["/rerank"]
        self.other: dict[tuple[str, str], Any] = {}
        for prefix in ("", "/v1"):
            self.other[("GET", prefix + "/models")] = self.models
            self.other[("GET", prefix + "/model/info")] = self.model_info
        self.other[("GET", "/model_group/info")] = self.model_group_info
        self.other[("GET", "/health")] = self.health
        self.other[("GET", "/health/liveliness")] = self.liveliness
        self.other[("GET", "/health/liveness")] = self.liveliness
        self.other[("GET", "/health/readiness")] = self.readiness
        self.other[("GET", "/metrics")] = self.metrics
        self.other[("GET", "/openapi.json")] = self.openapi
        self.other[("GET", "/docs")] = self.docs
        self.other[("GET", "/")] = self.root
        from litellm.proxy.stateful import StatefulRoutes

        self.stateful = StatefulRoutes(self.state)
        self._install_extensions()

    def _install_extensions(self) -> None:
        import importlib

        for name in EXTENSIONS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue
                raise
            install = getattr(module, "install", None)
            if callable(install):
                install(self)

    def add_route(self, method: str, path: str, handler: Any, *, public: bool = False) -> None:
        """Serve ``method path`` with ``await handler(request)`` (auth applied unless ``public``)."""
        self.other[(method.upper(), path)] = handler
        if public:
            self.state.auth.public_routes = self.state.auth.public_routes | {path}

    # -- ASGI ---------------------------------------------------------------------------------------

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            handler = self.llm.get(path)
            if handler is not None and scope["method"] == "POST":
                # an LLM route (what _dispatch finds first), without _dispatch's coroutine in between
                state = self.state
                state.inflight += 1
                try:
                    response = await handler(Request(scope, receive), path)
                finally:
                    state.inflight -= 1
            else:
                response = await self._dispatch(scope, receive)
            await response(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _dispatch(self, scope: dict[str, Any], receive: Any) -> Any:
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        method = scope["method"]
        request = Request(scope, receive)
        self.state.inflight += 1
        try:
            handler = self.llm.get(path)
            if handler is not None:
                if method != "POST":
                    return _error(405, f"Method {method} not allowed on {path}; use POST")
                return await handler(request, path)
            match = _AZURE.match(path)
            if match is not None:
                handler = self.llm.get(match.group(2))
                if handler is not None and method == "POST":
                    return await handler(request, path, path_model=match.group(1))
            other = self.other.get((method, path))
            if other is None and path.startswith(_STATEFUL_PREFIXES):
                found = self.stateful.match(method, path)
                if found is not None:
                    return await self.stateful(request, path, *found)
            if other is None and method == "GET" and path.startswith(("/models/", "/v1/models/")):
                other = self.model_one
            if other is None:
                return _error(404, f"Route {method} {path} not found on this proxy", "not_found_error")
            try:
                scope["litellm.auth"] = await self.state.auth.authenticate(request, path)
            except ProxyError as exc:
                return Response(
                    error_body(exc.status_code, exc.message, exc.type),
                    status_code=exc.status_code,
                    media_type=JSON,
                )
            return await other(request)
        finally:
            self.state.inflight -= 1

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    for hook in self.state.startup:
                        await hook()
                except Exception as exc:  # a dependency (database, ...) is not usable: do not serve
                    await send({"type": "lifespan.startup.failed", "message": f"{type(exc).__name__}: {exc}"})
                    raise
                tune_gc()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def shutdown(self) -> None:
        """After uvicorn drained in-flight requests: flush every logger, close the backend."""
        from litellm.calls.pipeline import flush_callbacks

        for hook in self.state.shutdown:
            try:
                await hook()
            except Exception as exc:  # keep shutting down: loggers must still flush
                from litellm.core.log import get_logger

                get_logger("litellm.proxy").warning(
                    "shutdown hook failed", error=f"{type(exc).__name__}: {exc}"
                )
        timeout = float(self.state.runtime.general.get("graceful_shutdown_timeout") or 30)
        await asyncio.get_running_loop().run_in_executor(None, flush_callbacks, timeout)
        try:
            await self.state.backend.aclose()
        except Exception:  # closing is best effort at exit
            pass

    # -- models -------------------------------------------------------------------------------------

    async def models(self, request: Request) -> Response:
        names = self._visible_models(request)
        data = [{"id": n, "object": "model", "created": 1677610602, "owned_by": "openai"} for n in names]
        return JSONResponse({"object": "list", "data": data})

    def _visible_models(self, request: Request) -> list[str]:
        """The model names the request's key (and its team) may call, as LiteLLM's /v1/models lists them;
        every name for the master key or a key without a model list."""
        names = self.state.backend.model_names()
        auth = request.scope.get("litellm.auth")
        management = getattr(self.state, "management", None)  # keys exist only with it
        if auth is None or management is None:
            return names
        return management.admission.visible(auth, names)

    async def model_one(self, request: Request) -> Response:
        model = request.url.path.split("/models/", 1)[1]
        if model not in self._visible_models(request):
            return _error(404, f"The model '{model}' does not exist on this proxy", "not_found_error")
        return JSONResponse({"id": model, "object": "model", "created": 1677610602, "owned_by": "openai"})

    def _deployment_info(self, d: dict[str, Any]) -> dict[str, Any]:
        info = dict(d.get("model_info") or {})
        try:
            from litellm.cost.model_info import get_model_info

            known = get_model_info(d["litellm_params"]["model"])
            merged = {**{k: v for k, v in dict(known).items() if v is not None}, **info}
        except Exception:  # not in the price map: only what the config says
            merged = info
        merged = _described(merged, d["litellm_params"])
        return {
            "model_name": d["model_name"],
            "litellm_params": mask_params(d["litellm_params"]),
            "model_info": merged,
        }

    async def model_info(self, request: Request) -> Response:
        wanted = request.query_params.get("litellm_model_id")
        data = [
            self._deployment_info(d)
            for d in self.state.backend.model_list
            if wanted is None or d["model_info"].get("id") == wanted
        ]
        if wanted is None:  # an alias is listed as its group's deployments under the alias's name
            for alias, group in self.state.backend.aliases().items():
                for d in self.state.backend.model_list:
                    if d["model_name"] == group:
                        data.append({**self._deployment_info(d), "model_name": alias})
        return JSONResponse({"data": data})

    async def model_group_info(self, request: Request) -> Response:
        groups: dict[str, dict[str, Any]] = {}
        for d in self.state.backend.model_list:
            g = groups.setdefault(
                d["model_name"], {"model_group": d["model_name"], "providers": [], "tpm": None, "rpm": None}
            )
            provider = (
                d["litellm_params"]["model"].split("/")[0]
                if "/" in d["litellm_params"]["model"]
                else "openai"
            )
            if provider not in g["providers"]:
                g["providers"].append(provider)
            for limit in ("tpm", "rpm"):
                value = d.get(limit) or d["litellm_params"].get(limit)
                if value:
                    g[limit] = (g[limit] or 0) + value
        return JSONResponse({"data": list(groups.values())})

    # -- health -------------------------------------------------------------------------------------

    async def liveliness(self, request: Request) -> Response:
        return JSONResponse("I'm alive!")

    async def readiness(self, request: Request) -> Response:
        """LiteLLM's readiness body; ``db`` is "connected" when a ``SELECT 1`` through the proxy's own
        database (PostgreSQL or the SQLite state file) answers within 2 s, else "disconnected" and the
        status unhealthy (503); "Not connected" when the proxy has no database."""
        from litellm.core.settings import settings

        database = getattr(getattr(self.state, "management", None), "db", None)
        db = "Not connected"
        healthy = True
        if database is not None:
            db = "connected" if await self._db_round_trip(database) else "disconnected"
            healthy = db == "connected"
        else:  # no connection object (the state store is not wired in): is the server there at all?
            db_url = self.state.runtime.general.get("database_url") or os.environ.get("DATABASE_URL")
            if db_url:
                db = "connected" if await _tcp_reachable(db_url) else "disconnected"
                healthy = db == "connected"
        cache = settings.cache
        cache_state = None
        if cache is not None:
            cache_state = type(cache).__name__
            ping = getattr(cache, "ping", None) or getattr(cache, "async_ping", None)
            if ping is not None:
                try:
                    result = ping()
                    if asyncio.iscoroutine(result):
                        result = await asyncio.wait_for(result, 2.0)
                    cache_state = (
                        f"{cache_state} (healthy)" if result is not False else f"{cache_state} (unhealthy)"
                    )
                except Exception as exc:
                    cache_state, healthy = f"{cache_state} (unhealthy: {type(exc).__name__})", False
        callbacks = [c if isinstance(c, str) else type(c).__name__ for c in self.state.runtime.callbacks]
        body = {
            "status": "healthy" if healthy else "unhealthy",
            "db": db,
            "cache": cache_state,
            "litellm_version": self.state.version,
            "success_callbacks": callbacks,
        }
        return JSONResponse(body, status_code=200 if healthy else 503)

    _db_probe: asyncio.Future[bool] | None = None

    async def _db_round_trip(self, database: Any) -> bool:
        """``database.ping()`` (a ``SELECT 1``) answered within ``READINESS_DB_TIMEOUT`` seconds.

        At most one ping runs: probes that arrive meanwhile wait on it (the endpoint is public; a flood of
        probes costs the database one query at a time). A ping past the timeout is cancelled but not
        waited for -- psycopg spends up to ~10 s asking the server to cancel -- and until it ends the
        probes that share it say "disconnected" after their own timeout."""
        probe = self._db_probe
        if probe is None or probe.done():
            probe = self._db_probe = asyncio.ensure_future(database.ping())
            probe.add_done_callback(_retrieved)
        done, _ = await asyncio.wait((probe,), timeout=READINESS_DB_TIMEOUT)
        if not done:
            probe.cancel()
            return False
        return not probe.cancelled() and probe.exception() is None and bool(probe.result())

    async def health(self, request: Request) -> Response:
        """Probe every deployment (or ``?model=<group>``) with one minimal call; unhealthy ones say why."""
        from litellm.proxy.health import probe_all

        wanted = request.query_params.get("model")
        deployments = [
            d for d in self.state.backend.model_list if wanted is None or d["model_name"] == wanted
        ]
        timeout = float(self.state.runtime.general.get("health_check_timeout") or 30)
        healthy, unhealthy = await probe_all(deployments, timeout, mask_params)
        return JSONResponse(
            {
                "healthy_endpoints": healthy,
                "unhealthy_endpoints": unhealthy,
                "healthy_count": len(healthy),
                "unhealthy_count": len(unhealthy),
            }
        )

    async def metrics(self, request: Request) -> Response:
        from litellm.proxy.metrics import render

        body, ctype = render()
        return Response(body, media_type=ctype)

    # -- docs ---------------------------------------------------------------------------------------

    async def openapi(self, request: Request) -> Response:
        from litellm.proxy.openapi import spec

        return JSONResponse(spec(self.state.version, self.state.backend.model_names()))

    async def docs(self, request: Request) -> Response:
        from litellm.proxy.openapi import swagger_html

        return HTMLResponse(swagger_html())

    async def root(self, request: Request) -> Response:
        return RedirectResponse("/docs")


def _described(info: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """What LiteLLM's /model/info adds to every deployment's ``model_info``, priced or not: ``key`` (the
    model's name at its provider), ``litellm_provider``, ``db_model`` (false: the config's) and the
    ``supported_openai_params``. (LiteLLM also writes costs of 0 for a model it cannot price; a price
    we do not know stays absent.)"""
    import litellm

    try:
        bare, provider, _key, _base = litellm.get_llm_provider(params["model"])
    except Exception:  # an unknown provider: nothing more to say
        return info
    out = {"key": bare, "litellm_provider": provider, **info}
    out.setdefault("db_model", False)
    if out.get("supported_openai_params") is None:
        try:
            out["supported_openai_params"] = litellm.get_supported_openai_params(
                model=bare, custom_llm_provider=provider
            )
        except Exception:
            pass
    return out


READINESS_DB_TIMEOUT = 2.0  # seconds a readiness probe waits for the database's answer


def _retrieved(probe: asyncio.Future[bool]) -> None:
    """A readiness ping's outcome is read here too, so one that fails after its probes left is not
    logged as "exception never retrieved" (a broken backend is simply not ready)."""
    if not probe.cancelled():
        probe.exception()


async def _tcp_reachable(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    host, port = parsed.hostname or "localhost", parsed.port or 5432
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2.0)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True


def build_app(rt: Runtime) -> ProxyApp:
    return ProxyApp(rt)


def tune_gc() -> None:
    """Make the cyclic garbage collector cheap for a server process (ours, not a library user's).

    Everything alive after start-up (modules, the config, the router, the price map) lives as long as
    the process: ``gc.freeze()`` moves it out of the collector's generations, so no collection walks it
    again. A request allocates hundreds of short-lived containers (the call's context, the response,
    the logging record waiting for its worker); with CPython's default first-generation threshold
    (700) a collection ran every ~12 requests and the collector cost ~50 µs per request under load
    (measured with ``gc.callbacks``). A threshold of 20,000 keeps it to a few µs per request, for a
    few MB more of young objects between collections. ``LITELLM_GC_THRESHOLD`` ("20000,50,100", or
    "off" to leave the interpreter's settings alone) overrides it.
    """
    import gc

    setting = (os.environ.get("LITELLM_GC_THRESHOLD") or "20000,50,100").strip().lower()
    if setting in ("off", "0", "false", "no"):
        return
    try:
        thresholds = [int(part) for part in setting.split(",")]
        if not 1 <= len(thresholds) <= 3 or min(thresholds) < 1:
            raise ValueError
    except ValueError:
        from litellm.core.log import log_once

        log_once(
            ("proxy", "gc_threshold"),
            "LITELLM_GC_THRESHOLD must be up to three positive integers (e.g. 20000,50,100) or 'off'; "
            "using the interpreter's defaults",
            value=setting,
            level="warning",
        )
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


def app_from_env() -> ProxyApp:
    """uvicorn's factory in each worker: the CLI passes its options in ``LITELLM_PROXY_OPTIONS``."""
    from litellm.proxy.cli import runtime_from_options

    options = json.loads(os.environ["LITELLM_PROXY_OPTIONS"])
    return build_app(runtime_from_options(options))
