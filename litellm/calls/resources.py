"""Stateful OpenAI resources (files, batches, fine-tuning jobs, ...) as call specs on the one spine.

A :class:`Resource` says what one public function sends (method, path, JSON body, multipart parts or a
query) and what it returns (an ``openai`` type, subclassed to carry ``_hidden_params`` as LiteLLM's
do); :func:`call` / :func:`acall` run it through :func:`litellm.calls.pipeline.run` / ``arun``, so
credentials, retries, error mapping, timing and the one logging event (``call_type`` = the function's
name) are the pipeline's. ``custom_llm_provider`` picks the wire: ``"openai"`` (default), ``"azure"``
(``api_base`` + ``api_version``, key or AD token) or any OpenAI-compatible provider.

Must not: send on its own or build a second pipeline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from litellm.calls.spec import CallSpec, Prepared

__all__ = ["Resource", "acall", "call", "result_type"]


@dataclass(frozen=True, slots=True)
class Resource:
    name: str
    method: str
    #: (inputs) -> "files/file_1/content"
    path: Callable[[dict[str, Any]], str]
    #: the result type's name in :func:`result_type` ("file", "batch", ...) or "binary" / "json"
    result: str
    body: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
    files: Callable[[dict[str, Any]], list[tuple[str, Any]]] | None = None
    query: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None
    beta: str | None = None
    #: (prepared, response) -> None, run before the call's event (e.g. pricing a finished batch)
    enrich: Callable[[Prepared, Any], Any] | None = None
    aenrich: Callable[[Prepared, Any], Any] | None = None


@cache
def result_type(kind: str) -> Any:
    """LiteLLM's result classes: the ``openai`` types with a ``_hidden_params`` private attribute."""
    from openai import BaseModel as _OpenAIBase
    from openai.types import Batch, FileDeleted, FileObject
    from openai.types.beta import Assistant, AssistantDeleted, Thread, ThreadDeleted
    from openai.types.beta.threads import Message, Run
    from openai.types.fine_tuning import FineTuningJob
    from pydantic import PrivateAttr

    def hidden(base: type, name: str) -> type:
        return type(
            name, (base,), {"_hidden_params": PrivateAttr(default_factory=dict), "__module__": __name__}
        )

    class ListPage(_OpenAIBase):
        """A list endpoint's page: ``data``, ``has_more``, ``first_id``/``last_id`` when sent."""

        object: str = "list"
        data: list[Any] = []
        has_more: bool | None = None
        first_id: str | None = None
        last_id: str | None = None

    types: dict[str, type] = {
        "file": hidden(FileObject, "OpenAIFileObject"),
        "file_deleted": hidden(FileDeleted, "FileDeleted"),
        "batch": hidden(Batch, "LiteLLMBatch"),
        "fine_tuning_job": hidden(FineTuningJob, "LiteLLMFineTuningJob"),
        "assistant": hidden(Assistant, "Assistant"),
        "assistant_deleted": hidden(AssistantDeleted, "AssistantDeleted"),
        "thread": hidden(Thread, "Thread"),
        "thread_deleted": hidden(ThreadDeleted, "ThreadDeleted"),
        "message": hidden(Message, "OpenAIMessage"),
        "run": hidden(Run, "Run"),
        "page": hidden(ListPage, "ListPage"),
    }
    return types[kind]


def construct(kind_type: Any, data: Any) -> Any:
    """Build an openai-typed object the way the openai SDK does (tolerant of missing or new fields:
    a provider's answer is never refused for a field the installed SDK version expects), with an
    empty ``_hidden_params``."""
    from openai._models import construct_type

    out: Any = construct_type(type_=kind_type, value=data)
    private_attributes = getattr(type(out), "__private_attributes__", {})
    if "_hidden_params" in private_attributes and out.__pydantic_private__ is None:
        object.__setattr__(out, "__pydantic_private__", {"_hidden_params": {}})
    return out


class BinaryContent:
    """A file's bytes (``file_content``), shaped like the openai SDK's binary response."""

    def __init__(self, content: bytes, headers: Mapping[str, str] | None = None) -> None:
        self.content = content
        self.headers = dict(headers or {})
        self._hidden_params: dict[str, Any] = {}

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def read(self) -> bytes:
        return self.content

    def json(self) -> Any:
        return json.loads(self.content)

    def iter_bytes(self, chunk_size: int = 65536) -> Any:
        for i in range(0, len(self.content), chunk_size):
            yield self.content[i : i + chunk_size]

    def write_to_file(self, path: Any) -> None:
        with open(path, "wb") as fh:
            fh.write(self.content)

    stream_to_file = write_to_file


# ---------------------------------------------------------------------------------------------------
# The spec every resource shares
# ---------------------------------------------------------------------------------------------------

_item_kinds = {
    "files": "file",
    "batches": "batch",
    "fine_tuning_jobs": "fine_tuning_job",
    "assistants": "assistant",
    "messages": "message",
}


def _build(p: Prepared) -> Any:
    from litellm.providers.openai_resources import resource_request

    res: Resource = p.inputs["__resource__"]
    args = {k: v for k, v in p.inputs.items() if not k.startswith("__")}
    lp = p.call.lp
    body = res.body(args) if res.body is not None else None
    if body is not None:
        body = {k: v for k, v in body.items() if v is not None}
        body.update(p.call.extra)  # provider-specific fields pass through
        if lp.get("extra_body"):
            body.update(lp["extra_body"])
    return resource_request(
        p.adapter,
        p.creds,
        res.path(args),
        method=res.method,
        body=body,
        files=res.files(args) if res.files is not None else None,
        query=res.query(args) if res.query is not None else None,
        extra_headers=lp.get("extra_headers"),
        beta=res.beta,
    )


def _typed(res: Resource, data: Any, p: Prepared, headers: Mapping[str, str] | None) -> Any:
    if res.result == "json":
        return data
    if res.result.startswith("page:"):
        item = result_type(res.result[5:])
        out = construct(result_type("page"), {**data, "data": []})
        out.data = [construct(item, x) for x in data.get("data") or []]
    else:
        out = construct(result_type(res.result), data)
    out._hidden_params.update(
        {
            "custom_llm_provider": p.provider,
            "api_base": p.ctx.api_base,
            "litellm_call_id": p.ctx.litellm_call_id,
        }
    )
    return out


def _free(p: Prepared) -> None:
    """Managing a resource costs nothing: the event says 0, not "unknown" (a batch's answers are priced
    when it completes, see :mod:`litellm.calls.batches`)."""
    from litellm.calls.costing import _NoCost

    p.ctx.cost = _NoCost(response_cost=0.0, breakdown={"total_cost": 0.0})


def _parse(p: Prepared, content: bytes, headers: Mapping[str, str], started: float) -> Any:
    res: Resource = p.inputs["__resource__"]
    p.ctx.raw_usage = None
    _free(p)
    if res.result == "binary":
        out = BinaryContent(content, headers)
        out._hidden_params.update(
            {"custom_llm_provider": p.provider, "litellm_call_id": p.ctx.litellm_call_id}
        )
        p.ctx.raw_response = {"bytes": len(content), "content_type": headers.get("content-type")}
        return out
    data = json.loads(content)
    if not isinstance(data, dict):
        from litellm.core.exceptions import APIResponseValidationError

        raise APIResponseValidationError(f"Expected a JSON object from {p.provider}", p.provider, p.model)
    p.ctx.raw_response = data
    return _typed(res, data, p, headers)


def _mock(p: Prepared, mock: Any) -> Any:
    res: Resource = p.inputs["__resource__"]
    _free(p)
    if res.result == "binary":
        return BinaryContent(mock if isinstance(mock, bytes) else str(mock).encode())
    if not isinstance(mock, Mapping):
        raise TypeError(f"mock_response for {res.name} must be the object as a dict")
    p.ctx.raw_response = dict(mock)
    return _typed(res, dict(mock), p, None)


def _log_input(inputs: dict[str, Any]) -> Any:
    shown: dict[str, Any] = {}
    for key, value in inputs.items():
        if key.startswith("__"):
            continue
        if isinstance(value, (bytes, bytearray)):
            value = f"<{len(value)} bytes>"
        elif hasattr(value, "read"):
            value = str(getattr(value, "name", "") or type(value).__name__)
        elif isinstance(value, tuple):
            value = value[0] if value else None
        shown[key] = value
    return [shown] if shown else []


_SPECS: dict[str, CallSpec] = {}


def _spec(res: Resource) -> CallSpec:
    spec = _SPECS.get(res.name)
    if spec is None:
        spec = _SPECS[res.name] = CallSpec(
            name=res.name,
            build=_build,
            parse=_parse,
            mock=_mock,
            log_input=_log_input,
            openai_params=frozenset(),
            cacheable=False,
            enrich=res.enrich,
            aenrich=res.aenrich,
        )
    return spec


def _model_for(provider: str | None, inputs: dict[str, Any], res: Resource) -> tuple[str, dict[str, Any]]:
    provider = provider or "openai"
    return f"{provider}/{inputs.get('model') or res.name}", {"custom_llm_provider": provider}


def call(res: Resource, provider: str | None, inputs: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """Run resource ``res`` synchronously."""
    from litellm.calls.pipeline import run

    model, extra = _model_for(provider, inputs, res)
    return run(_spec(res), model, {**inputs, "__resource__": res}, {**kwargs, **extra})


async def acall(res: Resource, provider: str | None, inputs: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """Run resource ``res`` asynchronously (call type ``a<name>``)."""
    from litellm.calls.pipeline import arun

    model, extra = _model_for(provider, inputs, res)
    return await arun(_spec(res), model, {**inputs, "__resource__": res}, {**kwargs, **extra})


def now() -> int:
    return int(time.time())
