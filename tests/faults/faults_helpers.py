"""Fault-injection suite: the three promises (one record per call, logging never hurts the call, nothing
lost or leaked) under hung, raising and misconfigured loggers, exits with queued events and secrets.

Each test prints its figures (events emitted / delivered / dropped with reason, RSS, added latency) with
``pytest tests/faults -s``; :func:`figures` formats them. Tests that need a fresh interpreter (RSS,
process exit) run a small script with :func:`run_script`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from litellm.dispatch import dispatcher as dispatch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def figures(title: str, **values: object) -> None:
    """Print one test's figures on one line (visible with ``-s``)."""
    parts = ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in values.items())
    print(f"\n[faults] {title}: {parts}")


def run_script(
    code: str, *args: str, env: dict | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter of this venv (cwd = the repo); returns the finished process."""
    full_env = {**os.environ, "PYTHONPATH": REPO, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=REPO,
    )


def per_callback(name: str) -> dict:
    stats = dispatch.get_dispatcher().stats()
    return stats["per_callback"].get(name, {})
