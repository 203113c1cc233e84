"""Quickstart: no API keys, no services. Starts the bundled fake provider and makes real calls.

    python examples/quickstart.py

Shows a plain call, a streamed call, an async call, an Anthropic-format call and a failing call, and,
for each, the one logging record (StandardLoggingPayload) our callback received: status, cost, tokens,
latency.
"""

from __future__ import annotations

import asyncio

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
            f"    [log] {p['status']:<7} {p['call_type']:<11} model={p['model']:<28} stream={p['stream']!s:<5} "
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
        print("\ncounters:", {k: v for k, v in litellm.callback_stats().items() if k != "per_callback"})


if __name__ == "__main__":
    main()
