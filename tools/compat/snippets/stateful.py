"""The stateful APIs through the fake provider's in-memory resources: files, batches, fine-tuning jobs,
the Responses API (native, bridged, streamed, stored) and assistants: the result types and fields a
caller reads, and the record's call type and status."""

from __future__ import annotations

import json
from typing import Any

from _probe_lib import Recorder, rnd, settle, tag

import litellm
from snippets import add

_BATCH_LINE = {
    "custom_id": "q0",
    "method": "POST",
    "url": "/v1/chat/completions",
    "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]},
}


def _kw(env: dict[str, Any]) -> dict[str, Any]:
    return {"api_base": env["fake"] + "/v1", "api_key": "sk-compat-test", "metadata": tag()}


def _record(run: Any) -> Any:
    def snippet(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        out = run(env)
        settle(lambda: rec.first("log_success_event") is not None)
        got = rec.first("log_success_event")
        if got is not None:
            p = got[0]["standard_logging_object"]
            out["payload"] = {"status": p["status"], "response_cost": rnd(p["response_cost"])}
        return out

    return snippet


def _file(env: dict[str, Any]) -> Any:
    line = json.dumps(_BATCH_LINE).encode() + b"\n"
    return litellm.create_file(
        file=("batch.jsonl", line), purpose="batch", custom_llm_provider="openai", **_kw(env)
    )


add(
    "stateful[create_file]",
    _record(
        lambda env: (
            lambda f: {
                "type": type(f).__name__,
                "object": f.object,
                "purpose": f.purpose,
                "bytes": f.bytes,
            }
        )(_file(env))
    ),
)
add(
    "stateful[file_retrieve+content]",
    lambda env: (
        lambda f: {
            "retrieved": litellm.file_retrieve(file_id=f.id, custom_llm_provider="openai", **_kw(env)).id
            == f.id,
            "content_starts": litellm.file_content(
                file_id=f.id, custom_llm_provider="openai", **_kw(env)
            ).content[:12],
        }
    )(_file(env)),
)
add(
    "stateful[create_batch]",
    _record(
        lambda env: (lambda b: {"object": b.object, "status": b.status, "endpoint": b.endpoint})(
            litellm.create_batch(
                completion_window="24h",
                endpoint="/v1/chat/completions",
                input_file_id=_file(env).id,
                custom_llm_provider="openai",
                **_kw(env),
            )
        )
    ),
)
add(
    "stateful[retrieve_batch]",
    lambda env: (
        lambda b: {
            "status_after_one_retrieve": litellm.retrieve_batch(
                batch_id=b.id, custom_llm_provider="openai", **_kw(env)
            ).status
        }
    )(
        litellm.create_batch(
            completion_window="24h",
            endpoint="/v1/chat/completions",
            input_file_id=_file(env).id,
            custom_llm_provider="openai",
            **_kw(env),
        )
    ),
)
add(
    "stateful[create_fine_tuning_job]",
    lambda env: (lambda j: {"object": j.object, "status": j.status, "model": j.model})(
        litellm.create_fine_tuning_job(
            model="gpt-4o-mini", training_file=_file(env).id, custom_llm_provider="openai", **_kw(env)
        )
    ),
)
add(
    "stateful[responses,native]",
    _record(
        lambda env: (
            lambda r: {
                "object": r.object,
                "status": r.status,
                "text": r.output_text,
                "input_tokens": r.usage.input_tokens,
            }
        )(litellm.responses(model="openai/gpt-4o-mini", input="Say hi", **_kw(env)))
    ),
)
add(
    "stateful[responses,stream]",
    lambda env: (
        lambda events: {
            "first": events[0],
            "last": events[-1],
            "has_delta": "response.output_text.delta" in events,
        }
    )(
        [
            e.type
            for e in litellm.responses(model="openai/gpt-4o-mini", input="Say hi", stream=True, **_kw(env))
        ]
    ),
)
add(
    "stateful[responses,get+delete]",
    lambda env: (
        lambda r: {
            "got": litellm.get_responses(response_id=r.id, custom_llm_provider="openai", **_kw(env)).id
            == r.id,
        }
    )(litellm.responses(model="openai/gpt-4o-mini", input="keep me", **_kw(env))),
)
add(
    "stateful[assistants]",
    lambda env: (lambda a: {"object": a.object, "model": a.model, "name": a.name})(
        litellm.create_assistants(
            custom_llm_provider="openai", model="gpt-4o-mini", name="compat", **_kw(env)
        )
    ),
)
add(
    "stateful[thread+message]",
    lambda env: (
        lambda t: {
            "thread_object": t.object,
            "message_role": litellm.add_message(
                custom_llm_provider="openai", thread_id=t.id, role="user", content="hello", **_kw(env)
            ).role,
        }
    )(litellm.create_thread(custom_llm_provider="openai", **_kw(env))),
)
