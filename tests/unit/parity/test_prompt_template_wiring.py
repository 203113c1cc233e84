"""register_prompt_template shapes every prompt a provider builds from messages."""

from __future__ import annotations

import litellm
from litellm.providers import huggingface, ollama, triton
from litellm.providers.prompt_templates import unregister_prompt_template

MSGS = [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Hi"}]
TEMPLATE = {
    "roles": {
        "system": {"pre_message": "<<SYS>>", "post_message": "<</SYS>>"},
        "user": {"pre_message": "[U]", "post_message": "[/U]"},
    },
    "initial_prompt_value": "BEGIN ",
    "final_prompt_value": " END",
}


def _register(model: str) -> None:
    litellm.register_prompt_template(model=model, **TEMPLATE)


def test_hugging_face_tgi_uses_the_registered_template():
    _register("my-org/my-model")
    try:
        prompt = huggingface.text_prompt(MSGS, "my-org/my-model")
    finally:
        unregister_prompt_template("my-org/my-model")
    assert prompt.startswith("BEGIN ") and prompt.endswith(" END")
    assert "<<SYS>>Be kind.<</SYS>>" in prompt and "[U]Hi[/U]" in prompt
    assert huggingface.text_prompt(MSGS, "my-org/my-model") != prompt  # unregistered: the default again


def test_ollama_generate_sends_the_rendered_conversation_raw():
    _register("ollama/mistral")
    try:
        body = ollama.build_body("mistral", MSGS, {}, chat=False, stream=False)
    finally:
        unregister_prompt_template("ollama/mistral")
    assert body["raw"] is True and "system" not in body
    assert body["prompt"].startswith("BEGIN ") and "[U]Hi[/U]" in body["prompt"]


def test_triton_generate_uses_the_registered_template():
    _register("triton/llama")
    try:
        assert triton._registered_prompt("llama", MSGS) or triton._registered_prompt("triton/llama", MSGS)
    finally:
        unregister_prompt_template("triton/llama")
