"""Cache construction: LiteLLM's argument names build each backend, bad configuration fails clearly, and
importing the package imports no client library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from litellm.caching.caching import Cache


def test_import_path_litellm_documents():
    import litellm.caching
    import litellm.caching.caching

    for name in ("Cache", "enable_cache", "disable_cache", "update_cache"):
        assert getattr(litellm.caching, name) is getattr(litellm.caching.caching, name)


def test_importing_caching_and_building_caches_imports_no_client_library():
    probe = (
        "import json, sys\n"
        "from litellm.caching.caching import Cache\n"
        "Cache(); Cache(type='redis', host='127.0.0.1', port=6379); Cache(type='dual');"
        " Cache(type='disk', disk_cache_dir='/tmp/x-never-created');"
        " Cache(type='s3', s3_bucket_name='b');"
        " Cache(type='qdrant-semantic', qdrant_api_base=':memory:', qdrant_collection_name='c',"
        " similarity_threshold=0.9)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert not loaded & {"redis", "diskcache", "boto3", "botocore", "qdrant_client", "numpy"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": "memcached"}, "unknown cache type 'memcached'"),
        ({"type": "gcs"}, "not available here"),
        ({"mode": "sometimes"}, "unknown cache mode"),
        ({"type": "s3"}, "needs s3_bucket_name"),
        ({"type": "qdrant-semantic", "similarity_threshold": 0.8}, "qdrant_api_base"),
        (
            {"type": "qdrant-semantic", "qdrant_api_base": ":memory:", "similarity_threshold": 0.8},
            "qdrant_collection_name",
        ),
        ({"type": "redis-semantic"}, "similarity_threshold"),
        ({"type": "redis-semantic", "similarity_threshold": 2}, "within 0..1"),
        (
            {
                "type": "qdrant-semantic",
                "qdrant_api_base": ":memory:",
                "qdrant_collection_name": "c",
                "similarity_threshold": 0.8,
                "qdrant_quantization_config": "fancy",
            },
            "binary, scalar, product",
        ),
        ({"type": "redis", "redis_flush_size": 0}, "redis_flush_size"),
    ],
)
def test_bad_configuration_names_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Cache(**kwargs)


def test_ttl_arguments_map_like_litellm():
    assert Cache(type="local", default_in_memory_ttl=5).ttl == 5
    assert Cache(type="redis", default_in_redis_ttl=7).ttl == 7
    assert Cache(type="redis", ttl=3, default_in_redis_ttl=7).ttl == 3
    dual = Cache(type="dual", default_in_memory_ttl=2, default_in_redis_ttl=9)
    assert dual.cache.default_in_memory_ttl == 2 and dual.cache.redis_cache.default_ttl == 9


def test_redis_connection_falls_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("REDIS_HOST", "10.1.2.3")
    monkeypatch.setenv("REDIS_PORT", "6390")
    cache = Cache(type="redis")
    assert (cache.cache.host, cache.cache.port) == ("10.1.2.3", 6390)
    assert "secret" not in repr(Cache(type="redis", password="secret"))


def test_s3_path_prefixes_object_keys():
    cache = Cache(type="s3", s3_bucket_name="b", s3_path="cache/v1/")
    assert cache.cache.object_key("abc") == "cache/v1/abc"


def test_arguments_a_type_does_not_use_are_named_in_a_warning(capsys):
    cache = Cache(type="local", redis_startup_nodes=[{"host": "x"}], gcs_bucket_name=None)
    assert cache.type.value == "local"
    err = capsys.readouterr().err
    assert "redis_startup_nodes" in err and "gcs_bucket_name" not in err
