"""Fixtures for the cost tests: a price map restored after tests that change it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def fresh_price_map() -> Iterator[dict]:
    """The live price map, reloaded from the shipped file after the test (register_model edits it)."""
    from litellm.cost import price_map

    yield price_map.get_model_cost_map()
    price_map.reset_model_cost_map()
