"""The request path every LLM route shares: auth -> body -> admission -> pre-call hooks (+ moderation in
parallel) -> backend -> post-call hooks -> response.

Owns :class:`LLMRoute` (one per call type: chat, text completion, embeddings, images, audio, moderation,
rerank, responses), the response headers LiteLLM documents (``x-litellm-*`` and the provider's rate-limit
headers as ``llm_provider-<name>``), SSE pass-through (each chunk written as it arrives, through
:class:`SSEResponse`, which cancels the upstream read when the client goes away), cancelling a pending
upstream call when the client disconnects before the answer (recorded as 499), the request's SERVER span
when OpenTelemetry is configured, and the per-request bookkeeping seam ``on_request_done`` (metrics, the
spend ledger; a sink marked ``after_response = True`` runs once the answer is written).

Must not: hold per-request state outside the request, forward client headers or the caller's key upstream
(only the body's parameters reach the call; credentials in the body are refused), or buffer a stream.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from litellm.calls.context import new_call_id
from litellm.core.jsonfast import loads
from litellm.core.types import ModelResponse
from litellm.proxy.backend import CallInfo
from litellm.proxy.backend import hidden_params as _hidden
from litellm.proxy.errors import ProxyError, error_payload
from litellm.proxy.hooks import RejectedRequest
from litellm.proxy.http_server import _Cycle

__all__ = ["LLMRoute", "RequestRecord", "SSEResponse"]

# never accepted from a client: credentials, upstream targets, callbacks, pricing
FORBIDDEN_BODY_KEYS = frozenset(
    {
        "api_key", "api_base", "base_url", "api_version", "azure_ad_token", "organization",
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "vertex_credentials",
        "headers", "extra_headers", "callbacks", "success_callback", "failure_callback", "client",
        "litellm_logging_obj", "custom_llm_provider", "input_cost_per_token", "output_cost_per_token",
        "model_info", "num_retries", "max_retries",
    }
)  # fmt: skip

JSON = "application/json"
_DONE = b"data: [DONE]\n\n"
_JSON_TYPE = (b"content-type", b"application/json")


@dataclass(slots=True)
class RequestRecord:
    """One finished proxied request, for ``on_request_done`` sinks (metrics, a spend ledger)."""

    call_id: str
    route: str
    call_type: str
    auth: Any
    requested_model: str | None
    status: int
    started: float
    ended: float
    exception: BaseException | None
    info: CallInfo | None
    response: Any = None
    stream: bool = False


class SSEResponse:
    """An ASGI response that writes each SSE chunk as it is produced and stops the producer (closing
    the upstream stream) as soon as the client disconnects."""

    def __init__(self, chunks: AsyncIterator[bytes], headers: dict[str, str]) -> None:
        self.chunks = chunks
        raw = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
        raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self.raw_headers = raw

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        producer = asyncio.ensure_future(self._produce(send))
        watcher = asyncio.ensure_future(self._watch(receive))
        try:
            await asyncio.wait((producer, watcher), return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not producer.done():
                producer.cancel()  # the client left: GeneratorExit/CancelledError closes the upstream stream
                await asyncio.gather(producer, return_exceptions=True)
            watcher.cancel()
        if producer.done() and not producer.cancelled() and producer.exception() is None:
            return

    async def _produce(self, send: Any) -> None:
        try:
            async for chunk in self.chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:  # the transport is gone
            pass
        finally:
            aclose = getattr(self.chunks, "aclose", None)
            if aclose is not None:
                await aclose()

    @staticmethod
    async def _watch(receive: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return


class RawResponse:
    """A JSON response sent as two ASGI messages (headers encoded once, no per-header normalising).

    ``headers`` are text, or already encoded (``raw``, what :meth:`LLMRoute._raw_headers` builds).
    ``after``: (sinks, record) run once the body is sent (see :meth:`LLMRoute._done`)."""

    __slots__ = ("after", "body", "headers", "status")

    def __init__(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        raw: dict[bytes, bytes] | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.after: tuple[tuple[Any, ...], RequestRecord] | None = None
        if raw is not None:
            self.headers = [_JSON_TYPE, (b"content-length", b"%d" % len(body)), *raw.items()]
            return
        encoded = [_JSON_TYPE, (b"content-length", b"%d" % len(body))]
        if headers:
            encoded += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self.headers = encoded

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            cycle = getattr(send, "__self__", None)  # the proxy's HTTP server: no ASGI messages needed
            if type(cycle) is not _Cycle or not cycle.respond(self.status, self.headers, self.body):
                await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
                await send({"type": "http.response.body", "body": self.body})
        finally:
            after = self.after
            if after is not None:
                self.after = None
                sinks, record = after
                for sink in sinks:
                    _run_sink(sink, record)


# Nulls our ModelResponse carries (LiteLLM's SDK objects do too) that OpenAI's chat completion never
# sends: dropped from the proxy's JSON. Inside a JSON string a quote is escaped, so these byte runs can
# only be keys of the document itself.
# (one regex pass: ~1 µs on a chat reply, a quarter of five bytes.replace calls)
_NEVER_NULL = re.compile(
    rb',"(?:tool_calls|function_call|provider_specific_fields|text_tokens|image_tokens)":null'
).sub


def _dump(obj: Any) -> bytes:
    if isinstance(obj, bytes):
        return obj
    dump = getattr(obj, "model_dump_json", None)
    if dump is not None:
        if getattr(type(obj), "model_dump_json", None) is _MODEL_DUMP_JSON:
            # what model_dump_json() returns, before its decode (the bytes its .encode() gives back)
            data = obj.__pydantic_serializer__.to_json(obj)
            if type(obj) is ModelResponse:
                data = _NEVER_NULL(b"", data)
            return data
        return dump().encode()
    if isinstance(obj, (dict, list)):
        return json.dumps(obj, default=str).encode()
    to_dict = getattr(obj, "model_dump", None) or getattr(obj, "dict", None)
    return json.dumps(to_dict() if to_dict else obj, default=str).encode()


def _dump_chunk(chunk: Any) -> bytes:
    if isinstance(chunk, (bytes, str)):
        data = chunk.encode() if isinstance(chunk, str) else chunk
        return (
            data if data.startswith(b"data: ") or data.startswith(b"event: ") else b"data: " + data + b"\n\n"
        )
    dump = getattr(chunk, "model_dump_json", None)
    body = dump(exclude_none=True).encode() if dump is not None else json.dumps(chunk, default=str).encode()
    kind = getattr(chunk, "type", None)
    if isinstance(kind, str) and kind.startswith("response."):  # Responses API: typed SSE events
        return b"event: " + kind.encode() + b"\ndata: " + body + b"\n\n"
    return b"data: " + body + b"\n\n"


_MODEL_DUMP_JSON = BaseModel.model_dump_json


def _chunk_text(chunk: Any) -> str:
    try:
        choices = chunk.choices
        return (choices[0].delta.content or "") if choices else ""
    except (AttributeError, IndexError):
        return ""


class _HeaderView:
    """A request's headers read as Starlette's ``Headers.get`` reads them (the first of a repeated name,
    names compared lowercased, values latin-1), from one dict built in C instead of a scan per read."""

    __slots__ = ("_raw",)

    def __init__(self, raw: list[Any]) -> None:
        self._raw = dict(reversed(raw))

    def get(self, name: str, default: Any = None) -> Any:
        value = self._raw.get(name.lower().encode("latin-1"))
        return default if value is None else value.decode("latin-1")


def _headers_of(request: Request) -> Any:
    raw = request.scope["headers"]
    if type(raw) is list:
        return _HeaderView(raw)
    return request.headers  # (which makes the scope's headers a list)


def _client_host(request: Request) -> str | None:
    """``request.client.host`` (None without a client), without building its Address."""
    client = request.scope.get("client")
    if type(client) is tuple and len(client) == 2:
        return client[0]
    address = request.client
    return address.host if address else None


async def _read_body(request: Request) -> bytes:
    """``await request.body()``: the same bytes, errors and state left in the request (the body cached
    where Starlette looks for it), without its async generator and context manager."""
    if getattr(request, "_stream_consumed", True) or hasattr(request, "_body"):
        return await request.body()
    receive = request.receive
    chunks: list[bytes] = []
    while True:
        message = await receive()
        kind = message["type"]
        if kind == "http.request":
            body = message.get("body", b"")
            if body:
                chunks.append(body)
            if not message.get("more_body", False):
                break
        elif kind == "http.disconnect":
            request._is_disconnected = True
            raise ClientDisconnect()
    request._stream_consumed = True
    raw = request._body = b"".join(chunks)
    return raw


# x-litellm-* header names as sent, and the values that repeat per deployment (model group and id, api
# base, version) encoded once: bytes-keyed, a dict of the head overwrites exactly as _headers' str-keyed one
_H_CALL_ID = b"x-litellm-call-id"
_H_VERSION = b"x-litellm-version"
_H_MODEL_GROUP = b"x-litellm-model-group"
_H_MODEL_ID = b"x-litellm-model-id"
_H_API_BASE = b"x-litellm-model-api-base"
_H_RETRIES = b"x-litellm-attempted-retries"
_H_FALLBACKS = b"x-litellm-attempted-fallbacks"
_H_MAX_RETRIES = b"x-litellm-max-retries"
_H_COST = b"x-litellm-response-cost"
_H_DURATION = b"x-litellm-response-duration-ms"
_H_OVERHEAD = b"x-litellm-overhead-duration-ms"
_MEMO_LIMIT = 4096  # the memos below see config strings and provider header names: bounded anyway
_ENCODED: dict[str, bytes] = {}
_API_BASES: dict[str, bytes] = {}
_EXTRA_NAMES: dict[str, tuple[bytes, ...]] = {}


def _encoded(text: str) -> bytes:
    data = _ENCODED.get(text)
    if data is None:
        data = text.encode("latin-1")
        if len(_ENCODED) >= _MEMO_LIMIT:
            _ENCODED.clear()
        _ENCODED[text] = data
    return data


def _encoded_api_base(api_base: Any) -> bytes:
    """``x-litellm-model-api-base``: the api base without its query string."""
    if type(api_base) is not str:
        return str(api_base).split("?")[0].encode("latin-1")
    data = _API_BASES.get(api_base)
    if data is None:
        data = api_base.split("?")[0].encode("latin-1")
        if len(_API_BASES) >= _MEMO_LIMIT:
            _API_BASES.clear()
        _API_BASES[api_base] = data
    return data


def _latin1(value: Any) -> bytes:
    """``str(value).encode("latin-1")``; an int without the str."""
    if type(value) is int:
        return b"%d" % value
    return str(value).encode("latin-1")


def _ms(value: Any) -> bytes:
    """``f"{value:.3f}"`` encoded (a float through bytes formatting: the same digits)."""
    if type(value) is float:
        return b"%.3f" % value
    return f"{value:.3f}".encode("latin-1")


def _extra_names(key: str) -> tuple[bytes, ...]:
    """The names a provider's or the Router's additional header is sent under (see _headers)."""
    if key.startswith("llm_provider-"):
        names: tuple[bytes, ...] = (key.encode("latin-1"),)
        if key.startswith("llm_provider-x-ratelimit-"):
            names += (key[13:].encode("latin-1"),)
    elif key.startswith("x-litellm-"):
        names = (key.encode("latin-1"),)
    else:
        names = ()
    if len(_EXTRA_NAMES) >= _MEMO_LIMIT:
        _EXTRA_NAMES.clear()
    _EXTRA_NAMES[key] = names
    return names


class LLMRoute:
    """The endpoint for one call type; ``await route(request)`` returns an ASGI response."""

    def __init__(
        self,
        state: Any,
        call_name: str,
        hook_call_type: str,
        *,
        multipart: bool = False,
        model_required: bool = True,
    ) -> None:
        self.state = state
        self.call_name = call_name
        self.hook_call_type = hook_call_type
        self.multipart = multipart
        self.model_required = model_required
        self.chat_like = hook_call_type in ("completion", "text_completion")
        # only audio answers can be other than JSON (reading a missing attribute of a pydantic
        # response raises inside pydantic: µs per request on every other route)
        self.maybe_binary = call_name in ("aspeech", "atranscription")

    # -- input --------------------------------------------------------------------------------------

    async def _body(self, request: Request, headers: Any) -> dict[str, Any]:
        limit = self.state.max_request_bytes
        length = headers.get("content-length")
        if limit and length and length.isdigit() and int(length) > limit:
            raise ProxyError(413, f"Request body is larger than max_request_size_mb ({limit // 1048576} MB)")
        if self.multipart:
            return await self._form(request)
        raw = await _read_body(request)
        if limit and len(raw) > limit:
            raise ProxyError(413, f"Request body is larger than max_request_size_mb ({limit // 1048576} MB)")
        if not raw:
            return {}
        try:
            body = loads(raw)
        except ValueError as exc:
            raise ProxyError(400, f"Invalid JSON in request body: {exc}", param="request_body") from None
        if not isinstance(body, dict):
            raise ProxyError(400, "Request body must be a JSON object")
        return body

    async def _form(self, request: Request) -> dict[str, Any]:
        ctype = request.headers.get("content-type", "")
        if not ctype.startswith("multipart/form-data"):
            raise ProxyError(400, "This route takes multipart/form-data (a 'file' part and form fields)")
        form = await request.form()
        data: dict[str, Any] = {}
        for key, value in form.multi_items():
            if not isinstance(value, str):  # an UploadFile
                content = await value.read()
                data[key] = (
                    value.filename or "audio",
                    content,
                    value.content_type or "application/octet-stream",
                )
            elif key.endswith("[]"):
                data.setdefault(key[:-2], []).append(value)
            else:
                data[key] = value
        for key in ("temperature",):
            if isinstance(data.get(key), str):
                try:
                    data[key] = float(data[key])
                except ValueError:
                    raise ProxyError(400, f"'{key}' must be a number") from None
        return data

    def _metadata(
        self, request: Request, headers: Any, body: dict[str, Any], auth: Any, route: str
    ) -> dict[str, Any]:
        md = body.get("metadata")
        metadata = dict(md) if isinstance(md, dict) else {}
        lm = body.pop("litellm_metadata", None)
        if isinstance(lm, dict):
            metadata.update(lm)
        metadata.update(auth.logging_metadata())
        metadata["requester_ip_address"] = (
            headers.get("x-forwarded-for", "").split(",")[0].strip() if self.state.trust_forwarded else ""
        ) or _client_host(request)
        metadata["user_agent"] = headers.get("user-agent")
        metadata["endpoint"] = route
        return metadata

    def _default_model(self) -> str | None:
        """OpenAI lets /moderations omit ``model``: the first group serving a moderation model."""
        if self.model_required:
            return None
        for d in self.state.backend.model_list:
            if "moderation" in d["litellm_params"]["model"]:
                return str(d["model_name"])
        return None

    # -- the request --------------------------------------------------------------------------------

    async def __call__(self, request: Request, route: str, path_model: str | None = None) -> Any:
        state = self.state
        started = time.time()
        call_id = new_call_id()
        if state.tracer is not None:  # the request's SERVER span; the call's GenAI span becomes its child
            _SPAN.set(_start_span(state.tracer, request, route, call_id))
        auth = None
        model: str | None = path_model
        info: CallInfo | None = None
        data: dict[str, Any] = {}
        try:
            headers = _headers_of(request)
            auth = await state.auth.authenticate(request, route, headers)
            data = await self._body(request, headers)
            bad = FORBIDDEN_BODY_KEYS.intersection(data)
            if bad:
                raise ProxyError(
                    400,
                    f"Rejected request: {', '.join(sorted(bad))} cannot be set in the request body on this proxy "
                    "(credentials and upstream targets come from the proxy's config)",
                    param=sorted(bad)[0],
                )
            model = path_model or data.get("model") or self._default_model()
            if not model:
                raise ProxyError(
                    400,
                    "'model' is required: one of " + ", ".join(state.backend.model_names()),
                    param="model",
                )
            data["model"] = model
            if self.call_name == "acompletion" and "messages" not in data:
                raise ProxyError(400, "'messages' is required: a list of chat messages", param="messages")
            admission = getattr(state, "admission", None)  # keys: access, limits, budgets (issue 15)
            if admission is not None:
                auth = await admission(auth, data, call_id, model, route)
            data["metadata"] = self._metadata(request, headers, data, auth, route)
            data["litellm_call_id"] = call_id
            hooks = state.hooks
            if hooks.pre:
                data = await hooks.run_pre_call(auth, data, self.hook_call_type)
                model = data.get("model") or model
            stream = bool(data.get("stream")) and self.call_name in (
                "acompletion",
                "atext_completion",
                "aresponses",
            )
            kwargs = dict(data)
            kwargs.pop("model", None)
            if hooks.moderation:
                moderation = asyncio.ensure_future(hooks.run_moderation(data, auth, self.hook_call_type))
                try:
                    result, info = await _unless_disconnected(
                        state.backend.call(self.call_name, model, kwargs), request.receive
                    )
                except BaseException:
                    moderation.cancel()
                    raise
                try:
                    await moderation
                except BaseException:
                    aclose = getattr(result, "aclose", None)
                    if stream and aclose is not None:
                        await aclose()
                    raise
            else:
                result, info = await _unless_disconnected(
                    state.backend.call(self.call_name, model, kwargs), request.receive
                )
        except RejectedRequest as rejected:
            return await self._rejected(rejected, data, auth, route, call_id, started, model)
        except Exception as exc:
            return await self._failed(exc, data, auth, route, call_id, started, model, info)
        if stream:
            return await self._stream_response(
                result, data, auth, route, call_id, started, model, info, request
            )
        return await self._json_response(result, data, auth, route, call_id, started, model, info, request)

    # -- output -------------------------------------------------------------------------------------

    def _headers(
        self, call_id: str, info: CallInfo | None, result: Any, started: float | None = None
    ) -> dict[str, str]:
        """The response headers as text (for header hooks, streams, binary replies and errors)."""
        raw = self._raw_headers(call_id, info, result, started)
        return {k.decode("latin-1"): v.decode("latin-1") for k, v in raw.items()}

    def _raw_headers(
        self, call_id: str, info: CallInfo | None, result: Any, started: float | None
    ) -> dict[bytes, bytes]:
        """The x-litellm-* headers (and the provider's rate-limit headers, as ``llm_provider-<name>`` and
        under their own name), encoded for the ASGI head as they are built: the names are constants and
        what repeats per deployment is encoded once."""
        version = self.state.version
        headers = {
            _H_CALL_ID: call_id.encode("latin-1"),
            _H_VERSION: _ENCODED.get(version) or _encoded(version),
        }
        hidden = _hidden(result) if result is not None else {}
        get = hidden.get
        if info is not None:
            api_base = get("api_base") or info.api_base
            group = info.model_group
            headers[_H_MODEL_GROUP] = _ENCODED.get(group) or _encoded(group)
            model_id = info.model_id
            if model_id:
                if type(model_id) is not str:
                    model_id = str(model_id)
                headers[_H_MODEL_ID] = _ENCODED.get(model_id) or _encoded(model_id)
            if api_base:
                headers[_H_API_BASE] = _encoded_api_base(api_base)
            headers[_H_RETRIES] = _latin1(info.attempted_retries)
            headers[_H_FALLBACKS] = _latin1(info.attempted_fallbacks)
            if info.max_retries is not None:
                headers[_H_MAX_RETRIES] = _latin1(info.max_retries)
        if hidden:  # (HiddenParams prices the call when its truthiness is read)
            cost = hidden.get("response_cost")
            if cost is not None:
                headers[_H_COST] = _latin1(cost)
            ms = get("_response_ms")
            if ms is not None:
                headers[_H_DURATION] = _ms(ms)
                if started is not None:
                    overhead = max(0.0, (time.time() - started) * 1000.0 - ms)
                    headers[_H_OVERHEAD] = _ms(overhead)
            extra = get("additional_headers")
            if extra:
                for key, value in extra.items():
                    if value is None:
                        continue
                    names = _EXTRA_NAMES.get(key)
                    if names is None:
                        names = _extra_names(key)
                    if names:  # (a provider's header value is a str: encoded without a call)
                        data = value.encode("latin-1") if type(value) is str else _latin1(value)
                        for name in names:
                            headers[name] = data
        return headers

    async def _json_response(
        self, result: Any, data: dict[str, Any], auth: Any, route: str, call_id: str, started: float,
        model: str | None, info: CallInfo | None, request: Request,
    ) -> Response | RawResponse:  # fmt: skip
        hooks = self.state.hooks
        try:
            if hooks.success:
                result = await hooks.run_success(data, auth, result)
        except Exception as exc:
            return await self._failed(exc, data, auth, route, call_id, started, model, info)
        response: Any
        if hooks.headers or self.maybe_binary:
            headers = self._headers(call_id, info, result, started)
            if hooks.headers:
                headers.update(
                    await hooks.run_headers(data, auth, result, dict(request.headers), {"call_id": call_id})
                )
            binary = _binary(result, data) if self.maybe_binary else None
            if binary is not None:
                content, media_type = binary
                response = Response(content, media_type=media_type, headers=headers)
            else:
                response = RawResponse(200, _dump(result), headers)
        else:
            raw = self._raw_headers(call_id, info, result, started)
            response = RawResponse(200, _dump(result), raw=raw)
        self._done(
            RequestRecord(
                call_id, route, self.call_name, auth, model, 200, started, time.time(), None, info, result
            ),
            response if type(response) is RawResponse else None,
        )
        return response

    async def _stream_response(
        self, stream: Any, data: dict[str, Any], auth: Any, route: str, call_id: str, started: float,
        model: str | None, info: CallInfo | None, request: Request,
    ) -> SSEResponse:  # fmt: skip
        hooks = self.state.hooks
        headers = self._headers(call_id, info, stream)
        if hooks.headers:
            headers.update(
                await hooks.run_headers(data, auth, stream, dict(request.headers), {"call_id": call_id})
            )
        return SSEResponse(self._sse(stream, data, auth, route, call_id, started, model, info), headers)

    async def _sse(
        self, stream: Any, data: dict[str, Any], auth: Any, route: str, call_id: str, started: float,
        model: str | None, info: CallInfo | None,
    ) -> AsyncIterator[bytes]:  # fmt: skip
        hooks = self.state.hooks
        source = hooks.wrap_stream(stream, auth, data) if hooks.stream_iter else stream
        error: BaseException | None = None
        text = ""
        try:
            async for chunk in source:
                if hooks.stream_chunk:
                    text += _chunk_text(chunk)
                    replacement = await hooks.on_chunk_text(auth, text)
                    if replacement is not None:
                        yield (
                            replacement.encode()
                            if replacement.endswith("\n\n")
                            else (replacement + "\n\n").encode()
                        )
                        break
                yield _dump_chunk(chunk)
            yield _DONE
        except (asyncio.CancelledError, GeneratorExit):
            # the client left: SSEResponse cancelled us (reading upstream) or closed us (sending a chunk)
            error = asyncio.CancelledError()
            raise
        except Exception as exc:  # the upstream failed mid-stream: tell the client in the stream
            error = exc
            _status, body, _ = error_payload(exc)
            yield b"data: " + body + b"\n\n"
            await hooks.run_failure(data, exc, auth)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                try:
                    await aclose()
                except Exception:  # closing a finished stream must not mask the outcome
                    pass
            status = 499 if isinstance(error, asyncio.CancelledError) else (500 if error else 200)
            self._done(
                RequestRecord(
                    call_id,
                    route,
                    self.call_name,
                    auth,
                    model,
                    status,
                    started,
                    time.time(),
                    error,
                    info,
                    None,
                    True,
                )
            )

    async def _failed(
        self, exc: Exception, data: dict[str, Any], auth: Any, route: str, call_id: str, started: float,
        model: str | None, info: CallInfo | None,
    ) -> RawResponse:  # fmt: skip
        if auth is not None and self.state.hooks.failure:  # an authenticated request that failed
            await self.state.hooks.run_failure(data, exc, auth)
        status, body, extra = error_payload(exc)
        headers = self._headers(call_id, info, None)
        if auth is not None and (model is not None or data):  # a parsed call that failed cost nothing
            headers["x-litellm-response-cost"] = "0.0"
        headers.update(extra)
        self._done(
            RequestRecord(
                call_id, route, self.call_name, auth, model, status, started, time.time(), exc, info
            )
        )
        return RawResponse(status, body, headers)

    async def _rejected(
        self, rejected: RejectedRequest, data: dict[str, Any], auth: Any, route: str, call_id: str,
        started: float, model: str | None,
    ) -> Any:  # fmt: skip
        """A pre-call hook's string answer, returned as the assistant's reply (LiteLLM's behaviour)."""
        await self.state.hooks.run_failure(data, rejected, auth)
        created = int(time.time())
        headers = {"x-litellm-call-id": call_id, "x-litellm-version": self.state.version}
        self._done(
            RequestRecord(call_id, route, self.call_name, auth, model, 200, started, time.time(), None, None)
        )
        if self.hook_call_type == "text_completion":
            body = {"id": f"cmpl-{call_id}", "object": "text_completion", "created": created, "model": model,
                    "choices": [{"index": 0, "text": rejected.message, "finish_reason": "stop", "logprobs": None}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}  # fmt: skip
        else:
            body = {"id": f"chatcmpl-{call_id}", "object": "chat.completion", "created": created, "model": model,
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": rejected.message}}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}  # fmt: skip
        if data.get("stream"):
            chunk = {"id": body["id"], "object": "chat.completion.chunk", "created": created, "model": model,
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": rejected.message},
                                  "finish_reason": "stop"}]}  # fmt: skip

            async def one() -> AsyncIterator[bytes]:
                yield b"data: " + json.dumps(chunk).encode() + b"\n\n"
                yield _DONE

            return SSEResponse(one(), headers)
        return Response(json.dumps(body).encode(), media_type=JSON, headers=headers)

    def _done(self, record: RequestRecord, response: RawResponse | None = None) -> None:
        """Run the request's sinks; those marked ``after_response`` once the answer is written: by
        ``response`` after its body when given (no loop callback), else in a loop callback."""
        if self.state.tracer is not None:
            _end_span(record)
        sinks = self.state.on_request_done
        if type(sinks) is not SinkList:
            _run_sinks(sinks, record)
            return
        now, later = sinks._split or sinks.split()
        if later and response is not None:
            response.after = (later, record)
        elif later:
            # bookkeeping nobody reads before the answer (metrics): run once it is written
            try:
                call_soon = asyncio.get_running_loop().call_soon
            except RuntimeError:  # no running loop (a stream finalised at shutdown): now, in order
                _run_sinks(sinks, record)
                return
            for sink in later:
                call_soon(_run_sink, sink, record)
        for sink in now:
            try:
                sink(record)
            except Exception as exc:  # a sink must never break a response
                _sink_failed(sink, exc)


class SinkList(list):
    """``state.on_request_done``: a list of sinks that knows which of them run after the answer
    (``after_response = True``, read when a sink is added), so a request does not ask each sink."""

    __slots__ = ("_split",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._split: tuple[tuple[Any, ...], tuple[Any, ...]] | None = None

    def split(self) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """(sinks to run at once, sinks to run after the answer), each in list order."""
        split = self._split
        if split is None:
            now: list[Any] = []
            later: list[Any] = []
            for sink in self:
                (later if getattr(sink, "after_response", False) else now).append(sink)
            split = self._split = (tuple(now), tuple(later))
        return split


def _changes(name: str) -> Any:
    method = getattr(list, name)

    def changed(self: SinkList, *args: Any) -> Any:
        self._split = None
        return method(self, *args)

    changed.__name__ = name
    return changed


for _name in (
    "append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse",
    "__setitem__", "__delitem__", "__iadd__", "__imul__",
):  # fmt: skip
    setattr(SinkList, _name, _changes(_name))
del _name


def _run_sinks(sinks: Any, record: RequestRecord) -> None:
    """Each sink in order, those marked ``after_response`` once the answer is written (when a loop runs)."""
    for sink in sinks:
        if getattr(sink, "after_response", False):
            try:
                asyncio.get_running_loop().call_soon(_run_sink, sink, record)
                continue
            except RuntimeError:  # no running loop (a stream finalised at shutdown): now
                pass
        _run_sink(sink, record)


def _run_sink(sink: Any, record: RequestRecord) -> None:
    try:
        sink(record)
    except Exception as exc:  # a sink must never break a response
        _sink_failed(sink, exc)


def _sink_failed(sink: Any, exc: Exception) -> None:
    from litellm.core.log import log_rate_limited

    log_rate_limited(("proxy_sink", repr(sink)), "on_request_done sink raised", error=repr(exc))


class ClientDisconnected(Exception):
    """The client went away while its request was being answered (recorded as status 499)."""

    status_code = 499


_GONE_MESSAGE = "the client disconnected before the answer; the upstream request was cancelled"

# A call still pending after this long gets a watcher task for the client's disconnect; a quicker one
# never pays for it (a task created, stepped, cancelled and stepped again: ~15 µs of a 2-core box's
# request path). A client that left in the meantime is seen when the watcher starts: uvicorn keeps the
# disconnect for the next receive().
_WATCH_AFTER = 0.02

# a pending call, as the watchdog keeps it (a list: made and read once or twice per request)
_DUE, _TASK, _RECEIVE, _WATCHER, _GONE = range(5)


class _Watchdog:
    """The calls pending on one event loop, oldest first, and one timer for all of them: it starts the
    watcher of each call still pending ``_WATCH_AFTER`` seconds after it began (a timer per request is
    a handle made, armed and cancelled per request; uvloop's is a libuv timer opened and closed)."""

    __slots__ = ("armed", "loop", "pending")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: deque[list[Any]] = deque()
        self.armed = False

    def watch(self, task: Any, receive: Any) -> list[Any]:
        due = self.loop.time() + _WATCH_AFTER
        entry = [due, task, receive, None, False]
        self.pending.append(entry)
        if not self.armed:
            self.armed = True
            self.loop.call_at(due, self._due)
        return entry

    def _due(self) -> None:
        pending = self.pending
        now = self.loop.time()
        while pending:
            entry = pending[0]
            if entry[_TASK] is not None and entry[_DUE] > now:
                self.loop.call_at(entry[_DUE], self._due)
                return
            pending.popleft()
            if entry[_TASK] is not None:  # still waiting for its answer
                entry[_WATCHER] = self.loop.create_task(_cancel_on_disconnect(entry))
        self.armed = False


# (loop, its watchdog): one loop per process in the proxy; another loop gets its own watchdog
_watchdog: tuple[Any, _Watchdog | None] = (None, None)


async def _cancel_on_disconnect(entry: list[Any]) -> None:
    receive = entry[_RECEIVE]
    if receive is None:  # answered before this watcher started
        return
    while (await receive())["type"] != "http.disconnect":
        pass
    task = entry[_TASK]
    if task is not None:
        entry[_GONE] = True
        task.cancel()


def _unless_disconnected(call: Any, receive: Any) -> Any:
    """Await ``call`` (the upstream request) in this task; if the client disconnects first, cancel it
    (closing the upstream connection) and raise ClientDisconnected. The request body was read already,
    so the only message ``receive`` can still deliver is the disconnect. Under the proxy's own HTTP
    server the connection cancels the call itself when the client leaves (no timer, no watcher task);
    under another ASGI server a call pending for more than ``_WATCH_AFTER`` seconds gets one watcher
    task. (Returns the coroutine to await.)"""
    cycle = getattr(receive, "__self__", None)
    if type(cycle) is _Cycle:
        return _cancelled_by_connection(call, cycle)
    return _watched(call, receive)


async def _watched(call: Any, receive: Any) -> Any:
    global _watchdog
    loop = asyncio.get_running_loop()
    owner, watchdog = _watchdog
    if owner is not loop or watchdog is None:
        watchdog = _Watchdog(loop)
        _watchdog = (loop, watchdog)
    current = asyncio.current_task(loop)
    entry = watchdog.watch(current, receive)
    try:
        return await call
    except asyncio.CancelledError:
        if not entry[_GONE]:
            raise
        uncancel = getattr(current, "uncancel", None)  # 3.11+: our own cancel is turned into an error
        if uncancel is not None:
            uncancel()
        raise ClientDisconnected(_GONE_MESSAGE) from None
    finally:
        entry[_TASK] = entry[_RECEIVE] = None  # answered: no watcher from now on
        watcher = entry[_WATCHER]
        if watcher is not None:
            watcher.cancel()


async def _cancelled_by_connection(call: Any, cycle: _Cycle) -> Any:
    """``_unless_disconnected`` under the proxy's HTTP server: the connection cancels this task when the
    client leaves while ``call`` is pending (a client already gone is not waited for)."""
    if cycle.disconnected:
        close = getattr(call, "close", None)
        if close is not None:  # never started: nothing goes upstream
            close()
        raise ClientDisconnected(_GONE_MESSAGE)
    current = cycle.cancel_on_disconnect = asyncio.current_task()
    try:
        return await call
    except asyncio.CancelledError:
        if not cycle.cancelled_on_disconnect:
            raise
        cycle.cancelled_on_disconnect = False
        uncancel = getattr(current, "uncancel", None)  # 3.11+: our own cancel is turned into an error
        if uncancel is not None:
            uncancel()
        raise ClientDisconnected(_GONE_MESSAGE) from None
    finally:
        cycle.cancel_on_disconnect = None


# the current request's SERVER span (set per request task; SSE producers inherit it)
_SPAN: contextvars.ContextVar[Any] = contextvars.ContextVar("litellm_proxy_span", default=None)


def _start_span(tracer: Any, request: Request, route: str, call_id: str) -> Any:
    """Start ``POST <route>`` (kind SERVER, W3C ``traceparent`` from the client honoured) and make it
    the current OpenTelemetry context of this request's task, where the pipeline captures it."""
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier = {k: v for k, v in request.headers.items() if k in ("traceparent", "tracestate")}
    parent = TraceContextTextMapPropagator().extract(carrier) if carrier else None
    span = tracer.start_span(
        f"{request.method} {route}",
        context=parent,
        kind=trace.SpanKind.SERVER,
        attributes={"http.request.method": request.method, "url.path": route, "litellm.call_id": call_id},
    )
    otel_context.attach(trace.set_span_in_context(span, parent))
    return span


def _end_span(record: RequestRecord) -> None:
    span = _SPAN.get()
    if span is None:
        return
    _SPAN.set(None)
    from opentelemetry.trace import Status, StatusCode

    span.set_attribute("http.response.status_code", record.status)
    if record.info is not None:
        span.set_attribute("litellm.model_group", record.info.model_group)
    if record.exception is not None or record.status >= 500:
        span.set_attribute(
            "error.type", type(record.exception).__name__ if record.exception else str(record.status)
        )
    if record.status >= 500:  # HTTP server semantics: a 4xx is the client's error, not the span's
        span.set_status(Status(StatusCode.ERROR))
    span.end()


def _binary(result: Any, data: dict[str, Any]) -> tuple[bytes, str] | None:
    """Replies that are not JSON: speech audio (bytes, media type), and transcriptions asked for as
    ``text`` / ``srt`` / ``vtt`` (OpenAI answers those as plain text)."""
    if isinstance(result, (bytes, bytearray)):
        return bytes(result), "audio/mpeg"
    content = getattr(result, "content", None)
    if isinstance(content, (bytes, bytearray)):
        return bytes(content), getattr(result, "content_type", None) or "application/octet-stream"
    fmt = data.get("response_format")
    if fmt in ("text", "srt", "vtt") and isinstance(getattr(result, "text", None), str):
        return result.text.encode(), "text/plain; charset=utf-8"
    return None


SinkFn = Callable[[RequestRecord], None]
