"""Each provider family against the fake provider (api_base given): response fields and payload values."""

from __future__ import annotations

from typing import Any

from _probe_lib import MESSAGES, Recorder, payload_view, response_view, run_async, settle, tag

import litellm
from snippets import add

# provider prefix -> (model, api_base suffix on the fake provider, extra kwargs)
FAMILIES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "openai": ("openai/gpt-4o-mini", "/v1", {}),
    "azure": ("azure/my-deployment", "", {"api_version": "2024-10-21"}),
    "anthropic": ("anthropic/claude-sonnet-4-5", "", {}),
    "custom_openai": ("openai/my-local-model", "/v1", {}),
}
for _p, _m in [
    ("groq", "llama-3.3-70b-versatile"),
    ("together_ai", "meta-llama/Llama-3-8b-chat-hf"),
    ("deepseek", "deepseek-chat"),
    ("fireworks_ai", "accounts/fireworks/models/llama-v3-70b-instruct"),
    ("openrouter", "openai/gpt-4o"),
    ("mistral", "mistral-large-latest"),
    ("perplexity", "sonar"),
    ("deepinfra", "meta-llama/Meta-Llama-3-8B-Instruct"),
    ("xai", "grok-3"),
    ("cerebras", "llama3.1-8b"),
    ("sambanova", "Meta-Llama-3.1-8B-Instruct"),
    ("nvidia_nim", "meta/llama3-8b-instruct"),
    ("hosted_vllm", "my-model"),
    ("lm_studio", "my-model"),
    ("github", "gpt-4o"),
    ("databricks", "databricks-dbrx-instruct"),
    ("friendliai", "meta-llama-3.1-8b-instruct"),
    ("codestral", "codestral-latest"),
    ("nebius", "meta-llama/Meta-Llama-3.1-8B-Instruct"),
    ("novita", "meta-llama/llama-3.1-8b-instruct"),
    ("hyperbolic", "meta-llama/Llama-3.3-70B-Instruct"),
    ("lambda_ai", "llama3.1-8b-instruct"),
]:
    FAMILIES[_p] = (f"{_p}/{_m}", "/v1", {})


def kwargs_for(env: dict[str, Any], family: str, **extra: Any) -> dict[str, Any]:
    model, suffix, more = FAMILIES[family]
    return {
        "model": model,
        "messages": [dict(m) for m in MESSAGES],
        "api_base": env["fake"] + suffix,
        "api_key": "sk-compat-test",
        "metadata": tag(),
        **more,
        **extra,
    }


def _plain(family: str, is_async: bool) -> Any:
    def run(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        kw = kwargs_for(env, family)
        r = run_async(litellm.acompletion(**kw)) if is_async else litellm.completion(**kw)
        settle(lambda: rec.first("log_success_event", "async_log_success_event") is not None)
        got = rec.first("log_success_event", "async_log_success_event")
        view = response_view(r)
        view.pop("hidden_response_cost", None) if family not in ("openai", "anthropic") else None
        return {"response": view, "payload": payload_view(got[0]["standard_logging_object"]) if got else None}

    return run


def _stream(family: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        chunks = list(litellm.completion(**kwargs_for(env, family, stream=True)))
        text = "".join((c.choices[0].delta.content or "") for c in chunks if c.choices)
        finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
        return {
            "chunk_type": type(chunks[0]).__name__ if chunks else None,
            "text": text,
            "finish_reasons": finish,
            "object": chunks[0].object if chunks else None,
        }

    return run


for _family in FAMILIES:
    add(f"provider[{_family}]", _plain(_family, False))
    add(f"provider_stream[{_family}]", _stream(_family))
for _family in ("openai", "azure", "anthropic", "groq"):
    add(f"provider_async[{_family}]", _plain(_family, True))


def _tools(family: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        tools = [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            }
        ]
        r = litellm.completion(**kwargs_for(env, family, tools=tools, tool_choice="required"))
        return response_view(r)

    return run


for _family in ("openai", "azure", "anthropic", "groq"):
    add(f"provider_tools[{_family}]", _tools(_family))


def _embedding(env: dict[str, Any]) -> Any:
    r = litellm.embedding(
        model="openai/text-embedding-3-small", input=["hello"], api_base=env["fake"] + "/v1", api_key="sk-x"
    )
    emb = r.data[0]["embedding"] if isinstance(r.data[0], dict) else r.data[0].embedding
    return {
        "type": type(r).__name__,
        "dims": len(emb),
        "usage_prompt": r.usage.prompt_tokens,
        "model": r.model,
    }


add("embedding[openai fake]", _embedding)


def _stream_counts(family: str) -> Any:
    """One counting rule (issue 9 item 12): the logged record, stream_chunk_builder over the chunks the
    caller saw, and the assembled response handed to the logger agree on the tokens."""

    def run(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        kw = kwargs_for(env, family, stream=True)
        chunks = list(litellm.completion(**kw))
        built = litellm.stream_chunk_builder(chunks, messages=kw["messages"])
        settle(lambda: rec.first("log_success_event") is not None)
        got = rec.first("log_success_event")
        if got is None:
            return {"logged": None}
        payload = got[0]["standard_logging_object"]
        logged = (payload["prompt_tokens"], payload["completion_tokens"])
        assembled = got[1].usage if got[1] is not None else None
        try:
            priced = litellm.completion_cost(completion_response=got[1])
        except Exception:  # an unpriced model: the record must not claim a price either
            priced = None
        logged_cost = payload["response_cost"] or None
        return {
            "builder_equals_logged": (built.usage.prompt_tokens, built.usage.completion_tokens) == logged,
            "assembled_equals_logged": assembled is not None
            and (assembled.prompt_tokens, assembled.completion_tokens) == logged,
            "cost_is_price_of_logged_tokens": (logged_cost is None and not priced)
            or (logged_cost is not None and priced is not None and abs(logged_cost - priced) < 1e-9),
        }

    return run


for _family in ("openai", "azure", "anthropic", "groq", "mistral", "deepseek"):
    add(f"stream_counts_agree[{_family}]", _stream_counts(_family))
