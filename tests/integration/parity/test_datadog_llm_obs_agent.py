"""Datadog LLM Observability configured as LiteLLM documents it (issue 8): only ``LITELLM_DD_AGENT_HOST``
and ``LITELLM_DD_LLM_OBS_PORT`` in the environment, the logger registered by name, a script that makes
its calls and exits without flushing. Every call's span must reach the real Datadog test agent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.integration.receivers.ddagent import DDAgent, shared_ddagent

pytestmark = pytest.mark.integration

SCRIPT = r"""
import asyncio, sys
import litellm

litellm.{attr} = ["datadog_llm_observability"]
kw = dict(messages=[{{"role": "user", "content": "hi"}}], api_key="sk-test-never-logged")
openai = dict(model="openai/gpt-4o-mini", api_base=sys.argv[1] + "/v1", **kw)
ids = []
r = litellm.completion(metadata={{"trace_id": sys.argv[2] + "-sync"}}, **openai)
for _ in litellm.completion(stream=True, metadata={{"trace_id": sys.argv[2] + "-stream"}}, **openai):
    pass

async def main():
    await litellm.acompletion(
        model="anthropic/claude-sonnet-4-5", api_base=sys.argv[1], metadata={{"trace_id": sys.argv[2] + "-async"}}, **kw
    )

asyncio.run(main())
print("done")
"""


@pytest.fixture(scope="module")
def agent() -> DDAgent:
    return shared_ddagent()


@pytest.mark.parametrize("attr", ["callbacks", "success_callback"])
def test_documented_agent_env_vars_deliver_every_span(fake_url: str, agent: DDAgent, attr: str) -> None:
    tag = f"parity-{attr}-{time.time_ns()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DD_", "LITELLM_DD_"))}
    env |= {"LITELLM_DD_AGENT_HOST": "localhost", "LITELLM_DD_LLM_OBS_PORT": str(agent.port)}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(attr=attr), fake_url, tag],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "done" in proc.stdout, proc.stderr[-2000:]
    deadline = time.monotonic() + 10
    names: set[str] = set()
    while time.monotonic() < deadline:
        spans = [s for s in agent.spans() if tag in str(s.get("tags")) or tag in str(s.get("meta"))]
        names = {str(s.get("meta", {}).get("model_name")) for s in spans}
        if len(spans) >= 3:
            break
        time.sleep(0.1)
    assert len(spans) == 3, (len(spans), proc.stderr[-2000:])
    assert names == {"gpt-4o-mini", "claude-sonnet-4-5"}
    assert all(s["status"] == "ok" for s in spans)
    assert "sk-test-never-logged" not in str(agent.llmobs_requests())
