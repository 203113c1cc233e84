"""Two proxy processes (started from the CLI) sharing one PostgreSQL database and one Redis namespace:
budgets under concurrency, one ledger row per answered request with reconciling totals, a shared rpm."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from tests.integration.proxy_db.conftest import MASTER, model_block, start_proxy, stop_proxy

pytestmark = pytest.mark.integration

WINDOW = 6  # rate_limit_window_seconds (60 in production)


@pytest.fixture(scope="module")
def pair(fake_provider, tmp_path_factory, pg_url, redis_prefix) -> Iterator[tuple]:
    tmp = tmp_path_factory.mktemp("pair")
    config = (
        model_block(fake_provider.url)
        + f"""
litellm_settings:
  cache: true
  cache_params: {{type: local}}
general_settings:
  master_key: {MASTER}
  database_url: {pg_url}
  proxy_batch_write_at: 0.1
  spend_spool_dir: {tmp}/spool
  redis_key_prefix: "{redis_prefix}"
  rate_limit_window_seconds: {WINDOW}
"""
    )
    # the direct backend: the Router does not serve litellm_settings.cache hits yet (reported), and the
    # mixed run needs cached answers
    env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "LITELLM_PROXY_BACKEND": "direct"}
    a = start_proxy(tmp / "a", config, env)
    b = start_proxy(tmp / "b", config, env)
    try:
        yield a, b, pg_url
    finally:
        stop_proxy(a)
        stop_proxy(b)


_CLIENT = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))


def _post(url: str, key: str, body: dict) -> httpx.Response:
    return _CLIENT.post(url + "/chat/completions", json=body, headers={"Authorization": f"Bearer {key}"})


def _rows(pg_url: str, where: str = "TRUE", params: tuple = ()) -> list[dict]:
    from psycopg.rows import dict_row

    with psycopg.connect(pg_url, row_factory=dict_row) as conn:
        return conn.execute(f"SELECT * FROM litellm_spendlogs WHERE {where}", params).fetchall()


def _wait_rows(pg_url: str, ids: set[str], timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        rows = _rows(pg_url, "request_id = ANY(%s)", (list(ids),))
        if len(rows) >= len(ids) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_concurrent_requests_on_two_instances_never_overshoot_a_budget(pair) -> None:
    a, b, pg_url = pair
    with a.client() as admin:
        probe = admin.post("/key/generate", json={}).json()["key"]
        r = _post(
            a.url,
            probe,
            {"model": "gpt-4o", "max_tokens": 9, "messages": [{"role": "user", "content": "hi 000"}]},
        )
        cost = float(r.headers["x-litellm-response-cost"])
        budget = cost * 9.5  # fits 10 requests (LiteLLM admits while spend < max_budget)
        key = admin.post("/key/generate", json={"max_budget": budget}).json()

    def body(i):
        return {
            "model": "gpt-4o",
            "max_tokens": 9,
            "messages": [{"role": "user", "content": f"hi {i:03d}"}],
        }

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(lambda i: _post((a, b)[i % 2].url, key["key"], body(i + 1)), range(200)))
    ok = [r for r in results if r.status_code == 200]
    refused = [r for r in results if r.status_code != 200]
    assert all(r.status_code == 400 and r.json()["error"]["type"] == "budget_exceeded" for r in refused)
    assert "Max budget" in refused[0].json()["error"]["message"]
    tail = [_post(a.url, key["key"], body(300 + i)).status_code for i in range(3)]  # after all settled
    answered = len(ok) + tail.count(200)
    assert answered == 10, (len(ok), tail)
    rows = _wait_rows(pg_url, {r.headers["x-litellm-call-id"] for r in ok})
    assert len(rows) == len(ok)
    total = sum(r["spend"] for r in _rows(pg_url, "api_key = %s", (key["token"],)))
    assert total <= budget + cost + 1e-12
    assert len(_rows(pg_url, "api_key = %s", (key["token"],))) == answered


def test_mixed_run_one_row_per_answered_request_and_totals_reconcile(pair) -> None:
    a, b, pg_url = pair
    with a.client() as admin:
        admin.post("/user/new", json={"user_id": "mix-user", "auto_create_key": False})
        team = admin.post("/team/new", json={"team_alias": "mix"}).json()["team_id"]
        k1 = admin.post("/key/generate", json={"user_id": "mix-user", "team_id": team}).json()
        k2 = admin.post("/key/generate", json={"user_id": "mix-user"}).json()
        admin.post("/customer/new", json={"user_id": "mix-e1"})
    ids: dict[str, str] = {}  # call id -> kind
    msg = lambda t: [{"role": "user", "content": t}]  # noqa: E731

    def run(i: int) -> None:
        inst, key = (a, b)[i % 2], (k1, k2)[i // 2 % 2]["key"]
        kind = ("plain", "stream", "failed", "cached", "aborted")[i % 5]
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=inst.url, headers=headers, timeout=30) as c:
            if kind == "plain":
                r = c.post(
                    "/chat/completions",
                    json={"model": "gpt-4o", "messages": msg(f"plain {i}"), "user": "mix-e1"},
                )
                ids[r.headers["x-litellm-call-id"]] = kind
            elif kind == "stream":
                with c.stream(
                    "POST",
                    "/chat/completions",
                    json={"model": "gpt-4o", "stream": True, "messages": msg(f"s {i}")},
                ) as r:
                    assert "[DONE]" in "".join(r.iter_text())
                    ids[r.headers["x-litellm-call-id"]] = kind
            elif kind == "failed":
                r = c.post("/chat/completions", json={"model": "broken", "messages": msg("x")})
                assert r.status_code == 500
                ids[r.headers["x-litellm-call-id"]] = kind
            elif kind == "cached":
                for _ in range(2):
                    r = c.post(
                        "/chat/completions",
                        json={"model": "gpt-4o", "messages": msg(f"cache me {i}"), "user": "mix-e1"},
                    )
                    assert r.status_code == 200
                    ids[r.headers["x-litellm-call-id"]] = kind
            else:
                with c.stream(
                    "POST",
                    "/chat/completions",
                    json={"model": "slow", "stream": True, "messages": msg(f"a {i}")},
                ) as r:
                    it = r.iter_lines()
                    seen = [next(it) for _ in range(4)]
                    assert seen
                    ids[r.headers["x-litellm-call-id"]] = kind
                # leaving the block closes the connection mid-stream: the client aborted

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(run, range(30)))
    rows = _wait_rows(pg_url, set(ids))
    assert sorted(r["request_id"] for r in rows) == sorted(ids)  # exactly one row per answered request
    by_kind: dict[str, list[dict]] = {}
    for r in rows:
        by_kind.setdefault(ids[r["request_id"]], []).append(r)
    assert all(
        r["status"] == "failure" and r["http_status"] == 500 and r["spend"] == 0 for r in by_kind["failed"]
    )
    assert all(r["status"] == "success" and r["spend"] > 0 for r in by_kind["plain"] + by_kind["stream"])
    assert sum(r["cache_hit"] for r in by_kind["cached"]) == len(by_kind["cached"]) // 2
    full = max(r["completion_tokens"] for r in by_kind["stream"])
    for r in by_kind["aborted"]:  # paid for what was generated, not for the whole answer
        assert r["status"] == "aborted" and r["spend"] > 0 and 0 < r["completion_tokens"]
    time.sleep(0.3)
    with a.client() as admin:
        for path, params, column, value in (
            ("/key/info", {"key": k1["key"]}, "api_key", k1["token"]),
            ("/key/info", {"key": k2["key"]}, "api_key", k2["token"]),
            ("/user/info", {"user_id": "mix-user"}, "user_id", "mix-user"),
            ("/team/info", {"team_id": team}, "team_id", team),
            ("/customer/info", {"end_user_id": "mix-e1"}, "end_user", "mix-e1"),
        ):
            body = admin.get(path, params=params).json()
            reported = (body.get("info") or body.get("user_info") or body.get("team_info") or body)["spend"]
            expected = sum(r["spend"] for r in _rows(pg_url, f"{column} = %s", (value,)))
            assert abs(reported - expected) < 1e-9, (path, reported, expected)
        logs = admin.get("/spend/logs", params={"api_key": k1["key"]}).json()
        assert {entry["request_id"] for entry in logs} == {
            r["request_id"] for r in rows if r["api_key"] == k1["token"]
        }
        daily = admin.get("/spend/daily", params={"group_by": "user"}).json()
        assert (
            abs(sum(d["spend"] for d in daily if d["group"] == "mix-user") - sum(r["spend"] for r in rows))
            < 1e-9
        )
    assert full > 0


def test_rpm_limit_is_shared_by_both_instances(pair) -> None:
    a, b, _ = pair
    with a.client() as admin:
        key = admin.post("/key/generate", json={"rpm_limit": 60}).json()["key"]
    while time.time() % WINDOW > 0.5:  # start at the beginning of a window
        time.sleep(0.02)
    body = lambda i: {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"rpm {i}"}]}  # noqa: E731
    started = time.time()
    with ThreadPoolExecutor(24) as pool:
        results = list(pool.map(lambda i: _post((a, b)[i % 2].url, key, body(i)), range(100)))
    assert time.time() - started < WINDOW - 0.5, "the burst did not fit in one window; machine too slow"
    admitted = sum(r.status_code == 200 for r in results)
    assert 59 <= admitted <= 61, admitted
    limited = [r for r in results if r.status_code == 429]
    assert len(limited) == 100 - admitted
    r = limited[0]
    assert int(r.headers["retry-after"]) >= 1
    assert (
        r.headers["x-ratelimit-limit-requests"] == "60" and r.headers["x-ratelimit-remaining-requests"] == "0"
    )
    assert r.json()["error"]["type"] == "rate_limit_error"


def test_tpm_and_parallel_limits_across_instances(pair) -> None:
    a, b, _ = pair
    with a.client() as admin:
        tpm_key = admin.post("/key/generate", json={"tpm_limit": 20}).json()["key"]
        par_key = admin.post("/key/generate", json={"max_parallel_requests": 2}).json()["key"]
    while time.time() % WINDOW > WINDOW - 2:  # not at the end of a window
        time.sleep(0.05)
    first = _post(a.url, tpm_key, {"model": "gpt-4o", "messages": [{"role": "user", "content": "t1"}]})
    time.sleep(0.2)  # the used tokens are counted when the request settles
    second = _post(b.url, tpm_key, {"model": "gpt-4o", "messages": [{"role": "user", "content": "t2"}]})
    time.sleep(0.2)
    third = _post(a.url, tpm_key, {"model": "gpt-4o", "messages": [{"role": "user", "content": "t3"}]})
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
    assert (
        third.headers["x-ratelimit-limit-tokens"] == "20" and "tpm_limit" in third.json()["error"]["message"]
    )

    def slow(i: int) -> int:
        body = {"model": "slow", "stream": True, "messages": [{"role": "user", "content": f"p{i}"}]}
        with _CLIENT.stream(
            "POST",
            (a, b)[i % 2].url + "/chat/completions",
            json=body,
            headers={"Authorization": f"Bearer {par_key}"},
        ) as r:
            r.read()
            return r.status_code

    with ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(slow, range(5)))
    assert codes.count(200) == 2 and codes.count(429) == 3, codes
    assert (
        _post(
            a.url, par_key, {"model": "gpt-4o", "messages": [{"role": "user", "content": "after"}]}
        ).status_code
        == 200
    )
