"""The transport seam: one small interface every call type sends through, and the replies it returns.

A transport takes a fully built request (method, URL, headers, the body as bytes or multipart parts) and
returns a :class:`Reply` (sync) or :class:`AsyncReply` (async) that exposes the status, the headers and
the body as bytes, lines or raw chunks. The pipeline never touches httpx or aiohttp directly, so a test,
the fake provider, a Router deployment or a user plugs in here (``client=`` per call, in the httpx
style): an ``httpx.Client`` / ``httpx.AsyncClient`` (with any ``httpx.MockTransport``), an httpx
transport, or any object with this module's ``send`` signature.

Defaults (chosen by the benchmark, see the README): sync calls use the pooled ``httpx.Client`` per origin
from :mod:`litellm.core.http`; async calls use our own HTTP/1.1 client (:mod:`litellm.core.aio_http`,
pooled per event loop and origin), and one aiohttp session per (event loop, origin) for multipart bodies
and whatever ours does not cover.

Must not: know about providers, retries, logging or JSON; import aiohttp or httptools at import time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping
from typing import Any, Protocol

import httpx

from litellm.core import http as _http

__all__ = [
    "AsyncReply",
    "AsyncTransport",
    "DefaultAsyncTransport",
    "Reply",
    "SyncTransport",
    "WireRequest",
    "async_transport_for",
    "sync_transport_for",
]


class WireRequest:
    """What goes on the wire: the body is final bytes (signed as is) or multipart parts."""

    __slots__ = ("content", "files", "headers", "method", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None = None,
        files: list[tuple[str, Any]] | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.files = files


# ---------------------------------------------------------------------------------------------------
# Replies
# ---------------------------------------------------------------------------------------------------


_CLOSED_STREAM = httpx.ByteStream(b"")


def _unbind(response: httpx.Response) -> None:
    """httpx binds a client's response stream back to the response (``BoundSyncStream._response``): a
    cycle that only the cyclic GC frees, with the request, headers and pool objects hanging off it
    (~50 objects per call, and the GC work they cause). A closed response never reads its stream
    again (its content is kept, ``elapsed`` is set at close), so replacing the stream lets refcounting
    free the lot as soon as the caller is done."""
    if response.is_closed:
        response.stream = _CLOSED_STREAM


class Reply:
    """A sync reply over an ``httpx.Response`` (streamed or read)."""

    __slots__ = ("_response", "headers", "status")

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status: int = response.status_code
        self.headers: Mapping[str, str] = response.headers

    @property
    def raw(self) -> httpx.Response:
        return self._response

    def read(self) -> bytes:
        response = self._response
        content = response.read()
        _unbind(response)
        return content

    def iter_lines(self) -> Iterator[bytes | None]:
        """Lines with their endings stripped, as bytes (b"" is a blank line); None ends the body."""
        for line in self._response.iter_lines():
            yield line.encode("utf-8") if isinstance(line, str) else line
        yield None

    def iter_bytes(self) -> Iterator[bytes]:
        yield from self._response.iter_raw()

    def close(self) -> None:
        try:
            self._response.close()
        except Exception:  # closing a broken connection must never raise into the caller
            pass
        _unbind(self._response)


class AsyncReply:
    """An async reply over an aiohttp response or an ``httpx.Response`` from an AsyncClient; the
    interface every async reply has (:class:`litellm.core.aio_http.HttpReply` is the default's):
    ``status``, ``headers`` (case-insensitive), ``read``, ``readline``, ``read_chunk``, ``release``."""

    __slots__ = ("_aiohttp", "_httpx", "_lines", "_raw", "headers", "status")

    def __init__(self, *, aiohttp_response: Any = None, httpx_response: httpx.Response | None = None) -> None:
        self._aiohttp = aiohttp_response
        self._httpx = httpx_response
        self._lines: AsyncIterator[str] | None = None
        self._raw: AsyncIterator[bytes] | None = None
        if aiohttp_response is not None:
            self.status: int = aiohttp_response.status
            self.headers: Mapping[str, str] = aiohttp_response.headers
        else:
            assert httpx_response is not None
            self.status = httpx_response.status_code
            self.headers = httpx_response.headers

    async def read(self) -> bytes:
        if self._aiohttp is not None:
            content: bytes = await self._aiohttp.read()
            self._aiohttp.release()
            return content
        assert self._httpx is not None
        content = await self._httpx.aread()
        await self._httpx.aclose()
        _unbind(self._httpx)
        return content

    async def readline(self) -> bytes:
        """One line (b"" at the end of the body)."""
        if self._aiohttp is not None:
            line: bytes = await self._aiohttp.content.readline()
            return line
        if self._lines is None:
            assert self._httpx is not None
            self._lines = self._httpx.aiter_lines()
        try:
            text = await self._lines.__anext__()
        except StopAsyncIteration:
            return b""
        return text.encode("utf-8") + b"\n"

    async def read_chunk(self) -> bytes:
        """The next raw chunk of the body (b"" at the end)."""
        if self._aiohttp is not None:
            data: bytes = await self._aiohttp.content.readany()
            return data
        assert self._httpx is not None
        if self._raw is None:
            self._raw = self._httpx.aiter_raw()
        try:
            return await self._raw.__anext__()
        except StopAsyncIteration:
            return b""

    def release(self) -> None:
        """Give the connection back (or drop it) without awaiting: safe from ``__del__`` and finally."""
        if self._aiohttp is not None:
            try:
                self._aiohttp.release()
            except Exception:
                pass
        elif self._httpx is not None:
            response = self._httpx
            self._httpx = None
            try:
                import asyncio

                asyncio.get_running_loop().create_task(response.aclose())
            except Exception:
                pass


# ---------------------------------------------------------------------------------------------------
# Transports
# ---------------------------------------------------------------------------------------------------


class SyncTransport(Protocol):
    def send(self, request: WireRequest, *, timeout: Any, stream: bool) -> Reply: ...


class AsyncTransport(Protocol):
    async def send(self, request: WireRequest, *, timeout: Any, stream: bool) -> AsyncReply: ...


def _multipart_for_httpx(files: list[tuple[str, Any]]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    data: dict[str, Any] = {}
    parts: list[tuple[str, Any]] = []
    for name, value in files:
        if isinstance(value, tuple):
            parts.append((name, value))
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    return data, parts


_httpx_urls: dict[str, httpx.URL] = {}


def _httpx_url(url: str) -> httpx.URL:
    """The parsed ``httpx.URL`` for ``url``, memoised: httpx parses a str URL on every request (tens
    of µs here), while an ``httpx.URL`` passes through ``build_request`` as is, with the same result."""
    parsed = _httpx_urls.get(url)
    if parsed is None:
        parsed = httpx.URL(url)
        if len(_httpx_urls) > 1024:  # many distinct URLs (query strings): keep the memo bounded
            _httpx_urls.clear()
        _httpx_urls[url] = parsed
    return parsed


class HttpxSyncTransport:
    """Sync sends through an ``httpx.Client``: the pooled one per origin, or the caller's."""

    __slots__ = ("_client",)

    def __init__(self, client: httpx.Client | None = None) -> None:
        self._client = client

    def send(self, request: WireRequest, *, timeout: Any, stream: bool) -> Reply:
        client = self._client or _http.sync_client(request.url)
        if request.files is not None:
            data, parts = _multipart_for_httpx(request.files)
            built = client.build_request(
                request.method,
                _httpx_url(request.url),
                headers=request.headers,
                data=data,
                files=parts or None,
                timeout=_http.to_httpx_timeout(timeout),
            )
        else:
            built = client.build_request(
                request.method,
                _httpx_url(request.url),
                headers=request.headers,
                content=request.content,
                timeout=_http.to_httpx_timeout(timeout),
            )
        response = client.send(built, stream=stream)
        return Reply(response)


_verbatim_urls: dict[str, Any] = {}


def _verbatim(url: str) -> Any:
    """The URL exactly as built (and signed): aiohttp would otherwise re-quote it (``%3A`` -> ``:``),
    and a SigV4 signature covers the path as sent. Memoised: building a yarl URL costs µs."""
    cached = _verbatim_urls.get(url)
    if cached is None:
        from yarl import URL

        cached = URL(url, encoded=True)
        if len(_verbatim_urls) > 1024:
            _verbatim_urls.clear()
        _verbatim_urls[url] = cached
    return cached


class AiohttpTransport:
    """Async sends through the aiohttp session for this loop and origin (the measured default)."""

    __slots__ = ()

    async def send(self, request: WireRequest, *, timeout: Any, stream: bool) -> AsyncReply:
        session = _http.async_session(request.url)
        if request.files is not None:
            import aiohttp

            form = aiohttp.FormData()
            for name, value in request.files:
                if isinstance(value, tuple):
                    filename, content, content_type = (*value, None)[:3]
                    form.add_field(name, content, filename=filename, content_type=content_type)
                elif isinstance(value, list):
                    for item in value:
                        form.add_field(name, str(item))
                else:
                    form.add_field(name, str(value))
            headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
            response = await session.request(
                request.method,
                _verbatim(request.url),
                data=form,
                headers=headers,
                timeout=_http.aiohttp_timeout(timeout),
            )
        else:
            response = await session.request(
                request.method,
                _verbatim(request.url),
                data=request.content,
                headers=request.headers,
                timeout=_http.aiohttp_timeout(timeout),
            )
        return AsyncReply(aiohttp_response=response)


class HttpxAsyncTransport:
    """Async sends through the caller's ``httpx.AsyncClient`` (``client=`` / an httpx async transport)."""

    __slots__ = ("_client",)

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, request: WireRequest, *, timeout: Any, stream: bool) -> AsyncReply:
        if request.files is not None:
            data, parts = _multipart_for_httpx(request.files)
            built = self._client.build_request(
                request.method,
                _httpx_url(request.url),
                headers=request.headers,
                data=data,
                files=parts or None,
                timeout=_http.to_httpx_timeout(timeout),
            )
        else:
            built = self._client.build_request(
                request.method,
                _httpx_url(request.url),
                headers=request.headers,
                content=request.content,
                timeout=_http.to_httpx_timeout(timeout),
            )
        response = await self._client.send(built, stream=True)
        if not stream:
            await response.aread()
        return AsyncReply(httpx_response=response)


class DefaultAsyncTransport:
    """The default async transport: our HTTP/1.1 client (:mod:`litellm.core.aio_http`, about a third
    of aiohttp's CPU per request) for plain http(s) requests, aiohttp for multipart bodies, URLs ours
    does not take (userinfo, non-ASCII hosts, other schemes) and everything when ``httptools`` is not
    installed or ``LITELLM_ASYNC_TRANSPORT=aiohttp`` is set (read on the first async call)."""

    __slots__ = ("_fallback", "_ours")

    def __init__(self) -> None:
        self._ours: Any = None  # the aio_http module once loaded; False when httptools is missing
        self._fallback = AiohttpTransport()

    def _load(self) -> Any:
        import os

        if (os.environ.get("LITELLM_ASYNC_TRANSPORT") or "").strip().lower() == "aiohttp":
            self._ours = False  # the escape hatch: every async call through aiohttp, as before
            return False
        from litellm.core import aio_http

        self._ours = aio_http if aio_http.available() else False
        return self._ours

    def send(self, request: WireRequest, *, timeout: Any, stream: bool) -> Coroutine[Any, Any, AsyncReply]:
        if request.files is None:
            ours = self._ours
            if ours is None:
                ours = self._load()
            if ours is not False:
                target = ours.target_of(request.url)
                if target is not None:
                    return ours.send(request, target, timeout, stream)
        return self._fallback.send(request, timeout=timeout, stream=stream)


_DEFAULT_SYNC = HttpxSyncTransport()
_DEFAULT_ASYNC = DefaultAsyncTransport()


def sync_transport_for(client: Any) -> SyncTransport:
    """The transport for a sync call: ``client=`` (an httpx.Client, an httpx transport, or any object
    with ``send(request, timeout=, stream=)``), else ``litellm.client_session``, else the pool."""
    if client is None:
        return _DEFAULT_SYNC
    if isinstance(client, httpx.Client):
        return HttpxSyncTransport(client)
    if isinstance(client, httpx.BaseTransport):
        return HttpxSyncTransport(httpx.Client(transport=client))
    if callable(getattr(client, "send", None)):
        return client
    raise TypeError(
        f"client={type(client).__name__} is not usable for a sync call: pass an httpx.Client, an httpx "
        "transport, or an object with send(request, timeout=, stream=)"
    )


def async_transport_for(client: Any) -> AsyncTransport:
    """The transport for an async call: an httpx.AsyncClient / async transport / our interface, else
    the default (our HTTP/1.1 client, aiohttp behind it; measured, see the README)."""
    if client is None:
        return _DEFAULT_ASYNC
    if isinstance(client, httpx.AsyncClient):
        return HttpxAsyncTransport(client)
    if isinstance(client, httpx.AsyncBaseTransport):
        return HttpxAsyncTransport(httpx.AsyncClient(transport=client))
    if callable(getattr(client, "send", None)) and not isinstance(client, httpx.Client):
        return client
    raise TypeError(
        f"client={type(client).__name__} is not usable for an async call: pass an httpx.AsyncClient, an "
        "httpx async transport, or an object with async send(request, timeout=, stream=)"
    )
