"""Every call type beside chat, through the fake provider: what the caller gets, and the record's
call_type, model and cost."""

from __future__ import annotations

import io
import struct
from typing import Any

from _probe_lib import Recorder, rnd, settle, tag

import litellm
from snippets import add


def _wav() -> bytes:
    """A 0.1 s silent 16 kHz mono WAV file."""
    frames = b"\x00\x00" * 1600
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVEfmt "
    header += (
        struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", len(frames))
    )
    return header + frames


def _recorded(name: str, call: Any, view: Any) -> Any:
    def run(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        fn = getattr(litellm, name)
        result = call(fn, env)
        settle(lambda: rec.first("log_success_event") is not None)
        got = rec.first("log_success_event")
        out: dict[str, Any] = {"type": type(result).__name__, **view(result)}
        if got is not None:
            p = got[0]["standard_logging_object"]
            out["payload"] = {
                "call_type": p["call_type"],
                "model": p["model"],
                "custom_llm_provider": p["custom_llm_provider"],
                "response_cost": rnd(p["response_cost"]),
                "status": p["status"],
            }
        else:
            out["payload"] = None
        return out

    return run


def _base(env: dict[str, Any], suffix: str = "/v1") -> dict[str, Any]:
    return {"api_base": env["fake"] + suffix, "api_key": "sk-compat-test", "metadata": tag()}


add(
    "call_type[text_completion]",
    _recorded(
        "text_completion",
        lambda fn, env: fn(model="openai/gpt-3.5-turbo-instruct", prompt="Say hi", **_base(env)),
        lambda r: {
            "text_is_str": isinstance(r.choices[0].text, str),
            "object": r.object,
            "usage_total": r.usage.total_tokens > 0,
        },
    ),
)
add(
    "call_type[image_generation]",
    _recorded(
        "image_generation",
        lambda fn, env: fn(model="openai/dall-e-3", prompt="a cat", **_base(env)),
        lambda r: {"n_images": len(r.data), "has_url_or_b64": bool(r.data[0].url or r.data[0].b64_json)},
    ),
)
add(
    "call_type[moderation]",
    _recorded(
        "moderation",
        lambda fn, env: fn(input="hello", model="openai/omni-moderation-latest", **_base(env)),
        lambda r: {"n_results": len(r.results), "flagged_is_bool": isinstance(r.results[0].flagged, bool)},
    ),
)
add(
    "call_type[speech]",
    _recorded(
        "speech",
        lambda fn, env: fn(model="openai/tts-1", input="hello", voice="alloy", **_base(env)),
        lambda r: {"has_bytes": len(r.content) > 0},
    ),
)
add(
    "call_type[transcription]",
    _recorded(
        "transcription",
        lambda fn, env: fn(model="openai/whisper-1", file=("a.wav", io.BytesIO(_wav())), **_base(env)),
        lambda r: {"text_is_str": isinstance(r.text, str)},
    ),
)
add(
    "call_type[rerank]",
    _recorded(
        "rerank",
        lambda fn, env: fn(
            model="cohere/rerank-english-v3.0",
            query="capital of France",
            documents=["Paris is the capital of France.", "Bananas are yellow."],
            top_n=2,
            api_base=env["fake"],
            api_key="sk-compat-test",
            metadata=tag(),
        ),
        lambda r: {
            "n_results": len(r.results),
            "first_index_is_int": isinstance(
                r.results[0]["index"] if isinstance(r.results[0], dict) else r.results[0].index, int
            ),
        },
    ),
)
add(
    "call_type[responses]",
    _recorded(
        "responses",
        lambda fn, env: fn(model="openai/gpt-4o-mini", input="Say hi", **_base(env)),
        lambda r: {"object": getattr(r, "object", None), "has_output": bool(getattr(r, "output", None))},
    ),
)
add(
    "call_type[embedding,azure]",
    _recorded(
        "embedding",
        lambda fn, env: fn(
            model="azure/my-embedding", input=["hello"], api_version="2024-10-21", **_base(env, "")
        ),
        lambda r: {"n": len(r.data), "object": r.object},
    ),
)
add(
    "call_type[batch_completion]",
    lambda env: {
        "types": [
            type(r).__name__
            for r in litellm.batch_completion(
                model="openai/gpt-4o-mini",
                messages=[[{"role": "user", "content": "a"}], [{"role": "user", "content": "b"}]],
                **_base(env),
            )
        ]
    },
)


def _embedding_cost(env: dict[str, Any]) -> Any:
    r = litellm.embedding(model="openai/text-embedding-3-small", input=["hello world"], **_base(env))
    return {
        "cost": rnd(litellm.completion_cost(completion_response=r)),
        "prompt_tokens": r.usage.prompt_tokens,
    }


add("call_type[embedding cost]", _embedding_cost)
