"""`import litellm` stays light: no heavy modules, no threads, no logging configuration, no env reads."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = {
    "openai", "tiktoken", "aiohttp", "boto3", "botocore", "opentelemetry", "fastapi", "google",
    "langfuse", "sentry_sdk", "structlog", "tokenizers", "bpe_openai", "redis", "uvicorn",
}  # fmt: skip

PROBE = r"""
import json, logging, sys, threading, warnings
filters_before = list(warnings.filters)
handlers_before = list(logging.getLogger().handlers)
import litellm
print(json.dumps({
    "modules": sorted({m.split(".")[0] for m in sys.modules}),
    "threads": threading.active_count(),
    "root_handlers_changed": logging.getLogger().handlers != handlers_before,
    "warning_filters_changed": warnings.filters != filters_before,
    "has_completion": callable(litellm.completion),
}))
"""


def _probe() -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_litellm_loads_no_heavy_module():
    result = _probe()
    assert not (set(result["modules"]) & HEAVY), set(result["modules"]) & HEAVY


def test_import_starts_no_thread_and_configures_nothing():
    result = _probe()
    assert result["threads"] == 1
    assert not result["root_handlers_changed"]
    assert not result["warning_filters_changed"]


def test_touching_an_exception_class_imports_openai_lazily():
    code = "import sys, litellm; assert 'openai' not in sys.modules; e = litellm.RateLimitError; import openai; assert issubclass(e, openai.RateLimitError)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_settings_written_on_the_root_reach_the_core():
    import litellm
    from litellm.core.settings import settings

    litellm.drop_params = True
    assert settings.drop_params is True
    litellm.callbacks.append("x")
    assert settings.callbacks == ["x"]
    litellm._reset_for_tests()
    assert litellm.callbacks == [] and litellm.drop_params is False


def test_openai_is_imported_off_the_callers_thread_once_the_first_call_starts():
    # ``import litellm`` never imports openai; the first call starts a background import of the
    # exception module (whose classes subclass openai's), so a process's first error is not slowed
    # by it and the caller's thread never pays for it on the success path.
    code = (
        "import sys, threading, builtins, litellm\n"
        "assert 'openai' not in sys.modules\n"
        "seen = []\n"
        "real_import = builtins.__import__\n"
        "def spy(name, *a, **k):\n"
        "    if name == 'openai' and threading.current_thread() is threading.main_thread():\n"
        "        seen.append(name)\n"
        "    return real_import(name, *a, **k)\n"
        "builtins.__import__ = spy\n"
        "litellm.completion(model='gpt-4o', messages=[{'role': 'user', 'content': 'x'}], mock_response='hi')\n"
        "warm = [t for t in threading.enumerate() if t.name == 'litellm-warm-exceptions']\n"
        "for t in warm: t.join(60)\n"
        "assert 'litellm.core.exceptions' in sys.modules and 'openai' in sys.modules\n"
        "assert seen == [], 'openai imported on the caller thread'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
