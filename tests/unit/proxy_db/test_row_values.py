"""build_values (the row the ledger spools, built as a list) gives exactly the row the dict-building
build_row gave, column for column, for every kind of caller, call info and outcome."""

from __future__ import annotations

import itertools
import time
from types import SimpleNamespace
from typing import Any

import pytest

from litellm.core.jsonfast import dumps_compact
from litellm.proxy.auth import AuthContext
from litellm.proxy.errors import ProxyError
from litellm.proxy.keys.store import KeyAuth
from litellm.proxy.spend.ledger import COLUMNS
from litellm.proxy.spend.rows import _metadata, build_row, build_values, day_of, usage_of


def _reference_row(
    record: Any, *, spend: float, deployment: str | None = None, prompt_tokens: int, completion_tokens: int,
    cache_hit: bool, tags: list[str], request_md: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    """build_row as it was before the row became a list (the ledger spooled [row.get(c) for c in COLUMNS])."""
    auth = record.auth
    info = record.info
    ok = record.status < 400 and record.exception is None
    start, end = record.started, record.ended or time.time()
    return {
        "request_id": record.call_id,
        "call_type": record.call_type,
        "api_key": getattr(auth, "api_key", None),
        "key_alias": getattr(auth, "key_alias", None),
        "user_id": getattr(auth, "user_id", None),
        "team_id": getattr(auth, "team_id", None),
        "organization_id": getattr(auth, "org_id", None),
        "end_user": getattr(auth, "end_user_id", None),
        "model": record.requested_model,
        "model_group": getattr(info, "model_group", None),
        "model_id": getattr(info, "model_id", None),
        "deployment": getattr(info, "litellm_model", None) or deployment,
        "prompt_tokens": int(prompt_tokens),
        "completion_tokens": int(completion_tokens),
        "total_tokens": int(prompt_tokens) + int(completion_tokens),
        "spend": float(spend),
        "cache_hit": 1 if cache_hit else 0,
        "status": "success" if ok else ("aborted" if record.status == 499 else "failure"),
        "http_status": int(record.status),
        "start_time": start,
        "end_time": end,
        "day": day_of(start),
        "request_tags": dumps_compact(list(tags)),
        "metadata": dumps_compact(_metadata(request_md, auth.logging_metadata() if auth is not None else {})),
    }


AUTHS = [
    None,
    AuthContext(api_key="a" * 64, user_role="proxy_admin", is_master=True),
    AuthContext(
        api_key="b" * 64,
        key_alias="k",
        user_id="u",
        user_email="e@x",
        team_id="t",
        team_alias="ta",
        org_id="o",
        end_user_id="eu",
    ),
    KeyAuth(api_key="c" * 64, key_alias="kk", team_id="t2", key={"tags": ["x"]}, team={"models": []}),
    SimpleNamespace(
        api_key="d" * 64, logging_metadata=lambda: {"user_api_key_hash": "d" * 64}
    ),  # no other fields
]
INFOS = [
    None,
    SimpleNamespace(model_group="g", model_id="id1", litellm_model=None),
    SimpleNamespace(model_group="g", model_id=None, litellm_model="openai/gpt-4o-mini"),
    SimpleNamespace(model_group="g"),  # an object without the other fields
]
OUTCOMES = [
    (200, None),
    (400, ProxyError(400, "bad")),
    (499, None),
    (500, RuntimeError("x")),
    (200, ValueError()),
]
METADATA = [
    None,
    {},
    {
        "api_key": "sk-live-123",
        "nested": {"password": "p", "ok": 1},
        "note": "sk-abc",
        "user_api_key_hash": "z",
        "headers": {"a": 1},
        "list": ["sk-1", 2, {"token": "t"}],
    },
    {f"k{i}": i for i in range(60)},
]
TAGS = [[], ["a", "b"], ("t",), ["ü", "sk-nope"]]


@pytest.mark.parametrize("auth", AUTHS, ids=lambda a: type(a).__name__)
def test_values_are_the_reference_row_in_column_order(auth: Any) -> None:
    n = 0
    for info, (status, exc), md, tags, ended, deployment in itertools.product(
        INFOS, OUTCOMES, METADATA, TAGS, (0.0, 1_700_000_123.25), (None, "azure/gpt")
    ):
        record = SimpleNamespace(
            call_id=f"c{n}", route="/v1/chat/completions", call_type="acompletion", auth=auth,
            requested_model="m", status=status, started=1_700_000_000.5 + n, ended=ended, exception=exc,
            info=info, response=None,
        )  # fmt: skip
        kw = dict(spend=0.25 * n, prompt_tokens=n, completion_tokens=3, cache_hit=bool(n % 2), tags=tags,
                  request_md=md, deployment=deployment)  # fmt: skip
        ref = _reference_row(record, **kw)
        values = build_values(record, **kw)
        if not ended:  # the end time is "now" when the record has none
            assert ref["end_time"] <= values[COLUMNS.index("end_time")] <= time.time()
            values[COLUMNS.index("end_time")] = ref["end_time"]
        assert values == [ref[c] for c in COLUMNS]
        assert [type(v) for v in values] == [type(ref[c]) for c in COLUMNS]
        row = build_row(record, **kw)
        row["end_time"] = ref["end_time"]
        assert row == ref and list(row) == list(ref)
        n += 1


def test_usage_of_dicts_objects_and_missing_usage() -> None:
    assert usage_of(None) == (0, 0)
    assert usage_of({}) == (0, 0)
    assert usage_of({"usage": {"prompt_tokens": 3, "completion_tokens": 4}}) == (3, 4)
    assert usage_of({"usage": {"input_tokens": 5, "output_tokens": 6.0}}) == (5, 6)
    assert usage_of({"usage": {"prompt_tokens": 0, "input_tokens": 2}}) == (2, 0)
    assert usage_of(SimpleNamespace(usage=SimpleNamespace(prompt_tokens=7, completion_tokens=None))) == (7, 0)
    assert usage_of(SimpleNamespace(usage=SimpleNamespace(input_tokens=1, output_tokens=2))) == (1, 2)
    assert usage_of(SimpleNamespace()) == (0, 0)


def test_derive_is_a_shallow_copy_with_the_end_user() -> None:
    import dataclasses

    auth = KeyAuth(
        api_key="h" * 64, key_alias="a", user_id="u", user_email="e", user_role="r", team_id="t", team_alias="ta",
        org_id="o", end_user_id="old", models=["m"], metadata={"x": 1}, spend=1.5, max_budget=9.0, tpm_limit=1,
        rpm_limit=2, is_master=False, key={"tags": ["k"]}, user={"u": 1}, team={"t": 1}, org={"o": 1},
        team_member_role="admin",
    )  # fmt: skip
    for end_user in ("new", None):
        copy = auth.derive(end_user)
        assert type(copy) is KeyAuth and copy is not auth
        for f in dataclasses.fields(KeyAuth):
            want = end_user if f.name == "end_user_id" else getattr(auth, f.name)
            assert getattr(copy, f.name) is want, f.name
    assert auth.end_user_id == "old"
