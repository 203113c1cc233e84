"""Fixtures for the fault-injection suite: clean callback settings and dispatcher state around each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from litellm.core.settings import settings
from litellm.dispatch import callbacks as dispatch_callbacks
from litellm.dispatch import dispatcher as dispatch
from litellm.integrations import registry


@pytest.fixture(autouse=True)
def _clean_callbacks() -> Iterator[None]:
    settings.reset()
    dispatch._resolve_cache = None
    dispatch._per_call_cache.clear()
    dispatch_callbacks.forget_config_errors()
    yield
    dispatch.get_dispatcher().flush(5)
    settings.reset()
    dispatch._resolve_cache = None
    dispatch._per_call_cache.clear()
    dispatch_callbacks.forget_config_errors()
    registry.clear_instances()
