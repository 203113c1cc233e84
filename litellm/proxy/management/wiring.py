"""Plugs keys, the spend ledger, budgets and the management API into the proxy app (one call: attach).

Owns :class:`ManagementState` (the database, Redis, key store, ledger, counters, limiter, admission and
the end-user cache of one proxy process), its start (connect + migrate: an unreachable database stops the
start with a message naming the host) and stop (settle, flush the ledger), and the ``on_request_done``
sink that turns each finished request into one ledger row. Enabled when a master key or a database URL is
configured (virtual keys need an admin); ``disable_spend_logs`` turns the ledger off.

Must not: change the request path beyond the seams the app offers (``auth.key_store``,
``state.admission``, ``on_request_done``, the route table, the stream iterator hook).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litellm.integrations.custom_logger import CustomLogger
from litellm.proxy.backend import hidden_params as _hidden
from litellm.proxy.errors import ProxyError
from litellm.proxy.management.settings import StateSettings
from litellm.proxy.spend.rows import build_values, prices_for, usage_of

__all__ = ["ManagementState", "attach"]


class _StreamMeterHook(CustomLogger):
    """Counts what each stream sends (for its ledger row) via the proxy's stream iterator hook."""

    def __init__(self, mgmt: ManagementState) -> None:
        super().__init__()
        self.mgmt = mgmt

    async def async_post_call_streaming_iterator_hook(
        self, user_api_key_dict: Any, response: Any, request_data: Any
    ) -> Any:
        from litellm.proxy.spend.rows import StreamMeter

        ticket = self.mgmt.admission.tickets.get(request_data.get("litellm_call_id"))
        if ticket is None:
            async for chunk in response:
                yield chunk
            return
        ticket.meter = StreamMeter()
        async for chunk in ticket.meter.wrap(response):
            yield chunk
        # the upstream finished: spool the row now, before the proxy sends [DONE] (so a SIGKILL after
        # the client has its whole answer cannot lose it)
        self.mgmt.spool_stream(ticket, user_api_key_dict, request_data, response)


class ManagementState:
    def __init__(self, app: Any) -> None:
        rt = app.state.runtime
        cfg = rt.config
        self.app = app
        self.runtime = rt
        self.settings = StateSettings.from_config(
            cfg.general_settings, cfg.litellm_settings, cfg.router_settings
        )
        self.backend = app.state.backend
        self.master_key = rt.master_key
        self.db: Any = None
        self.redis: Any = None
        self.keys: Any = None
        self.ledger: Any = None
        self.counters: Any = None
        self.limiter: Any = None
        self.admitter: Any = None  # Redis: limits + budgets in one script per request
        self.slack = _find_slack(rt.callbacks)
        from litellm.proxy.budgets.admission import Admission

        self.admission = Admission(self)
        self._customers: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._resets: asyncio.Task[None] | None = None
        self.deployment_params = {
            str(d["model_info"].get("id")): d["litellm_params"] for d in self.backend.model_list
        }

    # -- lifecycle --------------------------------------------------------------------------------

    async def startup(self) -> None:
        from litellm.proxy.budgets.counters import DbBudgetCounters, RedisBudgetCounters
        from litellm.proxy.budgets.limits import LocalLimiter, RedisLimiter
        from litellm.proxy.db import open_database
        from litellm.proxy.keys.store import KeyStore
        from litellm.proxy.spend.ledger import Ledger

        s = self.settings
        self.db = await open_database(
            s.database_url, s.sqlite_path, timeout=s.db_timeout, pool_size=s.db_pool_size
        )
        if s.redis_url:
            import redis.asyncio as aredis

            self.redis = aredis.Redis.from_url(s.redis_url, socket_timeout=5, socket_connect_timeout=3)
        self.keys = KeyStore(self.db, self.redis, prefix=s.redis_prefix, ttl=s.key_cache_ttl)
        self.keys.allow_on_db_unavailable = s.allow_on_db_unavailable
        # the Authenticator's key store is this object: from now on its lookup is the KeyStore's own (one
        # coroutine per request instead of this class's wrapper around it)
        self.lookup = self.keys.lookup  # type: ignore[method-assign]
        if self.redis is not None:
            self.counters = RedisBudgetCounters(self.redis, s.redis_prefix, s.reservation_ttl)
            self.limiter = RedisLimiter(self.redis, s.redis_prefix, s.rate_limit_window)
            from litellm.proxy.budgets.redis_admit import RedisAdmitter

            self.admitter = RedisAdmitter(self.redis, s.redis_prefix, s.rate_limit_window, s.reservation_ttl)
        else:
            self.counters = DbBudgetCounters(self.db, s.reservation_ttl)
            self.limiter = LocalLimiter(s.rate_limit_window)
        if not s.disable_spend_logs:
            self.ledger = Ledger(self.db, s.spool_dir, s.batch_write_at)
            await self.ledger.flush()  # rows a previous run left on disk
            self.ledger.start()
        from litellm.proxy.budgets.resets import reset_loop

        self._resets = asyncio.get_running_loop().create_task(reset_loop(self))

    async def shutdown(self) -> None:
        if self._resets is not None:
            self._resets.cancel()
        await self.admission.drain()
        if self.ledger is not None:
            await self.ledger.close()
        if self.redis is not None:
            try:
                await self.redis.aclose()
            except Exception:
                pass
        if self.db is not None:
            await self.db.close()

    # -- the seams --------------------------------------------------------------------------------

    async def lookup(self, token_hash: str) -> Any:
        if self.keys is None:
            return None
        return await self.keys.lookup(token_hash)

    async def customer(self, end_user_id: str) -> dict[str, Any] | None:
        now = time.monotonic()
        hit = self._customers.get(end_user_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        from litellm.proxy.management.entities import load_customer

        try:
            record = await load_customer(self.db, end_user_id)
        except Exception:  # DB down: an unknown customer has no budget of its own
            record = hit[1] if hit else None
        if len(self._customers) > 50_000:
            self._customers.clear()
        self._customers[end_user_id] = (now + self.settings.key_cache_ttl, record)
        return record

    def spool_stream(self, ticket: Any, auth: Any, data: dict[str, Any], stream: Any) -> None:
        """A stream whose upstream ended: its row, written ahead of the final ``[DONE]``."""
        from types import SimpleNamespace

        model_id = (_hidden(stream) or {}).get("model_id")
        group = data.get("model")
        if model_id is None:
            model_id = next(
                (d["model_info"].get("id") for d in self.backend.model_list if d["model_name"] == group), None
            )
        info = SimpleNamespace(model_group=group, model_id=model_id, litellm_model=None)
        call_type = _CALL_TYPES.get(ticket.route.removeprefix("/v1"), "acompletion")
        record = SimpleNamespace(
            call_id=ticket.call_id, route=ticket.route, call_type=call_type, auth=auth, requested_model=group,
            status=200, started=ticket.started, ended=time.time(), exception=None, info=info, response=None,
        )  # fmt: skip
        spend, prompt, completion, _ = self._cost(record, ticket)
        if self.ledger is not None:
            values = build_values(
                record, spend=spend, prompt_tokens=prompt, completion_tokens=completion, cache_hit=False,
                tags=ticket.tags, request_md=ticket.request_md,
                deployment=self.deployment_params.get(str(model_id), {}).get("model"),
            )  # fmt: skip
            self.ledger.append_values(values)
        ticket.spooled = (spend, prompt + completion)

    def sink(self, record: Any) -> None:
        """on_request_done: one ledger row per admitted request, then settle its budgets and limits."""
        ticket = self.admission.take(record.call_id)
        if ticket is None or record.auth is None:
            return  # refused before admission (auth, bad input, limits, budget): no row, nothing to settle
        if ticket.spooled is not None:  # a finished stream: its row is on disk already
            self.admission.finish(ticket, *ticket.spooled)
            return
        if isinstance(record.exception, ProxyError) and record.info is None:
            spend, prompt, completion, cache_hit = 0.0, 0, 0, False
        else:
            spend, prompt, completion, cache_hit = self._cost(record, ticket)
        ledger = self.ledger
        if ledger is not None:
            info = record.info
            deployment = None
            if not getattr(info, "litellm_model", None):  # the row's deployment is the Router's model then
                deployment = self.deployment_params.get(str(getattr(info, "model_id", None)), {}).get("model")
            ledger.append_values(
                build_values(
                    record, spend=spend, prompt_tokens=prompt, completion_tokens=completion, cache_hit=cache_hit,
                    tags=ticket.tags, request_md=ticket.request_md, deployment=deployment,
                )
            )  # fmt: skip
        self.admission.finish(ticket, spend, prompt + completion)

    def _cost(self, record: Any, ticket: Any) -> tuple[float, int, int, bool]:
        response = record.response
        if ticket.meter is not None:  # a stream: what was sent (an aborted one pays for what it got)
            info = record.info
            params = self.deployment_params.get(str(getattr(info, "model_id", None)), {})
            model = getattr(info, "litellm_model", None) or params.get("model") or record.requested_model
            prompt, completion = ticket.meter.tokens(
                model, ticket.prompt_estimate or self._prompt(record, ticket)
            )
            inp, out, _ = prices_for(model, params)
            return prompt * inp + completion * out, prompt, completion, False
        if response is None or record.exception is not None:
            return 0.0, 0, 0, False
        hidden = _hidden(response)
        if hidden:  # (once: the response's HiddenParams prices the call on its first read)
            cost, cache_hit = hidden.get("response_cost"), bool(hidden.get("cache_hit"))
        else:
            cost, cache_hit = None, False
        prompt, completion = usage_of(response)
        return float(cost or 0.0), prompt, completion, cache_hit

    def _prompt(self, record: Any, ticket: Any) -> int:
        return 0


_CALL_TYPES = {
    "/chat/completions": "acompletion",
    "/completions": "atext_completion",
    "/responses": "aresponses",
}


def _find_slack(callbacks: list[Any]) -> Any:
    try:
        from litellm.integrations.slack import SlackAlertingLogger
    except ImportError:
        return None
    return next((c for c in callbacks if isinstance(c, SlackAlertingLogger)), None)


def enabled(app: Any) -> bool:
    rt = app.state.runtime
    gs = rt.config.general_settings
    from litellm.proxy.db.base import resolve_database_url

    return bool(rt.master_key or resolve_database_url(gs))


def attach(app: Any) -> ManagementState | None:
    """Wire keys, ledger, budgets and the management routes into ``app`` (a ProxyApp)."""
    state = app.state
    if not enabled(app):
        state.admission = None
        return None
    mgmt = ManagementState(app)
    state.management = mgmt
    state.auth.key_store = mgmt
    state.admission = mgmt.admission.admit
    state.on_request_done.append(mgmt.sink)
    from litellm.proxy.hooks import ProxyHooks

    state.hooks = ProxyHooks([*state.runtime.callbacks, _StreamMeterHook(mgmt)])
    state.startup.append(mgmt.startup)
    state.shutdown.append(mgmt.shutdown)
    from litellm.proxy.management.routes import register

    register(app, mgmt)
    return mgmt
