"""get_cache_key: stable across releases, blind to credentials and bookkeeping, sensitive to the answer."""

from __future__ import annotations

import hashlib

import pytest

from litellm.caching.caching import Cache
from litellm.caching.keys import (
    embedding_item_keys,
    get_cache_key,
    key_material,
    prompt_text,
    semantic_scope_key,
)

BASE = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}], "temperature": 0.2}


def test_key_is_sha256_of_the_documented_canonical_material():
    material = '{"messages":[{"content":"hello","role":"user"}],"model":"gpt-4o-mini","temperature":0.2}'
    assert key_material(BASE) == material
    assert get_cache_key(**BASE) == hashlib.sha256(material.encode()).hexdigest()
    # a golden value: changing it breaks every stored cache, so it must be a deliberate decision
    assert get_cache_key(**BASE) == "aff145e45d632cc82f4a114501d7e95ff6af48e68f0cdbb3a3487b8bd1eafd2f"


@pytest.mark.parametrize(
    "extra",
    [
        {"api_key": "sk-secret"},
        {"api_base": "http://elsewhere"},
        {"metadata": {"trace": 1}},
        {"callbacks": [print]},
        {"success_callback": ["langfuse"]},
        {"stream": True},
        {"stream_options": {"include_usage": True}},
        {"timeout": 3},
        {"num_retries": 2},
        {"user": "u-1"},
        {"litellm_call_id": "abc"},
        {"extra_headers": {"Authorization": "Bearer x"}},
        {"caching": True},
        {"top_p": None},
    ],
)
def test_credentials_transport_and_bookkeeping_never_change_the_key(extra):
    assert get_cache_key(**BASE, **extra) == get_cache_key(**BASE)


def test_secrets_never_reach_the_material():
    assert "sk-secret" not in key_material(
        {**BASE, "api_key": "sk-secret", "extra_headers": {"x": "sk-secret"}}
    )


@pytest.mark.parametrize(
    "change",
    [
        {"model": "gpt-4o"},
        {"messages": [{"role": "user", "content": "hello!"}]},
        {"temperature": 0.3},
        {"max_tokens": 5},
        {"seed": 1},
        {"tools": [{"type": "function", "function": {"name": "f"}}]},
        {"response_format": {"type": "json_object"}},
        {"top_k": 3},
        {"extra_body": {"x": 1}},
        {"custom_llm_provider": "azure"},
    ],
)
def test_parameters_that_change_the_answer_change_the_key(change):
    assert get_cache_key(**{**BASE, **change}) != get_cache_key(**BASE)


def test_argument_order_does_not_matter():
    reordered = {"temperature": 0.2, "messages": BASE["messages"], "model": "gpt-4o-mini"}
    assert get_cache_key(**reordered) == get_cache_key(**BASE)


def test_namespace_precedence_call_then_metadata_then_cache():
    digest = get_cache_key(**BASE)
    assert get_cache_key("team", **BASE) == f"team:{digest}"
    assert get_cache_key("team", **BASE, metadata={"redis_namespace": "meta"}) == f"meta:{digest}"
    assert get_cache_key("team", **BASE, cache={"namespace": "call"}) == f"call:{digest}"


def test_preset_cache_key_is_returned_unchanged():
    assert get_cache_key(**BASE, litellm_params={"preset_cache_key": "k1"}) == "k1"
    assert get_cache_key(**BASE, preset_cache_key="k2") == "k2"


def test_router_model_group_and_caching_groups_share_entries():
    a = get_cache_key(**{**BASE, "model": "azure/gpt-1"}, metadata={"model_group": "gpt"})
    b = get_cache_key(**{**BASE, "model": "openai/gpt-2"}, metadata={"model_group": "gpt"})
    assert a == b
    groups = [("gpt", "claude")]
    c = get_cache_key(**BASE, metadata={"model_group": "gpt", "caching_groups": groups})
    d = get_cache_key(**BASE, metadata={"model_group": "claude", "caching_groups": groups})
    assert c == d != a


def test_model_id_is_part_of_the_model():
    assert get_cache_key(**BASE, model_id="dep-1") != get_cache_key(**BASE, model_id="dep-2")


def test_pydantic_messages_hash_like_their_dumps():
    from pydantic import BaseModel

    class Msg(BaseModel):
        role: str
        content: str

    assert get_cache_key(**{**BASE, "messages": [Msg(role="user", content="hello")]}) == get_cache_key(**BASE)


def test_embedding_item_keys_equal_single_item_calls():
    kwargs = {"model": "text-embedding-3-small", "input": ["a", "b"], "api_key": "x"}
    keys = embedding_item_keys(kwargs, "ns")
    assert keys == [get_cache_key("ns", model="text-embedding-3-small", input=x) for x in ("a", "b")]
    assert embedding_item_keys({"model": "m", "input": [1, 2, 3]}) == [
        get_cache_key(model="m", input=[1, 2, 3])
    ]
    assert len(embedding_item_keys({"model": "m", "input": [[1, 2], [3]]})) == 2
    # encoding_format changes what is stored, so it is part of every item key
    assert embedding_item_keys({**kwargs, "encoding_format": "base64"}, "ns") != keys


def test_semantic_scope_ignores_the_prompt_but_not_the_rest_or_the_tenant():
    a = semantic_scope_key(BASE)
    assert semantic_scope_key({**BASE, "messages": [{"role": "user", "content": "other"}]}) == a
    assert semantic_scope_key({**BASE, "temperature": 1.0}) != a
    assert semantic_scope_key({**BASE, "metadata": {"user_api_key_team_id": "t1"}}) != a


def test_prompt_text_joins_message_text_parts():
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {}}]},
    ]
    assert prompt_text({"messages": messages}) == "be brief\nhi"
    assert prompt_text({"prompt": "p"}) == "p"
    assert prompt_text({"input": ["a", "b"]}) == "a\nb"


def test_cache_get_cache_key_uses_its_namespace():
    cache = Cache(namespace="n1")
    assert cache.get_cache_key(**BASE) == f"n1:{get_cache_key(**BASE)}"
