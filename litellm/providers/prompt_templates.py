"""Custom prompt templates: ``register_prompt_template`` and the pure function that renders messages with one.

Owns the template registry (``custom_prompt_dict``, keyed by the model name as registered and by the
name without its provider prefix, as LiteLLM keys it) and :func:`render_prompt`, which turns chat
messages into one prompt string for models served by a raw text-completion endpoint. Where a prompt is
built from messages, the caller looks up :func:`prompt_template_for` and renders with it.

Must not: do I/O, import anything above ``core``/``providers`` or the package root, or guess a template
for a model nobody registered one for.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "custom_prompt_dict",
    "prompt_template_for",
    "register_prompt_template",
    "render_prompt",
    "unregister_prompt_template",
]

# model -> {"roles", "initial_prompt_value", "final_prompt_value", "bos_token", "eos_token"}
custom_prompt_dict: dict[str, dict[str, Any]] = {}
_lock = threading.Lock()


def _names(model: str) -> list[str]:
    names = [model]
    try:
        from litellm.providers.registry import get_llm_provider

        bare = get_llm_provider(model)[0]
    except Exception:  # an unknown prefix: the template is still stored under the name as given
        bare = model.split("/", 1)[1] if "/" in model else model
    if bare and bare not in names:
        names.append(bare)
    return names


def register_prompt_template(
    model: str,
    roles: Mapping[str, Mapping[str, str]] | None = None,
    initial_prompt_value: str = "",
    final_prompt_value: str = "",
    bos_token: str = "",
    eos_token: str = "",
    tokenizer_config: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Register how ``model``'s messages become one prompt; returns the whole template registry.

    ``roles`` maps a role to ``{"pre_message": ..., "post_message": ...}`` (both optional), e.g.
    ``{"user": {"pre_message": "[INST] ", "post_message": " [/INST]"}}``. ``initial_prompt_value``
    starts the prompt and ``final_prompt_value`` ends it; ``bos_token`` opens it and each system/user
    turn that follows an assistant turn, ``eos_token`` closes each assistant turn. ``tokenizer_config``
    (a Hugging Face ``tokenizer_config.json`` dict) is accepted as LiteLLM does: its ``bos_token`` /
    ``eos_token`` fill the ones not given.
    """
    if not isinstance(model, str) or not model:
        raise ValueError("register_prompt_template needs model='<name>' (the model the template is for)")
    roles = dict(roles or {})
    for role, parts in roles.items():
        if not isinstance(parts, Mapping):
            raise ValueError(
                f"roles[{role!r}] must be a dict like {{'pre_message': '...', 'post_message': '...'}}, "
                f"got {type(parts).__name__}"
            )
        unknown = set(parts) - {"pre_message", "post_message"}
        if unknown:
            raise ValueError(
                f"roles[{role!r}] has unknown keys {sorted(unknown)}: use 'pre_message' and 'post_message'"
            )
    if tokenizer_config:
        bos_token = bos_token or _token_text(tokenizer_config.get("bos_token"))
        eos_token = eos_token or _token_text(tokenizer_config.get("eos_token"))
    template = {
        "roles": {role: dict(parts) for role, parts in roles.items()},
        "initial_prompt_value": initial_prompt_value or "",
        "final_prompt_value": final_prompt_value or "",
        "bos_token": bos_token or "",
        "eos_token": eos_token or "",
    }
    with _lock:
        for name in _names(model):
            custom_prompt_dict[name] = template
    return custom_prompt_dict


def _token_text(token: Any) -> str:
    if isinstance(token, Mapping):  # {"content": "<s>", ...} in tokenizer_config.json
        return str(token.get("content") or "")
    return str(token or "")


def unregister_prompt_template(model: str) -> None:
    """Forget the template registered for ``model`` (under every name it was stored)."""
    with _lock:
        for name in _names(model):
            custom_prompt_dict.pop(name, None)


def prompt_template_for(model: str, custom_llm_provider: str | None = None) -> dict[str, Any] | None:
    """The template registered for ``model`` (as called, or without its provider prefix), else None."""
    template = custom_prompt_dict.get(model)
    if template is None and custom_llm_provider:
        template = custom_prompt_dict.get(f"{custom_llm_provider}/{model}")
    if template is None and "/" in model:
        template = custom_prompt_dict.get(model.split("/", 1)[1])
    return template


def _text_of(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # OpenAI content parts: the text parts, in order
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, Mapping) and isinstance(part.get("text"), str)
        )
    return str(content)


def render_prompt(messages: Sequence[Mapping[str, Any]], template: Mapping[str, Any]) -> str:
    """One prompt string from chat ``messages`` and a registered ``template`` (pure).

    Each message becomes ``pre_message + text + post_message`` of its role (text parts of a content list
    are joined); the prompt is ``bos_token + initial_prompt_value + ... + final_prompt_value``, with
    ``eos_token`` after each assistant turn and ``bos_token`` again before the next system/user turn.
    """
    roles: Mapping[str, Mapping[str, str]] = template.get("roles") or {}
    bos = template.get("bos_token") or ""
    eos = template.get("eos_token") or ""
    parts = [bos, template.get("initial_prompt_value") or ""]
    bos_open = True
    for index, message in enumerate(messages):
        if not isinstance(message, Mapping) or "role" not in message:
            raise ValueError(f"messages[{index}] must be a dict with a 'role'")
        role = message["role"]
        if role in ("system", "user", "human") and not bos_open:
            parts.append(bos)
            bos_open = True
        wrap = roles.get(role) or {}
        parts.append(wrap.get("pre_message", ""))
        parts.append(_text_of(message.get("content")))
        parts.append(wrap.get("post_message", ""))
        if role == "assistant":
            parts.append(eos)
            bos_open = False
    parts.append(template.get("final_prompt_value") or "")
    return "".join(parts)
