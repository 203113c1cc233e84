"""Virtual keys and the management API against a proxy started from the CLI (embedded SQLite default)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.proxy_db.conftest import MASTER, model_block, start_proxy, stop_proxy

pytestmark = pytest.mark.integration

MSG = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def proxy(fake_provider, tmp_path_factory) -> Iterator:
    tmp = tmp_path_factory.mktemp("keys")
    config = (
        model_block(fake_provider.url)
        + f"""
litellm_settings:
  callbacks: ["custom_callbacks.proxy_handler_instance"]
general_settings:
  master_key: {MASTER}
  proxy_batch_write_at: 0.1
  spend_spool_dir: {tmp}/spool
  user_api_key_cache_ttl: 0.2
"""
    )
    p = start_proxy(tmp / "p", config)
    try:
        yield p
    finally:
        stop_proxy(p)


def chat(p, key, model="gpt-4o", **extra):
    with p.client(key) as c:
        return c.post("/chat/completions", json={"model": model, "messages": MSG, **extra})


def test_generate_shows_secret_once_and_stores_only_its_hash(proxy) -> None:
    with proxy.client() as admin:
        r = admin.post(
            "/key/generate", json={"key_alias": "k-once", "models": ["gpt-4o"], "metadata": {"app": "x"}}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        secret = body["key"]
        assert secret.startswith("sk-") and len(secret) > 20
        assert body["token_id"] == body["token"] and len(body["token"]) == 64
        assert body["key_alias"] == "k-once" and body["models"] == ["gpt-4o"]
        info = admin.get("/key/info", params={"key": secret}).json()
        assert info["key"] == body["token"] and "sk-" not in str(info["info"]["token"])
        assert info["info"]["key_name"] == f"sk-...{secret[-4:]}"
    assert chat(proxy, secret).status_code == 200
    db = Path(proxy.log).parent / "litellm_proxy.sqlite3"
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert secret not in dump and body["token"] in dump


def test_wrong_key_and_missing_key_are_openai_shaped_401(proxy) -> None:
    r = chat(proxy, "sk-not-a-real-key")
    assert r.status_code == 401
    err = r.json()["error"]
    assert set(err) >= {"message", "type", "param", "code"} and err["code"] == "401"
    assert chat(proxy, None).status_code == 401


def test_block_unblock_update_regenerate_delete(proxy) -> None:
    with proxy.client() as admin:
        secret = admin.post("/key/generate", json={}).json()["key"]
        assert chat(proxy, secret).status_code == 200
        assert admin.post("/key/block", json={"key": secret}).json()["blocked"] is True
        r = chat(proxy, secret)
        assert r.status_code == 401 and "blocked" in r.json()["error"]["message"]
        admin.post("/key/unblock", json={"key": secret})
        assert chat(proxy, secret).status_code == 200
        r = admin.post("/key/update", json={"key": secret, "models": ["gpt-4o-mini"], "max_budget": 5})
        assert r.status_code == 200 and r.json()["models"] == ["gpt-4o-mini"] and r.json()["max_budget"] == 5
        time.sleep(0.3)  # other cached copies expire (user_api_key_cache_ttl)
        r = chat(proxy, secret)
        assert r.status_code == 401 and r.json()["error"]["type"] == "key_model_access_denied"
        new = admin.post("/key/regenerate", json={"key": secret}).json()
        assert new["key"] != secret and new["models"] == ["gpt-4o-mini"]
        assert chat(proxy, secret, "gpt-4o-mini").status_code == 401
        assert chat(proxy, new["key"], "gpt-4o-mini").status_code == 200
        assert admin.post("/key/delete", json={"keys": [new["key"]]}).json() == {"deleted_keys": [new["key"]]}
        assert chat(proxy, new["key"], "gpt-4o-mini").status_code == 401
        assert admin.get("/key/info", params={"key": new["key"]}).status_code == 404


def test_expiry_access_groups_and_routes(proxy) -> None:
    with proxy.client() as admin:
        short = admin.post("/key/generate", json={"duration": "1s"}).json()
        assert short["expires"] is not None
        grouped = admin.post("/key/generate", json={"models": ["beta-models"]}).json()["key"]
        routed = admin.post("/key/generate", json={"allowed_routes": ["/chat/completions"]}).json()["key"]
        bad = admin.post("/key/generate", json={"duration": "5 parsecs"})
        assert bad.status_code == 400 and "duration" in bad.json()["error"]["message"]
        unknown = admin.post("/key/generate", json={"max_budgt": 3})
        assert unknown.status_code == 400 and "max_budgt" in unknown.json()["error"]["message"]
    assert chat(proxy, grouped).status_code == 200  # gpt-4o is in access group beta-models
    assert chat(proxy, grouped, "gpt-4o-mini").status_code == 401
    assert chat(proxy, routed).status_code == 200
    with proxy.client(routed) as c:
        r = c.post("/embeddings", json={"model": "gpt-4o", "input": "x"})
    assert r.status_code == 403 and "allowed_routes" in r.json()["error"]["message"]
    time.sleep(1.1)
    r = chat(proxy, short["key"])
    assert r.status_code == 401 and "Expired Key" in r.json()["error"]["message"]


def test_key_list_pagination_and_logging_metadata(proxy) -> None:
    with proxy.client() as admin:
        admin.post("/user/new", json={"user_id": "lister", "auto_create_key": False})
        made = [
            admin.post("/key/generate", json={"user_id": "lister", "key_alias": f"l{i}"}).json()
            for i in range(3)
        ]
        page = admin.get("/key/list", params={"user_id": "lister", "size": 2}).json()
        assert page["total_count"] == 3 and page["total_pages"] == 2 and len(page["keys"]) == 2
        assert set(page["keys"]) <= {m["token"] for m in made}
        full = admin.get(
            "/key/list", params={"user_id": "lister", "return_full_object": "true", "page": 2, "size": 2}
        ).json()
        assert full["keys"][0]["user_id"] == "lister"
    r = chat(proxy, made[0]["key"], user="end-user-7")
    assert r.status_code == 200
    deadline = time.monotonic() + 5
    with proxy.client() as admin:  # an end user known only from requests: its spend from the ledger
        while (info := admin.get("/customer/info", params={"end_user_id": "end-user-7"})).status_code == 404:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert info.json()["spend"] > 0
    call_id = r.headers["x-litellm-call-id"]
    events = proxy.wait_events(lambda e: e["kind"] == "success" and e["payload"].get("id") == call_id)
    md = events[0]["payload"]["metadata"]
    assert md["user_api_key_hash"] == made[0]["token"]
    assert md["user_api_key_alias"] == "l0" and md["user_api_key_user_id"] == "lister"
    assert md["user_api_key_end_user_id"] == "end-user-7"
    assert made[0]["key"] not in str(events)


def test_users_teams_members_customers_budgets(proxy) -> None:
    with proxy.client() as admin:
        user = admin.post(
            "/user/new", json={"user_id": "u-team", "user_role": "internal_user", "max_budget": 10}
        ).json()
        assert user["key"].startswith("sk-") and user["user_role"] == "internal_user"
        team = admin.post(
            "/team/new", json={"team_alias": "blue", "models": ["gpt-4o"], "max_budget": 0.00015}
        ).json()
        tid = team["team_id"]
        r = admin.post(
            "/team/member_add", json={"team_id": tid, "member": {"role": "user", "user_id": "u-team"}}
        )
        assert [m["user_id"] for m in r.json()["members_with_roles"]] == ["u-team"]
        key = admin.post("/key/generate", json={"team_id": tid, "user_id": "u-team"}).json()["key"]
        outside = admin.post("/key/generate", json={"team_id": tid, "models": ["gpt-4o-mini"]})
        assert outside.status_code == 400
        assert chat(proxy, key, "gpt-4o-mini").status_code == 401  # the team's model list
        assert chat(proxy, key).status_code == 200  # spend 0.0001 < 0.00015
        assert chat(proxy, key).status_code == 200  # admitted (spend below budget), now over it
        r = chat(proxy, key)
        assert r.status_code == 400 and r.json()["error"]["type"] == "budget_exceeded"
        assert (
            "Team=" in r.json()["error"]["message"] and "Max budget: 0.00015" in r.json()["error"]["message"]
        )
        info = admin.get("/team/info", params={"team_id": tid}).json()
        assert info["team_info"]["team_alias"] == "blue" and len(info["keys"]) == 1
        r = admin.post("/team/member_delete", json={"team_id": tid, "user_id": "u-team"})
        assert r.json()["members_with_roles"] == []
        # end users: a budget from the budget table, refused with the documented error once spent
        admin.post("/budget/new", json={"budget_id": "tiny", "max_budget": 0.00005})
        assert admin.post("/budget/info", json={"budgets": ["tiny"]}).json()[0]["max_budget"] == 0.00005
        admin.post("/customer/new", json={"user_id": "cust-1", "budget_id": "tiny"})
        plain = admin.post("/key/generate", json={}).json()["key"]
        assert chat(proxy, plain, user="cust-1").status_code == 200
        r = chat(proxy, plain, user="cust-1")
        assert r.status_code == 400 and "End User=cust-1" in r.json()["error"]["message"]
        assert chat(proxy, plain, user="cust-2").status_code == 200  # unknown end user: no budget
        admin.post("/customer/block", json={"user_ids": ["cust-2"]})
        admin.post("/customer/new", json={"user_id": "cust-3", "blocked": True})
        assert chat(proxy, plain, user="cust-3").status_code == 403
        deleted = admin.post("/team/delete", json={"team_ids": [tid]}).json()
        assert deleted["deleted"] == [tid]
        assert chat(proxy, key).status_code == 401  # the team's keys went with it


def test_key_model_max_budget_and_soft_budget_info(proxy) -> None:
    with proxy.client() as admin:
        key = admin.post(
            "/key/generate", json={"model_max_budget": {"gpt-4o": 0.00005}, "soft_budget": 0.00001}
        ).json()["key"]
    assert chat(proxy, key).status_code == 200
    r = chat(proxy, key)
    assert r.status_code == 400 and "Key+Model" in r.json()["error"]["message"]
    assert chat(proxy, key, "gpt-4o-mini").status_code == 200  # other models are not limited


def test_organization_budget_applies_to_its_teams_keys(proxy) -> None:
    with proxy.client() as admin:
        org = admin.post(
            "/organization/new", json={"organization_alias": "acme", "max_budget": 0.00005}
        ).json()
        team = admin.post(
            "/team/new", json={"team_alias": "acme-team", "organization_id": org["organization_id"]}
        ).json()
        key = admin.post("/key/generate", json={"team_id": team["team_id"]}).json()
        assert key["organization_id"] == org["organization_id"]
        bad = admin.post("/team/new", json={"organization_id": "no-such-org"})
        assert bad.status_code == 400
    assert chat(proxy, key["key"]).status_code == 200
    r = chat(proxy, key["key"])
    assert r.status_code == 400 and "Organization=" in r.json()["error"]["message"]
    deadline = time.monotonic() + 5
    with proxy.client() as admin:
        while True:  # the row is written behind the response (proxy_batch_write_at)
            info = admin.get("/organization/info", params={"organization_id": org["organization_id"]}).json()
            if info["spend"] > 0 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert abs(info["spend"] - 0.0001) < 1e-9  # the one answered request, from the ledger


def test_daily_aggregates_by_tag_include_the_keys_tags(proxy) -> None:
    with proxy.client() as admin:
        key = admin.post("/key/generate", json={"tags": ["team-x"]}).json()["key"]
    assert chat(proxy, key, metadata={"tags": ["feature-y"]}).status_code == 200
    deadline = time.monotonic() + 5
    with proxy.client() as admin:
        while True:
            daily = admin.get("/spend/daily", params={"group_by": "tag"}).json()
            groups = {d["group"]: d for d in daily}
            if ("team-x" in groups and "feature-y" in groups) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert groups["feature-y"]["requests"] >= 1 and groups["team-x"]["spend"] > 0


def test_models_lists_what_the_key_may_call(proxy) -> None:
    with proxy.client() as admin:
        everything = [m["id"] for m in admin.get("/v1/models").json()["data"]]
        secret = admin.post("/key/generate", json={"models": ["gpt-4o"]}).json()["key"]
    assert len(everything) > 1 and "gpt-4o" in everything
    with proxy.client(secret) as c:
        assert [m["id"] for m in c.get("/v1/models").json()["data"]] == ["gpt-4o"]  # as LiteLLM lists them
        other = next(n for n in everything if n != "gpt-4o")
        assert c.get(f"/v1/models/{other}").status_code == 404
        assert c.get("/v1/models/gpt-4o").status_code == 200
