"""Shared pytest fixtures: the one local provider server, and isolation of litellm's global settings.

Owns, for every test directory:

* ``fake_provider`` (session): an in-process :mod:`litellm.fake_provider` with ``record=True``, started
  once and stopped at the end of the session. It speaks OpenAI (``url + "/v1"``), Azure OpenAI
  (``/openai/deployments/...``) and Anthropic (``/v1/messages``); see that package's docstring for the
  ``x-fake-*`` fault headers and magic model names.
* ``fake_url`` (function): the server's base URL, e.g. ``http://127.0.0.1:41234``. It also empties the
  server's request log, so ``fake_provider.requests`` holds only this test's requests.
* ``fake_key`` (function): a key unique to the test, for ``x-fake-fail-times`` / ``x-fake-key``.
* an autouse fixture that calls ``litellm._reset_for_tests()`` after each test, when litellm was
  imported and offers it, so one test's module settings (callbacks, drop_params, ...) cannot leak.
* the ``integration`` marker.

Must not import ``litellm`` eagerly (a broken package should fail its own tests, not collection) nor
start anything a test did not ask for.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from litellm.fake_provider.server import FakeProvider


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "integration: runs against a real local server (the fake provider or a receiver)"
    )


@pytest.fixture(scope="session")
def fake_provider() -> Iterator[FakeProvider]:
    from litellm.fake_provider.server import start_fake_provider

    with start_fake_provider(record=True) as fake:
        yield fake


@pytest.fixture
def fake_url(fake_provider: FakeProvider) -> str:
    fake_provider.clear_requests()
    return fake_provider.url


@pytest.fixture
def fake_key() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _reset_litellm_settings() -> Iterator[None]:
    yield
    # Only when a test imported litellm: nothing to reset otherwise, and importing it here would make
    # every test pay for (and depend on) the package import.
    module = sys.modules.get("litellm")
    reset = getattr(module, "_reset_for_tests", None) if module is not None else None
    if callable(reset):
        reset()
