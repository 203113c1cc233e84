"""Fixtures for the delivery engine tests: a recording send function and exporters that are shut down.

Every exporter a test builds through ``make_exporter`` is shut down after the test, so no worker thread
outlives it. Helpers shared with the test modules live in ``exporter_helpers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from exporter_helpers import Recorder

from litellm.exporters import BatchExporter


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_exporter() -> Iterator[Callable[..., BatchExporter]]:
    made: list[BatchExporter] = []

    def make(send: Callable[[list[dict]], None], name: str = "test", **kw: Any) -> BatchExporter:
        exp = BatchExporter(name, send, **kw)
        made.append(exp)
        return exp

    yield make
    for exp in made:
        exp.shutdown(timeout=2.0)
