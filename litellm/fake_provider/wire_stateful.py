"""The fake provider's stateful OpenAI resources: files, batches and fine-tuning jobs, kept in memory.

Routes (OpenAI under ``/v1`` and without it; Azure under ``/openai/...`` with ``api-version``):

* ``POST /v1/files`` (multipart ``purpose`` + ``file``), ``GET /v1/files[?purpose=]``,
  ``GET /v1/files/{id}``, ``DELETE /v1/files/{id}``, ``GET /v1/files/{id}/content``.
* ``POST /v1/batches`` (``input_file_id`` must name an uploaded file), ``GET /v1/batches/{id}``,
  ``GET /v1/batches``, ``POST /v1/batches/{id}/cancel``. A batch moves one step per retrieve:
  ``validating`` -> ``in_progress`` -> ``completed``; on completion every input line
  (``{"custom_id", "method", "url", "body"}``) is answered by this server's own chat / embeddings logic
  and written to an output file (``purpose: batch_output``), with ``request_counts``.
* ``POST /v1/fine_tuning/jobs``, ``GET /v1/fine_tuning/jobs[/{id}]``, ``POST .../{id}/cancel``: a job
  moves ``validating_files`` -> ``queued`` -> ``running`` -> ``succeeded`` (one step per retrieve) and
  then names ``fine_tuned_model``.

Faults: the ``x-fake-*`` headers (latency, error status with Retry-After, fail-N-times) apply as on the
chat routes; a key starting ``invalid`` is refused with 401; Azure needs a key and ``api-version``.
Must not import anything from ``litellm`` outside this package.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from aiohttp import BodyPartReader, web

from litellm.fake_provider import faults, openai_wire
from litellm.fake_provider.app import STATE_KEY, _record

_JSON = "application/json"


class Store:
    """Everything this wire keeps: files (metadata + bytes), batches, fine-tuning jobs."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-fake{next(self._ids):06d}"


STORE_KEY: web.AppKey[Store] = web.AppKey("fake_stateful_store")


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=json.dumps(payload).encode(), status=status, content_type=_JSON, headers=headers)


def _error(status: int, message: str, code: str | None = None) -> web.Response:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return _json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})


async def _gate(request: web.Request) -> web.Response | None:
    """Latency, auth and injected errors, in the order the chat routes use; None = go on."""
    state = request.app[STATE_KEY]
    controls = faults.parse_controls(request.headers, "")
    delay_ms = state.options.latency_ms + controls.latency_ms
    if delay_ms > 0:
        await asyncio.sleep(delay_ms / 1000)
    azure = request.path.startswith("/openai/")
    key = request.headers.get("api-key") or (request.headers.get("Authorization") or "")[7:].strip()
    if azure and not key:
        return _json(
            401, {"error": {"code": "401", "message": "Access denied due to missing subscription key."}}
        )
    if azure and "api-version" not in request.query:
        return _json(404, {"error": {"code": "404", "message": "Resource not found"}})
    if key.startswith("invalid"):
        return _error(401, "Incorrect API key provided.", "invalid_api_key")
    error = controls.error
    if controls.fail_times:
        failing = state.fail_counter.should_fail(controls.fail_key or "", controls.fail_times)
        error = (error if error is not None else 500) if failing else None
    if isinstance(error, int) and 400 <= error <= 599:
        return _json(error, faults.openai_error(error, ""), faults.retry_headers(controls))
    return None


def _store(request: web.Request) -> Store:
    return request.app[STORE_KEY]


def _page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "has_more": False,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
    }


# ---------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------


def _new_file(store: Store, filename: str, purpose: str, data: bytes) -> dict[str, Any]:
    file_id = store.new_id("file")
    meta = {
        "id": file_id,
        "object": "file",
        "bytes": len(data),
        "created_at": int(time.time()),
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
        "status_details": None,
    }
    store.files[file_id] = meta
    store.blobs[file_id] = data
    return meta


async def create_file(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    if refused is not None:
        _record(request.app[STATE_KEY], request, None)
        return refused
    if not request.content_type.startswith("multipart/"):
        return _error(400, "Expected a multipart/form-data upload with 'purpose' and 'file'.")
    reader = await request.multipart()
    purpose, filename, data = None, "file", b""
    # what `async for part in reader` does; aiohttp mistypes MultipartReader.__aiter__ before Python 3.11
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "purpose":
            purpose = (await part.text()).strip()
        elif part.name == "file":
            filename = part.filename or "file"
            data = await part.read()
    _record(request.app[STATE_KEY], request, {"purpose": purpose, "filename": filename, "bytes": len(data)})
    if not purpose:
        return _error(400, "Missing required parameter: 'purpose'.")
    if not data:
        return _error(400, "Missing required parameter: 'file'.")
    return _json(200, _new_file(_store(request), filename, purpose, data))


async def list_files(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    purpose = request.query.get("purpose")
    items = [f for f in _store(request).files.values() if purpose is None or f["purpose"] == purpose]
    return _json(200, _page(items))


def _file_or_404(request: web.Request) -> dict[str, Any] | web.Response:
    meta = _store(request).files.get(request.match_info["file_id"])
    if meta is None:
        return _error(404, f"No such File object: {request.match_info['file_id']}")
    return meta


async def retrieve_file(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    meta = _file_or_404(request)
    return meta if isinstance(meta, web.Response) else _json(200, meta)


async def delete_file(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    meta = _file_or_404(request)
    if isinstance(meta, web.Response):
        return meta
    store = _store(request)
    store.files.pop(meta["id"], None)
    store.blobs.pop(meta["id"], None)
    return _json(200, {"id": meta["id"], "object": "file", "deleted": True})


async def file_content(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    meta = _file_or_404(request)
    if isinstance(meta, web.Response):
        return meta
    return web.Response(body=_store(request).blobs[meta["id"]], content_type="application/octet-stream")


# ---------------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------------


def _answer_line(line: dict[str, Any], embedding_dim: int, chunks: int) -> dict[str, Any]:
    url = line.get("url") or ""
    body = line.get("body") or {}
    request_id = f"batch_req_{line.get('custom_id')}"
    if url.endswith("/chat/completions"):
        plan = openai_wire.plan_chat(body, faults.parse_controls({}, str(body.get("model") or "")), chunks)
        plan.model = str(body.get("model") or "")
        answer = json.loads(openai_wire.chat_json(plan))
    elif url.endswith("/embeddings"):
        out = openai_wire.embeddings_json(body, embedding_dim)
        answer = json.loads(out) if isinstance(out, (bytes, str)) else out
    else:
        return {
            "id": request_id,
            "custom_id": line.get("custom_id"),
            "response": None,
            "error": {"code": "unsupported_url", "message": f"{url} is not served by the fake batch API"},
        }
    return {
        "id": request_id,
        "custom_id": line.get("custom_id"),
        "response": {"status_code": 200, "request_id": request_id, "body": answer},
        "error": None,
    }


def _complete(store: Store, batch: dict[str, Any], embedding_dim: int, chunks: int) -> None:
    lines = [
        json.loads(raw) for raw in store.blobs[batch["input_file_id"]].decode().splitlines() if raw.strip()
    ]
    answers = [_answer_line(line, embedding_dim, chunks) for line in lines]
    output = "".join(json.dumps(a) + "\n" for a in answers).encode()
    out_meta = _new_file(store, f"{batch['id']}_output.jsonl", "batch_output", output)
    failed = sum(1 for a in answers if a["error"])
    now = int(time.time())
    batch.update(
        status="completed",
        output_file_id=out_meta["id"],
        completed_at=now,
        finalizing_at=now,
        request_counts={"total": len(answers), "completed": len(answers) - failed, "failed": failed},
    )


async def create_batch(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    body = await _body(request)
    if refused is not None:
        return refused
    store = _store(request)
    file_id = body.get("input_file_id")
    if file_id not in store.files:
        return _error(400, f"Invalid 'input_file_id': {file_id!r} is not an uploaded file.", "invalid_file")
    if body.get("completion_window") != "24h":
        return _error(400, "Invalid 'completion_window': only '24h' is supported.")
    now = int(time.time())
    batch = {
        "id": store.new_id("batch"),
        "object": "batch",
        "endpoint": body.get("endpoint"),
        "errors": None,
        "input_file_id": file_id,
        "completion_window": "24h",
        "status": "validating",
        "output_file_id": None,
        "error_file_id": None,
        "created_at": now,
        "in_progress_at": None,
        "expires_at": now + 86400,
        "completed_at": None,
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "metadata": body.get("metadata"),
    }
    store.batches[batch["id"]] = batch
    return _json(200, batch)


async def retrieve_batch(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    store = _store(request)
    batch = store.batches.get(request.match_info["batch_id"])
    if batch is None:
        return _error(404, f"No batch found with id '{request.match_info['batch_id']}'.")
    if batch["status"] == "validating":
        batch.update(status="in_progress", in_progress_at=int(time.time()))
    elif batch["status"] == "in_progress":
        options = request.app[STATE_KEY].options
        _complete(store, batch, options.embedding_dim, options.chunks)
    elif batch["status"] == "cancelling":
        batch.update(status="cancelled", cancelled_at=int(time.time()))
    return _json(200, batch)


async def list_batches(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    return _json(200, _page(list(_store(request).batches.values())))


async def cancel_batch(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    await _body(request)
    if refused is not None:
        return refused
    batch = _store(request).batches.get(request.match_info["batch_id"])
    if batch is None:
        return _error(404, f"No batch found with id '{request.match_info['batch_id']}'.")
    if batch["status"] in ("completed", "failed", "expired", "cancelled"):
        return _error(400, f"Cannot cancel a batch with status '{batch['status']}'.")
    batch.update(status="cancelling", cancelling_at=int(time.time()))
    return _json(200, batch)


# ---------------------------------------------------------------------------------------------------
# Fine-tuning jobs
# ---------------------------------------------------------------------------------------------------

_JOB_STEPS = {"validating_files": "queued", "queued": "running", "running": "succeeded"}


async def create_job(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    body = await _body(request)
    if refused is not None:
        return refused
    store = _store(request)
    for field in ("model", "training_file"):
        if not body.get(field):
            return _error(400, f"Missing required parameter: '{field}'.")
    if body["training_file"] not in store.files:
        return _error(400, f"Invalid file ID: {body['training_file']}", "invalid_training_file")
    job = {
        "id": store.new_id("ftjob"),
        "object": "fine_tuning.job",
        "created_at": int(time.time()),
        "error": None,
        "fine_tuned_model": None,
        "finished_at": None,
        "hyperparameters": body.get("hyperparameters") or {"n_epochs": "auto"},
        "model": body["model"],
        "organization_id": "org-fake",
        "result_files": [],
        "seed": body.get("seed") or 42,
        "status": "validating_files",
        "trained_tokens": None,
        "training_file": body["training_file"],
        "validation_file": body.get("validation_file"),
        "suffix": body.get("suffix"),
    }
    store.jobs[job["id"]] = job
    return _json(200, job)


async def list_jobs(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    return _json(200, _page(list(_store(request).jobs.values())))


async def retrieve_job(request: web.Request) -> web.StreamResponse:
    _record(request.app[STATE_KEY], request, None)
    refused = await _gate(request)
    if refused is not None:
        return refused
    job = _store(request).jobs.get(request.match_info["job_id"])
    if job is None:
        return _error(404, f"Could not find fine tune job: {request.match_info['job_id']}")
    step = _JOB_STEPS.get(job["status"])
    if step is not None:
        job["status"] = step
        if step == "succeeded":
            suffix = job.get("suffix") or "fake"
            job.update(
                fine_tuned_model=f"ft:{job['model']}:org-fake:{suffix}:{job['id'][-6:]}",
                finished_at=int(time.time()),
                trained_tokens=1234,
            )
    return _json(200, job)


async def cancel_job(request: web.Request) -> web.StreamResponse:
    refused = await _gate(request)
    await _body(request)
    if refused is not None:
        return refused
    job = _store(request).jobs.get(request.match_info["job_id"])
    if job is None:
        return _error(404, f"Could not find fine tune job: {request.match_info['job_id']}")
    if job["status"] in ("succeeded", "failed", "cancelled"):
        return _error(400, f"Cannot cancel a job with status '{job['status']}'.")
    job["status"] = "cancelled"
    return _json(200, job)


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = {}
    _record(request.app[STATE_KEY], request, body)
    return body if isinstance(body, dict) else {}


def add_routes(app: web.Application, add: Any) -> None:
    app[STORE_KEY] = Store()
    for prefix in ("/v1", "", "/openai"):
        add("POST", f"{prefix}/files", create_file)
        add("GET", f"{prefix}/files", list_files)
        add("GET", f"{prefix}/files/{{file_id}}", retrieve_file)
        add("DELETE", f"{prefix}/files/{{file_id}}", delete_file)
        add("GET", f"{prefix}/files/{{file_id}}/content", file_content)
        add("POST", f"{prefix}/batches", create_batch)
        add("GET", f"{prefix}/batches", list_batches)
        add("GET", f"{prefix}/batches/{{batch_id}}", retrieve_batch)
        add("POST", f"{prefix}/batches/{{batch_id}}/cancel", cancel_batch)
        add("POST", f"{prefix}/fine_tuning/jobs", create_job)
        add("GET", f"{prefix}/fine_tuning/jobs", list_jobs)
        add("GET", f"{prefix}/fine_tuning/jobs/{{job_id}}", retrieve_job)
        add("POST", f"{prefix}/fine_tuning/jobs/{{job_id}}/cancel", cancel_job)
