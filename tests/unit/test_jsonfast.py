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


def test_long_digit_run_check_matches_the_regex() -> None:
    """The digit-run check loads() uses before orjson answers as re.search(rb"\\d{19}") does."""
    import random
    import re

    pattern = re.compile(rb"\d{19}")
    rng = random.Random(7)
    alphabet = b"0123456789 .-e:\xd9\xb0\xef\xbc\x90a"  # with non-ASCII digits' UTF-8 bytes
    samples = [b"", b"1" * 18, b"1" * 19, b"x" + b"9" * 19 + b"x", b"1" * 18 + b"\xd9\xa01"]
    for _ in range(3000):
        samples.append(bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))))
        samples.append(b"5" * rng.randrange(15, 22) + bytes(rng.choice(alphabet) for _ in range(5)))
    for raw in samples:
        fast = raw.translate(jsonfast._DIGITS_TO_ZERO).find(jsonfast._LONG_RUN) >= 0
        assert fast == (pattern.search(raw) is not None), raw


@pytest.mark.parametrize("digits", [18, 19, 20, 25])
def test_loads_long_integers_as_json(impl, digits) -> None:
    text = b'{"n": %s, "m": -%s, "s": "%s"}' % ((b"7" * digits,) * 3)
    assert _same(jsonfast.loads(text), json.loads(text))
