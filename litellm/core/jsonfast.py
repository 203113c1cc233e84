"""JSON on the request path: ``orjson`` where it is installed (the ``proxy`` extra pulls it), the standard
library otherwise, with the standard library's results either way.

``loads`` gives what ``json.loads`` gives: text orjson reads differently goes to ``json`` (``NaN`` /
``Infinity`` literals, lone surrogates, and integers of 19 digits or more, which orjson turns into floats).

``dumps_compact`` writes compact JSON text for our own records (the spend ledger's rows and columns).
Read back, it gives what ``json.dumps(value, separators=(",", ":"), default=str)`` would: values orjson
would write its own way (datetimes, dataclasses, subclasses of str/int/dict/list) make the standard
library write the whole value. Exceptions: NaN and infinities are written as ``null`` where orjson is
installed (JSON has no such values; PostgreSQL's json types refuse json's ``NaN``); non-ASCII text is
not escaped and floats may be spelled differently (``1e16`` for ``1e+16``).

``dumps_exact`` is ``json``'s own compact text (non-ASCII kept, non-JSON values refused), for bytes that
are sent or signed as built (request bodies) and text that must refuse what JSON cannot carry.

Must not: import orjson before the first use (``import litellm`` stays light).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps_compact", "dumps_exact", "loads"]

# A run of 19 ASCII digits (what orjson would read as a float) is found by mapping every digit to "0"
# and looking for nineteen of them: the same answer as re.search(rb"\d{19}") at a tenth of its cost
# (sre tries the repeat at every byte; translate and find are tight C loops).
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19
_std_decode = json.JSONDecoder().decode
_std_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode
# one shared encoder (json.dumps with options builds one per call; encode() keeps no state between calls)
dumps_exact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_orjson: Any = None  # the module, False when not installed, None before the first call


def _load_orjson() -> Any:
    global _orjson
    try:
        import orjson
    except ImportError:
        _orjson = False
    else:
        _orjson = orjson
    return _orjson


def loads(data: bytes | str) -> Any:
    """``json.loads(data)``, faster where orjson is installed (same result, same ValueError on bad text)."""
    orjson = _orjson if _orjson is not None else _load_orjson()
    if orjson:
        raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
        if raw.translate(_DIGITS_TO_ZERO).find(_LONG_RUN) < 0:
            try:
                return orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass  # json decides (it accepts NaN/Infinity; otherwise it raises its own error)
    if isinstance(data, bytes):
        return json.loads(data)
    return _std_decode(data)


def _default(value: Any) -> Any:
    raise TypeError  # orjson could not write it as json would: the standard library writes it


def dumps_compact(value: Any) -> str:
    """Compact JSON text of ``value`` (see the module docstring: same value read back as json's)."""
    orjson = _orjson if _orjson is not None else _load_orjson()
    if orjson:
        try:
            return orjson.dumps(
                value,
                default=_default,
                option=orjson.OPT_PASSTHROUGH_DATETIME
                | orjson.OPT_PASSTHROUGH_DATACLASS
                | orjson.OPT_PASSTHROUGH_SUBCLASS
                | orjson.OPT_NON_STR_KEYS,
            ).decode("utf-8")
        except TypeError:  # something json writes its own way (default=str): json writes all of it
            pass
    return _std_encode(value)
