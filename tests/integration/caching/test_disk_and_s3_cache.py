"""Disk cache (diskcache in tmp_path) and S3 cache (moto's real S3 API): hit, miss, bypass, TTL expiry,
entries shared across Cache instances, and an unreachable S3 that is a counted miss."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from litellm.caching import hooks
from litellm.caching.caching import Cache
from litellm.core.settings import settings
from tests.integration.receivers import free_port
from tests.integration.receivers.moto import CREDENTIALS, shared_moto

CALL = {
    "model": "gpt-4o-mini",
    "messages": [{"role": "user", "content": "store me"}],
    "api_key": "sk-not-here",
}
RESPONSE = {"id": "chatcmpl-d", "object": "chat.completion", "choices": [{"message": {"content": "kept"}}]}


def _fill(kwargs=CALL):
    found = hooks.lookup("completion", kwargs)
    hooks.store("completion", kwargs, found.key, RESPONSE)
    return found


# -- disk ------------------------------------------------------------------------------------------


def test_disk_miss_store_hit_persists_across_instances(tmp_path):
    settings.cache = Cache(type="disk", disk_cache_dir=str(tmp_path))
    found = _fill()
    assert found.value is None
    assert hooks.lookup("acompletion", CALL).value == RESPONSE
    settings.cache.cache.close()
    reopened = Cache(type="disk", disk_cache_dir=str(tmp_path))
    assert hooks.lookup_with(reopened, "completion", CALL).value == RESPONSE
    assert hooks.lookup_with(reopened, "completion", {**CALL, "caching": False}).key is None


def test_disk_ttl_expiry(tmp_path):
    settings.cache = Cache(type="disk", disk_cache_dir=str(tmp_path), ttl=0.2)
    _fill()
    assert hooks.lookup("completion", CALL).value == RESPONSE
    time.sleep(0.3)
    assert hooks.lookup("completion", CALL).value is None


async def test_disk_async_and_embedding_items(tmp_path):
    settings.cache = Cache(type="disk", disk_cache_dir=str(tmp_path))
    found = await hooks.alookup("acompletion", CALL)
    await hooks.astore("acompletion", CALL, found.key, RESPONSE)
    assert hooks.lookup("completion", CALL).value == RESPONSE
    kwargs = {"model": "text-embedding-3-small", "input": ["a", "b"]}
    keys, _ = await hooks.alookup_embedding_items(kwargs)
    await hooks.astore_embedding_items(kwargs, keys, {0: [0.1]})
    assert hooks.lookup_embedding_items(kwargs)[1] == {0: [0.1]}


# -- S3 --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto():
    return shared_moto()


@pytest.fixture
def bucket(moto):
    name = f"cache-{uuid.uuid4().hex[:12]}"
    moto.client().create_bucket(Bucket=name)
    return name


def _s3_cache(moto, bucket, **extra):
    return Cache(
        type="s3",
        s3_bucket_name=bucket,
        s3_region_name=CREDENTIALS["region_name"],
        s3_endpoint_url=moto.url,
        s3_aws_access_key_id=CREDENTIALS["aws_access_key_id"],
        s3_aws_secret_access_key=CREDENTIALS["aws_secret_access_key"],
        **extra,
    )


def test_s3_miss_store_hit_and_the_stored_object(moto, bucket):
    settings.cache = _s3_cache(moto, bucket, s3_path="llm-cache/")
    found = _fill()
    assert found.value is None
    objects = moto.objects(bucket)
    assert list(objects) == [f"llm-cache/{found.key}"]
    stored = json.loads(objects[f"llm-cache/{found.key}"])
    assert stored["entry"]["response"] == RESPONSE and stored["expires_at"] is None
    assert b"sk-not-here" not in objects[f"llm-cache/{found.key}"]
    assert hooks.lookup("acompletion", CALL).value == RESPONSE
    assert hooks.lookup("completion", {**CALL, "temperature": 1}).value is None


def test_s3_ttl_expiry(moto, bucket):
    settings.cache = _s3_cache(moto, bucket)
    _fill({**CALL, "cache": {"ttl": 0.3}})
    assert hooks.lookup("completion", CALL).value == RESPONSE
    time.sleep(0.4)
    assert hooks.lookup("completion", CALL).value is None


async def test_s3_async_twins_share_entries(moto, bucket):
    settings.cache = _s3_cache(moto, bucket)
    found = await hooks.alookup("acompletion", CALL)
    await hooks.astore("acompletion", CALL, found.key, RESPONSE)
    assert hooks.lookup("completion", CALL).value == RESPONSE
    kwargs = {"model": "text-embedding-3-small", "input": ["x", "y"]}
    keys, _ = await hooks.alookup_embedding_items(kwargs)
    await hooks.astore_embedding_items(kwargs, keys, {0: [1.0], 1: [2.0]})
    assert (await hooks.alookup_embedding_items(kwargs))[1] == {0: [1.0], 1: [2.0]}


def test_unreachable_s3_is_a_counted_miss(moto, bucket):
    cache = _s3_cache(moto, bucket)
    cache.cache._client_args["endpoint_url"] = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.cache = cache
    found = hooks.lookup("completion", CALL)
    assert found.key is not None and found.value is None
    hooks.store("completion", CALL, found.key, RESPONSE)
    stats = hooks.stats()
    assert stats["errors"] == 1 and stats["skipped_while_down"] == 1 and stats["stores"] == 0


def test_missing_bucket_is_a_counted_miss(moto):
    settings.cache = _s3_cache(moto, f"absent-{uuid.uuid4().hex[:8]}")
    assert hooks.lookup("completion", CALL).value is None
    assert hooks.stats()["errors"] == 1
