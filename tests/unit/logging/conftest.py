"""Fixtures for the logging unit tests: a fresh dispatcher per test and clean module settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from litellm.core import log
from litellm.core.settings import settings
from litellm.dispatch import callbacks as dispatch_callbacks
from litellm.dispatch import dispatcher as dispatch
from litellm.integrations import registry


@pytest.fixture(autouse=True)
def _clean_logging_state() -> Iterator[None]:
    settings.reset()
    dispatch._resolve_cache = None
    dispatch._per_call_cache.clear()
    dispatch_callbacks.forget_config_errors()
    yield
    settings.reset()
    dispatch._resolve_cache = None
    dispatch._per_call_cache.clear()
    registry.clear_instances()
    dispatch_callbacks.forget_config_errors()


@pytest.fixture
def dispatcher() -> Iterator[dispatch.Dispatcher]:
    d = dispatch.Dispatcher(hook_timeout=2.0)
    yield d
    d.shutdown(timeout=5.0)


@pytest.fixture
def fresh_log() -> Iterator[None]:
    log._reset_for_tests()
    yield
    log._reset_for_tests()
