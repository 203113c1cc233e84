"""The proxy tunes the cyclic GC for a server process at start-up (and only there)."""

from __future__ import annotations

import gc

import pytest

from litellm.proxy.app import tune_gc


@pytest.fixture
def restore_gc():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_default_freezes_startup_objects_and_raises_the_first_threshold(monkeypatch, restore_gc):
    monkeypatch.delenv("LITELLM_GC_THRESHOLD", raising=False)
    gc.set_threshold(700, 10, 10)
    tune_gc()
    assert gc.get_threshold() == (20000, 50, 100)
    assert gc.get_freeze_count() > 0


def test_env_sets_the_thresholds(monkeypatch, restore_gc):
    monkeypatch.setenv("LITELLM_GC_THRESHOLD", "5000, 20")
    tune_gc()
    assert gc.get_threshold()[:2] == (5000, 20)


@pytest.mark.parametrize("value", ["off", "a,b", "0", "1,2,3,4"])
def test_off_or_a_bad_value_leaves_the_interpreter_alone(monkeypatch, restore_gc, value):
    monkeypatch.setenv("LITELLM_GC_THRESHOLD", value)
    gc.set_threshold(700, 10, 10)
    frozen = gc.get_freeze_count()
    tune_gc()
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == frozen
