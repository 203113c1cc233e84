"""Pure parts of keys, budgets and the ledger: durations, budget periods, field validation, URL hiding,
migration parsing, row redaction, the local rate limiter."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from litellm.proxy.budgets.admission import budget_error, period_of
from litellm.proxy.budgets.counters import Refusal
from litellm.proxy.budgets.limits import LimitCheck, LocalLimiter
from litellm.proxy.db.base import safe_url
from litellm.proxy.db.migrate import _statements, migration_files
from litellm.proxy.errors import ProxyError
from litellm.proxy.keys.records import KEY_FIELDS, check_fields, new_secret, next_reset, parse_duration
from litellm.proxy.spend.rows import build_row


@pytest.mark.parametrize(
    "text,seconds", [("30s", 30), ("10m", 600), ("1h", 3600), ("1d", 86400), ("30d", 2592000)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_bad_duration_names_the_field_and_the_format() -> None:
    with pytest.raises(ProxyError) as exc:
        parse_duration("3 weeks", "budget_duration")
    assert (
        exc.value.status_code == 400
        and "budget_duration" in exc.value.message
        and "'1mo'" in exc.value.message
    )


def test_month_budgets_follow_the_calendar() -> None:
    jan31 = datetime(2026, 1, 31, 12, tzinfo=timezone.utc).timestamp()
    assert datetime.fromtimestamp(next_reset("1mo", jan31), timezone.utc).date().isoformat() == "2026-02-28"
    start, _length = period_of(jan31, "1mo", datetime(2026, 3, 5, tzinfo=timezone.utc).timestamp())
    assert datetime.fromtimestamp(start, timezone.utc).date().isoformat() == "2026-02-28"


def test_periods_are_the_same_on_every_instance_and_roll_over() -> None:
    anchor = 1_000_000.0
    assert period_of(anchor, "1h", anchor + 3599) == (anchor, 3600)
    assert period_of(anchor, "1h", anchor + 3600) == (anchor + 3600, 3600)
    assert period_of(anchor, None, anchor + 10**6) == (0.0, float("inf"))


def test_unknown_and_mistyped_fields_are_400s_naming_them() -> None:
    with pytest.raises(ProxyError, match="max_budgt"):
        check_fields({"max_budgt": 1}, KEY_FIELDS, "/key/generate")
    with pytest.raises(ProxyError, match="rpm_limit"):
        check_fields({"rpm_limit": "ten"}, KEY_FIELDS, "/key/generate")
    with pytest.raises(ProxyError, match="models"):
        check_fields({"models": "gpt-4o"}, KEY_FIELDS, "/key/generate")
    body = {"max_budget": 3, "rpm_limit": 5.0}
    check_fields(body, KEY_FIELDS, "/key/generate")
    assert body == {"max_budget": 3.0, "rpm_limit": 5}


def test_secrets_are_sk_prefixed_and_unique() -> None:
    secrets = {new_secret() for _ in range(200)}
    assert len(secrets) == 200 and all(s.startswith("sk-") and len(s) >= 20 for s in secrets)


def test_database_urls_are_shown_without_the_password() -> None:
    shown = safe_url("postgresql://admin:hunter2@db.internal:5433/litellm")
    assert "hunter2" not in shown and "db.internal:5433" in shown and "admin:****@" in shown
    assert safe_url("postgresql://db/x") == "postgresql://db/x"


def test_migrations_are_versioned_and_split_into_statements() -> None:
    files = migration_files()
    assert [v for v, _, _ in files] == sorted({v for v, _, _ in files}) and files[0][0] == 1
    statements = _statements(files[0][2].read_text())
    assert any(s.startswith("CREATE TABLE litellm_spendlogs") for s in statements)
    assert not any("--" in s for s in statements)


def test_budget_refusal_is_litellms_documented_error() -> None:
    err = budget_error(Refusal("key:abcd", 0.9, 0.1, 1.0))
    assert err.status_code == 400 and err.type == "budget_exceeded"
    assert "Budget has been exceeded!" in err.message and "Current cost: 1.0" in err.message
    assert "Max budget: 1.0" in err.message


def test_ledger_rows_carry_hashes_and_redacted_metadata() -> None:
    auth = SimpleNamespace(
        api_key="h" * 64, key_alias="a", user_id="u", team_id="t", org_id="o", end_user_id="e",
        logging_metadata=lambda: {"user_api_key_hash": "h" * 64},
    )  # fmt: skip
    record = SimpleNamespace(
        call_id="c1", call_type="acompletion", auth=auth, requested_model="m", status=200, started=1.0,
        ended=2.0, exception=None, info=SimpleNamespace(model_group="m", model_id="d1", litellm_model="openai/m"),
    )  # fmt: skip
    row = build_row(
        record, spend=0.5, prompt_tokens=3, completion_tokens=4, cache_hit=False, tags=["x"],
        request_md={"api_key": "sk-live-123", "nested": {"password": "p", "ok": 1}, "note": "sk-abc"},
    )  # fmt: skip
    assert row["total_tokens"] == 7 and row["day"] == "1970-01-01" and row["status"] == "success"
    assert (
        "sk-live-123" not in row["metadata"]
        and "sk-abc" not in row["metadata"]
        and '"p"' not in row["metadata"]
    )
    assert '"ok":1' in row["metadata"] and row["api_key"] == "h" * 64


def test_local_limiter_counts_rpm_parallel_and_tpm() -> None:
    async def run() -> None:
        limiter = LocalLimiter(window=3600)
        checks = [LimitCheck("key:k", rpm=3, tpm=None, parallel=2)]
        await limiter.acquire(checks)
        await limiter.acquire(checks)
        with pytest.raises(ProxyError) as exc:
            await limiter.acquire(checks)  # the third in parallel
        assert exc.value.status_code == 429 and "max_parallel_requests" in exc.value.message
        await limiter.release(checks, 0)
        await limiter.acquire(checks)
        await limiter.release(checks, 0)
        with pytest.raises(ProxyError) as exc:
            await limiter.acquire(checks)  # the fourth in the window
        assert (
            exc.value.headers["x-ratelimit-limit-requests"] == "3"
            and int(exc.value.headers["retry-after"]) >= 1
        )
        tpm = [LimitCheck("key:t", rpm=None, tpm=10, parallel=None)]
        await limiter.acquire(tpm)
        await limiter.release(tpm, 10)
        with pytest.raises(ProxyError, match="tpm_limit"):
            await limiter.acquire(tpm)

    asyncio.run(run())
