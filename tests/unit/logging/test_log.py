"""The library's diagnostics: lazy setup, levels, JSON mode, secret masking, once/rate-limited helpers."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

from litellm.core import log
from litellm.core.settings import settings

ROOT = Path(__file__).resolve().parents[3]
CANARY_KEY = "sk-canary-log-0123456789abcdWXYZ"


def lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_importing_the_logging_modules_configures_nothing_and_starts_no_threads():
    code = textwrap.dedent(
        """
        import logging, sys, threading
        root_handlers = list(logging.getLogger().handlers)
        import litellm.core.log, litellm.dispatch.dispatcher, litellm.core.redact
        import litellm.integrations.custom_logger, litellm.integrations.registry
        import litellm.integrations.base, litellm.integrations.memory
        assert "structlog" not in sys.modules, "structlog imported at import time"
        assert "asyncio" not in sys.modules, "asyncio imported at import time"
        assert logging.getLogger("litellm").handlers == []
        assert logging.getLogger("litellm").level == logging.NOTSET
        assert logging.getLogger().handlers == root_handlers
        assert threading.active_count() == 1
        for name in ("opentelemetry", "langfuse", "boto3", "sentry_sdk", "openai", "aiohttp", "tiktoken"):
            assert name not in sys.modules, name
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_first_use_touches_neither_the_root_logger_nor_global_structlog_config():
    code = textwrap.dedent(
        """
        import logging
        import structlog
        from litellm.core.log import get_logger
        get_logger().warning("hello")
        assert logging.getLogger().handlers == []
        assert not structlog.is_configured()
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "hello" in result.stderr and result.stdout.strip() == "ok"


def test_default_level_is_warning(fresh_log, capsys, monkeypatch):
    monkeypatch.delenv("LITELLM_LOG", raising=False)
    logger = log.get_logger()
    logger.debug("debug-line")
    logger.info("info-line")
    logger.warning("warning-line")
    out = "\n".join(lines(capsys))
    assert "warning-line" in out and "debug-line" not in out and "info-line" not in out


def test_litellm_log_debug_env_turns_on_debug_lines(fresh_log, capsys, monkeypatch):
    monkeypatch.setenv("LITELLM_LOG", "DEBUG")
    log.get_logger().debug("debug-line")
    assert any("debug-line" in line for line in lines(capsys))


def test_turn_on_debug_turns_on_debug_lines(fresh_log, capsys, monkeypatch):
    monkeypatch.delenv("LITELLM_LOG", raising=False)
    logger = log.get_logger()
    logger.debug("before")
    log.turn_on_debug()
    logger.debug("after")
    out = "\n".join(lines(capsys))
    assert "after" in out and "before" not in out


def test_a_level_set_by_the_user_is_respected(fresh_log, capsys, monkeypatch):
    monkeypatch.setenv("LITELLM_LOG", "DEBUG")
    std = logging.getLogger("litellm")
    std.setLevel(logging.ERROR)
    try:
        log.get_logger().warning("warning-line")
        assert lines(capsys) == []
    finally:
        std.setLevel(logging.NOTSET)


def test_a_handler_attached_by_the_user_replaces_ours(fresh_log, capsys):
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    std = logging.getLogger("litellm")
    handler = Collect()
    std.addHandler(handler)
    try:
        log.get_logger().error("to-user-handler", api_key=CANARY_KEY)
        assert lines(capsys) == []
        assert len(records) == 1
        message = records[0].getMessage()
        assert "to-user-handler" in message and CANARY_KEY not in message
    finally:
        std.removeHandler(handler)


def test_json_logs_setting_renders_one_json_object_per_line(fresh_log, capsys):
    settings.json_logs = True
    log.get_logger("litellm.dispatch").warning("json-line", count=3, nested={"a": 1})
    [line] = lines(capsys)
    record = json.loads(line)
    assert record["event"] == "json-line" and record["level"] == "warning"
    assert record["logger"] == "litellm.dispatch" and record["count"] == 3 and record["nested"] == {"a": 1}
    assert "timestamp" in record


def test_secrets_are_masked_by_key_and_by_pattern_in_text_mode(fresh_log, capsys):
    log.get_logger().warning(
        "request failed",
        api_key=CANARY_KEY,
        headers={"Authorization": f"Bearer {CANARY_KEY}", "x-api-key": CANARY_KEY, "api-key": CANARY_KEY},
        detail=f"provider said: invalid key {CANARY_KEY}",
        obj=type("Obj", (), {"__repr__": lambda self: f"Obj(token=Bearer {CANARY_KEY})"})(),
    )
    out = capsys.readouterr().err
    assert "request failed" in out
    assert CANARY_KEY not in out and CANARY_KEY[:-4] not in out


def test_secrets_are_masked_in_json_mode_and_in_tracebacks(fresh_log, capsys):
    settings.json_logs = True
    try:
        raise RuntimeError(f"upstream rejected Authorization: Bearer {CANARY_KEY}")
    except RuntimeError:
        log.get_logger().exception("call failed", api_key=CANARY_KEY)
    out = capsys.readouterr().err
    record = json.loads(out.strip().splitlines()[0])
    assert record["event"] == "call failed" and "RuntimeError" in record["exception"]
    assert CANARY_KEY not in out and CANARY_KEY[:-4] not in out


def test_exception_traceback_is_written_once(fresh_log, capsys):
    try:
        raise ValueError("only-once")
    except ValueError:
        log.get_logger().exception("failed")
    assert capsys.readouterr().err.count("ValueError: only-once") == 1


def test_log_once_emits_the_first_time_only(fresh_log, capsys):
    assert log.log_once(("k", 1), "once-line") is True
    assert log.log_once(("k", 1), "once-line") is False
    assert log.log_once(("k", 2), "once-line") is True
    assert "\n".join(lines(capsys)).count("once-line") == 2


def test_log_rate_limited_reports_how_many_were_held_back(fresh_log, capsys):
    assert log.log_rate_limited("r", "rate-line", interval=3600) is True
    assert log.log_rate_limited("r", "rate-line", interval=3600) is False
    assert log.log_rate_limited("r", "rate-line", interval=3600) is False
    assert log.log_rate_limited("r", "rate-line", interval=0) is True
    out = lines(capsys)
    assert len(out) == 2 and "suppressed_since_last=2" in out[1]


def test_set_verbose_shows_debug_lines_while_it_is_on(fresh_log, capsys, monkeypatch):
    monkeypatch.delenv("LITELLM_LOG", raising=False)
    logger = log.get_logger()
    settings.set_verbose = True
    logger.debug("verbose-on")
    settings.set_verbose = False
    logger.debug("verbose-off")
    out = "\n".join(lines(capsys))
    assert "verbose-on" in out and "verbose-off" not in out
