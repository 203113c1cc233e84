"""The database stops for ~10 s mid-run and one of two instances is SIGKILLed: after recovery every
answered request has exactly one ledger row (the write-ahead spool and the replay of a dead instance's
segments), and requests kept being answered while the database was down."""

from __future__ import annotations

import threading
import time

import httpx
import psycopg
import pytest

from tests.integration.proxy_db.conftest import MASTER, model_block, start_proxy, stop_proxy

pytestmark = pytest.mark.integration


def test_db_outage_and_sigkill_lose_and_double_nothing(
    fake_provider, tmp_path, private_pg, redis_prefix
) -> None:
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  database_url: {private_pg.url}
  proxy_batch_write_at: 0.1
  spend_spool_dir: {tmp_path}/spool
  redis_key_prefix: "{redis_prefix}outage:"
"""
    )
    env = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379"}
    a = start_proxy(tmp_path / "a", config, env)
    b = start_proxy(tmp_path / "b", config, env)
    answered: list[tuple[str, str, float]] = []  # (call id, instance, when)
    errors: list[tuple[str, str]] = []
    stop = threading.Event()
    try:
        with a.client() as admin:
            key = admin.post("/key/generate", json={"key_alias": "outage"}).json()["key"]

        def load(worker: int) -> None:
            i = 0
            with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {key}"}) as c:
                while not stop.is_set():
                    inst = ("a", "b")[(worker + i) % 2]
                    url = (a, b)[(worker + i) % 2].url
                    i += 1
                    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": f"w{worker} {i}"}]}
                    try:
                        r = c.post(url + "/chat/completions", json=body)
                    except httpx.HTTPError as exc:
                        errors.append((inst, type(exc).__name__))
                        time.sleep(0.02)
                        continue
                    if r.status_code == 200:
                        answered.append((r.headers["x-litellm-call-id"], inst, time.time()))
                    else:
                        errors.append((inst, str(r.status_code)))
                    time.sleep(0.01)

        threads = [threading.Thread(target=load, args=(w,)) for w in range(4)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        down_at = time.time()
        private_pg.stop_by_pid()
        time.sleep(2.0)
        b.proc.kill()  # SIGKILL: no shutdown, no flush
        b.proc.wait()
        time.sleep(8.0)
        up_at = time.time()
        private_pg.start()
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join()
        during = [x for x in answered if down_at < x[2] < up_at]
        assert len(during) > 20, "requests must keep being answered while the database is down"
        late = [x for x in during if x[2] > down_at + 6]  # memory cache (5 s) expired: Redis answers
        assert late, "keys must be found in Redis once the in-memory entry expired"
        assert any(inst == "b" for _, inst, _ in answered)
        wanted = {cid for cid, _, _ in answered}
        deadline = time.monotonic() + 25
        rows: list[tuple] = []
        while time.monotonic() < deadline:
            with psycopg.connect(private_pg.url) as conn:
                rows = conn.execute("SELECT request_id FROM litellm_spendlogs").fetchall()
            if wanted <= {r[0] for r in rows}:
                break
            time.sleep(0.25)
        ids = [r[0] for r in rows]
        missing = wanted - set(ids)
        assert not missing, f"{len(missing)} answered requests have no ledger row"
        assert len(ids) == len(set(ids))
        extra = set(ids) - wanted  # rows of requests whose answer died with instance b
        assert len(extra) <= 4 + sum(1 for inst, _ in errors if inst == "b")
    finally:
        stop.set()
        stop_proxy(a)
        stop_proxy(b)


@pytest.mark.parametrize("allow", [False, True])
def test_allow_requests_on_db_unavailable(fake_provider, tmp_path, private_pg, allow) -> None:
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  database_url: {private_pg.url}
  allow_requests_on_db_unavailable: {str(allow).lower()}
  user_api_key_cache_ttl: 0.2
  spend_spool_dir: {tmp_path}/spool
"""
    )
    p = start_proxy(tmp_path / "p", config)
    try:
        with p.client() as admin:
            key = admin.post("/key/generate", json={}).json()["key"]
        private_pg.stop_by_pid()
        time.sleep(0.3)  # the key's cached record expires; no Redis: the database must answer
        with p.client(key) as c:
            r = c.post(
                "/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
            )
        if allow:
            assert r.status_code == 200
        else:
            assert r.status_code == 503 and r.json()["error"]["type"] == "no_db_connection"
        with p.client("sk-never-issued") as c:  # with the flag, LiteLLM lets unknown keys through too
            r = c.post(
                "/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
            )
        assert r.status_code == (200 if allow else 503)
    finally:
        stop_proxy(p)
