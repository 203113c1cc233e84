"""Public functions without a network call: model info, capabilities, costs, tokens, providers, helpers."""

from __future__ import annotations

import os
from typing import Any

from _probe_lib import MESSAGES, rnd

import litellm
from snippets import add

CHAT_MODELS = [
    "gpt-4o",
    "openai/gpt-4o-mini",
    "gpt-4.1",
    "o3-mini",
    "anthropic/claude-sonnet-4-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "claude-3-5-haiku-20241022",
    "azure/gpt-4o",
    "azure/gpt-4.1",
    "groq/llama-3.3-70b-versatile",
    "mistral/mistral-large-latest",
    "deepseek/deepseek-chat",
    "xai/grok-3",
    "gemini/gemini-2.0-flash",
]
EMBED_MODELS = ["text-embedding-3-small", "text-embedding-3-large", "mistral/mistral-embed"]

INFO_FIELDS = (
    "max_tokens",
    "max_input_tokens",
    "max_output_tokens",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "litellm_provider",
    "mode",
    "supports_function_calling",
    "supports_vision",
    "supports_pdf_input",
    "supports_prompt_caching",
    "supports_response_schema",
    "supports_reasoning",
)

FLAGS = (
    "supports_function_calling",
    "supports_parallel_function_calling",
    "supports_vision",
    "supports_pdf_input",
    "supports_response_schema",
    "supports_prompt_caching",
    "supports_reasoning",
    "supports_audio_input",
    "supports_web_search",
    "supports_system_messages",
    "supports_tool_choice",
)


def _model_info(model: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        info = litellm.get_model_info(model)
        return {k: rnd(info.get(k)) for k in INFO_FIELDS}

    return run


for _m in CHAT_MODELS + EMBED_MODELS:
    add(f"get_model_info[{_m}]", _model_info(_m))


def _flag(flag: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        import litellm.utils

        fn = getattr(litellm.utils, flag)
        out = {}
        for model in CHAT_MODELS:
            try:
                out[model] = fn(model=model)
            except Exception as exc:
                out[model] = type(exc).__name__
        return out

    return run


for _f in FLAGS:
    add(f"{_f}[chat models]", _flag(_f))


def _max_tokens(model: str) -> Any:
    return lambda env: {"max_tokens": litellm.get_max_tokens(model)}


for _m in ["gpt-4o", "claude-sonnet-4-5", "anthropic/claude-haiku-4-5", *EMBED_MODELS]:
    add(f"get_max_tokens[{_m}]", _max_tokens(_m))


def _cost_per_token(model: str, **extra: int) -> Any:
    def run(env: dict[str, Any]) -> Any:
        p, c = litellm.cost_per_token(model=model, prompt_tokens=1000, completion_tokens=500, **extra)
        return {"prompt_cost": rnd(p), "completion_cost": rnd(c)}

    return run


for _m in CHAT_MODELS:
    add(f"cost_per_token[{_m}]", _cost_per_token(_m))
for _m in ["claude-sonnet-4-5", "anthropic/claude-haiku-4-5", "claude-opus-4-5"]:
    add(f"cost_per_token_cache_read[{_m}]", _cost_per_token(_m, cache_read_input_tokens=600))
    add(f"cost_per_token_cache_write[{_m}]", _cost_per_token(_m, cache_creation_input_tokens=400))


def _completion_cost_text(model: str) -> Any:
    return lambda env: {
        "cost": rnd(litellm.completion_cost(model=model, prompt="Hello world", completion="Hi there, friend"))
    }


for _m in ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "anthropic/claude-haiku-4-5"]:
    add(f"completion_cost_text[{_m}]", _completion_cost_text(_m))


def _token_counter(model: str) -> Any:
    return lambda env: {
        "messages": litellm.token_counter(model=model, messages=MESSAGES),
        "text": litellm.token_counter(model=model, text="The quick brown fox jumps over the lazy dog"),
    }


for _m in ["gpt-4o", "gpt-3.5-turbo", "claude-sonnet-4-5", "groq/llama-3.3-70b-versatile"]:
    add(f"token_counter[{_m}]", _token_counter(_m))


def _provider(model: str, **kw: Any) -> Any:
    def run(env: dict[str, Any]) -> Any:
        m, provider, _key, base = litellm.get_llm_provider(model, **kw)
        return {"model": m, "provider": provider, "api_base": base}

    return run


for _m in [
    "gpt-4o",
    "openai/gpt-4o",
    "claude-sonnet-4-5",
    "anthropic/claude-sonnet-4-5",
    "azure/my-deployment",
    "groq/llama-3.3-70b-versatile",
    "together_ai/meta-llama/Llama-3-8b-chat-hf",
    "mistral/mistral-large-latest",
    "deepseek/deepseek-chat",
    "openrouter/openai/gpt-4o",
    "xai/grok-3",
    "ollama_chat/llama3",
    "fireworks_ai/llama-v3-70b",
]:
    add(f"get_llm_provider[{_m}]", _provider(_m))


def _validate_env(model: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        out = litellm.validate_environment(model=model)
        return {
            "keys_in_environment": out["keys_in_environment"],
            "missing_keys": sorted(out["missing_keys"]),
        }

    return run


for _m in [
    "gpt-4o",
    "anthropic/claude-sonnet-4-5",
    "azure/my-deployment",
    "groq/llama-3.3-70b-versatile",
    "mistral/mistral-large-latest",
    "deepseek/deepseek-chat",
    "xai/grok-3",
    "together_ai/meta-llama/Llama-3-8b-chat-hf",
]:
    add(f"validate_environment[{_m}]", _validate_env(_m))


def _validate_env_set(env: dict[str, Any]) -> Any:
    os.environ["ANTHROPIC_API_KEY"] = "sk-ant-test"
    try:
        return litellm.validate_environment(model="anthropic/claude-sonnet-4-5")
    finally:
        del os.environ["ANTHROPIC_API_KEY"]


add("validate_environment[anthropic key set]", _validate_env_set)


def _supported_params(model: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        params = litellm.get_supported_openai_params(model=model) or []
        core = ["temperature", "max_tokens", "tools", "tool_choice", "stream", "response_format", "stop", "n"]
        return {p: p in params for p in core}

    return run


for _m in ["gpt-4o", "anthropic/claude-sonnet-4-5", "azure/gpt-4o", "groq/llama-3.3-70b-versatile"]:
    add(f"get_supported_openai_params[{_m}]", _supported_params(_m))


def _trim(env: dict[str, Any]) -> Any:
    long = [{"role": "system", "content": "Be brief."}] + [
        {"role": "user", "content": "word " * 400} for _ in range(30)
    ]
    from litellm.utils import trim_messages

    trimmed = trim_messages(long, model="gpt-4o", max_tokens=2000)
    return {
        "n": len(trimmed),
        "first_role": trimmed[0]["role"],
        "fits": litellm.token_counter(model="gpt-4o", messages=trimmed) <= 2000,
    }


add("trim_messages[gpt-4o]", _trim)


def _encode(env: dict[str, Any]) -> Any:
    tokens = litellm.encode(model="gpt-4o", text="hello world, this is a test")
    return {"n": len(tokens), "roundtrip": litellm.decode(model="gpt-4o", tokens=list(tokens))}


add("encode_decode[gpt-4o]", _encode)


def _utils_imports(env: dict[str, Any]) -> Any:
    import litellm.utils as u

    names = [
        "trim_messages",
        "token_counter",
        "get_model_info",
        "supports_vision",
        "supports_function_calling",
        "get_llm_provider",
        "completion_cost",
        "ModelResponse",
        "get_max_tokens",
        "register_prompt_template",
        "validate_environment",
        "get_supported_openai_params",
        "CustomStreamWrapper",
    ]
    return {n: hasattr(u, n) for n in names}


add("utils.imports", _utils_imports)


def _register_model(env: dict[str, Any]) -> Any:
    litellm.register_model(
        {
            "compat-test-model": {
                "input_cost_per_token": 0.001,
                "output_cost_per_token": 0.002,
                "litellm_provider": "openai",
                "mode": "chat",
            }
        }
    )
    p, c = litellm.cost_per_token(model="compat-test-model", prompt_tokens=10, completion_tokens=5)
    return {"prompt": rnd(p), "completion": rnd(c)}


add("register_model+cost_per_token", _register_model)


def _stream_chunk_builder(env: dict[str, Any]) -> Any:
    chunks = list(
        litellm.completion(
            model="gpt-4o", messages=MESSAGES, mock_response="Hello world, this is a test", stream=True
        )
    )
    built = litellm.stream_chunk_builder(chunks, messages=MESSAGES)
    from _probe_lib import response_view

    return {
        "n_chunks_nonempty": sum(1 for c in chunks if c.choices and c.choices[0].delta.content),
        **response_view(built),
    }


add("stream_chunk_builder[mock]", _stream_chunk_builder)


def _completion_cost_response(env: dict[str, Any]) -> Any:
    r = litellm.completion(model="gpt-4o", messages=MESSAGES, mock_response="hi")
    return {
        "cost": rnd(litellm.completion_cost(completion_response=r)),
        "hidden": rnd(r._hidden_params.get("response_cost")),
    }


add("completion_cost[mock response]", _completion_cost_response)


def _embedding_mock(env: dict[str, Any]) -> Any:
    r = litellm.embedding(model="text-embedding-3-small", input=["a"], mock_response=[0.1, 0.2, 0.3])
    return {
        "type": type(r).__name__,
        "vector": r.data[0]["embedding"] if isinstance(r.data[0], dict) else r.data[0].embedding,
    }


add("embedding[mock_response vector]", _embedding_mock)


def _alias(env: dict[str, Any]) -> Any:
    litellm.model_alias_map = {"my-alias": "gpt-4o"}
    r = litellm.completion(model="my-alias", messages=MESSAGES, mock_response="hi")
    return {"model": r.model}


add("model_alias_map[mock]", _alias)


def _mock_tools(env: dict[str, Any]) -> Any:
    r = litellm.completion(
        model="gpt-4o",
        messages=MESSAGES,
        mock_response="hi",
        temperature=0.2,
        max_tokens=10,
    )
    from _probe_lib import response_view

    return response_view(r)


add("completion[mock basic]", _mock_tools)
