"""perf6 (H4): the per-request sinks' rewrites give what the code they replaced gave.

Each rewrite is checked against the old code, kept here as the oracle, over varied inputs:
``Authenticator.authenticate`` (one SHA-256 of the presented key for the master check and the key hash),
``admission._budget`` / ``_limit`` (the scope text built only when a budget or limit applies),
``rows.usage_of`` (attribute reads before getattr) and ``ManagementState``'s key lookup once started.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from types import SimpleNamespace
from typing import Any

import pytest

from litellm.core.types import Usage
from litellm.proxy.auth import AuthContext, Authenticator, hash_token
from litellm.proxy.budgets import admission
from litellm.proxy.budgets.counters import BudgetCheck
from litellm.proxy.budgets.limits import LimitCheck
from litellm.proxy.errors import ProxyError
from litellm.proxy.spend.rows import usage_of

# -- authenticate ---------------------------------------------------------------------------------


class _Store:
    def __init__(self, known: dict[str, AuthContext]) -> None:
        self.known = known
        self.asked: list[str] = []

    async def lookup(self, token_hash: str) -> AuthContext | None:
        self.asked.append(token_hash)
        return self.known.get(token_hash)


async def _old_authenticate(auth: Authenticator, key: str) -> Any:
    """The old tail of authenticate(): is_master (its own SHA-256) then hash_token (another)."""
    if auth.is_master(key):
        return AuthContext(api_key=auth._master_hash, user_role="proxy_admin", is_master=True)
    if auth.key_store is not None:
        ctx = await auth.key_store.lookup(hash_token(key))
        if ctx is not None:
            return ctx
    raise ProxyError(401, "Authentication Error, Invalid proxy server token passed.", type="auth_error")


_KEYS = [
    "sk-1234",
    "sk-1234 ",  # stripped by extract_key
    "sk-12345",
    "sk-123",
    "sk-virtual-key-abcdefghijklmnop",
    "sk-ключ-ü-🙂",
    "x" * 500,
    "a",
    hash_token("sk-1234"),  # a hash presented as a key is just another key
]


async def _outcome(coro: Any) -> Any:
    try:
        ctx = await coro
    except ProxyError as exc:
        return ("error", exc.status_code, str(exc))
    return ("ok", ctx)


@pytest.mark.parametrize("master", ["sk-1234", "sk-ключ-ü-🙂", "m" * 300])
def test_authenticate_matches_the_old_master_check_and_key_hash(master: str) -> None:
    virtual = AuthContext(api_key=hash_token("sk-virtual-key-abcdefghijklmnop"), key_alias="v")

    async def run() -> None:
        for key in [*_KEYS, master]:
            new_store = _Store({virtual.api_key: virtual})  # type: ignore[dict-item]
            old_store = _Store({virtual.api_key: virtual})  # type: ignore[dict-item]
            new = Authenticator(master, key_store=new_store)
            old = Authenticator(master, key_store=old_store)
            got = await _outcome(
                new.authenticate(None, "/v1/chat/completions", {"authorization": f"Bearer {key}"})
            )
            want = await _outcome(_old_authenticate(old, key.strip()))
            assert got == want, key
            assert new_store.asked == old_store.asked, key  # the same hash asked of the store, or none
            assert new_store.asked == (
                [] if key.strip() == master else [hashlib.sha256(key.strip().encode()).hexdigest()]
            )
            if key.strip() == master:
                assert got[1].is_master and got[1].api_key == hash_token(master)

    asyncio.run(run())


def test_authenticate_without_a_store_refuses_unknown_keys_and_still_compares_in_constant_time(
    monkeypatch,
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("litellm.proxy.auth.hmac.compare_digest", spy)
    auth = Authenticator("sk-master")

    async def run() -> None:
        got = await _outcome(auth.authenticate(None, "/v1/models", {"authorization": "Bearer sk-other"}))
        assert got[:2] == ("error", 401)
        ok = await _outcome(auth.authenticate(None, "/v1/models", {"x-litellm-api-key": "sk-master"}))
        assert ok[0] == "ok" and ok[1].is_master

    asyncio.run(run())
    # both comparisons are of two 32-byte digests (length-independent), the master's on the right
    assert [(len(a), b) for a, b in calls] == [(32, hashlib.sha256(b"sk-master").digest())] * 2


# -- admission scopes -----------------------------------------------------------------------------


def _old_budget(scope: str, spec: Any, now: float, checks: list, soft: list) -> None:
    if not spec:
        return
    max_budget, soft_budget = spec.get("max_budget"), spec.get("soft_budget")
    if max_budget is None and soft_budget is None:
        return
    start, length = admission.period_of(spec.get("created_at"), spec.get("budget_duration"), now)
    ttl = length * 2 + 3600 if length != float("inf") else admission._NO_DURATION_TTL
    checks.append(BudgetCheck(scope, start, None if max_budget is None else float(max_budget), ttl))
    if soft_budget is not None:
        soft.append((scope, float(soft_budget)))


def _old_limit(scope: str, spec: Any, checks: list) -> None:
    if not spec:
        return
    rpm, tpm, par = spec.get("rpm_limit"), spec.get("tpm_limit"), spec.get("max_parallel_requests")
    if rpm is None and tpm is None and par is None:
        return
    checks.append(LimitCheck(scope, rpm, tpm, par))


_SPECS = [
    None,
    {},
    {"models": ["a"]},
    {"max_budget": 0},
    {"max_budget": 10, "created_at": 1_700_000_000.0},
    {"soft_budget": 2.5},
    {"max_budget": 5, "soft_budget": 1, "budget_duration": "1d", "created_at": 1_700_000_123.0},
    {"max_budget": 5, "budget_duration": "1mo", "created_at": 1_690_000_000.0},
    {"max_budget": None, "soft_budget": None},
    {"rpm_limit": 0},
    {"tpm_limit": 100, "max_parallel_requests": 2},
    {"rpm_limit": 5, "tpm_limit": None, "max_parallel_requests": None, "max_budget": 3},
]
_SCOPES = [("key", "ab" * 32), ("user", "u-1"), ("team", None), ("org", ""), ("end_user", "cust ü"),
           ("key_model", f"{'ab' * 32}:gpt-4o")]  # fmt: skip


@pytest.mark.parametrize("spec", _SPECS)
def test_budget_and_limit_checks_match_the_old_helpers(spec: Any) -> None:
    now = 1_765_000_000.0
    for kind, ident in _SCOPES:
        got_b: list = []
        got_s: list = []
        want_b: list = []
        want_s: list = []
        admission._budget(kind, ident, spec, now, got_b, got_s)
        _old_budget(f"{kind}:{ident}", spec, now, want_b, want_s)
        assert (got_b, got_s) == (want_b, want_s)
        got_l: list = []
        want_l: list = []
        admission._limit(kind, ident, spec, got_l)
        _old_limit(f"{kind}:{ident}", spec, want_l)
        assert got_l == want_l
    got_b, got_s, want_b, want_s = [], [], [], []
    admission._budget("global", admission._NO_IDENT, spec, now, got_b, got_s)
    _old_budget("global", spec, now, want_b, want_s)
    assert (got_b, got_s) == (want_b, want_s)


# -- usage_of -------------------------------------------------------------------------------------


def _old_usage_of(response: Any) -> tuple[int, int]:
    usage = response.get("usage") if isinstance(response, dict) else getattr(response, "usage", None)
    if usage is None:
        return 0, 0
    if isinstance(usage, dict):
        get = usage.get
        prompt = get("prompt_tokens") or get("input_tokens") or 0
        completion = get("completion_tokens") or get("output_tokens") or 0
    else:
        prompt = getattr(usage, "prompt_tokens", None) or getattr(usage, "input_tokens", None) or 0
        completion = getattr(usage, "completion_tokens", None) or getattr(usage, "output_tokens", None) or 0
    return int(prompt), int(completion)


class _Slots:
    __slots__ = ("completion_tokens",)

    def __init__(self) -> None:
        self.completion_tokens = 4


_USAGES: list[Any] = [
    None,
    {"prompt_tokens": 3, "completion_tokens": 4},
    {"input_tokens": 5, "output_tokens": 6},
    {"prompt_tokens": 0, "input_tokens": 7},
    Usage(prompt_tokens=9, completion_tokens=12),
    Usage(),
    SimpleNamespace(prompt_tokens=1, completion_tokens=2),
    SimpleNamespace(input_tokens=8, output_tokens=9),
    SimpleNamespace(prompt_tokens=0, input_tokens=3, completion_tokens=None, output_tokens=4),
    SimpleNamespace(prompt_tokens=2.0, completion_tokens=True),
    SimpleNamespace(prompt_tokens=5),  # no completion attribute at all
    SimpleNamespace(completion_tokens=6, input_tokens=1),
    SimpleNamespace(),
    _Slots(),
    object(),
]


@pytest.mark.parametrize("usage", _USAGES, ids=lambda u: type(u).__name__)
def test_usage_of_matches_the_old_reader(usage: Any) -> None:
    for response in (SimpleNamespace(usage=usage), {"usage": usage}):
        assert usage_of(response) == _old_usage_of(response)
    assert usage_of(SimpleNamespace()) == _old_usage_of(SimpleNamespace()) == (0, 0)


def test_usage_of_raises_as_before_on_a_usage_that_is_not_a_number() -> None:
    bad = SimpleNamespace(usage=SimpleNamespace(prompt_tokens="x", completion_tokens=1))
    with pytest.raises(ValueError):
        _old_usage_of(bad)
    with pytest.raises(ValueError):
        usage_of(bad)


# -- model access ---------------------------------------------------------------------------------


def _old_check_model(adm: admission.Admission, auth: Any, model: str | None) -> None:
    if not model:
        return
    key_models = auth.models or []
    if not adm.allowed(key_models, model):
        raise ProxyError(
            401,
            f"key not allowed to access model. This key can only access models={key_models}. Tried to access {model}",
            type="key_model_access_denied",
            param="model",
        )
    team = getattr(auth, "team", None)
    if team and not adm.allowed(team.get("models"), model):
        raise ProxyError(
            401,
            f"team not allowed to access model. This team can only access models={team.get('models')}. Tried to access {model}",
            type="team_model_access_denied",
            param="model",
        )


def test_model_access_matches_the_old_check() -> None:
    model_list = [
        {
            "model_name": "gpt",
            "litellm_params": {"model": "openai/gpt"},
            "model_info": {"access_groups": ["g1"]},
        },
        {"model_name": "claude", "litellm_params": {"model": "anthropic/c"}, "model_info": {}},
    ]
    adm = admission.Admission(SimpleNamespace(backend=SimpleNamespace(model_list=model_list)))
    key_models: list[Any] = [None, [], ["gpt"], ["*"], ["all-proxy-models"], ["g1"], ["openai/*"], ["claude"]]
    teams: list[Any] = [None, {}, {"models": []}, {"models": ["claude"]}, {"models": ["g1"]}]
    for models in key_models:
        for team in teams:
            for model in (None, "", "gpt", "claude", "openai/x", "other"):
                auth = SimpleNamespace(models=models, team=team)
                outcomes = []
                for check in (adm._check_model, lambda a, m: _old_check_model(adm, a, m)):
                    try:
                        check(auth, model)
                        outcomes.append(None)
                    except ProxyError as exc:
                        outcomes.append((exc.status_code, str(exc), exc.type))
                assert outcomes[0] == outcomes[1], (models, team, model)
