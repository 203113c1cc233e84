"""MCP tools <-> OpenAI tools, over an ``mcp.ClientSession`` the caller has opened and initialised.

Owns the conversions (an MCP ``Tool`` to an OpenAI function tool; an OpenAI tool call to MCP
``CallToolRequestParams``), listing every page of ``tools/list`` (bounded: a repeated cursor or more
than ``MAX_PAGES`` pages stops the walk), and the two calls users make. Works with mcp 1.x
(``inputSchema`` / ``nextCursor``) and 2.x (``input_schema`` / ``next_cursor``).

Must not: open or close the caller's session, log tool arguments or results, or be imported by
``import litellm`` (it imports ``mcp``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

try:
    from mcp import ClientSession
    from mcp.types import CallToolRequestParams, CallToolResult, PaginatedRequestParams, Tool
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "litellm.experimental_mcp_client needs the 'mcp' package: pip install 'litellm-observe[mcp]' "
        "(or pip install mcp)"
    ) from exc

__all__ = [
    "MAX_PAGES",
    "call_mcp_tool",
    "call_openai_tool",
    "load_mcp_tools",
    "transform_mcp_tool_to_openai_tool",
    "transform_openai_tool_call_request_to_mcp_tool_call_request",
]

#: the most ``tools/list`` pages one ``load_mcp_tools`` follows (a server looping its cursor stops here)
MAX_PAGES = 100


def _input_schema(tool: Any) -> dict[str, Any]:
    schema = getattr(tool, "input_schema", None)
    if schema is None:
        schema = getattr(tool, "inputSchema", None)
    return dict(schema) if isinstance(schema, Mapping) else {}


def _normalised_parameters(schema: Mapping[str, Any]) -> dict[str, Any]:
    """OpenAI wants an object schema with ``properties``; MCP allows leaving both out."""
    params = dict(schema)
    params.setdefault("type", "object")
    params.setdefault("properties", {})
    params.setdefault("additionalProperties", False)
    return params


def transform_mcp_tool_to_openai_tool(mcp_tool: Tool) -> dict[str, Any]:
    """``{"type": "function", "function": {"name", "description", "parameters", "strict": False}}``."""
    return {
        "type": "function",
        "function": {
            "name": mcp_tool.name,
            "description": mcp_tool.description or "",
            "parameters": _normalised_parameters(_input_schema(mcp_tool)),
            "strict": False,
        },
    }


def _next_cursor(result: Any) -> str | None:
    cursor = getattr(result, "next_cursor", None)
    if cursor is None:
        cursor = getattr(result, "nextCursor", None)
    return cursor if isinstance(cursor, str) and cursor else None


async def _list_all_tools(session: ClientSession) -> list[Tool]:
    tools: list[Tool] = []
    seen: set[str] = set()
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        if cursor is None:
            result = await session.list_tools()
        else:
            result = await session.list_tools(params=PaginatedRequestParams(cursor=cursor))
        tools.extend(result.tools)
        cursor = _next_cursor(result)
        if cursor is None or cursor in seen:
            break
        seen.add(cursor)
    return tools


async def load_mcp_tools(
    session: ClientSession, format: Literal["mcp", "openai"] = "mcp"
) -> list[Tool] | list[dict[str, Any]]:
    """Every tool the server offers: MCP ``Tool`` objects (``format="mcp"``, the default) or OpenAI tools
    ready for ``completion(..., tools=...)`` (``format="openai"``)."""
    if format not in ("mcp", "openai"):
        raise ValueError(f"load_mcp_tools(format={format!r}): use format='mcp' or format='openai'")
    tools = await _list_all_tools(session)
    if format == "openai":
        return [transform_mcp_tool_to_openai_tool(tool) for tool in tools]
    return tools


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def transform_openai_tool_call_request_to_mcp_tool_call_request(openai_tool: Any) -> CallToolRequestParams:
    """An OpenAI tool call (a ``ChatCompletionMessageToolCall`` or its dict) as MCP call parameters.

    Raises ValueError when it has no function name, or when its ``arguments`` are not a JSON object
    (a model that produced broken JSON should be told, not have its call run with no arguments).
    """
    function = _field(openai_tool, "function")
    name = _field(function, "name") if function is not None else None
    if not name:
        raise ValueError(
            "call_openai_tool needs a tool call with function.name, e.g. "
            "response.choices[0].message.tool_calls[0]"
        )
    raw = _field(function, "arguments")
    if raw in (None, ""):
        arguments: Any = {}
    elif isinstance(raw, str):
        try:
            arguments = json.loads(raw)
        except ValueError as exc:  # a JSONDecodeError, or the int-digits limit's plain ValueError
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise ValueError(f"tool call {name!r}: arguments are not valid JSON ({detail})") from None
    else:
        arguments = raw
    if not isinstance(arguments, Mapping):
        raise ValueError(
            f"tool call {name!r}: arguments must be a JSON object, got {type(arguments).__name__}"
        )
    return CallToolRequestParams(name=name, arguments=dict(arguments))


async def call_mcp_tool(
    session: ClientSession, call_tool_request_params: CallToolRequestParams
) -> CallToolResult:
    """Run one tool on the server."""
    return await session.call_tool(
        name=call_tool_request_params.name, arguments=call_tool_request_params.arguments
    )


async def call_openai_tool(session: ClientSession, openai_tool: Any) -> CallToolResult:
    """Run a model's tool call on the MCP server; returns the server's ``CallToolResult``."""
    params = transform_openai_tool_call_request_to_mcp_tool_call_request(openai_tool)
    return await call_mcp_tool(session, params)
