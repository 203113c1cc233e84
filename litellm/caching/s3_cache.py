"""S3 backend: ``Cache(type="s3", s3_bucket_name=..., s3_region_name=..., s3_endpoint_url=...)``.

One JSON object per entry at ``<s3_path>/<key>``, holding the entry and its absolute expiry time (S3 has
no per-object TTL; an expired object reads as a miss, and a bucket lifecycle rule can delete old ones).
boto3 is imported on first use; the client gets short timeouts and one attempt by default, since a slow
cache must not be slower than the call it saves (pass ``s3_config`` to choose otherwise). The async twins
run the boto3 calls in a worker thread.

Must not: log or repeat credentials, or retry on the caller's time.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litellm.caching.base_cache import BaseCache, Breaker, dumps, loads

__all__ = ["S3Cache"]


class S3Cache(BaseCache):
    name = "s3"

    def __init__(
        self,
        s3_bucket_name: str,
        s3_region_name: str | None = None,
        s3_api_version: str | None = None,
        s3_use_ssl: bool | None = True,
        s3_verify: bool | str | None = None,
        s3_endpoint_url: str | None = None,
        s3_aws_access_key_id: str | None = None,
        s3_aws_secret_access_key: str | None = None,
        s3_aws_session_token: str | None = None,
        s3_config: Any = None,
        s3_path: str | None = None,
        default_ttl: float | None = None,
    ) -> None:
        super().__init__(default_ttl)
        if not s3_bucket_name:
            raise ValueError("Cache(type='s3') needs s3_bucket_name")
        self.bucket_name = s3_bucket_name
        self.key_prefix = (s3_path.strip("/") + "/") if s3_path else ""
        self._client_args: dict[str, Any] = {
            "region_name": s3_region_name,
            "api_version": s3_api_version,
            "use_ssl": s3_use_ssl if s3_use_ssl is not None else True,
            "verify": s3_verify,
            "endpoint_url": s3_endpoint_url,
            "aws_access_key_id": s3_aws_access_key_id,
            "aws_secret_access_key": s3_aws_secret_access_key,
            "aws_session_token": s3_aws_session_token,
        }
        self._config = s3_config
        self._client: Any = None
        self.breaker = Breaker("s3")

    def __repr__(self) -> str:
        return f"S3Cache(bucket={self.bucket_name!r}, prefix={self.key_prefix!r})"

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError("the S3 cache needs boto3: pip install 'litellm-observe[s3]'") from exc
            config = self._config or Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 1})
            args = {k: v for k, v in self._client_args.items() if v is not None}
            self._client = boto3.client("s3", config=config, **args)
        return self._client

    def object_key(self, key: str) -> str:
        return self.key_prefix + key

    def get(self, key: str) -> Any:
        with self.breaker:
            try:
                response = self.client.get_object(Bucket=self.bucket_name, Key=self.object_key(key))
            except self.client.exceptions.NoSuchKey:
                return None
            stored = loads(response["Body"].read())
        if not isinstance(stored, dict):
            return None
        expires_at = stored.get("expires_at")
        if expires_at is not None and expires_at <= time.time():
            return None
        return stored.get("entry")

    def set(self, key: str, value: Any, ttl: float | None = None) -> None:
        ttl = self._ttl(ttl)
        body = dumps({"expires_at": time.time() + ttl if ttl is not None else None, "entry": value})
        with self.breaker:
            self.client.put_object(
                Bucket=self.bucket_name,
                Key=self.object_key(key),
                Body=body,
                ContentType="application/json",
            )

    def delete(self, key: str) -> None:
        with self.breaker:
            self.client.delete_object(Bucket=self.bucket_name, Key=self.object_key(key))

    async def aget(self, key: str) -> Any:
        return await asyncio.to_thread(self.get, key)

    async def aset(self, key: str, value: Any, ttl: float | None = None) -> None:
        await asyncio.to_thread(self.set, key, value, ttl)

    async def adelete(self, key: str) -> None:
        await asyncio.to_thread(self.delete, key)

    async def aget_many(self, keys: list[str]) -> list[Any]:
        return list(await asyncio.gather(*(self.aget(key) for key in keys)))

    async def aset_many(self, items: list[tuple[str, Any]], ttl: float | None = None) -> None:
        await asyncio.gather(*(self.aset(key, value, ttl) for key, value in items))
