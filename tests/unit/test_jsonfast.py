"""litellm.core.jsonfast gives the standard library's results, with or without orjson."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math

import pytest

from litellm.core import jsonfast

TEXTS = [
    b'{"a":1,"a":2}',
    b'{"x": 123456789012345678901234567890, "y": -9223372036854775809}',
    b'{"x": 1e400, "y": -Infinity, "z": NaN}',
    b'{"s": "\\ud800 lone", "e": "\\u00e9t\\u00e9"}',
    '{"t": "d\u00e9j\u00e0 vu \U0001f600"}'.encode(),
    b'[1, 2.5, true, null, "x", {"k": []}]',
    b'{"id":"chatcmpl-12345678901234567890","n":5}',
]


@pytest.fixture(params=["orjson", "stdlib"])
def impl(request, monkeypatch):
    if request.param == "orjson":
        pytest.importorskip("orjson")
        monkeypatch.setattr(jsonfast, "_orjson", None)  # loaded on first use
    else:
        monkeypatch.setattr(jsonfast, "_orjson", False)
    return request.param


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("text", TEXTS)
def test_loads_matches_json(impl, text) -> None:
    assert _same(jsonfast.loads(text), json.loads(text))
    assert _same(jsonfast.loads(text.decode("utf-8", "surrogatepass")), json.loads(text))


@pytest.mark.parametrize("text", [b"", b"{", b'{"a":}', b"\xff\xfe", b"[1,]"])
def test_loads_refuses_what_json_refuses(impl, text) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        jsonfast.loads(text)


class Colour(enum.Enum):
    RED = "red"


class Kind(str, enum.Enum):
    A = "a"


@dataclasses.dataclass
class Point:
    x: int


VALUES = [
    {"a": 1, "b": [1.5, None, True], "c": "d\u00e9j\u00e0"},
    {1: "int key", 2.5: "float key", False: "bool", None: "none"},
    {"when": datetime.datetime(2026, 12, 3, 15, 0, 1), "day": datetime.date(2026, 12, 3)},
    {"colour": Colour.RED, "kind": Kind.A, "point": Point(1)},
    {"big": 2**70, "neg": -(2**70)},
    ["x" * 10, {"nested": {"deep": [1, 2, 3]}}],
]


@pytest.mark.parametrize("value", VALUES)
def test_dumps_compact_reads_back_as_json_dumps(impl, value) -> None:
    ours = jsonfast.dumps_compact(value)
    theirs = json.dumps(value, separators=(",", ":"), default=str)
    assert json.loads(ours) == json.loads(theirs)


def test_dumps_compact_writes_nan_as_null(impl) -> None:
    if impl == "orjson":
        assert jsonfast.dumps_compact([math.nan, math.inf]) == "[null,null]"
    else:  # without orjson the standard library's NaN (documented)
        assert jsonfast.dumps_compact([math.nan]) == "[NaN]"
