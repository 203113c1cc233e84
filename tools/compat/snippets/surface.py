"""The documented top-level surface: names that exist on ``litellm``, the prompt-template and retry
helpers, and the MCP helpers against a real stdio MCP server (when the ``mcp`` package is installed)."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from _probe_lib import MESSAGES, response_view, tag

import litellm
from snippets import add

NAMES = (
    "completion_with_retries",
    "acompletion_with_retries",
    "register_prompt_template",
    "custom_prompt_dict",
    "model_alias_map",
    "ssl_verify",
    "return_response_headers",
    "add_function_to_prompt",
    "enable_json_schema_validation",
    "modify_integration",
    "text_completion",
    "image_generation",
    "moderation",
    "transcription",
    "speech",
    "rerank",
    "batch_completion",
    "responses",
    "stream_chunk_builder",
    "token_counter",
    "get_model_info",
    "completion_cost",
    "get_max_tokens",
    "check_valid_key",
    "validate_environment",
    "get_llm_provider",
    "model_cost",
    "provider_list",
)

for _name in NAMES:
    add(f"facade[{_name}]", lambda env, _n=_name: {"exists": hasattr(litellm, _n)})


def _prompt_template(env: dict[str, Any]) -> Any:
    out = litellm.register_prompt_template(
        model="compat/llama-style",
        roles={"user": {"pre_message": "[INST] ", "post_message": " [/INST]"}},
        initial_prompt_value="<<start>>",
        final_prompt_value="<<end>>",
    )
    entry = out.get("compat/llama-style") or {}
    return {k: entry.get(k) for k in ("roles", "initial_prompt_value", "final_prompt_value")}


add("register_prompt_template[returned registry]", _prompt_template)


def _with_retries(env: dict[str, Any]) -> Any:
    key = f"compat-retry-{os.getpid()}"  # one per interpreter: each side sees its own two failures
    r = litellm.completion_with_retries(
        model="openai/gpt-4o-mini",
        messages=[dict(m) for m in MESSAGES],
        api_base=env["fake"] + "/v1",
        api_key="sk-compat-test",
        metadata=tag(),
        extra_headers={"x-fake-fail-times": "2", "x-fake-key": key, "x-fake-error": "429"},
    )
    return response_view(r)


add("completion_with_retries[two 429s then success]", _with_retries)

SERVER = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "tests", "integration", "parity", "mcp_stdio_server.py"
)


def _mcp(kind: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        from mcp import ClientSession, StdioServerParameters, stdio_client

        from litellm.experimental_mcp_client import call_openai_tool, load_mcp_tools

        async def main() -> Any:
            params = StdioServerParameters(command=sys.executable, args=[os.path.abspath(SERVER)])
            async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
                await session.initialize()
                if kind == "openai":
                    return await load_mcp_tools(session, format="openai")
                if kind == "mcp":
                    return sorted(t.name for t in await load_mcp_tools(session, format="mcp"))
                result = await call_openai_tool(
                    session,
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "add", "arguments": '{"a": 2, "b": 40}'},
                    },
                )
                return {"text": result.content[0].text, "type": type(result).__name__}

        return asyncio.run(main())

    return run


for _kind in ("mcp", "openai", "call"):
    add(f"experimental_mcp_client[{_kind}]", _mcp(_kind))
