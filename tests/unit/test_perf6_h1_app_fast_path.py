"""ProxyApp.__call__ answers a POST to an LLM route without _dispatch in between: the same handler is
called with the same arguments, ``inflight`` counts the request while it runs (and after a failure),
and every other request (other methods, trailing slashes, Azure paths, other routes) still goes through
_dispatch with its answers."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request

from litellm.proxy.app import ProxyApp


class _Sent:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def __call__(self, message: dict[str, Any]) -> None:
        self.messages.append(message)


def _app() -> tuple[ProxyApp, list[tuple[Any, ...]]]:
    calls: list[tuple[Any, ...]] = []
    app = object.__new__(ProxyApp)
    app.state = SimpleNamespace(inflight=0)

    async def handler(request: Any, path: str, path_model: str | None = None) -> Any:
        calls.append((type(request), request.scope["path"], path, path_model, app.state.inflight))
        if request.scope.get("boom"):
            raise RuntimeError("handler bug")

        async def response(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "ok", "path": path})

        return response

    app.llm = {"/chat/completions": handler, "/v1/chat/completions": handler}
    app.other = {}
    app.stateful = SimpleNamespace(match=lambda method, path: None)
    return app, calls


def _scope(method: str, path: str, **extra: Any) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "headers": [], "query_string": b"", **extra}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


@pytest.mark.parametrize(
    "method,path,expected",
    [
        ("POST", "/v1/chat/completions", ("/v1/chat/completions", None)),
        ("POST", "/chat/completions", ("/chat/completions", None)),
        ("POST", "/v1/chat/completions/", ("/v1/chat/completions", None)),  # via _dispatch
        (
            "POST",
            "/openai/deployments/m1/chat/completions",
            ("/openai/deployments/m1/chat/completions", "m1"),
        ),
    ],
)
async def test_llm_routes_reach_the_same_handler(method: str, path: str, expected: tuple[Any, ...]) -> None:
    app, calls = _app()
    sent = _Sent()
    await app(_scope(method, path), _receive, sent)
    assert calls == [(Request, path, expected[0], expected[1], 1)]
    assert sent.messages == [{"type": "ok", "path": expected[0]}]
    assert app.state.inflight == 0


async def test_other_methods_and_routes_go_through_dispatch() -> None:
    app, calls = _app()
    sent = _Sent()
    await app(_scope("GET", "/v1/chat/completions"), _receive, sent)
    assert calls == [] and sent.messages[0]["status"] == 405
    sent = _Sent()
    await app(_scope("POST", "/nope"), _receive, sent)
    assert calls == [] and sent.messages[0]["status"] == 404
    assert app.state.inflight == 0


async def test_inflight_is_released_when_the_handler_raises() -> None:
    app, _calls = _app()
    with pytest.raises(RuntimeError):
        await app(_scope("POST", "/v1/chat/completions", boom=True), _receive, _Sent())
    assert app.state.inflight == 0
