"""litellm.experimental_mcp_client against a real MCP server (the official package) over stdio, and a
model's tool call from the fake provider run on it."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from mcp import ClientSession, StdioServerParameters, stdio_client

from litellm.calls.pipeline import acompletion
from litellm.experimental_mcp_client import call_openai_tool, load_mcp_tools

pytestmark = pytest.mark.integration

SERVER = Path(__file__).with_name("mcp_stdio_server.py")


@asynccontextmanager
async def mcp_session() -> AsyncIterator[ClientSession]:
    # opened and closed in the test's own task (anyio cancel scopes must not cross tasks)
    params = StdioServerParameters(command=sys.executable, args=[str(SERVER)])
    async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
        await s.initialize()
        yield s


async def test_tools_in_mcp_and_openai_format() -> None:
    async with mcp_session() as session:
        await _check_tools(session)


async def _check_tools(session: ClientSession) -> None:
    mcp_tools = await load_mcp_tools(session)
    assert sorted(t.name for t in mcp_tools) == ["add", "get_weather", "ping"]
    openai_tools = await load_mcp_tools(session, format="openai")
    by_name = {t["function"]["name"]: t for t in openai_tools}
    add = by_name["add"]
    assert add["type"] == "function" and add["function"]["description"] == "Add two integers."
    params = add["function"]["parameters"]
    assert params["type"] == "object" and set(params["properties"]) == {"a", "b"}
    assert sorted(params["required"]) == ["a", "b"]
    assert by_name["ping"]["function"]["parameters"]["properties"] == {}
    json.dumps(openai_tools)  # ready for completion(tools=...)
    with pytest.raises(ValueError, match="format='openai'"):
        await load_mcp_tools(session, format="anthropic")  # type: ignore[arg-type]


async def test_call_openai_tool_runs_it_on_the_server() -> None:
    async with mcp_session() as session:
        await _check_call(session)


async def _check_call(session: ClientSession) -> None:
    result = await call_openai_tool(
        session,
        {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 2, "b": 40}'}},
    )
    assert not result.is_error if hasattr(result, "is_error") else not result.isError
    assert result.content[0].text == "42"
    with pytest.raises(ValueError, match="not valid JSON"):
        await call_openai_tool(session, {"function": {"name": "add", "arguments": "{a: 2"}})


async def test_a_models_tool_call_end_to_end(fake_url: str) -> None:
    async with mcp_session() as session:
        await _check_model_call(session, fake_url)


async def _check_model_call(session: ClientSession, fake_url: str) -> None:
    tools = await load_mcp_tools(session, format="openai")
    weather = [t for t in tools if t["function"]["name"] == "get_weather"]
    response = await acompletion(
        model="openai/gpt-4o-mini",
        messages=[{"role": "user", "content": "weather in Paris?"}],
        tools=weather,
        tool_choice="required",
        api_base=fake_url + "/v1",
        api_key="sk-test",
    )
    call = response.choices[0].message.tool_calls[0]  # the typed object users get
    result = await call_openai_tool(session, call)
    assert result.content[0].text == "sunny in fake, 21 degrees celsius"
