"""``litellm.utils``: LiteLLM's documented import path, loaded lazily, and ``function_to_dict``."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Literal

import pytest


def test_documented_imports_resolve_to_the_owning_functions() -> None:
    from litellm.cost import model_info, tokens
    from litellm.utils import (  # the names LiteLLM's docs import from litellm.utils
        ModelResponse,
        completion_cost,
        get_llm_provider,
        get_model_info,
        supports_function_calling,
        supports_vision,
        token_counter,
        trim_messages,
    )

    assert trim_messages is tokens.trim_messages and token_counter is tokens.token_counter
    assert get_model_info is model_info.get_model_info and supports_vision is model_info.supports_vision
    assert supports_function_calling("gpt-4o") is True
    assert get_llm_provider("anthropic/claude-sonnet-4-5")[1] == "anthropic"
    assert completion_cost(model="gpt-4o", prompt="hi", completion="hello") > 0
    assert ModelResponse.__name__ == "ModelResponse"


def test_every_listed_name_resolves() -> None:
    import litellm.utils as utils

    for name in utils.__all__:
        assert getattr(utils, name) is not None, name


def test_unknown_name_is_an_attribute_error() -> None:
    import litellm.utils as utils

    with pytest.raises(AttributeError, match="no_such_helper"):
        utils.no_such_helper  # noqa: B018


def test_importing_it_loads_nothing_else() -> None:
    code = (
        "import sys, litellm.utils; "
        "light = {'litellm.calls', 'litellm.calls.registry'}; "  # the facade's table of call names
        "print(sorted(m for m in sys.modules if m.startswith(('litellm.cost', 'litellm.calls', 'openai', "
        "'tiktoken', 'httpx')) and m not in light))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def get_current_weather(location: str, unit: str, days: int = 1, detailed: bool = False) -> str:
    """
    Get the current weather in a given location

    Parameters
    ----------
    location : str
        The city and state,
        e.g. San Francisco, CA
    unit : {'celsius', 'fahrenheit'}
        Temperature unit
    days : int, optional
        Number of days
    detailed : bool
        Whether to add details

    Returns
    -------
    str
        a sentence describing the weather
    """
    return ""


def test_function_to_dict_matches_litellm_with_enum_as_a_json_list() -> None:
    from litellm.utils import function_to_dict

    schema = function_to_dict(get_current_weather)
    # LiteLLM 1.110.2 gives the same, except "enum": "['celsius', 'fahrenheit']" (a Python string)
    assert schema == {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {
                    "type": "string",
                    "description": "Temperature unit",
                    "enum": ["celsius", "fahrenheit"],
                },
                "days": {"type": "integer", "description": "Number of days"},
                "detailed": {"type": "boolean", "description": "Whether to add details"},
            },
            "required": ["location", "unit"],
        },
    }
    json.dumps(schema)  # JSON-ready as is


def test_function_to_dict_types_from_annotations_and_compound_docstring_types() -> None:
    from litellm.utils import function_to_dict

    def f(
        a: list[int],
        b: dict[str, int],
        c: float | None,
        d: Literal["x", "y"],
        e,
        *args: int,
        f: int = 2,
        **kwargs: int,
    ) -> None:
        """Do it.

        Parameters
        ----------
        e : list of str
            Items
        f : {1, 2, 3}, optional
            A level
        """

    props = function_to_dict(f)["parameters"]["properties"]
    assert props["a"] == {"type": "array"} and props["b"] == {"type": "object"}
    assert props["c"] == {"type": "number"}
    assert props["d"] == {"type": "string"}
    assert props["e"] == {"type": "array", "description": "Items"}
    assert props["f"] == {"type": "integer", "description": "A level", "enum": [1, 2, 3]}
    assert "args" not in props and "kwargs" not in props
    assert function_to_dict(f)["parameters"]["required"] == ["a", "b", "c", "d", "e"]


def test_function_to_dict_without_a_docstring_still_gives_a_schema() -> None:
    from litellm.utils import function_to_dict

    def h(x):
        return x

    assert function_to_dict(h) == {
        "name": "h",
        "parameters": {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]},
    }


def test_function_to_dict_rejects_a_non_function() -> None:
    from litellm.utils import function_to_dict

    with pytest.raises(TypeError, match="expects a function"):
        function_to_dict("get_weather")  # type: ignore[arg-type]
