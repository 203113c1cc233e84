"""The app's extension seams (what virtual keys, management routes and the spend ledger plug into),
exercised in-process with Starlette's TestClient: an extension module's ``install(app)`` adds a route,
a key store and a request sink; startup/shutdown hooks run in the lifespan; a failing startup refuses
to serve."""

from __future__ import annotations

import sys
import types

import pytest
from starlette.testclient import TestClient

from litellm.proxy import app as app_module
from litellm.proxy.auth import AuthContext, hash_token
from litellm.proxy.config import config_from_cli
from litellm.proxy.setup import apply_config


def _runtime(master_key: str = "sk-master"):
    cfg = config_from_cli("openai/gpt-4o-mini", api_base="http://127.0.0.1:9/v1")
    cfg.general_settings["master_key"] = master_key
    return apply_config(cfg)


@pytest.fixture
def extension(monkeypatch):
    calls: list[str] = []
    records: list = []

    class Store:
        async def lookup(self, token_hash):
            return (
                AuthContext(api_key=token_hash, key_alias="vk")
                if token_hash == hash_token("sk-virtual")
                else None
            )

    async def whoami(request):
        from starlette.responses import JSONResponse

        auth = request.scope["litellm.auth"]
        return JSONResponse({"alias": auth.key_alias, "master": auth.is_master})

    def install(app):
        app.add_route("GET", "/key/whoami", whoami)
        app.state.auth.key_store = Store()
        app.state.on_request_done.append(records.append)

        async def up():
            calls.append("startup")

        async def down():
            calls.append("shutdown")

        app.state.startup.append(up)
        app.state.shutdown.append(down)

    module = types.ModuleType("fake_proxy_extension")
    module.install = install
    monkeypatch.setitem(sys.modules, "fake_proxy_extension", module)
    monkeypatch.setattr(app_module, "EXTENSIONS", ("fake_proxy_extension", "no_such_extension_pkg"))
    return calls, records


def test_extension_route_key_store_sink_and_lifespan(extension) -> None:
    calls, records = extension
    app = app_module.build_app(_runtime())
    with TestClient(app) as client:
        assert calls == ["startup"]
        assert client.get("/key/whoami", headers={"Authorization": "Bearer sk-virtual"}).json() == {
            "alias": "vk",
            "master": False,
        }
        assert (
            client.get("/key/whoami", headers={"Authorization": "Bearer sk-master"}).json()["master"] is True
        )
        assert client.get("/key/whoami", headers={"Authorization": "Bearer sk-other"}).status_code == 401
        r = client.post(
            "/v1/chat/completions",
            json={"model": "nope", "messages": []},
            headers={"Authorization": "Bearer sk-virtual"},
        )
        assert r.status_code == 400
    assert calls == ["startup", "shutdown"]
    assert records and records[-1].status == 400 and records[-1].auth.key_alias == "vk"


def test_failing_startup_hook_refuses_to_serve(monkeypatch) -> None:
    def install(app):
        async def up():
            raise ConnectionError("database unreachable at db:5432")

        app.state.startup.append(up)

    module = types.ModuleType("failing_ext")
    module.install = install
    monkeypatch.setitem(sys.modules, "failing_ext", module)
    monkeypatch.setattr(app_module, "EXTENSIONS", ("failing_ext",))
    with (
        pytest.raises(ConnectionError, match="database unreachable"),
        TestClient(app_module.build_app(_runtime())),
    ):
        pass
