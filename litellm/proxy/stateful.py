"""Routes for OpenAI's stateful resources: files, batches and fine-tuning jobs (with and without ``/v1``).

Owns the route table (method + path pattern -> call function and how its arguments are read: multipart,
JSON body, query, path ids), which provider a request goes to (``custom-llm-provider`` header, then a
``custom_llm_provider`` query/body/form field, else ``openai``, as LiteLLM's proxy reads it) and with
which credentials: the ``files_settings`` / ``finetune_settings`` entry for that provider, else the first
``model_list`` deployment of that provider (its ``api_key`` / ``api_base`` / ``api_version``), else the
provider's environment variables. These resources are not model-routed, so they bypass the Router.

A run created with ``"stream": true`` is relayed as OpenAI's Assistants SSE, each event written as it
arrives: ``event: thread.run.created`` / ``data: {...}`` pairs, then ``event: done`` / ``data: [DONE]``
(LiteLLM 1.77's proxy sends ``data: {"event": ..., "data": ...}`` lines and ``data: [DONE]`` instead,
which the openai SDK's ``runs.create(stream=True)`` misreads). An upstream error before the first event
is a JSON error with the upstream status; one after it is an ``event: error`` / ``data: {"error": ...}``
and ends the stream. A client that goes away closes the upstream stream; the request's record (status
499 then) is made when the stream ends. A client that leaves a non-streamed request cancels its upstream
call (a run polls for up to its timeout). The post-call success hook sees every answer but file content,
the failure hook every failure of an authenticated request, both with what the client sent (never the
upstream credentials), as LiteLLM's files, batches and assistants endpoints call them.

Must not: accept credentials from the client (the same refusal as the LLM routes), or buffer more than
one uploaded file in memory, or a run's stream.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request

from litellm.proxy.errors import ProxyError, error_payload
from litellm.proxy.handlers import (
    FORBIDDEN_BODY_KEYS,
    RawResponse,
    RequestRecord,
    SSEResponse,
    _dump,
    _run_sinks,
    _unless_disconnected,
)

__all__ = ["StatefulRoutes"]

_CRED_KEYS = ("api_key", "api_base", "api_version", "organization")

# (method, pattern relative to the optional /v1 prefix, call name, settings section, how to read args)
_ROUTES: list[tuple[str, str, str, str, str]] = [
    ("POST", r"/files", "acreate_file", "files_settings", "form"),
    ("GET", r"/files", "afile_list", "files_settings", "query"),
    ("GET", r"/files/(?P<file_id>[^/]+)", "afile_retrieve", "files_settings", "query"),
    ("DELETE", r"/files/(?P<file_id>[^/]+)", "afile_delete", "files_settings", "query"),
    ("GET", r"/files/(?P<file_id>[^/]+)/content", "afile_content", "files_settings", "query"),
    ("POST", r"/batches", "acreate_batch", "files_settings", "json"),
    ("GET", r"/batches", "alist_batches", "files_settings", "query"),
    ("GET", r"/batches/(?P<batch_id>[^/]+)", "aretrieve_batch", "files_settings", "query"),
    ("POST", r"/batches/(?P<batch_id>[^/]+)/cancel", "acancel_batch", "files_settings", "query"),
    ("POST", r"/fine_tuning/jobs", "acreate_fine_tuning_job", "finetune_settings", "json"),
    ("GET", r"/fine_tuning/jobs", "alist_fine_tuning_jobs", "finetune_settings", "query"),
    ("GET", r"/fine_tuning/jobs/(?P<fine_tuning_job_id>[^/]+)", "aretrieve_fine_tuning_job", "finetune_settings", "query"),
    ("POST", r"/fine_tuning/jobs/(?P<fine_tuning_job_id>[^/]+)/cancel", "acancel_fine_tuning_job", "finetune_settings", "query"),
    ("POST", r"/assistants", "acreate_assistants", "assistant_settings", "json"),
    ("GET", r"/assistants", "aget_assistants", "assistant_settings", "query"),
    ("DELETE", r"/assistants/(?P<assistant_id>[^/]+)", "adelete_assistant", "assistant_settings", "query"),
    ("POST", r"/threads", "acreate_thread", "assistant_settings", "json"),
    ("GET", r"/threads/(?P<thread_id>[^/]+)", "aget_thread", "assistant_settings", "query"),
    ("DELETE", r"/threads/(?P<thread_id>[^/]+)", "adelete_thread", "assistant_settings", "query"),
    ("POST", r"/threads/(?P<thread_id>[^/]+)/messages", "a_add_message", "assistant_settings", "json"),
    ("GET", r"/threads/(?P<thread_id>[^/]+)/messages", "aget_messages", "assistant_settings", "query"),
    ("POST", r"/threads/(?P<thread_id>[^/]+)/runs", "arun_thread", "assistant_settings", "json"),
]  # fmt: skip

_MODULES = {
    "acreate_file": "litellm.calls.files",
    "afile_list": "litellm.calls.files",
    "afile_retrieve": "litellm.calls.files",
    "afile_delete": "litellm.calls.files",
    "afile_content": "litellm.calls.files",
    "acreate_batch": "litellm.calls.batches",
    "alist_batches": "litellm.calls.batches",
    "aretrieve_batch": "litellm.calls.batches",
    "acancel_batch": "litellm.calls.batches",
    "acreate_fine_tuning_job": "litellm.calls.fine_tuning",
    "alist_fine_tuning_jobs": "litellm.calls.fine_tuning",
    "aretrieve_fine_tuning_job": "litellm.calls.fine_tuning",
    "acancel_fine_tuning_job": "litellm.calls.fine_tuning",
    **{
        name: "litellm.calls.assistants"
        for name in (
            "acreate_assistants",
            "aget_assistants",
            "adelete_assistant",
            "acreate_thread",
            "aget_thread",
            "adelete_thread",
            "a_add_message",
            "aget_messages",
            "arun_thread",
            "arun_thread_events",
        )
    },
}
_RUN_DONE = b"event: done\ndata: [DONE]\n\n"
_INT_QUERY = frozenset({"limit"})


def _function(name: str) -> Any:
    from litellm.calls.registry import CALLS, get_call

    if name in CALLS:
        return get_call(name)
    import importlib

    from litellm.proxy.backend import UnsupportedCallType

    try:
        return getattr(importlib.import_module(_MODULES[name]), name)
    except (ImportError, AttributeError):
        raise UnsupportedCallType(name) from None


class StatefulRoutes:
    def __init__(self, state: Any) -> None:
        self.state = state
        cfg = state.runtime.config
        assistants = getattr(cfg, "assistant_settings", None) or {}
        self.settings = {
            "files_settings": list(getattr(cfg, "files_settings", None) or []),
            "finetune_settings": list(getattr(cfg, "finetune_settings", None) or []),
            # LiteLLM's shape for assistants: one {custom_llm_provider, litellm_params: {...}} mapping
            "assistant_settings": [
                {
                    "custom_llm_provider": assistants.get("custom_llm_provider") or "openai",
                    **(assistants.get("litellm_params") or {}),
                }
            ]
            if assistants
            else [],
        }
        self.default_provider = {"assistant_settings": assistants.get("custom_llm_provider") or "openai"}
        self.table = [
            (method, re.compile(rf"^(?:/v1)?{pattern}$"), call, section, kind)
            for method, pattern, call, section, kind in _ROUTES
        ]

    def match(self, method: str, path: str) -> tuple[Any, dict[str, str]] | None:
        for m, rx, call, section, kind in self.table:
            if m == method:
                found = rx.match(path)
                if found is not None:
                    return (call, section, kind), found.groupdict()
        return None

    def credentials(self, section: str, provider: str) -> dict[str, Any]:
        for entry in self.settings[section]:
            if entry.get("custom_llm_provider") == provider:
                return {k: entry[k] for k in _CRED_KEYS if entry.get(k) is not None}
        for d in self.state.backend.model_list:
            params = d["litellm_params"]
            model = params["model"]
            owner = params.get("custom_llm_provider") or (
                model.split("/", 1)[0] if "/" in model else "openai"
            )
            if owner == provider:
                return {k: params[k] for k in _CRED_KEYS if params.get(k) is not None}
        return {}

    async def _args(self, request: Request, kind: str) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for key, value in request.query_params.items():
            args[key] = int(value) if key in _INT_QUERY and value.isdigit() else value
        if kind == "json":
            raw = await request.body()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise ProxyError(
                        400, f"Invalid JSON in request body: {exc}", param="request_body"
                    ) from None
                if not isinstance(body, dict):
                    raise ProxyError(400, "Request body must be a JSON object")
                args.update(body)
        elif kind == "form":
            if not request.headers.get("content-type", "").startswith("multipart/form-data"):
                raise ProxyError(400, "POST /v1/files takes multipart/form-data with 'file' and 'purpose'")
            form = await request.form()
            for field, part in form.multi_items():
                if not isinstance(part, str):  # an UploadFile
                    args[field] = (
                        part.filename or "upload",
                        await part.read(),
                        part.content_type or "application/octet-stream",
                    )
                else:
                    args[field] = part
            if "file" not in args or "purpose" not in args:
                raise ProxyError(
                    400, "POST /v1/files needs a 'file' part and a 'purpose' field", param="file"
                )
        return args

    async def __call__(self, request: Request, route: str, spec: Any, ids: dict[str, str]) -> Any:
        call, section, kind = spec
        started = time.time()
        auth = None
        status, exc_seen, result = 200, None, None
        hooks = self.state.hooks
        data: dict[str, Any] = {}  # what the client sent (+ path ids): the hooks' request data
        try:
            auth = await self.state.auth.authenticate(request, route)
            args = await self._args(request, kind)
            bad = FORBIDDEN_BODY_KEYS.intersection(args) - {"custom_llm_provider"}
            if bad:
                raise ProxyError(
                    400,
                    f"Rejected request: {', '.join(sorted(bad))} cannot be set by the client",
                    param=sorted(bad)[0],
                )
            provider = (
                request.headers.get("custom-llm-provider")
                or args.pop("custom_llm_provider", None)
                or self.default_provider.get(section, "openai")
            )
            args.update(ids)
            data = dict(args)
            args.update(self.credentials(section, provider))
            if call == "arun_thread" and args.pop("stream", None):
                # the run's events, once the upstream answered 200 (an error reply raises here)
                events = await _unless_disconnected(
                    _function("arun_thread_events")(custom_llm_provider=provider, **args), request.receive
                )
                return SSEResponse(
                    self._relay(events, route, auth, started, data), {"x-litellm-version": self.state.version}
                )
            # a client that leaves cancels the upstream call (a run polls for up to its timeout)
            result = await _unless_disconnected(
                _function(call)(custom_llm_provider=provider, **args), request.receive
            )
            if hooks.success and call != "afile_content":  # (file content is raw bytes, not an object)
                changed = await hooks.run_success(data, auth, result)
                if isinstance(changed, type(result)):  # a hook may replace the answer with its own
                    result = changed
        except Exception as exc:
            if auth is not None and hooks.failure:  # as on the LLM routes (a 499 included)
                await hooks.run_failure(data, exc, auth)
            status, body, headers = error_payload(exc)
            exc_seen = exc
            response: Any = RawResponse(status, body, {"x-litellm-version": self.state.version, **headers})
        else:
            content = getattr(result, "content", None)
            if call == "afile_content" and isinstance(content, (bytes, bytearray)):
                from starlette.responses import Response

                response = Response(bytes(content), media_type="application/octet-stream")
            else:
                response = RawResponse(200, _dump(result), {"x-litellm-version": self.state.version})
        _run_sinks(
            self.state.on_request_done,
            RequestRecord("", route, call, auth, None, status, started, time.time(), exc_seen, None, result),
        )
        return response

    async def _relay(
        self, events: Any, route: str, auth: Any, started: float, data: dict[str, Any] | None = None
    ) -> AsyncIterator[bytes]:
        """A streamed run's events as OpenAI's SSE; the request's record once the stream is over."""
        error: BaseException | None = None
        try:
            async for event in events:
                yield _run_event(event)
            yield _RUN_DONE
        except (asyncio.CancelledError, GeneratorExit) as gone:
            # the client left: SSEResponse cancelled the relay (reading upstream) or closed it (sending)
            error = asyncio.CancelledError() if isinstance(gone, GeneratorExit) else gone
            raise
        except Exception as exc:  # the upstream failed mid-stream: tell the client in the stream
            error = exc
            _status, body, _ = error_payload(exc)
            yield b"event: error\ndata: " + body + b"\n\n"
            if auth is not None and self.state.hooks.failure:
                await self.state.hooks.run_failure(data or {}, exc, auth)
        finally:
            try:
                await events.aclose()  # (drops the upstream connection unless the run was read to its end)
            except Exception:  # closing a finished stream must not mask the outcome
                pass
            status = 499 if isinstance(error, asyncio.CancelledError) else (500 if error else 200)
            record = RequestRecord(
                "", route, "arun_thread", auth, None, status, started, time.time(), error, None,
                getattr(events, "final_run", None), True,
            )  # fmt: skip
            _run_sinks(self.state.on_request_done, record)


def _run_event(event: Any) -> bytes:
    """One ``AssistantStreamEvent`` as OpenAI writes it: the event name, then its object (the fields the
    upstream sent, nulls included)."""
    data = event.data
    dump = getattr(data, "model_dump_json", None)
    body = (
        dump(exclude_unset=True, warnings=False).encode()
        if dump is not None
        else json.dumps(data, default=str).encode()
    )
    return b"event: " + str(event.event).encode() + b"\ndata: " + body + b"\n\n"
