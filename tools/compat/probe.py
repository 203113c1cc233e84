"""Runs every compat snippet in the current interpreter and writes ``{id: result}`` as JSON.

Usage (run.py calls it once with our venv's Python and once with LiteLLM 1.110.2's)::

    python tools/compat/probe.py <fake_url> <out.json> [substring ...]

Owns: a clean environment for the snippets (no provider keys from the caller's shell), per-snippet
isolation (settings reset, exceptions recorded as results, a 30 s watchdog), and the output file. Must not import
anything of either implementation beyond the public API (``_probe_lib`` and the snippets do that).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))

for name in list(os.environ):
    if name.endswith(("_API_KEY", "_API_BASE", "_API_VERSION", "_BASE_URL", "_TOKEN")) or name.startswith(
        ("AZURE_", "OPENAI_", "ANTHROPIC_")
    ):
        del os.environ[name]
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("LITELLM_LOG", "CRITICAL")

sys.path.insert(0, HERE)


SNIPPET_TIMEOUT_S = 30


class SnippetTimeout(Exception):
    """A snippet ran longer than SNIPPET_TIMEOUT_S (recorded as its result; the next one runs)."""


def _alarm(signum: int, frame: object) -> None:
    raise SnippetTimeout(f"snippet exceeded {SNIPPET_TIMEOUT_S}s")


def main() -> int:
    fake_url, out_path, *only = sys.argv[1:]
    import logging

    logging.disable(logging.CRITICAL)
    import _probe_lib as lib
    from snippets import load_all

    env = {"fake": fake_url}
    results: dict[str, object] = {}
    timings: dict[str, float] = {}
    for sid, fn in load_all().items():
        if only and not any(s in sid for s in only):
            continue
        lib.reset()
        lib.CURRENT["sid"] = sid
        started = time.perf_counter()
        signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(SNIPPET_TIMEOUT_S)
        try:
            results[sid] = lib.jsonable(fn(env))
        except Exception as exc:  # the exception is the observed behaviour
            view = lib.error_view(exc)
            if os.environ.get("COMPAT_TRACE"):
                view["trace"] = traceback.format_exc()[-1500:]
            results[sid] = view
        finally:
            signal.alarm(0)
            lib.reset()
        timings[sid] = time.perf_counter() - started
    with open(out_path, "w") as f:
        json.dump({"results": results, "timings": timings}, f, indent=1, sort_keys=True, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
