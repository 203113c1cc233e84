"""Quickstart: no API keys, no services. Starts the bundled fake provider and makes real calls.

    python examples/quickstart.py

Shows a plain call, a streamed call, an async call, an Anthropic-format call, a failing call and one
call of every other type (text completion, embedding, image, moderation, transcription, speech, rerank,
batch, the Responses API, files and a batch job, an assistant run), and, for each, the one logging record (StandardLoggingPayload) our callback received: status,
cost, tokens, latency.
"""

from __future__ import annotations

import asyncio
import struct

import litellm
from litellm.fake_provider.server import start_fake_provider
from litellm.integrations.custom_logger import CustomLogger


class PrintPayloads(CustomLogger):
    """Prints a one-line summary of every call's logging record."""

    def _show(self, kwargs: dict) -> None:
        p = kwargs["standard_logging_object"]
        cost = p["response_cost"]
        cost_text = f"${cost:.8f}" if cost is not None else "n/a"
        print(
            f"    [log] {p['status']:<7} {p['call_type']:<16} model={p['model']:<28} stream={p['stream']!s:<5} "
            f"tokens={p['prompt_tokens']}+{p['completion_tokens']} cost={cost_text} "
            f"latency={p['response_time'] * 1000:.1f}ms"
            + (f" error={p['error_information']['error_class']}" if p["status"] == "failure" else "")
        )

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._show(kwargs)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._show(kwargs)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._show(kwargs)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._show(kwargs)


def main() -> None:
    with start_fake_provider() as fake:
        openai_base = f"{fake.url}/v1"
        litellm.callbacks = [PrintPayloads()]
        messages = [{"role": "user", "content": "Say hello in five words."}]

        print("1. completion (OpenAI format, priced as gpt-4o-mini):")
        r = litellm.completion(
            model="openai/gpt-4o-mini", messages=messages, api_base=openai_base, api_key="sk-fake"
        )
        litellm.flush_callbacks()  # the record is delivered off the request path: wait for it here
        print(
            "   ->",
            r.choices[0].message.content,
            "| usage:",
            r.usage.prompt_tokens,
            "+",
            r.usage.completion_tokens,
        )

        print("2. streaming:")
        stream = litellm.completion(
            model="openai/gpt-4o-mini",
            messages=messages,
            api_base=openai_base,
            api_key="sk-fake",
            stream=True,
        )
        text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
        litellm.flush_callbacks()
        print("   ->", text)

        print("3. async (acompletion), Anthropic Messages API:")

        async def run_async() -> None:
            r = await litellm.acompletion(
                model="anthropic/claude-sonnet-4-5",
                messages=[{"role": "system", "content": "Be brief."}, *messages],
                api_base=fake.url,
                api_key="sk-ant-fake",
            )
            return r

        r = asyncio.run(run_async())
        litellm.flush_callbacks()
        print("   ->", r.choices[0].message.content)

        print("4. a failing call (the fake provider answers 429), caught as litellm.RateLimitError:")
        try:
            litellm.completion(
                model="openai/gpt-4o-mini",
                messages=messages,
                api_base=openai_base,
                api_key="sk-fake",
                extra_headers={"x-fake-error": "429"},
            )
        except litellm.RateLimitError as e:
            litellm.flush_callbacks()
            print("   -> raised", type(e).__name__, "status", e.status_code)

        print("5. mock_response (no server at all):")
        r = litellm.completion(model="gpt-4o", messages=messages, mock_response="This is a mock.")
        litellm.flush_callbacks()
        print("   ->", r.choices[0].message.content, "| cost:", r._hidden_params["response_cost"])
        other_calls(fake.url)
        print("\ncounters:", {k: v for k, v in litellm.callback_stats().items() if k != "per_callback"})


def _wav(seconds: float, rate: int = 8000) -> bytes:
    """A silent mono 16-bit WAV, so the transcription below has real audio to upload."""
    data = b"\x00\x00" * int(seconds * rate)
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVE"
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def other_calls(url: str) -> None:
    """One call of each other type, against the same fake provider; each leaves one record."""
    base = {"api_base": f"{url}/v1", "api_key": "sk-fake"}

    print("6. text_completion (/v1/completions):")
    r = litellm.text_completion(model="openai/gpt-3.5-turbo-instruct", prompt="Say hi", **base)
    litellm.flush_callbacks()
    print("   ->", r.choices[0].text)

    print("7. embedding (token ids in, 8 dimensions, base64 out):")
    e = litellm.embedding(
        model="openai/text-embedding-3-small",
        input=[[9906, 1917]],
        dimensions=8,
        encoding_format="base64",
        **base,
    )
    litellm.flush_callbacks()
    print("   ->", e.data[0]["embedding"][:24] + "...")

    print("8. image_generation (gpt-image-1, low quality):")
    img = litellm.image_generation(model="openai/gpt-image-1", prompt="a red square", quality="low", **base)
    litellm.flush_callbacks()
    print("   ->", len(img.data), "image(s), usage:", img.usage.input_tokens, "+", img.usage.output_tokens)

    print("9. moderation:")
    m = litellm.moderation(
        model="openai/omni-moderation-latest", input=["hello", "this one [fake:flag]"], **base
    )
    litellm.flush_callbacks()
    print("   -> flagged:", [x.flagged for x in m.results])

    print("10. transcription (a 2.5 s WAV upload, whisper-1 priced per second):")
    t = litellm.transcription(model="openai/whisper-1", file=("hello.wav", _wav(2.5)), **base)
    litellm.flush_callbacks()
    print("   ->", t.text)

    print("11. speech (tts-1, priced per character):")
    audio = litellm.speech(
        model="openai/tts-1", input="Hello from the quickstart.", voice="alloy", response_format="wav", **base
    )
    litellm.flush_callbacks()
    print("   ->", audio.content_type, len(audio.content), "bytes")

    print("12. rerank (Cohere wire, priced per search unit):")
    rr = litellm.rerank(
        model="cohere/rerank-v3.5",
        query="capital of France",
        documents=["Berlin is in Germany", "Paris is the capital of France"],
        api_base=url,
        api_key="co-fake",
    )
    litellm.flush_callbacks()
    print("   ->", [(x.index, round(x.relevance_score, 3)) for x in rr.results])

    print("13. batch_completion (3 prompts, one record each):")
    out = litellm.batch_completion(
        model="openai/gpt-4o-mini",
        messages=[[{"role": "user", "content": f"Q{i}"}] for i in range(3)],
        **base,
    )
    litellm.flush_callbacks()
    print("   ->", len(out), "answers")

    print("14. responses (the Responses API; bridged to Anthropic's Messages API):")
    resp = litellm.responses(
        input="Say hello", model="anthropic/claude-sonnet-4-5", api_base=url, api_key="sk-ant-fake"
    )
    litellm.flush_callbacks()
    print("   ->", resp.output_text)

    print("15. files + a batch job (priced once at batch prices when it completes):")
    import json

    lines = "".join(
        json.dumps(
            {
                "custom_id": f"q{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"Q{i}"}]},
            }
        )
        + "\n"
        for i in range(3)
    )
    uploaded = litellm.create_file(file=("batch.jsonl", lines.encode()), purpose="batch", **base)
    job = litellm.create_batch(
        completion_window="24h", endpoint="/v1/chat/completions", input_file_id=uploaded.id, **base
    )
    while job.status not in ("completed", "failed", "cancelled"):
        job = litellm.retrieve_batch(job.id, **base)
    litellm.flush_callbacks()
    print(
        "   ->",
        job.status,
        job.request_counts.completed,
        "answers, cost",
        job._hidden_params.get("response_cost"),
    )

    print("16. an assistant run (polled to completion):")
    assistant = litellm.create_assistants(custom_llm_provider="openai", model="gpt-4o-mini", **base)
    thread = litellm.create_thread(
        custom_llm_provider="openai", messages=[{"role": "user", "content": "hi"}], **base
    )
    run = litellm.run_thread(
        custom_llm_provider="openai", thread_id=thread.id, assistant_id=assistant.id, **base
    )
    litellm.flush_callbacks()
    print("   ->", run.status, run.usage.total_tokens, "tokens")


if __name__ == "__main__":
    main()
