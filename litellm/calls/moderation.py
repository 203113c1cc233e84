"""``moderation`` / ``amoderation``: OpenAI's ``/moderations`` (text and omni models) as a spec.

Returns :class:`~litellm.core.types_calls.ModerationResponse` (``results[].flagged``, ``categories``,
``category_scores``, ``category_applied_input_types``). Moderation is free on OpenAI; the price map's
per-token prices apply when a model has them, with the input tokens counted locally (the endpoint
reports no usage), so a record shows ``response_cost`` 0.0 for a mapped free model and null with the
reason for an unmapped one.

Must not: send, retry or log (the pipeline does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.calls.endpoints import endpoint_request, finish, json_object, wire_model
from litellm.calls.pipeline import arun, run
from litellm.calls.spec import CallSpec, Prepared
from litellm.core.types_calls import ModerationResponse

__all__ = ["MODERATION", "amoderation", "moderation"]

_DEFAULT_MODEL = "omni-moderation-latest"
_CATEGORIES = (
    "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
    "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence",
    "violence/graphic",
)  # fmt: skip


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    for item in value or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping) and item.get("type") == "text":
            out.append(str(item.get("text") or ""))
    return out


def _usage(p: Prepared) -> dict[str, int]:
    from litellm.calls.streaming import count_text_tokens

    tokens = sum(count_text_tokens(p.model, t) for t in _texts(p.inputs["input"]))
    return {"prompt_tokens": tokens, "completion_tokens": 0, "total_tokens": tokens}


def _build(p: Prepared) -> Any:
    body: dict[str, Any] = {"model": wire_model(p), "input": p.inputs["input"], **p.params}
    return endpoint_request(p, "moderations", body=body)


def _parse(p: Prepared, content: bytes, headers: Mapping[str, str], started: float) -> ModerationResponse:
    data = json_object(p, content)
    response = ModerationResponse.model_validate(data)
    return finish(p, response, data, started, headers, usage=data.get("usage") or _usage(p))


def _mock(p: Prepared, mock: Any) -> ModerationResponse:
    """``mock_response``: a dict / ModerationResponse as is; ``True`` (or "flagged") flags every input
    for violence; anything else answers not flagged."""
    if isinstance(mock, ModerationResponse):
        data = mock.model_dump()
    elif isinstance(mock, dict):
        data = dict(mock)
    else:
        flagged = mock is True or (isinstance(mock, str) and mock.lower() == "flagged")
        inputs = p.inputs["input"]
        count = len(inputs) if isinstance(inputs, list) and all(isinstance(x, str) for x in inputs) else 1
        data = {
            "id": f"modr-mock-{int(p.ctx.start_time * 1000)}",
            "model": p.model,
            "results": [
                {
                    "flagged": flagged,
                    "categories": {c: flagged and c == "violence" for c in _CATEGORIES},
                    "category_scores": {c: 0.9 if flagged and c == "violence" else 0.0 for c in _CATEGORIES},
                }
                for _ in range(count)
            ],
        }
    response = ModerationResponse.model_validate(data)
    return finish(p, response, data, p.ctx.start_time, None, usage=_usage(p))


MODERATION = CallSpec(
    name="moderation",
    build=_build,
    parse=_parse,
    mock=_mock,
    log_input=lambda inputs: inputs["input"],
    openai_params=frozenset(),
    cacheable=False,
)


def _inputs(input: Any, model: str | None) -> tuple[str, dict[str, Any]]:
    if not (isinstance(input, str) or (isinstance(input, list) and input)):
        from litellm.core.exceptions import BadRequestError

        raise BadRequestError(
            "moderation: input must be a string, a list of strings, or a list of omni content parts "
            f"({{'type': 'text'|'image_url', ...}}); got {type(input).__name__}.",
            model or "",
        )
    return model or _DEFAULT_MODEL, {"input": input}


def moderation(input: Any = None, model: str | None = None, **kwargs: Any) -> ModerationResponse:
    """Classify text (or omni text + image parts) with OpenAI's moderation models."""
    model, inputs = _inputs(input, model)
    return run(MODERATION, model, inputs, kwargs)


async def amoderation(input: Any = None, model: str | None = None, **kwargs: Any) -> ModerationResponse:
    """Async :func:`moderation`."""
    model, inputs = _inputs(input, model)
    return await arun(MODERATION, model, inputs, kwargs)
