"""``function_to_dict`` snippets. No ``from __future__ import annotations`` here: LiteLLM's version reads
``annotation.__name__`` and fails on string annotations, which is not what these snippets compare."""

from typing import Any

from snippets import add


def get_current_weather(location: str, unit: str, days: int = 1, detailed: bool = False) -> str:
    """
    Get the current weather in a given location

    Parameters
    ----------
    location : str
        The city and state, e.g. San Francisco, CA
    unit : {'celsius', 'fahrenheit'}
        Temperature unit
    days : int, optional
        Number of days
    detailed : bool
        Whether to add details
    """
    return ""


def plain_hints(city: str, count: int, ratio: float, flags: list, opts: dict) -> None:
    """Look something up."""


def _schema(fn: Any) -> Any:
    def run(env: dict) -> Any:
        from litellm.utils import function_to_dict

        return function_to_dict(fn)

    return run


add("utils.function_to_dict[numpydoc enum]", _schema(get_current_weather))
add("utils.function_to_dict[type hints]", _schema(plain_hints))
