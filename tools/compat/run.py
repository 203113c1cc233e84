"""Differential harness: the same snippets against this package and against LiteLLM 1.110.2.

Usage::

    python tools/compat/run.py [--only SUBSTRING ...] [--json out.json] [--show-declared]

Uses ``/tmp/ref/venv`` when it exists, else creates a scratch venv once (``~/.cache/litellm-compat``)
with ``litellm==1.110.2`` plus numpydoc, tenacity and mcp (which LiteLLM's helpers import on use) (``LITELLM_LOCAL_MODEL_COST_MAP=True``, so both sides price from their
bundled maps). Starts the bundled fake provider (``python -m litellm.fake_provider --port 0``), runs
``probe.py`` in both interpreters (ours: this repo's ``.venv``), diffs the results value by value
(floats to 1e-9; ``*_keys`` lists only report what LiteLLM has and we lack), and prints a table of the
differences plus totals: snippets, identical, declared differences, undeclared differences. A
difference is declared when ``deliberate.toml`` has an entry whose ``snippet`` and ``path`` globs (and
optional ``ref`` / ``ours`` value texts) match it; every entry carries the reason. Exit status 1 when an undeclared difference remains.

The proxy server has its own harness, ``proxy_diff.py`` (ours vs LiteLLM 1.77.0's proxy, request by
request, with ``proxy_deliberate.toml``).

Not part of the package or of the default pytest run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _declared import load_declared, report  # noqa: E402  (the sibling module; run as a script)

REPO = HERE.parent.parent
OURS = REPO / ".venv" / "bin" / "python"
REF_VERSION = "1.110.2"
# what LiteLLM's own helpers import on use: function_to_dict (numpydoc), completion_with_retries
# (tenacity), experimental_mcp_client (mcp)
REF_EXTRAS = ("numpydoc", "tenacity", "mcp")


def reference_python() -> Path:
    ref = Path("/tmp/ref/venv/bin/python")
    if ref.exists():
        return ref
    venv = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "litellm-compat" / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} with litellm=={REF_VERSION} (once)...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"litellm=={REF_VERSION}", *REF_EXTRAS], check=True
        )
    return python


def start_fake() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [str(OURS), "-m", "litellm.fake_provider", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "listening on" in line:
            return proc, line.strip().rsplit(" ", 1)[-1]
        if proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("the fake provider did not start")


def probe(python: Path, fake: str, only: list[str], label: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=f"-{label}.json", delete=False) as f:
        out = f.name
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONDONTWRITEBYTECODE": "1"}
    if label != "ours":  # the reference must never see a PYTHONPATH meant for our side (a patched copy)
        env.pop("PYTHONPATH", None)
    started = time.monotonic()
    # cwd outside the repo: the reference interpreter must never import this repo's litellm
    proc = subprocess.run(
        [str(python), str(HERE / "probe.py"), fake, out, *only],
        cwd=tempfile.gettempdir(),
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"probe failed under {label} ({python})")
    data = json.loads(Path(out).read_text())
    os.unlink(out)
    print(f"{label}: {len(data['results'])} snippets in {time.monotonic() - started:.1f}s", flush=True)
    return data["results"]


def diff(ref: Any, ours: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(path, reference value, our value) for every leaf that differs."""
    if isinstance(ref, dict) and isinstance(ours, dict):
        out: list[tuple[str, Any, Any]] = []
        for key in sorted(set(ref) | set(ours)):
            sub = f"{path}.{key}" if path else key
            if key not in ours:
                out.append((sub, ref[key], "<absent>"))
            elif key not in ref:
                out.append((sub, "<absent>", ours[key]))
            else:
                out.extend(diff(ref[key], ours[key], sub))
        return out
    if path.endswith(("payload_keys", "kwargs_keys")) and isinstance(ref, list) and isinstance(ours, list):
        missing = sorted(set(ref) - set(ours))
        return [(path, missing, "<missing>")] if missing else []
    if isinstance(ref, float) or isinstance(ours, float):
        if isinstance(ref, (int, float)) and isinstance(ours, (int, float)) and not isinstance(ref, bool):
            return [] if abs(float(ref) - float(ours)) <= 1e-9 else [(path, ref, ours)]
    if isinstance(ref, list) and isinstance(ours, list) and len(ref) == len(ours):
        out = []
        for i, (a, b) in enumerate(zip(ref, ours, strict=True)):
            out.extend(diff(a, b, f"{path}[{i}]"))
        return out
    return [] if ref == ours else [(path, ref, ours)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="run snippets whose id contains one of these")
    parser.add_argument("--json", help="write the full comparison here")
    parser.add_argument("--show-declared", action="store_true", help="list declared differences too")
    args = parser.parse_args()

    entries = load_declared(HERE / "deliberate.toml")
    ref_python = reference_python()
    fake_proc, fake = start_fake()
    try:
        ours = probe(OURS, fake, args.only, "ours")
        ref = probe(ref_python, fake, args.only, f"litellm {REF_VERSION}")
    finally:
        fake_proc.terminate()
        fake_proc.wait(10)

    undeclared = report(
        names=sorted(set(ref) | set(ours)), ref=ref, ours=ours, diff=diff, entries=entries, key="snippet",
        file_name="deliberate.toml", ref_label="LiteLLM " + REF_VERSION, widths=(44, 34, 46), args=args,
        sort_json=True,
    )  # fmt: skip
    return 1 if undeclared else 0


if __name__ == "__main__":
    sys.exit(main())
