"""Qdrant semantic backend: ``Cache(type="qdrant-semantic", qdrant_api_base=..., qdrant_api_key=...,
qdrant_collection_name=..., qdrant_quantization_config="binary"|"scalar"|"product", similarity_threshold=...)``.

One point per stored prompt (id derived from scope and prompt, so storing the same prompt again replaces
it), cosine distance, payload ``{"scope", "entry", "expires_at"}``; a lookup is a filtered nearest-neighbour
query (same scope, not expired, score at least the threshold). The collection is created on first use
with the embedding's size (or ``qdrant_semantic_cache_vector_size``) and the chosen quantization.
``qdrant_api_base=":memory:"`` or ``qdrant_path=DIR`` runs qdrant-client's local mode (no server). The
async twins run the sync client in a worker thread so sync and async calls share one store (local mode
cannot be shared between a sync and an async client).

Must not: import qdrant-client before first use, or send the API key anywhere but the Qdrant base URL.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

from litellm.caching.semantic import SemanticCache

__all__ = ["QdrantSemanticCache"]

_NEVER = 1e18  # "no expiry" in a numeric payload field that range filters can compare
_QUANTIZATIONS = ("binary", "scalar", "product")


def _import_qdrant() -> Any:
    try:
        import qdrant_client
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the qdrant-semantic cache needs qdrant-client: pip install 'litellm-observe[qdrant]'"
        ) from exc
    return qdrant_client


class QdrantSemanticCache(SemanticCache):
    name = "qdrant-semantic"

    def __init__(
        self,
        qdrant_api_base: str | None = None,
        qdrant_api_key: str | None = None,
        collection_name: str | None = None,
        similarity_threshold: float | None = None,
        quantization_config: str | None = None,
        embedding_model: str = "text-embedding-ada-002",
        embedding_kwargs: dict[str, Any] | None = None,
        vector_size: int | None = None,
        qdrant_path: str | None = None,
        default_ttl: float | None = None,
        embedding_timeout: float | None = None,
    ) -> None:
        super().__init__(
            similarity_threshold, embedding_model, embedding_kwargs, default_ttl, embedding_timeout
        )
        from litellm.core.settings import env

        self.api_base = qdrant_api_base or (
            None if qdrant_path else env("QDRANT_API_BASE") or env("QDRANT_URL")
        )
        self._api_key = qdrant_api_key or env("QDRANT_API_KEY")
        self.path = qdrant_path
        if not self.api_base and not self.path:
            raise ValueError(
                "Cache(type='qdrant-semantic') needs qdrant_api_base (a URL, or ':memory:' for local mode) "
                "or qdrant_path (a directory for local mode)"
            )
        if not collection_name:
            raise ValueError("Cache(type='qdrant-semantic') needs qdrant_collection_name")
        quantization = (quantization_config or "binary").lower()
        if quantization not in _QUANTIZATIONS:
            raise ValueError(f"qdrant_quantization_config must be one of {', '.join(_QUANTIZATIONS)}")
        self.collection_name = collection_name
        self.quantization = quantization
        self.vector_size = vector_size
        self._client: Any = None
        self._ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self.path or ("memory" if self.api_base == ":memory:" else self.api_base)
        return f"QdrantSemanticCache({where}, collection={self.collection_name!r})"

    @property
    def _local(self) -> bool:
        return bool(self.path) or self.api_base == ":memory:"

    @property
    def client(self) -> Any:
        if self._client is None:
            qdrant_client = _import_qdrant()
            if self.path:
                self._client = qdrant_client.QdrantClient(path=self.path)
            elif self.api_base == ":memory:":
                self._client = qdrant_client.QdrantClient(location=":memory:")
            else:
                self._client = qdrant_client.QdrantClient(url=self.api_base, api_key=self._api_key, timeout=5)
        return self._client

    def _quantization_config(self) -> Any:
        from qdrant_client import models

        if self.quantization == "scalar":
            return models.ScalarQuantization(
                scalar=models.ScalarQuantizationConfig(
                    type=models.ScalarType.INT8, quantile=0.99, always_ram=True
                )
            )
        if self.quantization == "product":
            return models.ProductQuantization(
                product=models.ProductQuantizationConfig(
                    compression=models.CompressionRatio.X16, always_ram=True
                )
            )
        return models.BinaryQuantization(binary=models.BinaryQuantizationConfig(always_ram=True))

    def _ensure_collection(self, size: int) -> None:
        if self._ready:
            return
        from qdrant_client import models

        with self._lock:
            if self._ready:
                return
            client = self.client
            if not client.collection_exists(self.collection_name):
                client.create_collection(
                    self.collection_name,
                    vectors_config=models.VectorParams(
                        size=self.vector_size or size, distance=models.Distance.COSINE
                    ),
                    quantization_config=self._quantization_config(),
                )
                if not self._local:  # local mode has no payload indexes (and warns)
                    client.create_payload_index(
                        self.collection_name, "scope", models.PayloadSchemaType.KEYWORD
                    )
            self._ready = True

    def _query(self, scope: str, vector: list[float]) -> Any:
        from qdrant_client import models

        self._ensure_collection(len(vector))
        result = self.client.query_points(
            self.collection_name,
            query=vector,
            query_filter=models.Filter(
                must=[
                    models.FieldCondition(key="scope", match=models.MatchValue(value=scope)),
                    models.FieldCondition(key="expires_at", range=models.Range(gt=time.time())),
                ]
            ),
            limit=1,
            with_payload=True,
            score_threshold=self.similarity_threshold,
        )
        points = result.points
        return points[0].payload.get("entry") if points else None

    def _upsert(self, scope: str, text: str, vector: list[float], entry: Any, ttl: float | None) -> None:
        from qdrant_client import models

        self._ensure_collection(len(vector))
        ttl = self._ttl(ttl)
        point_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope}\n{text}"))
        payload = {
            "scope": scope,
            "entry": entry,
            "expires_at": time.time() + ttl if ttl is not None else _NEVER,
        }
        self.client.upsert(
            self.collection_name, points=[models.PointStruct(id=point_id, vector=vector, payload=payload)]
        )

    def get_semantic(self, scope: str, text: str) -> Any:
        return self._query(scope, self.embed(text))

    def set_semantic(self, scope: str, text: str, entry: Any, ttl: float | None = None) -> None:
        self._upsert(scope, text, self.embed(text), entry, ttl)

    async def aget_semantic(self, scope: str, text: str) -> Any:
        vector = await self.aembed(text)
        return await asyncio.to_thread(self._query, scope, vector)

    async def aset_semantic(self, scope: str, text: str, entry: Any, ttl: float | None = None) -> None:
        vector = await self.aembed(text)
        await asyncio.to_thread(self._upsert, scope, text, vector, entry, ttl)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
            self._ready = False
