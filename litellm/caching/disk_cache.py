"""Disk backend over the maintained ``diskcache`` library: ``Cache(type="disk", disk_cache_dir=...)``.

diskcache keeps entries in SQLite plus files in one directory, safe across threads and processes on one
machine, with per-entry expiry. Entries are stored as JSON bytes (readable by any version of this code).
The directory defaults to ``.litellm_cache`` in the working directory, as LiteLLM's did. The async twins
run inline: a local SQLite read is shorter than a hop to a worker thread.

Must not: import diskcache before first use.
"""

from __future__ import annotations

from typing import Any

from litellm.caching.base_cache import BaseCache, dumps, loads

__all__ = ["DiskCache"]


class DiskCache(BaseCache):
    name = "disk"

    def __init__(self, disk_cache_dir: str | None = None, default_ttl: float | None = None) -> None:
        super().__init__(default_ttl)
        self.disk_cache_dir = str(disk_cache_dir or ".litellm_cache")
        self._disk: Any = None

    @property
    def disk(self) -> Any:
        if self._disk is None:
            try:
                import diskcache
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "the disk cache needs the diskcache package: pip install 'litellm-observe[caching]'"
                ) from exc
            self._disk = diskcache.Cache(self.disk_cache_dir)
        return self._disk

    def get(self, key: str) -> Any:
        return loads(self.disk.get(key))

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        self.disk.set(key, dumps(value), expire=self._ttl(ttl))

    def delete(self, key: str) -> None:
        self.disk.delete(key)

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None
