"""Admission and settlement: the per-request gate between auth and the Router, and its bookkeeping after.

:meth:`Admission.admit` (called by the request path with the authenticated caller and the parsed body)
applies, in order: the end user (the body's ``user``: blocked, its budget), model access (key, team,
end user; model access groups), route access (the key's ``allowed_routes``), rpm/tpm/parallel limits,
and the budget reservation -- the worst-case cost (prompt tokens x input price + max output tokens, or the
model's output limit, x output price, at the dearest deployment of the group) reserved against every
budget that applies (key, key+model, user, team, organisation, end user, global). A request with no
limit and no budget costs one dict lookup here. :meth:`Admission.finish` (from the ``on_request_done``
sink) settles the reservation to the real cost and frees the parallel slot, off the response path, and
raises the soft-budget / budget-crossed Slack alerts.

Refusals: over budget -> 400 ``budget_exceeded`` (LiteLLM 1.77's status, type and message: "Budget has
been exceeded! ... Current cost: X, Max budget: Y"); limits -> 429 with Retry-After; model -> 401
``key_model_access_denied``; route -> 403. Must not: write the ledger, or block on a slow Redis/database
longer than its timeout.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from litellm.proxy.budgets.counters import BudgetCheck, Refusal
from litellm.proxy.budgets.limits import LimitCheck
from litellm.proxy.errors import ProxyError
from litellm.proxy.keys.records import _DURATION, _months_ahead, parse_duration
from litellm.proxy.spend.rows import StreamMeter, prices_for

__all__ = ["Admission", "Ticket", "period_of"]

_NO_DURATION_TTL = 400 * 86400.0
_LLM_ROUTE_GROUPS = {"llm_api_routes", "openai_routes"}
_NO_IDENT: Any = object()  # _budget's ident of a scope that is its kind alone ("global")


@dataclass(slots=True)
class Ticket:
    """What admission decided for one request (kept until it finishes)."""

    call_id: str
    budget_checks: list[BudgetCheck] = field(default_factory=list)
    limit_checks: list[LimitCheck] = field(default_factory=list)
    reserved: float = 0.0
    prompt_estimate: int = 0
    tags: list[str] = field(default_factory=list)
    request_md: dict[str, Any] | None = None
    meter: StreamMeter | None = None
    soft: list[tuple[str, float]] = field(default_factory=list)  # (scope, soft budget)
    started: float = 0.0
    route: str = ""
    spooled: tuple[float, int] | None = None  # a stream's row already spooled: (spend, tokens)


def period_of(anchor: float | None, duration: str | None, now: float) -> tuple[float, float]:
    """(start of the current budget period, its length in seconds); (0, inf) without a duration.

    Periods are counted from the record's creation, so every instance computes the same period without
    talking to the others."""
    if not duration:
        return 0.0, float("inf")
    anchor = anchor or 0.0
    match = _DURATION.match(str(duration))
    if match and match.group(2) == "mo":
        start = anchor
        months = int(match.group(1))
        for _ in range(10_000):
            nxt = _months_ahead(start, months)
            if nxt > now:
                return start, nxt - start
            start = nxt
        return start, 31 * 86400.0
    length = parse_duration(duration, "budget_duration")
    k = int((now - anchor) // length) if now > anchor else 0
    return anchor + k * length, length


def _budget(
    kind: str, ident: Any, spec: dict[str, Any] | None, now: float, checks: list[BudgetCheck], soft: list
) -> None:
    """The budget check of scope ``kind:ident`` (``kind`` alone when ``ident`` is ``_NO_IDENT``), when
    ``spec`` has a budget (the scope's text is built only then: most callers have none)."""
    if not spec:
        return
    max_budget, soft_budget = spec.get("max_budget"), spec.get("soft_budget")
    if max_budget is None and soft_budget is None:
        return
    scope = kind if ident is _NO_IDENT else f"{kind}:{ident}"
    start, length = period_of(spec.get("created_at"), spec.get("budget_duration"), now)
    ttl = length * 2 + 3600 if length != float("inf") else _NO_DURATION_TTL
    checks.append(BudgetCheck(scope, start, None if max_budget is None else float(max_budget), ttl))
    if soft_budget is not None:
        soft.append((scope, float(soft_budget)))


def _limit(kind: str, ident: Any, spec: dict[str, Any] | None, checks: list[LimitCheck]) -> None:
    """The limit check of scope ``kind:ident``, when ``spec`` has a limit (as :func:`_budget`)."""
    if not spec:
        return
    rpm, tpm, par = spec.get("rpm_limit"), spec.get("tpm_limit"), spec.get("max_parallel_requests")
    if rpm is None and tpm is None and par is None:
        return
    checks.append(LimitCheck(f"{kind}:{ident}", rpm, tpm, par))


class Admission:
    def __init__(self, mgmt: Any) -> None:
        self.mgmt = mgmt  # the ManagementState (settings, counters, limiter, customers, backend)
        self.tickets: dict[str, Ticket] = {}
        self._pending: set[asyncio.Task[Any]] = set()
        self._group_prices: dict[str, tuple[float, float, int | None]] = {}
        self._groups: dict[str, set[str]] | None = None
        self._alerted: set[tuple[str, float]] = set()

    # -- access -----------------------------------------------------------------------------------

    def access_groups(self) -> dict[str, set[str]]:
        if self._groups is None:
            groups: dict[str, set[str]] = {}
            for d in self.mgmt.backend.model_list:
                for g in (d.get("model_info") or {}).get("access_groups") or []:
                    groups.setdefault(g, set()).add(d["model_name"])
            self._groups = groups
        return self._groups

    def allowed(self, models: list[str] | None, model: str) -> bool:
        if not models:
            return True
        if model in models or "*" in models or "all-proxy-models" in models:
            return True
        groups = self.access_groups()
        for m in models:
            if model in groups.get(m, ()):
                return True
            if m.endswith("/*") and model.startswith(m[:-1]):
                return True
        return False

    def visible(self, auth: Any, names: list[str]) -> list[str]:
        """The model names ``auth``'s key and its team may call (what /v1/models lists for it): the rule
        :meth:`_check_model` enforces on a call."""
        key_models = auth.models or []
        team = getattr(auth, "team", None) or {}
        return [n for n in names if self.allowed(key_models, n) and self.allowed(team.get("models"), n)]

    def _check_model(self, auth: Any, model: str | None) -> None:
        if not model:
            return
        key_models = auth.models or []
        if key_models and not self.allowed(key_models, model):  # (allowed() is True for no models)
            raise ProxyError(
                401,
                f"key not allowed to access model. This key can only access models={key_models}. Tried to access {model}",
                type="key_model_access_denied", param="model",
            )  # fmt: skip
        team = getattr(auth, "team", None)
        if team and not self.allowed(team.get("models"), model):
            raise ProxyError(
                401,
                f"team not allowed to access model. This team can only access models={team.get('models')}. Tried to access {model}",
                type="team_model_access_denied", param="model",
            )  # fmt: skip

    @staticmethod
    def check_route(auth: Any, route: str) -> None:
        routes = (getattr(auth, "key", None) or {}).get("allowed_routes") or []
        if not routes:
            return
        bare = route[3:] if route.startswith("/v1/") else route
        if route in routes or bare in routes:
            return
        if _LLM_ROUTE_GROUPS.intersection(routes) and not bare.startswith(
            ("/key", "/user", "/team", "/spend")
        ):
            return
        raise ProxyError(
            403,
            f"This key is not allowed to call {route}; its allowed_routes are {routes}",
            type="auth_error",
        )

    # -- admission --------------------------------------------------------------------------------

    async def admit(
        self, auth: Any, data: dict[str, Any], call_id: str, model: str | None, route: str
    ) -> Any:
        mgmt = self.mgmt
        now = time.time()
        end_user_id = data.get("user")
        if not isinstance(end_user_id, str):
            end_user_id = None
        key = getattr(auth, "key", None)
        if key is not None:
            auth = auth.derive(end_user_id)
            self.check_route(auth, route)
            self._check_model(auth, model)
        elif end_user_id:
            from dataclasses import replace

            auth = replace(auth, end_user_id=end_user_id)
        budgets: list[BudgetCheck] = []
        limits: list[LimitCheck] = []
        soft: list[tuple[str, float]] = []
        if key is not None:
            h = auth.api_key
            _budget("key", h, key, now, budgets, soft)
            _limit("key", h, key, limits)
            mmb = (key.get("model_max_budget") or {}).get(model or "")
            if mmb is not None:
                spec = mmb if isinstance(mmb, dict) else {"max_budget": mmb}
                _budget(
                    "key_model",
                    f"{h}:{model}",
                    {"created_at": key.get("created_at"), **spec},
                    now,
                    budgets,
                    soft,
                )
            if auth.user:
                _budget("user", auth.user_id, auth.user, now, budgets, soft)
                _limit("user", auth.user_id, auth.user, limits)
            if auth.team:
                _budget("team", auth.team_id, auth.team, now, budgets, soft)
                _limit("team", auth.team_id, auth.team, limits)
            if auth.org:
                _budget("org", auth.org_id, auth.org, now, budgets, soft)
        if end_user_id:
            customer = await mgmt.customer(end_user_id)
            if customer is not None:
                if customer.get("blocked"):
                    raise ProxyError(
                        403, f"Blocked End User={end_user_id}: this customer is blocked", type="auth_error"
                    )
                if not self.allowed(customer.get("models"), model or ""):
                    raise ProxyError(
                        401,
                        f"customer not allowed to access model {model}",
                        type="customer_model_access_denied",
                    )
                _budget("end_user", end_user_id, customer, now, budgets, soft)
                _limit("end_user", end_user_id, customer, limits)
        s = mgmt.settings
        if s.global_max_budget:
            _budget("global", _NO_IDENT, {"max_budget": s.global_max_budget, "budget_duration": s.global_budget_duration, "created_at": 0}, now, budgets, soft)  # fmt: skip
        md = data.get("metadata")
        if not isinstance(md, dict):
            md = None
        tags = md.get("tags") if md else None
        tags = [str(t) for t in tags] if isinstance(tags, list) else []
        if key:
            for t in key.get("tags") or ():  # the key's tags count too (LiteLLM's tag spend)
                if t not in tags:
                    tags.append(t)
        prompt_estimate, amount = self.estimate(model, data) if budgets else (0, 0.0)
        if (limits or budgets) and mgmt.admitter is not None:  # Redis: one script for both
            refusal = await mgmt.admitter.admit(call_id, limits, budgets, amount)
            if refusal is not None:
                raise budget_error(refusal)
        else:
            if limits:
                await mgmt.limiter.acquire(limits)
            if budgets:
                try:
                    refusal = await mgmt.counters.reserve(call_id, budgets, amount)
                except BaseException:
                    if limits:
                        self._spawn(mgmt.limiter.release(limits, 0))
                    raise
                if refusal is not None:
                    if limits:
                        self._spawn(mgmt.limiter.release(limits, 0))
                    raise budget_error(refusal)
        # admitted: every check it holds was acquired / reserved (the ticket is made only now)
        self.tickets[call_id] = Ticket(
            call_id, budget_checks=budgets, limit_checks=limits, reserved=amount, prompt_estimate=prompt_estimate,
            tags=tags, request_md=md, soft=soft, started=now, route=route,
        )  # fmt: skip
        return auth

    def estimate(self, model: str | None, data: dict[str, Any]) -> tuple[int, float]:
        """(prompt tokens, worst-case cost) of a request."""
        inp, out, max_out = self.group_prices(model or "")
        prompt = 0
        messages = data.get("messages")
        try:
            from litellm.cost.tokens import token_counter

            if messages:
                prompt = int(token_counter(model=model or "", messages=messages))
            elif data.get("input") or data.get("prompt"):
                prompt = int(
                    token_counter(model=model or "", text=str(data.get("input") or data.get("prompt")))
                )
        except Exception:  # counting failed: a rough count
            prompt = len(str(messages or data.get("input") or data.get("prompt") or "")) // 3
        wanted = data.get("max_completion_tokens") or data.get("max_tokens") or data.get("max_output_tokens")
        output = int(wanted) if isinstance(wanted, (int, float)) and wanted > 0 else int(max_out or 4096)
        return prompt, prompt * inp + output * out

    def group_prices(self, model: str) -> tuple[float, float, int | None]:
        cached = self._group_prices.get(model)
        if cached is not None:
            return cached
        inp = out = 0.0
        max_out: int | None = None
        for d in self.mgmt.backend.model_list:
            if d["model_name"] != model:
                continue
            i, o, m = prices_for(
                d["litellm_params"].get("model"), {**d["litellm_params"], "model_info": d.get("model_info")}
            )
            inp, out = max(inp, i), max(out, o)
            if m:
                max_out = max(max_out or 0, int(m))
        self._group_prices[model] = (inp, out, max_out)
        return inp, out, max_out

    # -- after ------------------------------------------------------------------------------------

    def take(self, call_id: str) -> Ticket | None:
        return self.tickets.pop(call_id, None)

    def finish(self, ticket: Ticket, actual: float, tokens: int) -> None:
        if ticket.limit_checks or ticket.budget_checks:
            self._spawn(self._finish(ticket, actual, tokens))

    async def _finish(self, ticket: Ticket, actual: float, tokens: int) -> None:
        """Free the parallel slot, count the tokens, settle the reservation (one Redis script when Redis is configured); retried on a blip -- an unsettled reservation expires on its own."""
        mgmt = self.mgmt
        for attempt in range(5):
            try:
                if mgmt.admitter is not None:
                    await mgmt.admitter.finish(
                        ticket.call_id, ticket.limit_checks, ticket.budget_checks, actual, tokens
                    )
                else:
                    if ticket.limit_checks:
                        await mgmt.limiter.release(ticket.limit_checks, tokens)
                    if ticket.budget_checks:
                        await mgmt.counters.settle(ticket.call_id, ticket.budget_checks, actual)
                break
            except Exception:
                await asyncio.sleep(0.2 * (attempt + 1))
        else:
            return
        if ticket.budget_checks:
            await self._alerts(ticket)

    async def _alerts(self, ticket: Ticket) -> None:
        slack = self.mgmt.slack
        if slack is None:
            return
        checks = ticket.budget_checks
        try:
            spends = await self.mgmt.counters.spend(checks)
        except Exception:
            return
        soft = dict(ticket.soft)
        for check, spend in zip(checks, spends, strict=False):
            for level, limit in (
                ("soft budget crossed", soft.get(check.scope)),
                ("budget crossed", check.max_budget),
            ):
                if limit is None or spend < limit or (check.scope, limit) in self._alerted:
                    continue
                self._alerted.add((check.scope, limit))
                entity, _, ident = check.scope.partition(":")
                try:
                    slack.raise_alert(
                        "budget_alerts", "High" if level == "budget crossed" else "Medium",
                        f"{level.capitalize()}: {entity} {ident[:24]} spend ${spend:.6f} of ${limit:.6f}",
                        fields={"scope": check.scope, "spend": spend, "limit": limit}, squash=False,
                    )  # fmt: skip
                except Exception:
                    pass

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self, timeout: float = 5.0) -> None:
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=timeout)


def budget_error(refusal: Refusal) -> ProxyError:
    entity, _, ident = refusal.scope.partition(":")
    names = {"key": "Key", "user": "User", "team": "Team", "org": "Organization", "end_user": "End User",
             "key_model": "Key+Model", "global": "Proxy"}  # fmt: skip
    who = f"{names.get(entity, entity)}={ident[:24]} " if ident else ""
    return ProxyError(
        400,
        f"Budget has been exceeded! {who}Current cost: {refusal.spend + refusal.reserved}, "
        f"Max budget: {refusal.max_budget}",
        type="budget_exceeded",
    )
