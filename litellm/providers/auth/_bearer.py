"""A bearer token obtained by an exchange (OAuth client credentials, an IAM API key) and cached per
credential until shortly before it expires: the base both token sources share.

A subclass says how to name its credential (``_key``: never the secret itself, a fingerprint) and how to
exchange it (``_exchange`` -> (token, expires at epoch seconds)). The exchange runs at most once per
expiry, whoever asks first; async callers never block the event loop on it.

Must not: log or raise a secret, or read the environment.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Hashable, Mapping
from typing import ClassVar

__all__ = ["CachedBearerAuth"]

_MAX = 256


class CachedBearerAuth:
    """``RequestAuth`` that adds ``Authorization: Bearer <token>`` from a cached exchange."""

    __slots__ = ()

    #: seconds before expiry at which a token is refreshed
    refresh_margin_s: ClassVar[float] = 60.0
    # one store and lock per subclass (set in __init_subclass__): credential key -> (token, expires at)
    _tokens: ClassVar[dict[Hashable, tuple[str, float]]]
    _lock: ClassVar[threading.Lock]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._tokens = {}
        cls._lock = threading.Lock()

    @classmethod
    def clear_cache(cls) -> None:
        with cls._lock:
            cls._tokens.clear()

    def _key(self) -> Hashable:
        raise NotImplementedError

    def _exchange(self) -> tuple[str, float]:
        raise NotImplementedError

    def _cached(self) -> str | None:
        hit = self._tokens.get(self._key())
        if hit is not None and time.time() < hit[1] - self.refresh_margin_s:
            return hit[0]
        return None

    def token(self) -> str:
        """The current token: cached while fresh, else exchanged (once, whoever asks first)."""
        hit = self._cached()
        if hit is not None:
            return hit
        with self._lock:
            hit = self._cached()
            if hit is not None:
                return hit
            token, expires_at = self._exchange()
            if len(self._tokens) >= _MAX:
                self._tokens.clear()
            self._tokens[self._key()] = (token, expires_at)
            return token

    def apply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}"}

    async def aapply(self, method: str, url: str, headers: Mapping[str, str], body: bytes) -> dict[str, str]:
        token = self._cached()
        if token is None:
            token = await asyncio.to_thread(self.token)  # the exchange blocks: keep it off the loop
        return {"Authorization": f"Bearer {token}"}
