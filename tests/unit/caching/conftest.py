"""Every caching test starts and ends with no process-wide cache configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from litellm.core.settings import settings


@pytest.fixture(autouse=True)
def _no_cache_configured() -> Iterator[None]:
    settings.cache = None
    yield
    settings.cache = None
