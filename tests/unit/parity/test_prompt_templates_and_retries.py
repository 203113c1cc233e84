"""register_prompt_template + render_prompt, and completion_with_retries (LiteLLM's documented helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from litellm.calls import retries
from litellm.prompt_templates import (
    custom_prompt_dict,
    prompt_template_for,
    register_prompt_template,
    render_prompt,
    unregister_prompt_template,
)


@pytest.fixture
def llama_template() -> Iterator[None]:
    register_prompt_template(
        model="together_ai/togethercomputer/llama-2-70b-chat",
        initial_prompt_value="You are a good assistant",
        roles={
            "system": {"pre_message": "[INST] <<SYS>>\n", "post_message": "\n<</SYS>>\n [/INST]\n"},
            "user": {"pre_message": "[INST] ", "post_message": " [/INST]"},
            "assistant": {"pre_message": "\n", "post_message": "\n"},
        },
        final_prompt_value="Now answer as best you can:",
        bos_token="<s>",
        eos_token="</s>",
    )
    yield
    unregister_prompt_template("together_ai/togethercomputer/llama-2-70b-chat")


def test_template_is_stored_under_the_name_and_without_the_prefix(llama_template: None) -> None:
    assert "together_ai/togethercomputer/llama-2-70b-chat" in custom_prompt_dict
    assert prompt_template_for("togethercomputer/llama-2-70b-chat", "together_ai") is not None
    assert prompt_template_for("togethercomputer/llama-2-70b-chat")["bos_token"] == "<s>"
    assert prompt_template_for("some-other-model") is None


def test_render_follows_roles_bos_and_eos(llama_template: None) -> None:
    template = prompt_template_for("together_ai/togethercomputer/llama-2-70b-chat")
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "!"}]},
        {"role": "assistant", "content": "Hello"},
        {"role": "user", "content": "Bye"},
    ]
    assert render_prompt(messages, template) == (
        "<s>You are a good assistant"
        "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n [/INST]\n"
        "[INST] Hi! [/INST]"
        "\nHello\n</s>"
        "<s>[INST] Bye [/INST]"
        "Now answer as best you can:"
    )


def test_bad_templates_and_messages_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="pre_message"):
        register_prompt_template("m", roles={"user": {"prefix": "x"}})
    with pytest.raises(ValueError, match="must be a dict"):
        register_prompt_template("m", roles={"user": "x"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"messages\[0\]"):
        render_prompt([{"content": "no role"}], {"roles": {}})


def test_tokenizer_config_supplies_the_special_tokens() -> None:
    register_prompt_template(
        "hf/my-model", tokenizer_config={"bos_token": {"content": "<s>"}, "eos_token": "</s>"}
    )
    try:
        template = prompt_template_for("hf/my-model")
        assert (template["bos_token"], template["eos_token"]) == ("<s>", "</s>")
    finally:
        unregister_prompt_template("hf/my-model")


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[dict[str, Any]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        self.calls.append(kwargs)
        if len(self.calls) <= self.failures:
            raise ConnectionError(f"attempt {len(self.calls)} failed")
        return "ok"


def test_retries_until_success_and_turns_off_inner_retries() -> None:
    flaky = Flaky(failures=2)
    assert retries.completion_with_retries(model="m", messages=[], original_function=flaky) == "ok"
    assert len(flaky.calls) == 3
    assert all(c["num_retries"] == 0 and c["max_retries"] == 0 for c in flaky.calls)


def test_num_retries_is_the_total_attempts_and_the_last_error_is_raised() -> None:
    flaky = Flaky(failures=10)
    with pytest.raises(ConnectionError, match="attempt 2 failed"):
        retries.completion_with_retries(num_retries=2, original_function=flaky)
    assert len(flaky.calls) == 2


def test_exponential_strategy_waits_like_tenacity(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(retries.time, "sleep", waits.append)
    flaky = Flaky(failures=5)
    retries.completion_with_retries(
        num_retries=6, retry_strategy="exponential_backoff_retry", original_function=flaky
    )
    assert waits == [1.0, 2.0, 4.0, 8.0, 10.0]


def test_unknown_strategy_is_rejected() -> None:
    with pytest.raises(ValueError, match="retry_strategy"):
        retries.completion_with_retries(retry_strategy="linear", original_function=Flaky(0))


async def test_async_form_retries_coroutines() -> None:
    attempts: list[int] = []

    async def flaky(**kwargs: Any) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise TimeoutError("slow")
        return "done"

    assert await retries.acompletion_with_retries(original_function=flaky) == "done"
    assert len(attempts) == 3
