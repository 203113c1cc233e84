"""Fine-tuning jobs: ``create_fine_tuning_job``, ``list_fine_tuning_jobs``, ``retrieve_fine_tuning_job``,
``cancel_fine_tuning_job``, their async twins, and ``litellm.fine_tuning.jobs.create/list/retrieve/cancel``
(OpenAI's ``/v1/fine_tuning/jobs``; Azure's ``/openai/fine_tuning/jobs``), on the one spine.

Must not: send on its own.
"""

from __future__ import annotations

from typing import Any

from litellm.calls.resources import Resource, acall, call

__all__ = [
    "acancel_fine_tuning_job",
    "acreate_fine_tuning_job",
    "alist_fine_tuning_jobs",
    "aretrieve_fine_tuning_job",
    "cancel_fine_tuning_job",
    "create_fine_tuning_job",
    "jobs",
    "list_fine_tuning_jobs",
    "retrieve_fine_tuning_job",
]

_CREATE = Resource(
    "create_fine_tuning_job",
    "POST",
    lambda a: "fine_tuning/jobs",
    "fine_tuning_job",
    body=lambda a: dict(a),
)
_LIST = Resource(
    "list_fine_tuning_jobs",
    "GET",
    lambda a: "fine_tuning/jobs",
    "page:fine_tuning_job",
    query=lambda a: {"after": a.get("after"), "limit": a.get("limit")},
)
_RETRIEVE = Resource(
    "retrieve_fine_tuning_job",
    "GET",
    lambda a: f"fine_tuning/jobs/{a['fine_tuning_job_id']}",
    "fine_tuning_job",
)
_CANCEL = Resource(
    "cancel_fine_tuning_job",
    "POST",
    lambda a: f"fine_tuning/jobs/{a['fine_tuning_job_id']}/cancel",
    "fine_tuning_job",
    body=lambda a: {},
)


def _create_inputs(
    model: str,
    training_file: str,
    hyperparameters: dict[str, Any] | None,
    suffix: str | None,
    validation_file: str | None,
    integrations: list[Any] | None,
    seed: int | None,
) -> dict[str, Any]:
    return {
        "model": model,
        "training_file": training_file,
        "hyperparameters": hyperparameters or None,
        "suffix": suffix,
        "validation_file": validation_file,
        "integrations": integrations,
        "seed": seed,
    }


def create_fine_tuning_job(
    model: str,
    training_file: str,
    hyperparameters: dict[str, Any] | None = None,
    suffix: str | None = None,
    validation_file: str | None = None,
    integrations: list[Any] | None = None,
    seed: int | None = None,
    custom_llm_provider: str = "openai",
    **kwargs: Any,
) -> Any:
    """Start a fine-tuning job on an uploaded ``purpose="fine-tune"`` file."""
    inputs = _create_inputs(
        model, training_file, hyperparameters, suffix, validation_file, integrations, seed
    )
    return call(_CREATE, custom_llm_provider, inputs, kwargs)


async def acreate_fine_tuning_job(
    model: str,
    training_file: str,
    hyperparameters: dict[str, Any] | None = None,
    suffix: str | None = None,
    validation_file: str | None = None,
    integrations: list[Any] | None = None,
    seed: int | None = None,
    custom_llm_provider: str = "openai",
    **kwargs: Any,
) -> Any:
    inputs = _create_inputs(
        model, training_file, hyperparameters, suffix, validation_file, integrations, seed
    )
    return await acall(_CREATE, custom_llm_provider, inputs, kwargs)


def list_fine_tuning_jobs(
    after: str | None = None, limit: int | None = None, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return call(_LIST, custom_llm_provider, {"after": after, "limit": limit}, kwargs)


async def alist_fine_tuning_jobs(
    after: str | None = None, limit: int | None = None, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return await acall(_LIST, custom_llm_provider, {"after": after, "limit": limit}, kwargs)


def retrieve_fine_tuning_job(
    fine_tuning_job_id: str, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return call(_RETRIEVE, custom_llm_provider, {"fine_tuning_job_id": fine_tuning_job_id}, kwargs)


async def aretrieve_fine_tuning_job(
    fine_tuning_job_id: str, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return await acall(_RETRIEVE, custom_llm_provider, {"fine_tuning_job_id": fine_tuning_job_id}, kwargs)


def cancel_fine_tuning_job(
    fine_tuning_job_id: str, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return call(_CANCEL, custom_llm_provider, {"fine_tuning_job_id": fine_tuning_job_id}, kwargs)


async def acancel_fine_tuning_job(
    fine_tuning_job_id: str, custom_llm_provider: str = "openai", **kwargs: Any
) -> Any:
    return await acall(_CANCEL, custom_llm_provider, {"fine_tuning_job_id": fine_tuning_job_id}, kwargs)


class _Jobs:
    """``litellm.fine_tuning.jobs``: the openai SDK's shape (create / list / retrieve / cancel)."""

    create = staticmethod(create_fine_tuning_job)
    list = staticmethod(list_fine_tuning_jobs)
    retrieve = staticmethod(retrieve_fine_tuning_job)
    cancel = staticmethod(cancel_fine_tuning_job)
    acreate = staticmethod(acreate_fine_tuning_job)
    alist = staticmethod(alist_fine_tuning_jobs)
    aretrieve = staticmethod(aretrieve_fine_tuning_job)
    acancel = staticmethod(acancel_fine_tuning_job)


jobs = _Jobs()
