"""Every public call function by name, resolved on first use: what Router, caching and the proxy call.

``get_call("acompletion")`` returns the function the facade exports as ``litellm.acompletion``, without
importing the package root (layers above :mod:`litellm.calls` must not). New call types add one row.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["CALLS", "get_call"]

#: public name -> "module:attribute"
CALLS: dict[str, str] = {
    "completion": "litellm.calls.pipeline:completion",
    "acompletion": "litellm.calls.pipeline:acompletion",
    "embedding": "litellm.calls.pipeline:embedding",
    "aembedding": "litellm.calls.pipeline:aembedding",
    "text_completion": "litellm.calls.text_completion:text_completion",
    "atext_completion": "litellm.calls.text_completion:atext_completion",
    "image_generation": "litellm.calls.images:image_generation",
    "aimage_generation": "litellm.calls.images:aimage_generation",
    "image_edit": "litellm.calls.images:image_edit",
    "aimage_edit": "litellm.calls.images:aimage_edit",
    "image_variation": "litellm.calls.images:image_variation",
    "aimage_variation": "litellm.calls.images:aimage_variation",
    "moderation": "litellm.calls.moderation:moderation",
    "amoderation": "litellm.calls.moderation:amoderation",
    "transcription": "litellm.calls.audio:transcription",
    "atranscription": "litellm.calls.audio:atranscription",
    "speech": "litellm.calls.audio:speech",
    "aspeech": "litellm.calls.audio:aspeech",
    "rerank": "litellm.calls.rerank:rerank",
    "arerank": "litellm.calls.rerank:arerank",
    "batch_completion": "litellm.calls.batch:batch_completion",
    "batch_completion_models": "litellm.calls.batch:batch_completion_models",
    "batch_completion_models_all_responses": "litellm.calls.batch:batch_completion_models_all_responses",
    "responses": "litellm.calls.responses:responses",
    "aresponses": "litellm.calls.responses:aresponses",
    "get_responses": "litellm.calls.responses:get_responses",
    "aget_responses": "litellm.calls.responses:aget_responses",
    "delete_responses": "litellm.calls.responses:delete_responses",
    "adelete_responses": "litellm.calls.responses:adelete_responses",
    **{
        name: f"litellm.calls.{module}:{name}"
        for module, names in (
            ("files", ("create_file", "acreate_file", "file_list", "afile_list", "file_retrieve",
                       "afile_retrieve", "file_delete", "afile_delete", "file_content", "afile_content")),
            ("batches", ("create_batch", "acreate_batch", "retrieve_batch", "aretrieve_batch",
                         "list_batches", "alist_batches", "cancel_batch", "acancel_batch")),
            ("assistants", ("create_assistants", "acreate_assistants", "get_assistants", "aget_assistants",
                            "delete_assistant", "adelete_assistant", "create_thread", "acreate_thread",
                            "get_thread", "aget_thread", "delete_thread", "adelete_thread", "add_message",
                            "a_add_message", "get_messages", "aget_messages", "run_thread", "arun_thread")),
            ("fine_tuning", ("create_fine_tuning_job", "acreate_fine_tuning_job", "list_fine_tuning_jobs",
                             "alist_fine_tuning_jobs", "retrieve_fine_tuning_job", "aretrieve_fine_tuning_job",
                             "cancel_fine_tuning_job", "acancel_fine_tuning_job")),
        )
        for name in names
    },
}  # fmt: skip

_cache: dict[str, Callable[..., Any]] = {}


def get_call(name: str) -> Callable[..., Any]:
    """The call function named ``name`` ("completion", "aembedding", "image_generation", ...)."""
    fn = _cache.get(name)
    if fn is None:
        target = CALLS.get(name)
        if target is None:
            raise ValueError(f"unknown call type {name!r}; known: {', '.join(sorted(CALLS))}")
        module, _, attr = target.partition(":")
        fn = _cache[name] = getattr(import_module(module), attr)
    return fn
