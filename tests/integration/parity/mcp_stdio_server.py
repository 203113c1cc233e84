"""A real MCP server from the official ``mcp`` package, over stdio, for the experimental_mcp_client tests."""

from mcp.server.mcpserver import MCPServer

server = MCPServer("parity-tools")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def get_weather(city: str, unit: str = "celsius") -> str:
    """Current weather for a city."""
    return f"sunny in {city}, 21 degrees {unit}"


@server.tool()
def ping() -> str:
    """No arguments at all."""
    return "pong"


if __name__ == "__main__":
    server.run("stdio")
