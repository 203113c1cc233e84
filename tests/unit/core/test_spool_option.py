"""LITELLM_SPOOL_DIR gives loggers registered by name an on-disk spool (issue 5: nothing lost)."""

from __future__ import annotations

from litellm.integrations import registry
from litellm.integrations.custom_logger import CustomLogger


class SpoolAware(CustomLogger):
    def __init__(self, spool_dir=None, spool_mode="on_failure", **kwargs):
        super().__init__(**kwargs)
        self.spool_dir, self.spool_mode = spool_dir, spool_mode


def test_named_logger_gets_spool_dir_and_mode_from_env(monkeypatch, tmp_path):
    registry.register("spool-aware-test", f"{__name__}:SpoolAware")
    try:
        monkeypatch.setenv("LITELLM_SPOOL_DIR", str(tmp_path))
        monkeypatch.setenv("LITELLM_SPOOL_MODE", "write_ahead")
        logger = registry.get_integration("spool-aware-test")
        assert logger.spool_dir == str(tmp_path) and logger.spool_mode == "write_ahead"
    finally:
        registry.clear_instances()


def test_without_env_no_spool(monkeypatch):
    registry.register("spool-aware-test-2", f"{__name__}:SpoolAware")
    try:
        monkeypatch.delenv("LITELLM_SPOOL_DIR", raising=False)
        assert registry.get_integration("spool-aware-test-2").spool_dir is None
    finally:
        registry.clear_instances()
