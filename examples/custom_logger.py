"""A custom logger: the plugin interface LiteLLM documents, fed by one StandardLoggingPayload per call.

    python examples/custom_logger.py

Runs against the bundled fake provider (no keys). Shows the hooks a logger can override, the
payload fields most loggers use, a logging_hook that redacts before any destination sees the event,
and the delivery counters.
"""

from __future__ import annotations

import asyncio

import litellm
from litellm.fake_provider.server import start_fake_provider
from litellm.integrations.custom_logger import CustomLogger


class SpendLogger(CustomLogger):
    """Keeps a running total of cost and tokens per model; prints each call."""

    def __init__(self) -> None:
        super().__init__()
        self.spend: dict[str, float] = {}

    def log_pre_api_call(self, model, messages, kwargs):
        print(f"  pre-call   {model} ({len(messages)} messages)")

    def _record(self, kwargs) -> None:
        p = kwargs["standard_logging_object"]
        self.spend[p["model"]] = self.spend.get(p["model"], 0.0) + (p["response_cost"] or 0.0)
        print(
            f"  {p['status']:<10} {p['model']} cost=${p['response_cost'] or 0:.8f} "
            f"tokens={p['prompt_tokens']}+{p['completion_tokens']} ttft={1000 * (p['completionStartTime'] - p['startTime']):.1f}ms"
        )

    # sync calls (completion) reach the sync hooks ...
    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._record(kwargs)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._record(kwargs)
        print("             error:", kwargs["standard_logging_object"]["error_information"]["error_class"])

    # ... async calls (acompletion) reach the async ones
    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._record(kwargs)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._record(kwargs)


class MaskEmails(CustomLogger):
    """Runs before every destination: rewrite what gets logged (the caller's response is untouched)."""

    def logging_hook(self, kwargs, result, call_type):
        for message in kwargs.get("messages") or []:
            if isinstance(message.get("content"), str) and "@" in message["content"]:
                message["content"] = "[email removed]"
        return kwargs, result


def main() -> None:
    spend = SpendLogger()
    litellm.callbacks = [MaskEmails(), spend]
    with start_fake_provider() as fake:
        base = {"api_base": f"{fake.url}/v1", "api_key": "sk-fake"}
        litellm.completion(
            model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "mail me at a@b.c"}], **base
        )
        list(
            litellm.completion(
                model="openai/gpt-4o", messages=[{"role": "user", "content": "stream"}], stream=True, **base
            )
        )
        asyncio.run(
            litellm.acompletion(
                model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "async"}], **base
            )
        )
        try:
            litellm.completion(
                model="openai/gpt-4o-mini",
                messages=[{"role": "user", "content": "x"}],
                extra_headers={"x-fake-error": "503"},
                **base,
            )
        except litellm.ServiceUnavailableError:
            pass
        litellm.flush_callbacks()
    print("\nspend per model:", {k: round(v, 8) for k, v in spend.spend.items()})
    stats = litellm.callback_stats()
    print("delivered:", stats["delivered"], "failed:", stats["failed"], "dropped:", stats["dropped"])


if __name__ == "__main__":
    main()
