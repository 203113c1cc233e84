"""The call pipeline: completion / acompletion / embedding, from arguments to a typed response.

One path for every provider (DESIGN.md, "The life of a call"): split the arguments, resolve the provider
and credentials, open a per-call logging context, fire the pre-call event, build the request with the
provider's adapter, send it through the shared transport with retries, turn the answer into OpenAI types,
price it, and hand the success or failure event to the dispatcher. Providers, cost and logging are reached
through their registries, imported on first use; this module never imports the package root.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import httpx

from litellm.calls.context import CallContext
from litellm.calls.streaming import CustomStreamWrapper
from litellm.core import http as _http
from litellm.core.settings import env, settings
from litellm.core.types import EmbeddingResponse, ModelResponse

# OpenAI chat params: validated against the provider, dropped or rejected when unsupported
OPENAI_PARAMS = frozenset(
    {
        "temperature", "top_p", "n", "stream_options", "stop", "max_tokens", "max_completion_tokens",
        "presence_penalty", "frequency_penalty", "logit_bias", "user", "response_format", "seed", "tools",
        "tool_choice", "parallel_tool_calls", "logprobs", "top_logprobs", "web_search_options",
        "reasoning_effort", "modalities", "audio", "prediction", "service_tier", "store", "functions",
        "function_call", "thinking", "verbosity", "safety_identifier", "prompt_cache_key",
    }
)  # fmt: skip

# our own arguments: never sent to a provider as-is
LITELLM_PARAMS = frozenset(
    {
        "api_key", "api_base", "base_url", "api_version", "organization", "azure_ad_token", "timeout",
        "request_timeout", "num_retries", "max_retries", "metadata", "mock_response", "drop_params",
        "custom_llm_provider", "callbacks", "success_callback", "failure_callback", "extra_headers",
        "headers", "extra_body", "input_cost_per_token", "output_cost_per_token", "input_cost_per_second",
        "output_cost_per_second", "base_model", "litellm_call_id", "litellm_trace_id", "tags",
        "turn_off_message_logging", "model_info", "model_id", "mock_tool_calls", "litellm_logging_obj",
        "client", "proxy_server_request", "preset_cache_key", "caching", "cache", "no-log",
    }
)  # fmt: skip

_PRICING_KEYS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "input_cost_per_second",
    "output_cost_per_second",
)

# module-setting keys per provider (litellm.openai_key, ...), consulted after the call's own api_key
_PROVIDER_KEY_SETTINGS = {
    "openai": "openai_key",
    "anthropic": "anthropic_key",
    "azure": "azure_key",
    "groq": "groq_key",
}

# providers whose streams we ask for a usage chunk even when the caller did not (exact cost)
_ASK_STREAM_USAGE = frozenset({"openai", "azure"})

_dispatch_mod: Any = None
_stdlib_logger = logging.getLogger("litellm.pipeline")
_env_debug: bool | None = None


def _debug(event: str, **fields: Any) -> None:
    """A debug line through our structlog diagnostics, only when debug is on (LITELLM_LOG=DEBUG,
    litellm._turn_on_debug(), or the app's own logging config); costs a level check otherwise.
    Fields never carry keys or headers."""
    global _env_debug
    if _env_debug is None:
        _env_debug = (env("LITELLM_LOG") or "").upper() == "DEBUG"
    if _env_debug or _stdlib_logger.isEnabledFor(logging.DEBUG):
        from litellm.core.log import get_logger

        get_logger("litellm.pipeline").debug(event, **fields)


def _dispatch() -> Any:
    global _dispatch_mod
    if _dispatch_mod is None:
        from litellm.dispatch import dispatcher as dispatch

        _dispatch_mod = dispatch
    return _dispatch_mod


def _exc() -> Any:
    from litellm.core import exceptions

    return exceptions


# ---------------------------------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------------------------------


class _Call:
    """The arguments of one call, split once."""

    __slots__ = ("extra", "lp", "openai")

    def __init__(self, kwargs: dict[str, Any]) -> None:
        self.openai: dict[str, Any] = {}
        self.lp: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in OPENAI_PARAMS:
                if value is not None:
                    self.openai[key] = value
            elif key in LITELLM_PARAMS:
                self.lp[key] = value
            elif value is not None:
                self.extra[key] = value  # provider-specific: passed through untouched


def _resolve(model: str, lp: dict[str, Any]) -> Any:
    from litellm.providers.registry import resolve

    alias = settings.model_alias_map.get(model) if settings.model_alias_map else None
    return resolve(alias or model, lp.get("custom_llm_provider"), lp.get("api_base") or lp.get("base_url"))


def _credentials(adapter: Any, provider: str, model: str, lp: dict[str, Any], needs_key: bool) -> Any:
    """Argument, then module setting, then the provider's env vars (in the adapter's order)."""
    from litellm.providers.base import Credentials
    from litellm.providers.environment import credentials_from_env, missing_credentials

    key_setting = _PROVIDER_KEY_SETTINGS.get(provider)
    creds = Credentials(
        api_key=lp.get("api_key")
        or settings.api_key
        or (getattr(settings, key_setting) if key_setting else None),
        api_base=lp.get("api_base") or lp.get("base_url") or settings.api_base,
        api_version=lp.get("api_version") or settings.api_version,
        organization=lp.get("organization") or settings.organization,
        azure_ad_token=lp.get("azure_ad_token"),
    )
    creds = credentials_from_env(adapter, creds)
    if not creds.api_base:
        creds.api_base = adapter.default_api_base
    if needs_key:
        missing = missing_credentials(adapter, creds)
        if missing:
            names = " or ".join(missing)
            raise _exc().AuthenticationError(
                f"Missing credentials for provider '{provider}'. Set the {names} environment variable, "
                f"or pass it to the call (api_key=... / api_base=...), or set litellm.api_key.",
                provider,
                model,
            )
    return creds


def _optional_params(adapter: Any, model: str, call: _Call, drop: bool) -> dict[str, Any]:
    from litellm.providers.params import split_params

    params = split_params(adapter, model, call.openai, drop)
    if call.extra:
        params = {**params, **call.extra}
    return params


def _metadata(lp: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(lp.get("metadata") or {})
    if lp.get("tags"):
        metadata["tags"] = list(lp["tags"])
    return metadata


def _custom_pricing(lp: dict[str, Any]) -> dict[str, Any] | None:
    pricing = {k: lp[k] for k in _PRICING_KEYS if lp.get(k) is not None}
    if lp.get("base_model"):
        pricing["base_model"] = lp["base_model"]
    return pricing or None


def _timeout(lp: dict[str, Any]) -> Any:
    timeout = lp.get("timeout")
    if timeout is None:
        timeout = lp.get("request_timeout")
    return timeout if timeout is not None else settings.request_timeout


def _num_retries(lp: dict[str, Any]) -> int:
    for value in (lp.get("num_retries"), lp.get("max_retries"), settings.num_retries):
        if value is not None:
            return max(0, int(value))
    return 0


# ---------------------------------------------------------------------------------------------------
# Error mapping
# ---------------------------------------------------------------------------------------------------


def _error_body(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return content.decode("utf-8", "replace")[:2000]


def _status_error(
    adapter: Any, provider: str, model: str, status: int, content: bytes, headers: Mapping[str, str]
) -> Exception:
    body = _error_body(content)
    info = adapter.classify_error(status, body, headers)
    return _exc().make_error(
        info.kind,
        info.message,
        model=model,
        llm_provider=provider,
        status_code=status,
        body=body if isinstance(body, dict) else None,
        headers={
            k: v for k, v in headers.items() if k.lower() in ("retry-after", "retry-after-ms", "x-request-id")
        },
    )


def _map_exception(exc: BaseException, provider: str | None, model: str) -> BaseException:
    """Any exception from the transport or a stream -> our tree (ours pass through unchanged)."""
    exceptions = _exc()
    if isinstance(exc, (exceptions._LiteLLMErrorMixin, exceptions.BudgetExceededError)):
        return exc
    if isinstance(exc, httpx.TimeoutException) or isinstance(exc, asyncio.TimeoutError):
        return exceptions.Timeout(f"Request timed out: {type(exc).__name__}", model, provider)
    from litellm.providers.base import StreamErrorEvent

    if isinstance(exc, StreamErrorEvent):
        return _status_error_from_body(provider, model, exc.status_code, exc.body)
    if isinstance(exc, (httpx.TransportError, ConnectionError, OSError)) or type(exc).__module__.startswith(
        "aiohttp"
    ):
        if type(exc).__name__ in ("ServerTimeoutError", "SocketTimeoutError", "ConnectionTimeoutError"):
            return exceptions.Timeout(f"Request timed out: {exc}", model, provider)
        return exceptions.APIConnectionError(f"{type(exc).__name__}: {exc}", provider, model)
    if isinstance(exc, (ValueError, KeyError, TypeError)) and "JSON" in type(exc).__name__:
        return exceptions.APIResponseValidationError(str(exc), provider, model)
    return exceptions.APIConnectionError(f"{type(exc).__name__}: {exc}", provider, model)


def _status_error_from_body(provider: str | None, model: str, status: int, body: Any) -> Exception:
    from litellm.providers.registry import get_adapter

    adapter = get_adapter(provider or "openai")
    info = adapter.classify_error(status, body, {})
    return _exc().make_error(
        info.kind,
        info.message,
        model=model,
        llm_provider=provider,
        status_code=status,
        body=body if isinstance(body, dict) else None,
    )


def _is_retryable(exc: BaseException) -> bool:
    status = getattr(exc, "status_code", None)
    exceptions = _exc()
    if isinstance(exc, (exceptions.Timeout, exceptions.APIConnectionError)):
        return True
    return status in _http.RETRYABLE_STATUS


# ---------------------------------------------------------------------------------------------------
# Mock responses
# ---------------------------------------------------------------------------------------------------


def _mock_error(mock: Any, provider: str | None, model: str) -> BaseException | None:
    if not isinstance(mock, BaseException) and not (isinstance(mock, str) and mock.startswith("litellm.")):
        return None  # a plain mock answer: the exception module (and openai) stays unloaded
    exceptions = _exc()
    if isinstance(mock, BaseException):
        if isinstance(mock, (exceptions._LiteLLMErrorMixin, exceptions.BudgetExceededError)):
            return mock
        status = getattr(mock, "status_code", None)
        kind = exceptions.error_from_status(status) if status else "InternalServerError"
        return exceptions.make_error(
            kind, str(mock), model=model, llm_provider=provider, status_code=status or 500
        )
    if mock[8:] in exceptions.__all__:
        return exceptions.make_error(mock[8:], f"mock {mock[8:]}", model=model, llm_provider=provider)
    return None


def _mock_dict(mock: Any, model: str) -> dict[str, Any]:
    if isinstance(mock, dict):
        data = dict(mock)
        data.setdefault("model", model)
        return data
    if isinstance(mock, ModelResponse):
        return mock.model_dump()
    return {
        "id": f"chatcmpl-{time.time_ns()}",
        "created": int(time.time()),
        "model": model,
        "object": "chat.completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": str(mock)}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
    }


def _mock_chunks(data: dict[str, Any], include_usage: bool) -> list[dict[str, Any]]:
    text = (data["choices"][0].get("message") or {}).get("content") or ""
    base = {
        "id": data.get("id") or "chatcmpl-mock",
        "created": data.get("created") or int(time.time()),
        "model": data.get("model"),
        "object": "chat.completion.chunk",
    }
    pieces = [text[i : i + 3] for i in range(0, len(text), 3)] or [""]
    chunks = [
        {
            **base,
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": p} if i == 0 else {"content": p},
                    "finish_reason": None,
                }
            ],
        }
        for i, p in enumerate(pieces)
    ]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    usage_chunk = {**base, "choices": [], "usage": data.get("usage")}
    if include_usage or data.get("usage"):
        chunks.append(usage_chunk)
    return chunks


# ---------------------------------------------------------------------------------------------------
# Finishing a call
# ---------------------------------------------------------------------------------------------------


def _finish_success(ctx: CallContext, response: Any) -> None:
    ctx.end_time = time.time()
    ctx.result = response
    _debug(
        "llm call succeeded",
        call_id=ctx.litellm_call_id,
        model=ctx.model,
        ms=round((ctx.end_time - ctx.start_time) * 1000, 1),
    )
    if response is not None and not ctx.stream:
        private = response.__pydantic_private__
        if settings.max_budget:  # the budget needs the number now
            from litellm.calls.costing import cost_for

            ctx.cost = cost_for(ctx, response)
            private["_hidden_params"]["response_cost"] = ctx.cost.response_cost
            if ctx.cost.response_cost:
                _add_spend(ctx.cost.response_cost)
        else:  # priced when read (or by the logging worker), not on the request path
            from litellm.calls.costing import HiddenParams

            private["_hidden_params"] = HiddenParams(private["_hidden_params"], ctx, response)
    if ctx.callbacks is not None and not ctx.callbacks.empty:
        _dispatch().get_dispatcher().emit_success(ctx)


def _finish_failure(ctx: CallContext, exc: BaseException) -> None:
    ctx.end_time = time.time()
    ctx.exception = exc
    _debug(
        "llm call failed",
        call_id=ctx.litellm_call_id,
        model=ctx.model,
        error=type(exc).__name__,
        status=getattr(exc, "status_code", None),
        ms=round((ctx.end_time - ctx.start_time) * 1000, 1),
    )
    if ctx.callbacks is not None and not ctx.callbacks.empty:
        _dispatch().get_dispatcher().emit_failure(ctx)


def _finish_stream(ctx: CallContext, error: BaseException | None) -> BaseException | None:
    if error is not None:
        _finish_failure(ctx, error)
        return error
    ctx.end_time = time.time()
    if settings.max_budget and ctx.chunks:
        from litellm.calls.costing import cost_for

        ctx.cost = cost_for(ctx, ctx.complete_streaming_response())
        if ctx.cost.response_cost:
            _add_spend(ctx.cost.response_cost)
    if ctx.callbacks is not None and not ctx.callbacks.empty:
        _dispatch().get_dispatcher().emit_success(ctx)
    return None


_spend_lock = threading.Lock()


def _add_spend(cost: float) -> None:
    with _spend_lock:  # concurrent sync calls must not lose an update
        settings._current_cost += cost


def _check_budget() -> None:
    if settings.max_budget and settings._current_cost >= settings.max_budget:
        raise _exc().BudgetExceededError(settings._current_cost, settings.max_budget)


_HEADER_PREFIXES = (
    b"x-ratelimit",
    b"x-request-id",
    b"request-id",
    b"anthropic-ratelimit",
    b"openai-processing",
    b"retry-after",
)


def _headers_of_interest(headers: Any) -> dict[str, str]:
    """Rate-limit and request-id headers, as LiteLLM exposes them (``llm_provider-<name>``)."""
    raw = getattr(headers, "raw", None)  # httpx: (bytes, bytes) pairs, far cheaper than decoding all
    if raw is not None:
        return {
            f"llm_provider-{k.decode('latin-1').lower()}": v.decode("latin-1")
            for k, v in raw
            if k.lower().startswith(_HEADER_PREFIXES)
        }
    return {
        f"llm_provider-{k.lower()}": v
        for k, v in headers.items()
        if k.lower().encode("latin-1").startswith(_HEADER_PREFIXES)
    }


def _build_response(
    data: dict[str, Any], ctx: CallContext, started: float, headers: Mapping[str, str] | None
) -> ModelResponse:
    counted = not data.get("usage")
    if counted:  # some compatible servers omit usage: count locally, and say so in the payload
        from litellm.calls.streaming import count_usage

        data = {
            **data,
            "usage": count_usage(ctx.provider_model or ctx.model, ctx.messages, data.get("choices") or []),
        }
    response = ModelResponse.model_validate(data)
    response_ms = (time.time() - started) * 1000.0
    hidden = {
        "custom_llm_provider": ctx.custom_llm_provider,
        "api_base": ctx.api_base,
        "model_id": ctx.model_id,
        "litellm_call_id": ctx.litellm_call_id,
        "_response_ms": response_ms,
    }
    if counted:
        hidden["usage_counted"] = True
    if headers is not None:
        hidden["additional_headers"] = _headers_of_interest(headers)
    # private attributes written straight into pydantic's store: its __setattr__ costs µs per call
    private = response.__pydantic_private__
    private["_hidden_params"] = hidden
    private["_response_ms"] = response_ms
    ctx.raw_usage = data["usage"]
    ctx.raw_response = data
    return response


# ---------------------------------------------------------------------------------------------------
# The public calls
# ---------------------------------------------------------------------------------------------------


class _Prepared:
    __slots__ = (
        "adapter",
        "call",
        "ctx",
        "hide_usage",
        "model",
        "provider",
        "request",
        "retries",
        "stream",
        "timeout",
    )


def _prepare(
    model: str, messages: Any, kwargs: dict[str, Any], *, is_async: bool, call_type: str
) -> _Prepared:
    call = _Call(kwargs)
    lp = call.lp
    stream = bool(kwargs.get("stream"))
    dispatch = _dispatch()
    callbacks = dispatch.resolve_callbacks(
        lp.get("callbacks"), lp.get("success_callback"), lp.get("failure_callback")
    )
    metadata = _metadata(lp)
    ctx = CallContext(
        call_type=call_type,
        is_async=is_async,
        model=model,
        messages=messages,
        stream=stream,
        callbacks=None if callbacks.empty else callbacks,
        metadata=metadata,
        optional_params=call.openai,
        litellm_call_id=lp.get("litellm_call_id"),
        user=call.openai.get("user"),
        turn_off_message_logging=bool(
            lp.get("turn_off_message_logging")
            or metadata.get("turn_off_message_logging")
            or settings.turn_off_message_logging
        ),
    )
    ctx.custom_pricing = _custom_pricing(lp)
    p = _Prepared()
    p.call, p.ctx, p.stream, p.timeout, p.retries, p.hide_usage = (
        call,
        ctx,
        stream,
        _timeout(lp),
        _num_retries(lp),
        False,
    )
    p.request = None
    try:
        _check_budget()
        resolved = _resolve(model, lp)
        p.adapter, p.provider, p.model = resolved.adapter, resolved.provider, resolved.model
        ctx.custom_llm_provider, ctx.provider_model = p.provider, p.model
        if ctx.callbacks is not None:
            dispatch.get_dispatcher().emit_pre_call(ctx)
        mock = lp.get("mock_response")
        if mock is not None:
            ctx.api_base = lp.get("api_base") or p.adapter.default_api_base
            return p
        creds = _credentials(p.adapter, p.provider, p.model, lp, needs_key=True)
        ctx.api_base = creds.api_base
        drop = bool(lp["drop_params"]) if lp.get("drop_params") is not None else settings.drop_params
        params = _optional_params(p.adapter, p.model, call, drop)
        if stream and p.provider in _ASK_STREAM_USAGE and "stream_options" not in params:
            params["stream_options"] = {"include_usage": True}
            p.hide_usage = True
        ctx.optional_params = params
        headers = dict(settings.headers or {})
        headers.update(lp.get("extra_headers") or lp.get("headers") or {})
        p.request = p.adapter.build_request(
            p.model,
            messages,
            params,
            creds,
            stream=stream,
            extra_headers=headers or None,
            extra_body=lp.get("extra_body"),
        )
        _debug(
            "llm request",
            call_id=ctx.litellm_call_id,
            model=p.model,
            provider=p.provider,
            url=p.request.url,
            stream=stream,
            params=sorted(params),
        )
    except Exception as exc:
        mapped = _map_exception(exc, getattr(p, "provider", None), model)
        _finish_failure(ctx, mapped)
        raise mapped from (None if mapped is exc else exc)
    return p


def _mock_result(p: _Prepared) -> Any:
    ctx, lp = p.ctx, p.call.lp
    mock = lp["mock_response"]
    error = _mock_error(mock, p.provider, p.model)
    if error is not None:
        _finish_failure(ctx, error)
        raise error
    data = _mock_dict(mock, p.model)
    if p.stream:
        include_usage = bool((p.call.openai.get("stream_options") or {}).get("include_usage"))
        p.hide_usage = not include_usage  # a mock sends usage; show it only when asked, as a provider would
        return _stream_wrapper(p, mock_chunks=_mock_chunks(data, include_usage))
    response = _build_response(data, ctx, ctx.start_time, None)
    _finish_success(ctx, response)
    return response


def _chunk_hook(ctx: CallContext) -> Any:
    if ctx.callbacks is None or not ctx.callbacks.stream:
        return None
    dispatcher = _dispatch().get_dispatcher()
    return lambda chunk: dispatcher.emit_stream_chunk(ctx, chunk)


def _stream_wrapper(p: _Prepared, **transport: Any) -> CustomStreamWrapper:
    ctx = p.ctx
    return CustomStreamWrapper(
        ctx=ctx,
        adapter=p.adapter,
        model=p.model,
        finish=_finish_stream,
        map_error=lambda e: _map_exception(e, p.provider, p.model),
        collect=ctx.callbacks is not None or bool(settings.max_budget),
        on_chunk=_chunk_hook(ctx),
        hide_usage_only_chunk=p.hide_usage,
        **transport,
    )


def _retry_delay_or_raise(p: _Prepared, exc: Exception, attempt: int) -> float:
    """How long to wait before retrying ``exc``; or, when it is final, log the failure and raise it."""
    mapped = _map_exception(exc, p.provider, p.model)
    if attempt < p.retries and _is_retryable(mapped):
        return _http.backoff_delay(attempt, _http.retry_after_seconds(getattr(mapped, "headers", None)))
    if attempt:
        mapped.num_retries = attempt
        mapped.max_retries = p.retries
    _finish_failure(p.ctx, mapped)
    raise mapped from (None if mapped is exc else exc)


def completion(model: str, messages: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
    """Chat completion in the OpenAI format, for any provider. Returns ModelResponse, or a stream."""
    p = _prepare(model, messages or [], kwargs, is_async=False, call_type="completion")
    if p.request is None:
        return _mock_result(p)
    ctx, req = p.ctx, p.request
    client = _http.sync_client(req.url)
    timeout = _http.to_httpx_timeout(p.timeout)
    attempt = 0
    while True:
        try:
            if p.stream:
                request = client.build_request(
                    "POST", req.url, json=req.body, headers=req.headers, timeout=timeout
                )
                response = client.send(request, stream=True)
                if response.status_code >= 400:
                    content = response.read()
                    response.close()
                    raise _status_error(
                        p.adapter, p.provider, p.model, response.status_code, content, response.headers
                    )
                return _stream_wrapper(p, sync_response=response)
            started = time.time()
            response = client.post(req.url, json=req.body, headers=req.headers, timeout=timeout)
            if response.status_code >= 400:
                raise _status_error(
                    p.adapter, p.provider, p.model, response.status_code, response.content, response.headers
                )
            data = p.adapter.parse_response(p.model, response.json())
            result = _build_response(data, ctx, started, response.headers)
        except Exception as exc:
            time.sleep(_retry_delay_or_raise(p, exc, attempt))
            attempt += 1
            continue
        _finish_success(ctx, result)
        return result


async def acompletion(model: str, messages: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
    """Async chat completion; with ``stream=True`` returns an async-iterable stream."""
    p = _prepare(model, messages or [], kwargs, is_async=True, call_type="acompletion")
    if p.request is None:
        return _mock_result(p)
    ctx, req = p.ctx, p.request
    timeout = _http.aiohttp_timeout(p.timeout)
    body = json.dumps(req.body).encode()
    headers = {**req.headers, "Content-Type": "application/json"}
    attempt = 0
    while True:
        try:
            session = _http.async_session(req.url)
            started = time.time()
            response = await session.post(req.url, data=body, headers=headers, timeout=timeout)
            if response.status >= 400:
                content = await response.read()
                response.release()
                raise _status_error(
                    p.adapter, p.provider, p.model, response.status, content, response.headers
                )
            if p.stream:
                return _stream_wrapper(p, async_response=response)
            content = await response.read()
            response.release()
            data = p.adapter.parse_response(p.model, json.loads(content))
            result = _build_response(data, ctx, started, response.headers)
        except Exception as exc:
            await asyncio.sleep(_retry_delay_or_raise(p, exc, attempt))
            attempt += 1
            continue
        _finish_success(ctx, result)
        return result


# ---------------------------------------------------------------------------------------------------
# Embeddings (OpenAI-format providers)
# ---------------------------------------------------------------------------------------------------


def _prepare_embedding(
    model: str, input: Any, kwargs: dict[str, Any], is_async: bool
) -> tuple[_Prepared, Any]:
    kwargs = dict(kwargs)
    params = {k: kwargs.pop(k) for k in ("dimensions", "encoding_format", "user") if k in kwargs}
    p = _prepare(model, [], kwargs, is_async=is_async, call_type="aembedding" if is_async else "embedding")
    p.ctx.messages = input
    if p.request is not None:
        url = p.request.url
        if "/chat/completions" not in url:
            error = _exc().BadRequestError(
                f"Provider '{p.provider}' has no embeddings endpoint here; use an OpenAI-compatible provider.",
                p.model,
                p.provider,
            )
            _finish_failure(p.ctx, error)
            raise error
        p.request.url = url.replace("/chat/completions", "/embeddings")
        p.request.body = {"model": p.request.body.get("model", p.model), "input": input, **params}
        p.ctx.optional_params = params
    return p, input


def _embedding_from(data: dict[str, Any], ctx: CallContext, started: float) -> EmbeddingResponse:
    response = EmbeddingResponse.model_validate(data)
    response._response_ms = (time.time() - started) * 1000.0
    response._hidden_params.update(
        {
            "custom_llm_provider": ctx.custom_llm_provider,
            "api_base": ctx.api_base,
            "litellm_call_id": ctx.litellm_call_id,
        }
    )
    return response


def _mock_embedding(p: _Prepared, input: Any) -> EmbeddingResponse:
    items = input if isinstance(input, list) else [input]
    data = {
        "object": "list",
        "model": p.model,
        "data": [{"object": "embedding", "index": i, "embedding": [0.0] * 8} for i in range(len(items))],
        "usage": {"prompt_tokens": 5 * len(items), "total_tokens": 5 * len(items)},
    }
    result = _embedding_from(data, p.ctx, p.ctx.start_time)
    _finish_success(p.ctx, result)
    return result


def embedding(model: str, input: Any = None, **kwargs: Any) -> EmbeddingResponse:
    """Embeddings in the OpenAI format."""
    p, input = _prepare_embedding(model, input, kwargs, is_async=False)
    if p.request is None:
        return _mock_embedding(p, input)
    client = _http.sync_client(p.request.url)
    try:
        started = time.time()
        response = client.post(
            p.request.url,
            json=p.request.body,
            headers=p.request.headers,
            timeout=_http.to_httpx_timeout(p.timeout),
        )
        if response.status_code >= 400:
            raise _status_error(
                p.adapter, p.provider, p.model, response.status_code, response.content, response.headers
            )
        result = _embedding_from(response.json(), p.ctx, started)
    except Exception as exc:
        mapped = _map_exception(exc, p.provider, p.model)
        _finish_failure(p.ctx, mapped)
        raise mapped from (None if mapped is exc else exc)
    _finish_success(p.ctx, result)
    return result


async def aembedding(model: str, input: Any = None, **kwargs: Any) -> EmbeddingResponse:
    p, input = _prepare_embedding(model, input, kwargs, is_async=True)
    if p.request is None:
        return _mock_embedding(p, input)
    try:
        session = _http.async_session(p.request.url)
        started = time.time()
        headers = {**p.request.headers, "Content-Type": "application/json"}
        async with session.post(
            p.request.url,
            data=json.dumps(p.request.body).encode(),
            headers=headers,
            timeout=_http.aiohttp_timeout(p.timeout),
        ) as response:
            content = await response.read()
            if response.status >= 400:
                raise _status_error(
                    p.adapter, p.provider, p.model, response.status, content, response.headers
                )
        result = _embedding_from(json.loads(content), p.ctx, started)
    except Exception as exc:
        mapped = _map_exception(exc, p.provider, p.model)
        _finish_failure(p.ctx, mapped)
        raise mapped from (None if mapped is exc else exc)
    _finish_success(p.ctx, result)
    return result


def check_valid_key(model: str, api_key: str) -> bool:
    """Whether ``api_key`` works for ``model``: makes one 1-token completion, True unless it fails."""
    try:
        completion(
            model=model,
            messages=[{"role": "user", "content": "Hey, how's it going?"}],
            max_tokens=1,
            api_key=api_key,
        )
    except Exception:  # any failure (bad key, unknown model, network) means "not valid" for this helper
        return False
    return True


# ---------------------------------------------------------------------------------------------------
# Logging controls
# ---------------------------------------------------------------------------------------------------


def flush_callbacks(timeout: float | None = 10.0) -> bool:
    """Wait until every queued logging event has been delivered (or ``timeout`` passes)."""
    return bool(_dispatch().get_dispatcher().flush(timeout))


def callback_stats() -> dict[str, Any]:
    """Counters: events emitted, delivered, failed, dropped (with reasons), per callback and exporter."""
    stats = dict(_dispatch().get_dispatcher().stats())
    try:
        from litellm.exporters.registry import all_stats

        stats["exporters"] = all_stats()
    except ImportError:
        pass
    return stats
