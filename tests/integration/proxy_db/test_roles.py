"""Roles on every management route, as a matrix (who -> route -> allowed?), and general_settings.custom_auth."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.proxy_db.conftest import MASTER, model_block, start_proxy, stop_proxy

pytestmark = pytest.mark.integration

ROLES = ("master", "proxy_admin", "viewer", "internal", "internal_viewer", "team_admin", "no_user")


@pytest.fixture(scope="module")
def world(fake_provider, tmp_path_factory) -> Iterator[tuple]:
    tmp = tmp_path_factory.mktemp("roles")
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  proxy_batch_write_at: 0.1
  spend_spool_dir: {tmp}/spool
"""
    )
    p = start_proxy(tmp / "p", config)
    keys = {"master": MASTER}
    try:
        with p.client() as admin:
            for name, role in (("proxy_admin", "proxy_admin"), ("viewer", "proxy_admin_viewer"),
                               ("internal", "internal_user"), ("internal_viewer", "internal_user_viewer"),
                               ("team_admin", "internal_user")):  # fmt: skip
                r = admin.post("/user/new", json={"user_id": f"u-{name}", "user_role": role})
                assert r.status_code == 200, r.text
                keys[name] = r.json()["key"]
            keys["no_user"] = admin.post("/key/generate", json={}).json()["key"]
            team = admin.post(
                "/team/new",
                json={"team_id": "T", "members_with_roles": [{"user_id": "u-team_admin", "role": "admin"}]},
            ).json()
            assert team["team_id"] == "T"
        yield p, keys
    finally:
        stop_proxy(p)


def _own_key(p) -> str:
    with p.client() as admin:
        return admin.post("/key/generate", json={"user_id": "u-internal"}).json()["key"]


# (method, path, body or callable(proxy) -> body, query, roles allowed)
MATRIX = [
    ("POST", "/user/new", {"auto_create_key": False}, None, {"master", "proxy_admin"}),
    ("POST", "/team/new", {}, None, {"master", "proxy_admin"}),
    ("POST", "/customer/new", "customer", None, {"master", "proxy_admin"}),
    ("POST", "/budget/new", {"max_budget": 1}, None, {"master", "proxy_admin"}),
    ("POST", "/organization/new", {"organization_alias": "o"}, None, {"master", "proxy_admin"}),
    ("POST", "/key/generate", {}, None, {"master", "proxy_admin", "internal", "team_admin"}),
    ("POST", "/key/block", "own_key", None, {"master", "proxy_admin"}),
    ("GET", "/key/info", None, "own_key", {"master", "proxy_admin", "viewer", "internal"}),
    ("POST", "/key/update", "own_key_update", None, {"master", "proxy_admin", "internal"}),
    ("POST", "/key/delete", "own_key_delete", None, {"master", "proxy_admin", "internal"}),
    ("GET", "/user/info", None, {"user_id": "u-internal"}, {"master", "proxy_admin", "viewer", "internal"}),
    (
        "POST",
        "/user/update",
        {"user_id": "u-internal", "user_alias": "x"},
        None,
        {"master", "proxy_admin", "internal"},
    ),
    (
        "POST",
        "/team/update",
        {"team_id": "T", "team_alias": "t2"},
        None,
        {"master", "proxy_admin", "team_admin"},
    ),
    (
        "POST",
        "/team/member_add",
        {"team_id": "T", "member": {"role": "user", "user_id": "u-x"}},
        None,
        {"master", "proxy_admin", "team_admin"},
    ),
    ("GET", "/team/info", None, {"team_id": "T"}, {"master", "proxy_admin", "viewer", "team_admin"}),
    ("GET", "/global/spend/report", None, None, {"master", "proxy_admin", "viewer"}),
    ("GET", "/customer/list", None, None, {"master", "proxy_admin", "viewer"}),
    ("GET", "/spend/logs", None, None, set(ROLES)),
    (
        "GET",
        "/key/list",
        None,
        None,
        {"master", "proxy_admin", "viewer", "internal", "internal_viewer", "team_admin"},
    ),
]


@pytest.mark.parametrize("method,path,body,query,allowed", MATRIX, ids=[m[1] for m in MATRIX])
def test_role_matrix(world, method, path, body, query, allowed) -> None:
    p, keys = world
    for role in ROLES:
        b, q = body, query
        if b == "customer":
            b = {"user_id": f"c-{role}"}
        elif b in ("own_key", "own_key_update", "own_key_delete"):
            k = _own_key(p)
            b = {"key": k} if b != "own_key_update" else {"key": k, "metadata": {"a": 1}}
            b = {"keys": [k]} if body == "own_key_delete" else b
        if q == "own_key":
            q = {"key": _own_key(p)}
        with p.client(keys[role]) as c:
            r = c.request(method, path, json=b, params=q)
        expected = 200 if role in allowed else 403
        assert r.status_code == expected, f"{role} {method} {path}: {r.status_code} {r.text[:200]}"
        if expected == 403:
            err = r.json()["error"]
            assert err["type"] == "auth_error" and "Not allowed" in err["message"]


CUSTOM_AUTH = """
from litellm.proxy.auth import AuthContext


async def user_api_key_auth(request, api_key):
    if api_key == "sk-custom-good":
        return {"api_key": api_key, "user_id": "from-custom-auth", "user_role": "internal_user"}
    raise Exception("custom auth says no")
"""


def test_custom_auth_loads_the_users_function(fake_provider, tmp_path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "custom_auth.py").write_text(CUSTOM_AUTH)
    config = (
        model_block(fake_provider.url)
        + f"""
general_settings:
  master_key: {MASTER}
  custom_auth: custom_auth.user_api_key_auth
  spend_spool_dir: {tmp_path}/spool
"""
    )
    p = start_proxy(tmp_path / "p", config)
    try:
        with p.client("sk-custom-good") as c:
            assert (
                c.post(
                    "/chat/completions",
                    json={"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]},
                ).status_code
                == 200
            )
        with p.client("sk-custom-bad") as c:
            r = c.post(
                "/chat/completions", json={"model": "gpt-4o", "messages": [{"role": "user", "content": "x"}]}
            )
            assert r.status_code == 401 and "custom auth says no" in r.json()["error"]["message"]
    finally:
        stop_proxy(p)
