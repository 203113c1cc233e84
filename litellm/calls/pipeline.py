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
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, NoReturn

import httpx

from litellm.calls import follow_ups, seams
from litellm.calls.context import CallContext
from litellm.calls.costing import HiddenParams, cost_for
from litellm.calls.send import Failed, asend, map_exception, send
from litellm.calls.spec import CallSpec, Prepared
from litellm.calls.streaming import CustomStreamWrapper
from litellm.calls.validate import validate_chat_request as _validate
from litellm.core import jsonfast as _jsonfast
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
        "litellm_attempt", "add_function_to_prompt", "model_group", "logger_fn", "verbose",
        "stream_timeout", "litellm_session_id", "user_continue_message", "max_parallel_requests",
    }
)  # fmt: skip

_PRICING_KEYS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "input_cost_per_second",
    "output_cost_per_second",
)
_PRICING_ARGS = frozenset((*_PRICING_KEYS, "base_model"))

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


def _debug_on() -> bool:
    """Whether debug lines are on (LITELLM_LOG=DEBUG, litellm._turn_on_debug(), or the app's own
    logging config): callers check it before computing a line's fields."""
    global _env_debug
    if _env_debug is None:
        _env_debug = (env("LITELLM_LOG") or "").upper() == "DEBUG"
    return _env_debug or _stdlib_logger.isEnabledFor(logging.DEBUG)


def _debug(event: str, **fields: Any) -> None:
    """A debug line through our structlog diagnostics, only when debug is on (see :func:`_debug_on`).
    Fields never carry keys or headers."""
    if _debug_on():
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


_warm_started = False


def _warm_exceptions() -> None:
    """Import the exception module (and ``openai``, whose classes ours subclass) on a background thread
    once the first call starts, so a process's first error is not ~1 s slower than the next one.
    ``import litellm`` stays light; a process that never calls pays nothing."""
    global _warm_started
    _warm_started = True
    if "litellm.core.exceptions" in sys.modules:
        return

    def warm() -> None:
        try:
            import litellm.core.exceptions  # noqa: F401
        except Exception:  # the first real error will raise the import problem itself
            pass

    threading.Thread(target=warm, name="litellm-warm-exceptions", daemon=True).start()


# ---------------------------------------------------------------------------------------------------
# Argument handling
# ---------------------------------------------------------------------------------------------------


class _Call:
    """The arguments of one call, split once: OpenAI params of the call type, our own (``lp``), and
    provider-specific extras (passed through untouched)."""

    __slots__ = ("extra", "lp", "openai", "raw")

    def __init__(self, kwargs: dict[str, Any], openai_params: frozenset[str] = OPENAI_PARAMS) -> None:
        self.raw = kwargs
        self.openai: dict[str, Any] = {}
        self.lp: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in openai_params:
                if value is not None:
                    self.openai[key] = value
            elif key in LITELLM_PARAMS:
                self.lp[key] = value
            elif value is not None:
                self.extra[key] = value


_prov: Any = None


def _providers() -> Any:
    """The provider-layer functions the request path calls, imported together on first use: an
    import statement inside a function costs ~1 µs per call, and ``import litellm`` stays light."""
    global _prov
    if _prov is None:
        from types import SimpleNamespace

        from litellm.providers.base import Credentials
        from litellm.providers.environment import credentials_from_env, missing_credentials
        from litellm.providers.params import split_params
        from litellm.providers.registry import resolve

        _prov = SimpleNamespace(
            Credentials=Credentials,
            credentials_from_env=credentials_from_env,
            missing_credentials=missing_credentials,
            split_params=split_params,
            resolve=resolve,
        )
    return _prov


def _resolve(model: str, lp: dict[str, Any]) -> Any:
    return (_prov or _providers()).resolve(
        model, lp.get("custom_llm_provider"), lp.get("api_base") or lp.get("base_url")
    )


def _credentials(adapter: Any, provider: str, model: str, lp: dict[str, Any], needs_key: bool) -> Any:
    """Argument, then module setting, then the provider's env vars (in the adapter's order)."""
    pv = _prov or _providers()
    key_setting = _PROVIDER_KEY_SETTINGS.get(provider)
    # an adapter may refuse litellm.api_key (Vertex express mode must never send another provider's key)
    module_key = (
        settings.api_key or (getattr(settings, key_setting) if key_setting else None)
        if getattr(adapter, "uses_module_api_key", True)
        else None
    )
    creds = pv.Credentials(
        api_key=lp.get("api_key") or module_key,
        api_base=lp.get("api_base") or lp.get("base_url") or settings.api_base,
        api_version=lp.get("api_version") or settings.api_version,
        organization=lp.get("organization") or settings.organization,
        azure_ad_token=lp.get("azure_ad_token"),
    )
    creds = pv.credentials_from_env(adapter, creds)
    if not creds.api_base:
        creds.api_base = adapter.default_api_base
    if needs_key:
        missing = pv.missing_credentials(adapter, creds)
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
    if not call.openai:  # nothing to check (a proxied chat call as a rule): split_params would give {}
        return {**call.extra}
    params = (_prov or _providers()).split_params(adapter, model, call.openai, drop)
    if call.extra:
        params = {**params, **call.extra}
    return params


def _metadata(lp: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(lp.get("metadata") or {})
    if lp.get("tags"):
        metadata["tags"] = list(lp["tags"])
    return metadata


def _custom_pricing(lp: dict[str, Any]) -> dict[str, Any] | None:
    if _PRICING_ARGS.isdisjoint(lp):  # no pricing argument (a C-level check, the common case)
        return None
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
    value = lp.get("num_retries")
    if value is None:
        value = lp.get("max_retries")
        if value is None:
            value = settings.num_retries
    return 0 if value is None else max(0, int(value))


# ---------------------------------------------------------------------------------------------------
# Finishing a call: exactly one terminal event
# ---------------------------------------------------------------------------------------------------


def _merge_attempt(ctx: CallContext, attempt: Any) -> None:
    extra = getattr(attempt, "metadata", None)
    if extra:
        ctx.metadata.update(extra)


def _finish_success(ctx: CallContext, response: Any, attempt: Any = None) -> None:
    ctx.end_time = time.time()
    if attempt is not None:
        _merge_attempt(ctx, attempt)
    if _debug_on():
        _debug(
            "llm call succeeded",
            call_id=ctx.litellm_call_id,
            model=ctx.model,
            ms=round((ctx.end_time - ctx.start_time) * 1000, 1),
        )
    if response is not None and not ctx.stream:
        private = getattr(response, "__pydantic_private__", None)
        if private is not None and private.get("_hidden_params") is not None:
            if settings.max_budget:  # the budget needs the number now
                if ctx.cost is None:  # a spec may already have priced it with facts usage lacks
                    ctx.cost = cost_for(ctx, response)
                private["_hidden_params"]["response_cost"] = ctx.cost.response_cost
                if ctx.cost.response_cost:
                    _add_spend(ctx.cost.response_cost)
            else:  # priced when read (or by the logging worker), not on the request path
                private["_hidden_params"] = HiddenParams(private["_hidden_params"], ctx, response)
    if ctx.callbacks is not None and not ctx.callbacks.empty:
        # only an event reads ctx.result: without one, the response -> hidden params -> context
        # chain has no way back, so refcounting frees a call's objects (no cyclic GC work per call)
        ctx.result = response
        _dispatch().get_dispatcher().emit_success(ctx)


def _finish_failure(ctx: CallContext, exc: BaseException, attempt: Any = None) -> None:
    if ctx.end_time is None:  # a reply's arrival time, when known: our own work is not provider latency
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
    if attempt is not None:
        _merge_attempt(ctx, attempt)
        on_failure = getattr(attempt, "on_failure", None)
        if on_failure is not None and on_failure(ctx, exc):
            return  # the Router retries or falls back; it emits the one event when it gives up
    emit_failure(ctx)


def emit_failure(ctx: CallContext) -> None:
    """Hand a failed call's one event to the dispatcher (the Router calls this for the attempt it gave
    up on, after adding its metadata)."""
    if ctx.callbacks is not None and not ctx.callbacks.empty:
        _dispatch().get_dispatcher().emit_failure(ctx)


def _finish_stream(ctx: CallContext, error: BaseException | None) -> BaseException | None:
    if error is not None:
        _finish_failure(ctx, error, ctx.attempt)
        return error
    ctx.end_time = time.time()
    if (settings.max_budget or settings.cache is not None) and ctx.chunks:
        assembled = ctx.complete_streaming_response()
        if settings.max_budget:
            from litellm.calls.costing import cost_for

            ctx.cost = cost_for(ctx, assembled)
            if ctx.cost.response_cost:
                _add_spend(ctx.cost.response_cost)
        _cache_store_stream(ctx, assembled)
    if ctx.callbacks is not None and not ctx.callbacks.empty:
        _dispatch().get_dispatcher().emit_success(ctx)
    return None


def _interrupted(exc: BaseException, p: Prepared) -> BaseException:
    """The record for a call ended by cancellation or an interrupt (the caller still gets ``exc``)."""
    exceptions = _exc()
    kind = "cancelled" if isinstance(exc, asyncio.CancelledError) else type(exc).__name__
    error = exceptions.APIConnectionError(
        f"Call {kind} by the caller after {time.time() - p.ctx.start_time:.3f}s (no answer was received)",
        p.provider,
        p.model,
    )
    error.interrupted_by = type(exc).__name__
    return error


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


# header name as received (bytes or str) -> (its llm_provider-<name> key, whether it is of interest):
# providers send the same dozen names on every reply, so each is decoded and matched once
_header_names: dict[Any, tuple[str, bool]] = {}


def _header_name(key: Any) -> tuple[str, bool]:
    lower = (key.decode("latin-1") if isinstance(key, bytes) else key).lower()
    found = (f"llm_provider-{lower}", lower.encode("latin-1", "replace").startswith(_HEADER_PREFIXES))
    if len(_header_names) > 4096:  # names come from servers: keep the memo bounded
        _header_names.clear()
    _header_names[key] = found
    return found


def _headers_of_interest(headers: Any) -> dict[str, str]:
    """Rate-limit and request-id headers, as LiteLLM exposes them (``llm_provider-<name>``); all of
    them with ``litellm.return_response_headers``."""
    everything = settings.return_response_headers
    names = _header_names
    out: dict[str, str] = {}
    if type(headers) is httpx.Headers:  # its (raw, lowercased, value) bytes: nothing decoded twice
        for _, key, value in headers._list:
            name, wanted = names.get(key) or _header_name(key)
            if wanted or everything:
                out[name] = value.decode("latin-1")
        return out
    for key, value in headers.items():
        name, wanted = names.get(key) or _header_name(key)
        if wanted or everything:
            out[name] = value.decode("latin-1") if isinstance(value, bytes) else value
    return out


def _hidden(ctx: CallContext, response_ms: float, headers: Any) -> dict[str, Any]:
    hidden: dict[str, Any] = {
        "custom_llm_provider": ctx.custom_llm_provider,
        "api_base": ctx.api_base,
        "model_id": ctx.model_id,
        "litellm_call_id": ctx.litellm_call_id,
        "litellm_model_name": ctx.model,  # the model as the caller passed it (LiteLLM's field)
        "_response_ms": response_ms,
    }
    if headers is not None:
        hidden["additional_headers"] = _headers_of_interest(headers)
    return hidden


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
    hidden = _hidden(ctx, response_ms, headers)
    if counted:
        hidden["usage_counted"] = True
    # private attributes written straight into pydantic's store: its __setattr__ costs µs per call
    private: dict[str, Any] = response.__pydantic_private__  # type: ignore[assignment]
    private["_hidden_params"] = hidden
    private["_response_ms"] = response_ms
    ctx.raw_usage = data["usage"]
    ctx.raw_response = data
    return response


# ---------------------------------------------------------------------------------------------------
# Preparation: shared by every call type
# ---------------------------------------------------------------------------------------------------

_NO_MOCK = object()


def _serialise(p: Prepared) -> None:
    """The request body as the exact bytes sent (signed as is); content that JSON cannot carry is the
    caller's error, named, and never retried."""
    req = p.request
    if req.body is None:
        p.body = req.content
        return
    try:
        p.body = _jsonfast.dumps_exact(req.body).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        where = _unserialisable_part(p.inputs) or "the request"
        raise _exc().BadRequestError(
            f"{where} cannot be sent as JSON ({type(exc).__name__}: {exc}). Pass text as str (decode bytes "
            "first), images as base64 data URLs, and remove unpaired surrogate characters.",
            p.model,
            p.provider,
        ) from None
    headers = req.headers
    if "Content-Type" not in headers and "content-type" not in headers:
        headers["Content-Type"] = "application/json"


def _unserialisable_part(inputs: dict[str, Any]) -> str | None:
    def bad(value: Any) -> bool:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError, UnicodeEncodeError):
            return True
        return False

    for name, value in inputs.items():
        if name == "messages" and isinstance(value, list):
            for i, message in enumerate(value):
                if not bad(message):
                    continue
                content = message.get("content") if isinstance(message, Mapping) else None
                if isinstance(content, list):
                    for j, part in enumerate(content):
                        if bad(part):
                            return f"messages[{i}].content[{j}]"
                return f"messages[{i}]" + (".content" if content is not None and bad(content) else "")
        elif bad(value):
            return name
    return None


def _prepare(
    spec: CallSpec, model: str, inputs: dict[str, Any], kwargs: dict[str, Any], is_async: bool
) -> Prepared:
    """Everything before the first byte is sent. A failure here is logged once and raised, mapped."""
    if not _warm_started:
        _warm_exceptions()
    if settings.model_alias_map:  # LiteLLM swaps an alias for its model before anything reads the name
        model = settings.model_alias_map.get(model, model)
    call = _Call(kwargs, spec.openai_params)
    lp = call.lp
    p = Prepared(spec, inputs, is_async)
    p.call = call
    p.stream = bool(kwargs.get("stream")) and spec.streamable
    dispatch = _dispatch()
    callbacks = dispatch.resolve_callbacks(
        lp.get("callbacks"), lp.get("success_callback"), lp.get("failure_callback")
    )
    metadata = _metadata(lp)
    ctx = CallContext(
        call_type=spec.async_name if is_async else spec.name,
        is_async=is_async,
        model=model,
        messages=spec.log_input(inputs),
        stream=p.stream,
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
    p.ctx = ctx
    model_info = lp.get("model_info")
    ctx.model_id = lp.get("model_id") or (
        model_info.get("id") if type(model_info) is dict or isinstance(model_info, Mapping) else None
    )
    ctx.custom_pricing = _custom_pricing(lp)
    p.timeout = _timeout(lp)
    p.retries = _num_retries(lp)
    if lp.get("timeout") is not None or lp.get("request_timeout") is not None:
        p.deadline = ctx.start_time + float(p.timeout) if not isinstance(p.timeout, httpx.Timeout) else None
    p.attempt = ctx.attempt = lp.get("litellm_attempt")
    client = lp.get("client")
    if client is None:
        client = settings.aclient_session if is_async else settings.client_session
    p.client = client
    p.mock = lp.get("mock_response", _NO_MOCK) if "mock_response" in lp else _NO_MOCK
    try:
        _check_budget()
        resolved = _resolve(model, lp)
        p.adapter, p.provider, p.model = resolved.adapter, resolved.provider, resolved.model
        ctx.custom_llm_provider, ctx.provider_model = p.provider, p.model
        if spec.name == "completion" and _validate is not None:
            _validate(inputs.get("messages"), call.openai, model=p.model, llm_provider=p.provider)
        if ctx.callbacks is not None:
            dispatch.get_dispatcher().emit_pre_call(ctx)
        if p.mock is not _NO_MOCK:
            ctx.api_base = _mask_api_base(lp.get("api_base") or p.adapter.default_api_base)
            p.params = dict(call.openai)
            return p
        p.creds = _credentials(p.adapter, p.provider, p.model, lp, needs_key=True)
        ctx.api_base = _mask_api_base(p.creds.api_base)
        if spec.check_params:
            drop = bool(lp["drop_params"]) if lp.get("drop_params") is not None else settings.drop_params
            p.params = _optional_params(p.adapter, p.model, call, drop)
            if p.stream and p.provider in _ASK_STREAM_USAGE and "stream_options" not in p.params:
                p.params["stream_options"] = {"include_usage": True}
                p.hide_usage = True
        else:
            p.params = {**call.openai, **call.extra}
        ctx.optional_params = p.params
    except Exception as exc:
        _prepare_failed(p, model, exc)
    return p


def _build(p: Prepared) -> None:
    """The wire request, built and serialised once the cache (if any) missed: a hit never pays for it."""
    try:
        p.request = p.spec.build(p)
        _serialise(p)
        if _debug_on():
            _debug(
                "llm request",
                call_id=p.ctx.litellm_call_id,
                model=p.model,
                provider=p.provider,
                url=_mask_api_base(p.request.url),
                stream=p.stream,
                params=sorted(p.params),
            )
    except Exception as exc:
        _prepare_failed(p, p.ctx.model, exc)


def _prepare_failed(p: Prepared, model: str, exc: Exception) -> NoReturn:
    """A call that cannot be made: logged once (its failure event) and raised, mapped."""
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, _exc()._LiteLLMErrorMixin):
        # a request that cannot be built from these arguments is the caller's error, never a reply's
        mapped: BaseException = _exc().BadRequestError(
            f"{type(exc).__name__}: {exc}", p.model or model, p.provider
        )
    else:
        mapped = map_exception(exc, p.provider, model, p.adapter)
    _finish_failure(p.ctx, mapped)
    raise mapped from (None if mapped is exc else exc)


def _mask_api_base(url: str | None) -> str | None:
    if not url or ("@" not in url and "?" not in url):
        return url
    from litellm.core.redact import mask_url

    return str(mask_url(url))


# ---------------------------------------------------------------------------------------------------
# Execution: cache seam, mock, the one send path, parse, finish
# ---------------------------------------------------------------------------------------------------


def _cache_hooks() -> Any:
    """The caching layer's hooks while ``litellm.cache`` is set (registered in :mod:`litellm.calls.seams`
    by ``litellm.caching.hooks``; the pipeline never imports the layer above it)."""
    if settings.cache is None:
        return None
    return seams.cache


def _cache_kwargs(p: Prepared) -> dict[str, Any]:
    return {"model": p.ctx.model, **p.inputs, **p.call.raw}


def _from_cache(p: Prepared, lookup: Any) -> Any:
    """A hit: the stored response restored (a stream replays as a stream); one event, cost 0."""
    ctx = p.ctx
    if isinstance(lookup, _ItemsHit):
        response, _ = _items_response(p, None)
        _finish_success(ctx, response, p.attempt)
        return response
    ctx.cache_hit = True
    ctx.cache_key = lookup.key
    value = lookup.value
    if p.stream and p.spec.name == "completion":
        p.hide_usage = not bool((p.call.openai.get("stream_options") or {}).get("include_usage"))
        return _stream_wrapper(p, mock_chunks=_mock_chunks(value, True))
    assert p.spec.from_cache is not None
    response = p.spec.from_cache(p, value)
    private = getattr(response, "__pydantic_private__", None)
    if private is not None:
        hidden = private.get("_hidden_params") or {}
        hidden.update({"cache_hit": True, "cache_key": lookup.key})
        private["_hidden_params"] = hidden
    _finish_success(ctx, response, p.attempt)
    return response


def _item_lookup_done(p: Prepared, keys: list[str], hits: dict[int, Any]) -> Any:
    """After a per-item lookup: every item found -> the response (a hit); some -> only the missing
    items are sent (the request is rebuilt); none -> the call goes as prepared."""
    if not keys:
        return None
    items = p.inputs["input"] if isinstance(p.inputs["input"], list) else [p.inputs["input"]]
    p.items = (keys, hits, items)
    if len(hits) == len(items):
        return _ItemsHit()
    if hits and p.mock is _NO_MOCK:  # the request (built after the lookup) carries only the misses
        p.inputs = {**p.inputs, "input": [item for i, item in enumerate(items) if i not in hits]}
    return None


class _ItemsHit:
    """Every input item of an embedding call came from the cache."""

    key = "items"


def _items_response(p: Prepared, response: Any | None) -> Any:
    """The caller's response in the caller's item order: cached vectors and the fresh ones merged
    (usage and cost are those of the items actually sent). Returns the fresh vectors to store too."""
    assert p.items is not None
    keys, hits, items = p.items
    fresh: dict[int, Any] = {}
    if response is not None:
        missing = [i for i in range(len(items)) if i not in hits]
        for position, datum in zip(missing, response.data, strict=True):
            fresh[position] = datum["embedding"]
    vectors = {**hits, **fresh}
    data = {
        "object": "list",
        "model": response.model if response is not None else p.model,
        "data": [{"object": "embedding", "index": i, "embedding": vectors[i]} for i in range(len(items))],
        "usage": (response.usage.model_dump() if response is not None and response.usage else None)
        or {"prompt_tokens": 0, "total_tokens": 0},
    }
    merged = _embedding_from(data, p.ctx, p.ctx.start_time)
    if response is None:
        p.ctx.cache_hit = True
        p.ctx.cache_key = keys[0] if len(keys) == 1 else ",".join(keys)
        merged._hidden_params.update({"cache_hit": True, "cache_key": p.ctx.cache_key})
    return merged, fresh


def _cache_lookup(p: Prepared) -> Any:
    hooks = _cache_hooks()
    if hooks is None or not p.spec.cacheable or p.spec.from_cache is None:
        return None
    if p.spec.item_cache:
        p.cache_kwargs = _cache_kwargs(p)
        return _item_lookup_done(p, *hooks.lookup_embedding_items(p.cache_kwargs, p.spec.name))
    p.cache_kwargs = _cache_kwargs(p)
    lookup = hooks.lookup(p.spec.name, p.cache_kwargs)
    p.cache_key = lookup.key
    return lookup if lookup.key is not None and lookup.value is not None else None


async def _acache_lookup(p: Prepared) -> Any:
    hooks = _cache_hooks()
    if hooks is None or not p.spec.cacheable or p.spec.from_cache is None:
        return None
    if p.spec.item_cache:
        p.cache_kwargs = _cache_kwargs(p)
        return _item_lookup_done(p, *(await hooks.alookup_embedding_items(p.cache_kwargs, p.spec.async_name)))
    p.cache_kwargs = _cache_kwargs(p)
    lookup = await hooks.alookup(p.spec.name, p.cache_kwargs)
    p.cache_key = lookup.key
    return lookup if lookup.key is not None and lookup.value is not None else None


def _cache_store(p: Prepared, response: Any) -> Any:
    """Store a fresh answer; returns the response the caller gets (merged with cached items)."""
    if p.items is not None:
        merged, fresh = _items_response(p, response)
        hooks = _cache_hooks()
        if hooks is not None:
            hooks.store_embedding_items(p.cache_kwargs, p.items[0], fresh)
        return merged
    if p.cache_key is None or p.spec.to_cache is None:
        return response
    hooks = _cache_hooks()
    if hooks is not None:
        hooks.store(p.spec.name, p.cache_kwargs, p.cache_key, p.spec.to_cache(response))
    return response


async def _acache_store(p: Prepared, response: Any) -> Any:
    if p.items is not None:
        merged, fresh = _items_response(p, response)
        hooks = _cache_hooks()
        if hooks is not None:
            await hooks.astore_embedding_items(p.cache_kwargs, p.items[0], fresh)
        return merged
    if p.cache_key is None or p.spec.to_cache is None:
        return response
    hooks = _cache_hooks()
    if hooks is not None:
        await hooks.astore(p.spec.name, p.cache_kwargs, p.cache_key, p.spec.to_cache(response))
    return response


def _cache_store_stream(ctx: CallContext, assembled: Any) -> None:
    pending = getattr(ctx, "cache_pending", None)
    if not pending or assembled is None:
        return
    hooks = _cache_hooks()
    if hooks is not None:
        spec_name, kwargs, key = pending
        hooks.store(spec_name, kwargs, key, assembled.model_dump())


def _mock_result(p: Prepared) -> Any:
    ctx = p.ctx
    error = _mock_error(p.mock, p)
    if error is not None:
        _finish_failure(ctx, error, p.attempt)
        raise error
    result = p.spec.mock(p, p.mock)
    if p.stream:
        include_usage = bool((p.call.openai.get("stream_options") or {}).get("include_usage"))
        p.hide_usage = not include_usage  # a mock sends usage; show it only when asked, as a provider would
        return _open_stream(p, None, result)
    _finish_success(ctx, result, p.attempt)
    return result


def _mock_error(mock: Any, p: Prepared) -> BaseException | None:
    """A mock that is an exception (or "litellm.<ErrorName>") fails the call through the same table."""
    if not isinstance(mock, BaseException) and not (isinstance(mock, str) and mock.startswith("litellm.")):
        return None  # a plain mock answer: the exception module (and openai) stays unloaded
    exceptions = _exc()
    if isinstance(mock, BaseException):
        if isinstance(mock, (exceptions._LiteLLMErrorMixin, exceptions.BudgetExceededError)):
            return mock
        status = getattr(mock, "status_code", None) or 500
        from litellm.calls.send import error_from_body

        return error_from_body(p.adapter, p.provider, p.model, status, {"error": {"message": str(mock)}})
    if mock[8:] in exceptions.__all__:
        return exceptions.make_error(mock[8:], f"mock {mock[8:]}", model=p.model, llm_provider=p.provider)
    return None


def _chunk_hook(ctx: CallContext) -> Any:
    if ctx.callbacks is None or not ctx.callbacks.stream:
        return None
    dispatcher = _dispatch().get_dispatcher()
    return lambda chunk: dispatcher.emit_stream_chunk(ctx, chunk)


def _stream_wrapper(p: Prepared, reply: Any = None, mock_chunks: Any = None) -> CustomStreamWrapper:
    ctx = p.ctx
    if p.cache_key is not None and settings.cache is not None:
        ctx.cache_pending = (p.spec.name, p.cache_kwargs, p.cache_key)
    return CustomStreamWrapper(
        ctx=ctx,
        adapter=p.adapter,
        model=p.model,
        finish=_finish_stream,
        map_error=lambda e: map_exception(e, p.provider, p.model, p.adapter),
        reply=reply,
        stream_format=p.request.stream_format if p.request is not None else "sse",
        mock_chunks=mock_chunks,
        collect=ctx.callbacks is not None or bool(settings.max_budget) or p.cache_key is not None,
        on_chunk=_chunk_hook(ctx),
        hide_usage_only_chunk=p.hide_usage,
    )


def _open_stream(p: Prepared, reply: Any, mock_chunks: Any) -> Any:
    """The stream the caller iterates: the spec's own (Responses events, ...) or the chat wrapper."""
    if p.spec.make_stream is not None:
        return p.spec.make_stream(p, reply, mock_chunks)
    return _stream_wrapper(p, reply=reply, mock_chunks=mock_chunks)


def _failed(p: Prepared, failed: Failed) -> BaseException:
    _finish_failure(p.ctx, failed.error, p.attempt)
    return failed.error


def run(spec: CallSpec, model: str, inputs: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """A sync call of any type, start to finish."""
    p = _prepare(spec, model, inputs, kwargs, is_async=False)
    try:
        hit = _cache_lookup(p)
        if hit is not None:
            return _from_cache(p, hit)
        if p.mock is not _NO_MOCK:
            return _mock_result(p)
        _build(p)
        try:
            reply, content, started = send(p)
        except Failed as failed:
            raise _failed(p, failed) from failed.cause
        if p.stream:
            return _open_stream(p, reply, None)
        try:
            result = spec.parse(p, content, reply.headers, started)
            if spec.enrich is not None:
                spec.enrich(p, result)
        except Exception as exc:
            mapped = map_exception(exc, p.provider, p.model, p.adapter)
            _finish_failure(p.ctx, mapped, p.attempt)
            raise mapped from exc
    except (KeyboardInterrupt, SystemExit) as exc:
        if p.ctx.exception is None and p.ctx.result is None:
            _finish_failure(p.ctx, _interrupted(exc, p), p.attempt)
        raise
    result = _cache_store(p, result)
    _finish_success(p.ctx, result, p.attempt)
    return result


async def arun(spec: CallSpec, model: str, inputs: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """An async call of any type, start to finish (a cancelled call still leaves its one record)."""
    p = _prepare(spec, model, inputs, kwargs, is_async=True)
    try:
        # without a cache no lookup coroutine is made (each is an object the cyclic GC counts)
        hit = await _acache_lookup(p) if settings.cache is not None else None
        if hit is not None:
            return _from_cache(p, hit)
        if p.mock is not _NO_MOCK:
            return _mock_result(p)
        _build(p)
        try:
            reply, content, started = await asend(p)
        except Failed as failed:
            raise _failed(p, failed) from failed.cause
        if p.stream:
            return _open_stream(p, reply, None)
        try:
            result = spec.parse(p, content, reply.headers, started)
            if spec.aenrich is not None:
                pending = spec.aenrich(p, result)
                if pending is not None:
                    await pending
        except Exception as exc:
            mapped = map_exception(exc, p.provider, p.model, p.adapter)
            _finish_failure(p.ctx, mapped, p.attempt)
            raise mapped from exc
    except (asyncio.CancelledError, KeyboardInterrupt, SystemExit) as exc:
        if p.ctx.exception is None and p.ctx.result is None:
            _finish_failure(p.ctx, _interrupted(exc, p), p.attempt)
        raise
    if p.cache_key is not None or p.items is not None:  # else _acache_store returns result as is
        result = await _acache_store(p, result)
    _finish_success(p.ctx, result, p.attempt)
    return result


# ---------------------------------------------------------------------------------------------------
# Chat completion
# ---------------------------------------------------------------------------------------------------


def _build_chat(p: Prepared) -> Any:
    lp = p.call.lp
    extra = lp.get("extra_headers") or lp.get("headers")
    headers = None
    if settings.headers or extra:  # else no dict is built
        headers = dict(settings.headers or {})
        headers.update(extra or {})
    messages = p.inputs["messages"]
    if settings.add_function_to_prompt or lp.get("add_function_to_prompt"):
        messages = _functions_into_prompt(p, messages)
    return p.adapter.build_request(
        p.model,
        messages,
        p.params,
        p.creds,
        stream=p.stream,
        extra_headers=headers or None,
        extra_body=lp.get("extra_body"),
    )


def _functions_into_prompt(p: Prepared, messages: list[Any]) -> list[Any]:
    """``litellm.add_function_to_prompt``: for a model without function calling, the tool schemas are
    folded into the system prompt and the tool params removed (LiteLLM's documented behaviour)."""
    tools = p.params.pop("tools", None)
    functions = p.params.pop("functions", None)
    p.params.pop("tool_choice", None)
    p.params.pop("function_call", None)
    specs = functions or [t.get("function", t) for t in tools or []]
    if not specs:
        return messages
    text = "Produce JSON output following this function schema:\n" + json.dumps(specs)
    messages = list(messages)
    if messages and isinstance(messages[0], Mapping) and messages[0].get("role") == "system":
        first = dict(messages[0])
        first["content"] = f"{first.get('content') or ''}\n{text}".strip()
        messages[0] = first
    else:
        messages.insert(0, {"role": "system", "content": text})
    return messages


def _loads(content: bytes) -> Any:
    """``json.loads`` of a reply body (orjson where installed: :mod:`litellm.core.jsonfast`)."""
    return _jsonfast.loads(content)


def _parse_chat(p: Prepared, content: bytes, headers: Mapping[str, str], started: float) -> ModelResponse:
    # an adapter may accept a JSON array (TGI, SageMaker); what it returns must be a chat completion
    data = p.adapter.parse_response(p.model, _loads(content))
    if not isinstance(data, dict):
        raise _exc().APIResponseValidationError(
            f"Expected a chat completion object from {p.provider}, got {type(data).__name__}",
            p.provider,
            p.model,
        )
    response = _build_response(data, p.ctx, started, headers)
    if settings.enable_json_schema_validation:
        _validate_json_schema(p, response)
    return response


def _validate_json_schema(p: Prepared, response: ModelResponse) -> None:
    """``litellm.enable_json_schema_validation``: a reply to a ``response_format`` JSON schema must
    match it, else JSONSchemaValidationError (not retried)."""
    fmt = p.call.openai.get("response_format")
    if not isinstance(fmt, Mapping) or fmt.get("type") != "json_schema":
        return
    schema = (fmt.get("json_schema") or {}).get("schema")
    if not schema:
        return
    text = response.choices[0].message.content if response.choices else None
    try:
        import jsonschema
    except ImportError as exc:
        raise ImportError(
            "litellm.enable_json_schema_validation needs jsonschema: pip install 'litellm-observe[jsonschema]'"
        ) from exc
    try:
        jsonschema.validate(json.loads(text or ""), schema)
    except (ValueError, jsonschema.ValidationError) as exc:
        raise _exc().JSONSchemaValidationError(
            model=p.model, llm_provider=p.provider, raw_response=text or "", schema=json.dumps(schema)
        ) from exc


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
                    "delta": {"role": "assistant", "content": piece} if i == 0 else {"content": piece},
                    "finish_reason": None,
                }
            ],
        }
        for i, piece in enumerate(pieces)
    ]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if include_usage or data.get("usage"):
        chunks.append({**base, "choices": [], "usage": data.get("usage")})
    return chunks


def _mock_chat(p: Prepared, mock: Any) -> Any:
    data = _mock_dict(mock, p.model)
    if p.stream:
        if isinstance(mock, str):  # LiteLLM counts a streamed text mock's usage from what was streamed
            from litellm.calls.streaming import count_usage

            data["usage"] = count_usage(p.model, p.ctx.messages, data["choices"])
        return _mock_chunks(data, True)
    return _build_response(data, p.ctx, p.ctx.start_time, None)


def _chat_from_cache(p: Prepared, value: dict[str, Any]) -> ModelResponse:
    response = ModelResponse.model_validate(value)
    private: dict[str, Any] = response.__pydantic_private__  # type: ignore[assignment]
    private["_hidden_params"] = _hidden(p.ctx, 0.0, None)
    private["_response_ms"] = 0.0
    p.ctx.raw_usage = value.get("usage")
    p.ctx.raw_response = value
    return response


COMPLETION = CallSpec(
    name="completion",
    build=_build_chat,
    parse=_parse_chat,
    mock=_mock_chat,
    log_input=lambda inputs: inputs["messages"],
    openai_params=OPENAI_PARAMS,
    check_params=True,
    streamable=True,
    from_cache=_chat_from_cache,
    to_cache=lambda response: response.model_dump(),
    # answers that take a second request (Replicate: poll the job, or open its stream URL); every
    # other adapter passes through these untouched
    enrich=follow_ups.enrich,
    aenrich=follow_ups.aenrich,
    make_stream=follow_ups.make_stream,
)


def completion(model: str, messages: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
    """Chat completion in the OpenAI format, for any provider. Returns ModelResponse, or a stream."""
    return run(COMPLETION, model, {"messages": messages if messages is not None else []}, kwargs)


async def acompletion(model: str, messages: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
    """Async chat completion; with ``stream=True`` returns an async-iterable stream."""
    return await arun(COMPLETION, model, {"messages": messages if messages is not None else []}, kwargs)


# ---------------------------------------------------------------------------------------------------
# Embeddings
# ---------------------------------------------------------------------------------------------------

EMBEDDING_PARAMS = frozenset({"dimensions", "encoding_format", "user", "input_type"})


def _build_embedding(p: Prepared) -> Any:
    build = getattr(p.adapter, "build_embedding_request", None)
    if build is not None:
        return build(p.model, p.inputs["input"], p.params, p.creds)
    from litellm.providers.openai_endpoints import openai_endpoint_request

    lp = p.call.lp
    body = {
        "model": getattr(p.adapter, "wire_model", lambda m: m)(p.model),
        "input": p.inputs["input"],
        **p.params,
    }
    if lp.get("extra_body"):
        body.update(lp["extra_body"])
    return openai_endpoint_request(
        p.adapter, p.model, p.creds, "embeddings", body=body, extra_headers=lp.get("extra_headers")
    )


def _parse_embedding(
    p: Prepared, content: bytes, headers: Mapping[str, str], started: float
) -> EmbeddingResponse:
    data = json.loads(content)
    parse = getattr(p.adapter, "parse_embedding_response", None)
    if parse is not None:  # a native reply (a JSON array from feature-extraction, Gemini's shape, ...)
        data = parse(p.model, data)
        if isinstance(data, dict) and not (data.get("usage") or {}).get("prompt_tokens"):
            # the provider reports no tokens (Gemini, feature-extraction): count them, so cost is not 0
            from litellm.calls.streaming import count_text_tokens

            items = p.inputs["input"] if isinstance(p.inputs["input"], list) else [p.inputs["input"]]
            tokens = sum(count_text_tokens(p.model, item) for item in items if isinstance(item, str))
            data["usage"] = {"prompt_tokens": tokens, "total_tokens": tokens}
    if not isinstance(data, dict):
        raise _exc().APIResponseValidationError(
            f"Expected an embedding list object from {p.provider}, got {type(data).__name__}",
            p.provider,
            p.model,
        )
    return _embedding_from(data, p.ctx, started, headers)


def _embedding_from(
    data: dict[str, Any], ctx: CallContext, started: float, headers: Mapping[str, str] | None = None
) -> EmbeddingResponse:
    response = EmbeddingResponse.model_validate(data)
    response_ms = (time.time() - started) * 1000.0
    response._response_ms = response_ms
    response._hidden_params.update(_hidden(ctx, response_ms, headers))
    ctx.raw_usage = data.get("usage")
    return response


def _mock_embedding(p: Prepared, mock: Any) -> EmbeddingResponse:
    """``mock_response`` for embeddings: a vector (or a list of vectors, one per input) is returned as
    is; anything else gives one zero vector per input."""
    items = p.inputs["input"] if isinstance(p.inputs["input"], list) else [p.inputs["input"]]
    if isinstance(mock, list) and mock and all(isinstance(x, (int, float)) for x in mock):
        vectors = [list(mock) for _ in items]
    elif isinstance(mock, list) and mock and all(isinstance(x, list) for x in mock):
        vectors = [list(v) for v in mock]
    elif isinstance(mock, EmbeddingResponse):
        return mock
    else:
        vectors = [[0.0] * 8 for _ in items]
    from litellm.calls.streaming import count_text_tokens

    tokens = sum(count_text_tokens(p.model, item) for item in items)
    data = {
        "object": "list",
        "model": p.model,
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
    return _embedding_from(data, p.ctx, p.ctx.start_time)


def _embedding_from_cache(p: Prepared, value: dict[str, Any]) -> EmbeddingResponse:
    return _embedding_from(value, p.ctx, time.time())


EMBEDDING = CallSpec(
    name="embedding",
    build=_build_embedding,
    parse=_parse_embedding,
    mock=_mock_embedding,
    log_input=lambda inputs: inputs["input"],
    openai_params=EMBEDDING_PARAMS,
    from_cache=_embedding_from_cache,
    to_cache=lambda response: response.model_dump(),
    item_cache=True,
)


def embedding(model: str, input: Any = None, **kwargs: Any) -> EmbeddingResponse:
    """Embeddings in the OpenAI format."""
    return run(EMBEDDING, model, {"input": input if input is not None else []}, kwargs)


async def aembedding(model: str, input: Any = None, **kwargs: Any) -> EmbeddingResponse:
    """Async embeddings in the OpenAI format."""
    return await arun(EMBEDDING, model, {"input": input if input is not None else []}, kwargs)


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
