"""``litellm.experimental_mcp_client``: use an MCP server's tools with any model (LiteLLM's documented helpers).

``load_mcp_tools(session, format="mcp" | "openai")`` lists a connected MCP ``ClientSession``'s tools
(every page), as MCP ``Tool`` objects or as OpenAI ``tools=[...]`` entries; ``call_openai_tool(session,
tool_call)`` runs a model's tool call (``response.choices[0].message.tool_calls[0]``) on the server.
Needs the official ``mcp`` package (``pip install 'litellm-observe[mcp]'``), imported only when this
package is.
"""

from litellm.experimental_mcp_client.tools import (
    call_mcp_tool,
    call_openai_tool,
    load_mcp_tools,
    transform_mcp_tool_to_openai_tool,
    transform_openai_tool_call_request_to_mcp_tool_call_request,
)

__all__ = [
    "call_mcp_tool",
    "call_openai_tool",
    "load_mcp_tools",
    "transform_mcp_tool_to_openai_tool",
    "transform_openai_tool_call_request_to_mcp_tool_call_request",
]
