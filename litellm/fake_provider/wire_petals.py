"""A Petals chat server's ``POST /api/v1/generate`` in the fake provider (``petals-infra/chat.petals.dev``).

Owns the form-encoded request (``model``, ``inputs``, ``max_new_tokens``...) and the reply
``{"ok": true, "outputs": "..."}``; a missing ``inputs`` or ``max_new_tokens`` is answered as the server
does (``{"ok": false, "traceback": ...}``); ``x-fake-error`` injects an HTTP error. Must not import
``litellm`` outside this package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from litellm.fake_provider import content, faults
from litellm.fake_provider.app import STATE_KEY, _record
from litellm.fake_provider.wire_google import json_response


async def generate(request: web.Request) -> web.StreamResponse:
    form = dict(await request.post())
    _record(request.app[STATE_KEY], request, form)
    controls = faults.parse_controls(request.headers, str(form.get("model") or ""))
    if isinstance(controls.error, int):
        return json_response(
            controls.error, {"ok": False, "traceback": f"RuntimeError: injected {controls.error}"}
        )
    if not form.get("inputs") or not str(form.get("max_new_tokens") or "").isdigit():
        return json_response(
            200, {"ok": False, "traceback": "ValueError: inputs and max_new_tokens are required"}
        )
    n = min(controls.chunks or request.app[STATE_KEY].options.chunks, int(str(form["max_new_tokens"])))
    return json_response(200, {"ok": True, "outputs": "".join(content.reply_pieces(n))})


def add_routes(app: web.Application, add: Callable[..., Any]) -> None:
    add("POST", "/api/v1/generate", generate)
