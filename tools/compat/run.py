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
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
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


def load_declared() -> list[dict[str, str]]:
    data = tomllib.loads((HERE / "deliberate.toml").read_text())
    entries = data.get("difference", [])
    for entry in entries:
        if not entry.get("reason"):
            raise SystemExit(f"deliberate.toml: entry {entry} has no reason")
    return entries


def glob(pattern: str, text: str) -> bool:
    """``*`` matches any run of characters; everything else (brackets included) is literal."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text, flags=re.S) is not None


def declared_by(
    entries: list[dict[str, str]], sid: str, path: str, ref: Any = None, ours: Any = None
) -> dict[str, str] | None:
    """The first entry whose globs match, and whose optional ``ref`` / ``ours`` (the JSON text of the
    value on that side, e.g. ``"0.0"`` or ``"null"``) match too."""
    for entry in entries:
        if not glob(entry["snippet"], sid) or not glob(entry.get("path", "*"), path):
            continue
        if "ref" in entry and json.dumps(ref, default=str) != entry["ref"]:
            continue
        if "ours" in entry and json.dumps(ours, default=str) != entry["ours"]:
            continue
        return entry
    return None


def short(value: Any, width: int = 46) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="run snippets whose id contains one of these")
    parser.add_argument("--json", help="write the full comparison here")
    parser.add_argument("--show-declared", action="store_true", help="list declared differences too")
    args = parser.parse_args()

    entries = load_declared()
    ref_python = reference_python()
    fake_proc, fake = start_fake()
    try:
        ours = probe(OURS, fake, args.only, "ours")
        ref = probe(ref_python, fake, args.only, f"litellm {REF_VERSION}")
    finally:
        fake_proc.terminate()
        fake_proc.wait(10)

    identical = declared = undeclared = 0
    rows: list[tuple[str, str, str, Any, Any, str]] = []
    used: set[int] = set()
    for sid in sorted(set(ref) | set(ours)):
        diffs = diff(ref.get(sid, "<absent>"), ours.get(sid, "<absent>"))
        if not diffs:
            identical += 1
            continue
        snippet_undeclared = False
        for path, a, b in diffs:
            entry = declared_by(entries, sid, path, a, b)
            if entry is None:
                snippet_undeclared = True
                rows.append(("UNDECLARED", sid, path, a, b, ""))
            else:
                used.add(id(entry))
                rows.append(("declared", sid, path, a, b, entry["reason"]))
        if snippet_undeclared:
            undeclared += 1
        else:
            declared += 1

    print()
    print(f"{'':10} {'snippet':44} {'path':34} {'LiteLLM ' + REF_VERSION:46} {'ours':46}")
    for kind, sid, path, a, b, _reason in rows:
        if kind == "declared" and not args.show_declared:
            continue
        print(f"{kind:10} {short(sid, 44):44} {short(path, 34):34} {short(a):46} {short(b):46}")
    print()
    print(
        f"snippets: {len(set(ref) | set(ours))}   identical: {identical}   "
        f"declared differences: {declared}   undeclared differences: {undeclared}"
    )
    unused = [e for e in entries if id(e) not in used]
    if unused and not args.only:
        print(f"deliberate.toml entries that matched nothing ({len(unused)}):")
        for entry in unused:
            print(f"  {entry['snippet']} :: {entry.get('path', '*')}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"ours": ours, "ref": ref, "rows": rows}, indent=1, default=str, sort_keys=True)
        )
    return 1 if undeclared else 0


if __name__ == "__main__":
    sys.exit(main())
