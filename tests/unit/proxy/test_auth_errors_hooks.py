"""Auth (key sources, master key, routes, custom_auth, the key-store seam), error shapes and the proxy
hook semantics, without a server."""

from __future__ import annotations

import asyncio
import json

import pytest

from litellm.integrations.custom_logger import CustomLogger
from litellm.proxy.auth import AuthContext, Authenticator, extract_key, hash_token
from litellm.proxy.backend import UnsupportedCallType
from litellm.proxy.errors import ProxyError, error_payload
from litellm.proxy.hooks import ProxyHooks, RejectedRequest


class Req:
    def __init__(self, **headers: str) -> None:
        self.headers = {k.lower().replace("_", "-"): v for k, v in headers.items()}


def run(coro):
    return asyncio.run(coro)


def test_extract_key_sources() -> None:
    assert extract_key({"authorization": "Bearer sk-1"}) == "sk-1"
    assert extract_key({"x-litellm-api-key": "sk-2"}) == "sk-2"
    assert extract_key({"x-litellm-api-key": "Bearer sk-3"}) == "sk-3"
    assert extract_key({"api-key": "sk-4"}) == "sk-4"
    assert extract_key({}) is None


def test_master_key_and_401s() -> None:
    auth = Authenticator("sk-master")
    ctx = run(auth.authenticate(Req(authorization="Bearer sk-master"), "/v1/chat/completions"))
    assert ctx.is_master and ctx.api_key == hash_token("sk-master") and "sk-master" not in repr(ctx)
    for req in (Req(), Req(authorization="Bearer sk-mastex"), Req(api_key="sk-master2")):
        with pytest.raises(ProxyError) as err:
            run(auth.authenticate(req, "/v1/chat/completions"))
        assert err.value.status_code == 401
    assert run(auth.authenticate(Req(), "/health/liveliness")) is not None  # public


def test_no_master_key_means_open_and_allowed_routes_restrict() -> None:
    assert run(Authenticator(None).authenticate(Req(), "/v1/models")).is_master
    auth = Authenticator("sk-m", allowed_routes=["/v1/chat/completions"], public_routes=["/v1/models"])
    assert run(auth.authenticate(Req(), "/v1/models")) is not None  # public routes stay reachable
    with pytest.raises(ProxyError) as err:
        run(auth.authenticate(Req(authorization="Bearer sk-m"), "/v1/embeddings"))
    assert err.value.status_code == 403


def test_custom_auth_and_key_store_seam() -> None:
    async def custom(request, api_key):
        if api_key != "sk-team":
            raise ValueError("unknown key")
        return {"api_key": api_key, "team_id": "t1", "user_id": "u1"}

    auth = Authenticator(None, custom_auth=custom)
    ctx = run(auth.authenticate(Req(authorization="Bearer sk-team"), "/v1/chat/completions"))
    assert ctx.team_id == "t1" and ctx.api_key == hash_token("sk-team")
    with pytest.raises(ProxyError, match="unknown key"):
        run(auth.authenticate(Req(authorization="Bearer sk-other"), "/v1/chat/completions"))

    class Store:
        async def lookup(self, token_hash):
            return (
                AuthContext(api_key=token_hash, key_alias="virtual")
                if token_hash == hash_token("sk-virtual")
                else None
            )

    auth = Authenticator("sk-m", key_store=Store())
    assert run(auth.authenticate(Req(authorization="Bearer sk-virtual"), "/x")).key_alias == "virtual"
    with pytest.raises(ProxyError):
        run(auth.authenticate(Req(authorization="Bearer sk-nope"), "/x"))


def test_error_payload_keeps_status_and_codes() -> None:
    from litellm.core import exceptions as ex

    status, body, headers = error_payload(
        ex.make_error("RateLimitError", "slow down", model="m", llm_provider="openai", status_code=429,
                      body={"error": {"type": "rate_limit_exceeded", "code": "rate_limit", "message": "x"}},
                      headers={"retry-after": "3"})
    )  # fmt: skip
    err = json.loads(body)["error"]
    assert status == 429 and err["type"] == "rate_limit_exceeded" and err["code"] == "rate_limit"
    assert headers == {"retry-after": "3"}
    status, body, _ = error_payload(ex.ContextWindowExceededError("too long", "m", "openai"))
    assert status == 400 and json.loads(body)["error"]["code"] == "context_length_exceeded"
    status, body, _ = error_payload(UnsupportedCallType("arerank"))
    assert status == 501 and "arerank" in json.loads(body)["error"]["message"]
    status, body, _ = error_payload(RuntimeError("boom"))
    assert status == 500 and set(json.loads(body)["error"]) == {"message", "type", "param", "code"}
    status, _, _ = error_payload(ex.Timeout("t", "m", "openai"))
    assert status == 408


class Pre(CustomLogger):
    def __init__(self, answer):
        super().__init__()
        self.answer = answer

    async def async_pre_call_hook(self, user_api_key_dict, cache, data, call_type):
        return self.answer(data) if callable(self.answer) else self.answer


def test_pre_call_hook_semantics() -> None:
    data = {"model": "m", "messages": []}
    assert run(ProxyHooks([Pre(None)]).run_pre_call(None, data, "completion")) is data
    assert run(ProxyHooks([Pre({"model": "x"})]).run_pre_call(None, data, "completion")) == {"model": "x"}
    with pytest.raises(RejectedRequest, match="no thanks"):
        run(ProxyHooks([Pre("no thanks")]).run_pre_call(None, data, "completion"))
    with pytest.raises(ProxyError) as err:
        run(ProxyHooks([Pre("no thanks")]).run_pre_call(None, data, "embeddings"))
    assert err.value.status_code == 400
    with pytest.raises(ProxyError):
        run(ProxyHooks([Pre(ProxyError(403, "denied"))]).run_pre_call(None, data, "completion"))


def test_only_overriding_loggers_are_called() -> None:
    hooks = ProxyHooks([CustomLogger(), Pre(None), "otel", lambda *a: None])
    assert len(hooks.pre) == 1 and hooks.moderation == () and hooks.stream_iter == ()
