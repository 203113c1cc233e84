"""Start and stop: an unreachable database stops the start with its host (never the password); SIGTERM
flushes the ledger; budget_duration periods reset spend; the global budget (litellm_settings.max_budget)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.proxy import _proxy
from tests.integration.proxy_db.conftest import MASTER, model_block, start_proxy, stop_proxy

pytestmark = pytest.mark.integration

MSG = [{"role": "user", "content": "hi"}]


def test_unreachable_database_stops_the_start_naming_the_host_not_the_password(
    fake_provider, tmp_path
) -> None:
    port = _proxy.free_port()
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  database_url: postgresql://admin:s3cret-pw@127.0.0.1:{port}/litellm
"""
    )
    (tmp_path / "config.yaml").write_text(config)
    proc = subprocess.run(
        [sys.executable, "-m", "litellm.proxy", "--config", "config.yaml", "--port", str(_proxy.free_port())],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"127.0.0.1:{port}" in out and "cannot connect to the database" in out
    assert "s3cret-pw" not in out


def test_sigterm_flushes_the_ledger(fake_provider, tmp_path) -> None:
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  proxy_batch_write_at: 3600
  spend_spool_dir: {tmp_path}/spool
"""
    )
    p = start_proxy(tmp_path / "p", config)
    ids = []
    try:
        with p.client() as c:
            for _ in range(5):
                ids.append(
                    c.post("/chat/completions", json={"model": "gpt-4o", "messages": MSG}).headers[
                        "x-litellm-call-id"
                    ]
                )
    finally:
        assert stop_proxy(p) == 0
    db = sqlite3.connect(tmp_path / "p" / "litellm_proxy.sqlite3")
    assert sorted(r[0] for r in db.execute("SELECT request_id FROM litellm_spendlogs")) == sorted(ids)
    assert not list(Path(tmp_path / "spool").glob("*.wal"))


def test_budget_duration_resets_and_global_budget(fake_provider, tmp_path) -> None:
    config = (
        model_block(fake_provider.url)
        + f"""
litellm_settings:
  max_budget: 0.00035
general_settings:
  master_key: {MASTER}
  proxy_batch_write_at: 0.1
  spend_spool_dir: {tmp_path}/spool
"""
    )
    p = start_proxy(tmp_path / "p", config)
    try:
        with p.client() as admin:
            key = admin.post("/key/generate", json={"max_budget": 0.00005, "budget_duration": "2s"}).json()
            assert key["budget_reset_at"] is not None
        with p.client(key["key"]) as c:
            assert c.post("/chat/completions", json={"model": "gpt-4o", "messages": MSG}).status_code == 200
            r = c.post("/chat/completions", json={"model": "gpt-4o", "messages": MSG})
            assert r.status_code == 400 and r.json()["error"]["type"] == "budget_exceeded"
            deadline = time.monotonic() + 5
            while r.status_code != 200 and time.monotonic() < deadline:  # the next 2 s period
                time.sleep(0.25)
                r = c.post("/chat/completions", json={"model": "gpt-4o", "messages": MSG})
            assert r.status_code == 200
        with p.client() as admin:  # the proxy-wide budget: 0.00035 fits 4 requests of 0.0001
            statuses = [
                admin.post("/chat/completions", json={"model": "gpt-4o", "messages": MSG}).status_code
                for _ in range(4)
            ]
        assert statuses[:2] == [200, 200] and statuses[-1] == 400
    finally:
        stop_proxy(p)


def test_litellm_migrate_applies_once(tmp_path, pg_url) -> None:
    for db_line in (f"  database_url: {pg_url}", f"  database_path: {tmp_path}/m.sqlite3"):
        (tmp_path / "config.yaml").write_text(f"general_settings:\n  master_key: {MASTER}\n{db_line}\n")
        runs = [
            subprocess.run([sys.executable, "-m", "litellm.proxy", "migrate", "--config", "config.yaml"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)
            for _ in range(2)
        ]  # fmt: skip
        assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
        assert "applied [1]" in runs[0].stdout and "up to date" in runs[1].stdout


def test_two_workers_share_keys_and_budgets_through_the_sqlite_file(fake_provider, tmp_path) -> None:
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  proxy_batch_write_at: 0.1
  spend_spool_dir: {tmp_path}/spool
"""
    )
    p = _proxy.start(tmp_path / "p", config, "--num_workers", "2")
    try:
        with p.client() as admin:
            key = admin.post("/key/generate", json={"max_budget": 0.00035}).json()["key"]
        with p.client(key) as c:  # new connections: both workers answer some of them
            codes = [
                c.post(
                    "/chat/completions",
                    json={"model": "gpt-4o", "messages": MSG},
                    headers={"connection": "close"},
                ).status_code
                for _ in range(8)
            ]
        # the budget fits 4 requests: never more are answered, across both workers. A request can be
        # refused while an earlier one's worst-case reservation is still held (it settles to the real
        # cost behind that response) and a later one answered once it has settled, so the rule checked
        # is the promise: every other answer is a budget refusal, and never past the budget.
        answered = codes.count(200)
        assert set(codes) <= {200, 400}, codes
        assert 1 <= answered <= 4, codes
    finally:
        assert _proxy.stop(p) == 0
