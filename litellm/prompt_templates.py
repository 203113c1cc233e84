"""LiteLLM's documented names for custom prompt templates (``litellm.register_prompt_template``); the
registry lives with the providers that render prompts (:mod:`litellm.providers.prompt_templates`)."""

from litellm.providers.prompt_templates import (
    custom_prompt_dict,
    prompt_template_for,
    register_prompt_template,
    render_prompt,
    unregister_prompt_template,
)

__all__ = [
    "custom_prompt_dict",
    "prompt_template_for",
    "register_prompt_template",
    "render_prompt",
    "unregister_prompt_template",
]
