"""The proxy's CustomLogger hooks, called as LiteLLM documents them.

Owns :class:`ProxyHooks`: which configured loggers override which proxy hook (decided once at start, so a
request with no hook-carrying logger pays one empty-tuple check per stage), and the semantics of each:

* ``async_pre_call_hook(user_api_key_dict, cache, data, call_type)``: returns a dict (the new request),
  None (unchanged), a str (reject: chat/text completions answer it as the assistant's reply, other routes
  get a 400), or raises (the request fails with the exception's status);
* ``async_moderation_hook(data, user_api_key_dict, call_type)``: run concurrently with the LLM call; raising
  fails the request;
* ``async_post_call_success_hook(data, user_api_key_dict, response)``: may return a replacement response;
* ``async_post_call_failure_hook(request_data, original_exception, user_api_key_dict, traceback_str)``;
* ``async_post_call_streaming_hook(user_api_key_dict, response)``: gets the text so far per chunk; a str
  starting with ``"data: "`` replaces the rest of the stream (how LiteLLM hooks stop one);
* ``async_post_call_streaming_iterator_hook(user_api_key_dict, response, request_data)``: wraps the stream;
* ``async_post_call_response_headers_hook(data, user_api_key_dict, response, request_headers,
  litellm_call_info)``: returns extra response headers.

A post-call hook that raises is logged and ignored (the response already exists), except the streaming
ones, whose errors end the stream. Must not: know about HTTP frameworks.
"""

from __future__ import annotations

import traceback
from collections.abc import AsyncIterator
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

__all__ = ["ProxyHooks", "RejectedRequest"]

_HOOKS = (
    "async_pre_call_hook",
    "async_moderation_hook",
    "async_post_call_success_hook",
    "async_post_call_failure_hook",
    "async_post_call_streaming_hook",
    "async_post_call_streaming_iterator_hook",
    "async_post_call_response_headers_hook",
)


class RejectedRequest(Exception):
    """A pre-call hook answered the request itself (LiteLLM's RejectedRequestError)."""

    def __init__(self, message: str, data: dict[str, Any]) -> None:
        super().__init__(message)
        self.message = message
        self.request_data = data


def _overrides(obj: Any, name: str) -> bool:
    impl = getattr(type(obj), name, None)
    return impl is not None and impl is not getattr(CustomLogger, name)


def _log_hook_error(name: str, obj: Any, exc: BaseException) -> None:
    from litellm.core.log import log_rate_limited

    log_rate_limited(
        ("proxy_hook", name, type(obj).__name__),
        "proxy hook raised; ignored",
        hook=name,
        logger=type(obj).__name__,
        error=f"{type(exc).__name__}: {exc}",
    )


class ProxyHooks:
    def __init__(self, callbacks: list[Any]) -> None:
        loggers: list[CustomLogger] = []
        for cb in callbacks:
            if isinstance(cb, CustomLogger) and cb not in loggers:
                loggers.append(cb)
        self.by_hook: dict[str, tuple[CustomLogger, ...]] = {
            name: tuple(cb for cb in loggers if _overrides(cb, name)) for name in _HOOKS
        }
        self.pre = self.by_hook["async_pre_call_hook"]
        self.moderation = self.by_hook["async_moderation_hook"]
        self.success = self.by_hook["async_post_call_success_hook"]
        self.failure = self.by_hook["async_post_call_failure_hook"]
        self.stream_chunk = self.by_hook["async_post_call_streaming_hook"]
        self.stream_iter = self.by_hook["async_post_call_streaming_iterator_hook"]
        self.headers = self.by_hook["async_post_call_response_headers_hook"]

    async def run_pre_call(self, auth: Any, data: dict[str, Any], call_type: str) -> dict[str, Any]:
        from litellm.proxy.errors import ProxyError

        for cb in self.pre:
            result = await cb.async_pre_call_hook(auth, None, data, call_type)
            if result is None:
                continue
            if isinstance(result, BaseException):
                raise result
            if isinstance(result, dict):
                data = result
            elif isinstance(result, str):
                if call_type in ("completion", "text_completion"):
                    raise RejectedRequest(result, data)
                raise ProxyError(400, result)
        return data

    async def run_moderation(self, data: dict[str, Any], auth: Any, call_type: str) -> None:
        import asyncio

        await asyncio.gather(*(cb.async_moderation_hook(data, auth, call_type) for cb in self.moderation))

    async def run_success(self, data: dict[str, Any], auth: Any, response: Any) -> Any:
        for cb in self.success:
            try:
                result = await cb.async_post_call_success_hook(data, auth, response)
            except Exception as exc:
                from litellm.proxy.errors import ProxyError

                if isinstance(exc, ProxyError) or hasattr(exc, "status_code"):
                    raise  # a guardrail rejecting the answer
                _log_hook_error("async_post_call_success_hook", cb, exc)
                continue
            if result is not None:
                response = result
        return response

    async def run_failure(self, data: dict[str, Any], exc: Exception, auth: Any) -> None:
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=5))
        for cb in self.failure:
            try:
                await cb.async_post_call_failure_hook(data, exc, auth, tb)
            except Exception as hook_exc:
                _log_hook_error("async_post_call_failure_hook", cb, hook_exc)

    async def run_headers(
        self,
        data: dict[str, Any],
        auth: Any,
        response: Any,
        request_headers: dict[str, str],
        info: dict[str, Any],
    ) -> dict[str, str]:
        extra: dict[str, str] = {}
        for cb in self.headers:
            try:
                result = await cb.async_post_call_response_headers_hook(
                    data, auth, response, request_headers, info
                )
            except Exception as exc:
                _log_hook_error("async_post_call_response_headers_hook", cb, exc)
                continue
            if result:
                extra.update({str(k): str(v) for k, v in result.items()})
        return extra

    def wrap_stream(self, stream: AsyncIterator[Any], auth: Any, data: dict[str, Any]) -> AsyncIterator[Any]:
        for cb in self.stream_iter:
            stream = cb.async_post_call_streaming_iterator_hook(auth, stream, data)
        return stream

    async def on_chunk_text(self, auth: Any, text_so_far: str) -> str | None:
        """The replacement SSE text a streaming hook asked for, or None to send the chunk as is."""
        for cb in self.stream_chunk:
            result = await cb.async_post_call_streaming_hook(auth, text_so_far)
            if isinstance(result, str) and result.startswith("data: "):
                return result
        return None
