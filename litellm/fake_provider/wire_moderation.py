"""Fake OpenAI moderation endpoint: ``POST /v1/moderations`` (also under Azure's deployment paths).

One result per input (a string, a list of strings, or omni's list of ``{"type": "text"|"image_url"}``
parts, which count as one input). An input containing the marker ``[fake:flag]`` is flagged for
``violence`` (score 0.91); everything else scores 0.0001 everywhere. Omni models
(``omni-moderation-*``) add ``category_applied_input_types``. The model defaults to
``omni-moderation-latest`` and is echoed with a dated suffix, as OpenAI does.

Must not: start threads or loops (``server`` does).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from litellm.fake_provider import app as _app
from litellm.fake_provider import content, faults

FLAG_MARKER = "[fake:flag]"
CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
)  # fmt: skip
_DATED = {
    "omni-moderation-latest": "omni-moderation-2024-09-26",
    "text-moderation-latest": "text-moderation-007",
}


def _inputs(value: Any) -> list[Any] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(x, dict) for x in value):
            return [value]  # omni multimodal parts: one input
        if all(isinstance(x, str) for x in value):
            return list(value)
    return None


def _text(item: Any) -> str:
    if isinstance(item, str):
        return item
    return " ".join(str(p.get("text") or "") for p in item if isinstance(p, dict))


def moderation_json(body: dict[str, Any]) -> dict[str, Any] | None:
    inputs = _inputs(body.get("input"))
    if inputs is None:
        return None
    model = str(body.get("model") or "omni-moderation-latest")
    omni = model.startswith("omni")
    results = []
    for item in inputs:
        flagged = FLAG_MARKER in _text(item)
        result: dict[str, Any] = {
            "flagged": flagged,
            "categories": {c: flagged and c == "violence" for c in CATEGORIES},
            "category_scores": {c: 0.91 if flagged and c == "violence" else 0.0001 for c in CATEGORIES},
        }
        if omni:
            kinds = ["text"] + (
                ["image"]
                if isinstance(item, list)
                and any(isinstance(p, dict) and p.get("type") == "image_url" for p in item)
                else []
            )
            result["category_applied_input_types"] = {
                c: (kinds if c in ("violence", "violence/graphic", "sexual", "self-harm") else ["text"])
                for c in CATEGORIES
            }
        results.append(result)
    return {"id": content.new_id("modr-"), "model": _DATED.get(model, model), "results": results}


async def moderations(request: web.Request) -> web.StreamResponse:
    flavour, deployment = _app._azure_or_openai(request)
    try:
        body, _controls, _model = await _app._prelude(request, flavour, deployment)
    except _app._Reject as reject:
        return reject.response
    out = moderation_json(body)
    if out is None:
        return _app._json_response(400, faults.openai_missing_param("input"), flavour)
    return _app._json_response(200, out, flavour)


def add_routes(app: web.Application, add: Any) -> None:
    for prefix in ("/v1", "", "/openai/deployments/{deployment}"):
        add("POST", f"{prefix}/moderations", moderations)
