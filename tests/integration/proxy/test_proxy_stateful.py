"""Files, batches and fine-tuning jobs through the proxy with the openai SDK, against the fake provider's
in-memory resources; credentials come from ``files_settings`` / ``finetune_settings`` or, without
them, from a deployment of the same provider."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest

from tests.integration.proxy._proxy import MASTER_KEY, Proxy, running_proxy

pytestmark = pytest.mark.integration

CONFIG = """
model_list:
  - {model_name: chat, litellm_params: {model: openai/gpt-4o-mini, api_base: os.environ/BASE_V1, api_key: sk-from-deployment}}
files_settings:
  - {custom_llm_provider: openai, api_base: os.environ/BASE_V1, api_key: os.environ/FILES_KEY}
general_settings:
  master_key: os.environ/PROXY_MASTER_KEY
"""


@pytest.fixture(scope="module")
def proxy(fake_provider, tmp_path_factory) -> Iterator[Proxy]:
    env = {"BASE_V1": fake_provider.url + "/v1", "PROXY_MASTER_KEY": MASTER_KEY, "FILES_KEY": "sk-files-key"}
    with running_proxy(tmp_path_factory.mktemp("stateful"), CONFIG, env=env) as p:
        yield p


@pytest.fixture
def sdk(proxy: Proxy) -> openai.OpenAI:
    return openai.OpenAI(base_url=proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0)


def test_files_and_batches_lifecycle(sdk: openai.OpenAI, fake_provider) -> None:
    lines = [
        {"custom_id": f"r{i}", "method": "POST", "url": "/v1/chat/completions",
         "body": {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"hi {i}"}]}}
        for i in range(2)
    ]  # fmt: skip
    data = "\n".join(json.dumps(line) for line in lines).encode()
    uploaded = sdk.files.create(file=("batch.jsonl", data, "application/jsonl"), purpose="batch")
    assert uploaded.id and uploaded.purpose == "batch"
    upstream = fake_provider.requests[-1]["headers"]
    assert "sk-files-key" in json.dumps(upstream) and MASTER_KEY not in json.dumps(upstream)
    assert sdk.files.retrieve(uploaded.id).id == uploaded.id
    assert uploaded.id in [f.id for f in sdk.files.list().data]
    assert sdk.files.content(uploaded.id).content == data

    batch = sdk.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    for _ in range(5):
        batch = sdk.batches.retrieve(batch.id)
        if batch.status == "completed":
            break
    assert batch.status == "completed" and batch.request_counts.completed == 2
    output = sdk.files.content(batch.output_file_id).text.splitlines()
    assert {json.loads(line)["custom_id"] for line in output} == {"r0", "r1"}
    assert batch.id in [b.id for b in sdk.batches.list().data]
    assert sdk.files.delete(uploaded.id).deleted is True


def test_fine_tuning_uses_the_deployment_credentials_without_finetune_settings(
    sdk: openai.OpenAI, fake_provider
) -> None:
    training = sdk.files.create(
        file=("train.jsonl", b'{"messages": []}\n', "application/jsonl"), purpose="fine-tune"
    )
    job = sdk.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    assert "sk-from-deployment" in json.dumps(fake_provider.requests[-1]["headers"])
    assert sdk.fine_tuning.jobs.retrieve(job.id).id == job.id
    assert job.id in [j.id for j in sdk.fine_tuning.jobs.list().data]
    assert sdk.fine_tuning.jobs.cancel(job.id).status == "cancelled"


def test_stateful_errors_and_auth(proxy: Proxy, sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        sdk.files.retrieve("file-does-not-exist")
    with proxy.client(None) as c:
        assert c.get("/v1/files").status_code == 401
    with proxy.client() as c:
        r = c.post(
            "/v1/batches",
            json={
                "input_file_id": "x",
                "endpoint": "/v1/chat/completions",
                "completion_window": "24h",
                "api_key": "sk-mine",
            },
        )
        assert r.status_code == 400 and r.json()["error"]["param"] == "api_key"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks Assistants deprecated
def test_assistants_threads_messages_and_runs(sdk: openai.OpenAI) -> None:
    assistant = sdk.beta.assistants.create(model="gpt-4o-mini", instructions="Be brief.", name="helper")
    assert assistant.id in [a.id for a in sdk.beta.assistants.list().data]
    thread = sdk.beta.threads.create()
    assert sdk.beta.threads.retrieve(thread.id).id == thread.id
    sdk.beta.threads.messages.create(thread.id, role="user", content="Say hello")
    run = sdk.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert run.thread_id == thread.id and run.assistant_id == assistant.id and run.status == "completed"
    messages = sdk.beta.threads.messages.list(thread.id).data
    assert {m.role for m in messages} == {"user", "assistant"}
    assert sdk.beta.threads.delete(thread.id).deleted is True
    assert sdk.beta.assistants.delete(assistant.id).deleted is True
