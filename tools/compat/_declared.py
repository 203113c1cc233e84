"""What both differential harnesses share: the declared-differences file (``[[difference]]`` entries with
globs and a reason), matching a difference against it, and the report (a table of differences, totals,
entries that matched nothing, the ``--json`` dump). ``run.py`` compares snippets of the SDK, ``proxy_diff.py``
requests to the proxy; each passes its own ids, diff function and column widths."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import tomllib

Diff = list[tuple[str, Any, Any]]


def load_declared(path: Path) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = tomllib.loads(path.read_text()).get("difference", [])
    for entry in entries:
        if not entry.get("reason"):
            raise SystemExit(f"{path.name}: entry {entry} has no reason")
    return entries


def glob(pattern: str, text: str) -> bool:
    """``*`` matches any run of characters; everything else (brackets included) is literal."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, text, flags=re.S) is not None


def declared_by(
    entries: list[dict[str, str]], key: str, name: str, path: str, ref: Any, ours: Any
) -> dict[str, str] | None:
    """The first entry whose ``key`` (``snippet`` / ``request``) and ``path`` globs match, and whose
    optional ``ref`` / ``ours`` globs match the JSON text of the value on that side (``"0.0"``, ``"null"``)."""
    for entry in entries:
        if not glob(entry[key], name) or not glob(entry.get("path", "*"), path):
            continue
        if "ref" in entry and not glob(entry["ref"], json.dumps(ref, default=str)):
            continue
        if "ours" in entry and not glob(entry["ours"], json.dumps(ours, default=str)):
            continue
        return entry
    return None


def short(value: Any, width: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def report(
    *,
    names: Iterable[str],
    ref: dict[str, Any],
    ours: dict[str, Any],
    diff: Callable[[Any, Any], Diff],
    entries: list[dict[str, str]],
    key: str,
    file_name: str,
    ref_label: str,
    widths: tuple[int, int, int],
    args: Any,
    sort_json: bool = False,
) -> int:
    """Classify every difference (declared or not), print the table and the totals; returns how many
    names had an undeclared difference. ``widths``: the name, path and value columns."""
    name_w, path_w, value_w = widths
    identical = declared = undeclared = 0
    rows: list[tuple[str, str, str, Any, Any, str]] = []
    used: set[int] = set()
    names = list(names)
    for name in names:
        diffs = diff(ref.get(name, "<absent>"), ours.get(name, "<absent>"))
        if not diffs:
            identical += 1
            continue
        any_undeclared = False
        for path, a, b in diffs:
            entry = declared_by(entries, key, name, path, a, b)
            if entry is None:
                any_undeclared = True
                rows.append(("UNDECLARED", name, path, a, b, ""))
            else:
                used.add(id(entry))
                rows.append(("declared", name, path, a, b, entry["reason"]))
        if any_undeclared:
            undeclared += 1
        else:
            declared += 1

    print()
    print(f"{'':10} {key:{name_w}} {'path':{path_w}} {ref_label:{value_w}} {'ours':{value_w}}")
    for kind, name, path, a, b, _reason in rows:
        if kind == "declared" and not args.show_declared:
            continue
        print(
            f"{kind:10} {short(name, name_w):{name_w}} {short(path, path_w):{path_w}} "
            f"{short(a, value_w):{value_w}} {short(b, value_w):{value_w}}"
        )
    print()
    print(
        f"{key}s: {len(names)}   identical: {identical}   "
        f"declared differences: {declared}   undeclared differences: {undeclared}"
    )
    unused = [e for e in entries if id(e) not in used]
    if unused and not args.only:
        print(f"{file_name} entries that matched nothing ({len(unused)}):")
        for entry in unused:
            print(f"  {entry[key]} :: {entry.get('path', '*')}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"ours": ours, "ref": ref, "rows": rows}, indent=1, default=str, sort_keys=sort_json)
        )
    return undeclared
