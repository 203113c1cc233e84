"""Files, batches and fine-tuning jobs on the one spine: the OpenAI and Azure wire (requests built
exactly), the fake provider's in-memory state, the batch priced once at batch prices, one event each."""

from __future__ import annotations

import json
from typing import Any

import pytest

import litellm
from litellm.calls import batches, files, fine_tuning
from litellm.integrations.custom_logger import CustomLogger


class Events(CustomLogger):
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self.payloads.append(kwargs["standard_logging_object"])


@pytest.fixture
def events() -> Events:
    logger = Events()
    litellm.callbacks = [logger]
    return logger


def _batch_input(n: int) -> bytes:
    lines = [
        {
            "custom_id": f"req-{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"question {i}"}]},
        }
        for i in range(n)
    ]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


def test_a_file_is_uploaded_as_multipart_then_listed_retrieved_read_and_deleted(
    fake_provider, fake_url, events
):
    base = fake_url + "/v1"
    created = files.create_file(
        file=("data.jsonl", b'{"a": 1}\n'), purpose="batch", api_base=base, api_key="sk-1"
    )
    upload = fake_provider.requests[-1]
    assert upload["method"] == "POST" and upload["path"] == "/v1/files"
    assert upload["headers"]["content-type"].startswith("multipart/form-data")
    assert upload["headers"]["authorization"] == "Bearer sk-1"
    assert upload["json"] == {"purpose": "batch", "filename": "data.jsonl", "bytes": 9}
    assert type(created).__name__ == "OpenAIFileObject" and created.purpose == "batch" and created.bytes == 9
    assert created._hidden_params["custom_llm_provider"] == "openai"

    assert [f.id for f in files.file_list(purpose="batch", api_base=base, api_key="k").data] == [created.id]
    assert fake_provider.requests[-1]["query"] == {"purpose": "batch"}
    assert files.file_retrieve(created.id, api_base=base, api_key="k").filename == "data.jsonl"
    assert files.file_content(created.id, api_base=base, api_key="k").content == b'{"a": 1}\n'
    deleted = files.file_delete(created.id, api_base=base, api_key="k")
    assert deleted.deleted is True and fake_provider.requests[-1]["method"] == "DELETE"
    with pytest.raises(litellm.NotFoundError):
        files.file_retrieve(created.id, api_base=base, api_key="k")

    assert litellm.flush_callbacks(5)
    kinds = [(p["call_type"], p["status"]) for p in events.payloads]
    assert kinds == [
        ("create_file", "success"),
        ("file_list", "success"),
        ("file_retrieve", "success"),
        ("file_content", "success"),
        ("file_delete", "success"),
        ("file_retrieve", "failure"),
    ]
    assert events.payloads[0]["response_cost"] == 0.0
    assert events.payloads[0]["messages"] == [{"file": "data.jsonl", "purpose": "batch"}]  # never the bytes


def test_a_file_from_a_path_and_from_a_file_object(tmp_path, fake_url):
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"messages": []}\n')
    from_path = files.create_file(file=str(path), purpose="fine-tune", api_base=fake_url, api_key="k")
    with path.open("rb") as fh:
        from_object = files.create_file(file=fh, purpose="fine-tune", api_base=fake_url, api_key="k")
    assert from_path.filename == from_object.filename == "train.jsonl"
    with pytest.raises(litellm.BadRequestError, match="purpose must be one of"):
        files.create_file(file=b"x", purpose="nonsense", api_base=fake_url, api_key="k")


def test_a_batch_runs_to_completion_and_its_output_is_priced_once_at_batch_prices(
    fake_provider, fake_url, events
):
    base = fake_url + "/v1"
    uploaded = files.create_file(
        file=("in.jsonl", _batch_input(3)), purpose="batch", api_base=base, api_key="k"
    )
    batch = batches.create_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=uploaded.id,
        metadata={"job": "nightly"},
        api_base=base,
        api_key="k",
    )
    assert fake_provider.requests[-1]["json"] == {
        "completion_window": "24h",
        "endpoint": "/v1/chat/completions",
        "input_file_id": uploaded.id,
        "metadata": {"job": "nightly"},
    }
    assert type(batch).__name__ == "LiteLLMBatch" and batch.status == "validating"
    seen = [batches.retrieve_batch(batch.id, api_base=base, api_key="k") for _ in range(3)]
    assert [b.status for b in seen] == ["in_progress", "completed", "completed"]
    done = seen[1]
    assert done.request_counts.total == 3 and done.request_counts.completed == 3

    output = files.file_content(done.output_file_id, api_base=base, api_key="k").content
    lines = [json.loads(x) for x in output.decode().splitlines()]
    usage = [line["response"]["body"]["usage"] for line in lines]
    info = litellm.get_model_info("gpt-4o-mini")
    expected = sum(
        u["prompt_tokens"] * info["input_cost_per_token_batches"]
        + u["completion_tokens"] * info["output_cost_per_token_batches"]
        for u in usage
    )
    assert done._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-12)
    assert litellm.flush_callbacks(5)
    retrieves = [p for p in events.payloads if p["call_type"] == "retrieve_batch"]
    assert [p["response_cost"] for p in retrieves] == [0.0, pytest.approx(expected, rel=1e-12), 0.0]
    assert retrieves[1]["prompt_tokens"] == sum(u["prompt_tokens"] for u in usage)
    assert batch.id in [b.id for b in batches.list_batches(api_base=base, api_key="k").data]


def test_batch_cost_prices_lines_at_batch_prices_and_skips_failed_lines():
    info = litellm.get_model_info("gpt-4o-mini")
    out = "\n".join(
        [
            json.dumps(
                {
                    "response": {
                        "body": {
                            "model": "gpt-4o-mini",
                            "usage": {"prompt_tokens": 1000, "completion_tokens": 100},
                        }
                    }
                }
            ),
            json.dumps({"response": None, "error": {"code": "x"}}),
        ]
    )
    priced = batches.batch_cost(out)
    assert priced["lines"] == 1
    assert priced["response_cost"] == pytest.approx(
        1000 * info["input_cost_per_token_batches"] + 100 * info["output_cost_per_token_batches"]
    )


def test_cancelling_a_batch_and_a_fine_tuning_job(fake_url):
    base = fake_url + "/v1"
    uploaded = files.create_file(
        file=("t.jsonl", _batch_input(1)), purpose="batch", api_base=base, api_key="k"
    )
    batch = batches.create_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=uploaded.id,
        api_base=base,
        api_key="k",
    )
    assert batches.cancel_batch(batch.id, api_base=base, api_key="k").status == "cancelling"
    assert batches.retrieve_batch(batch.id, api_base=base, api_key="k").status == "cancelled"
    job = fine_tuning.jobs.create(model="gpt-4o-mini", training_file=uploaded.id, api_base=base, api_key="k")
    assert fine_tuning.jobs.cancel(job.id, api_base=base, api_key="k").status == "cancelled"


def test_a_fine_tuning_job_moves_to_succeeded_and_names_its_model(fake_provider, fake_url):
    base = fake_url + "/v1"
    uploaded = files.create_file(file=("t.jsonl", b"{}\n"), purpose="fine-tune", api_base=base, api_key="k")
    job = fine_tuning.create_fine_tuning_job(
        model="gpt-4o-mini",
        training_file=uploaded.id,
        hyperparameters={"n_epochs": 2},
        suffix="mine",
        api_base=base,
        api_key="k",
    )
    assert fake_provider.requests[-1]["json"] == {
        "model": "gpt-4o-mini",
        "training_file": uploaded.id,
        "hyperparameters": {"n_epochs": 2},
        "suffix": "mine",
    }
    assert type(job).__name__ == "LiteLLMFineTuningJob" and job.status == "validating_files"
    for _ in range(3):
        job = fine_tuning.jobs.retrieve(job.id, api_base=base, api_key="k")
    assert job.status == "succeeded" and job.fine_tuned_model.startswith("ft:gpt-4o-mini:")
    assert job.id in [j.id for j in fine_tuning.jobs.list(api_base=base, api_key="k").data]


async def test_the_async_twins_and_azure(fake_provider, fake_url, events):
    uploaded = await files.acreate_file(
        file=b'{"x": 1}\n',
        purpose="batch",
        custom_llm_provider="azure",
        api_base=fake_url,
        api_key="azure-key",
        api_version="2024-10-21",
    )
    request = fake_provider.requests[-1]
    assert request["path"] == "/openai/files" and request["query"] == {"api-version": "2024-10-21"}
    assert request["headers"]["api-key"] == "azure-key" and "authorization" not in request["headers"]
    batch = await batches.acreate_batch(
        completion_window="24h",
        endpoint="/v1/chat/completions",
        input_file_id=uploaded.id,
        custom_llm_provider="azure",
        api_base=fake_url,
        api_key="azure-key",
        api_version="2024-10-21",
    )
    assert (
        await batches.aretrieve_batch(
            batch.id, custom_llm_provider="azure", api_base=fake_url, api_key="a", api_version="2024-10-21"
        )
    ).status == "in_progress"
    page = await files.alist_files(
        custom_llm_provider="azure", api_base=fake_url, api_key="a", api_version="2024-10-21"
    )
    assert uploaded.id in [f.id for f in page.data]
    assert litellm.flush_callbacks(5)
    assert {p["call_type"] for p in events.payloads} == {
        "acreate_file",
        "acreate_batch",
        "aretrieve_batch",
        "afile_list",
    }


def test_missing_credentials_and_provider_errors_are_mapped(fake_url, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(litellm.AuthenticationError, match="OPENAI_API_KEY"):
        files.file_list()
    with pytest.raises(litellm.AuthenticationError, match="AZURE_API_BASE"):
        files.file_list(custom_llm_provider="azure", api_key="k")
    with pytest.raises(litellm.RateLimitError):
        files.file_list(api_base=fake_url + "/v1", api_key="k", extra_headers={"x-fake-error": "429"})
    with pytest.raises(litellm.AuthenticationError):
        files.file_list(api_base=fake_url + "/v1", api_key="invalid-key")


def test_mock_response_for_a_resource():
    batch = batches.retrieve_batch(
        "batch_x",
        mock_response={
            "id": "batch_x",
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "input_file_id": "f",
            "completion_window": "24h",
            "status": "in_progress",
            "created_at": 1,
        },
    )
    assert batch.status == "in_progress"
