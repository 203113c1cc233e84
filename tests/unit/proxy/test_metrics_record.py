"""record_request's success path updates prometheus_client's value objects directly: the exposition text
must be what Counter.inc() and Histogram.observe() give for the same values, in one process and with
PROMETHEUS_MULTIPROC_DIR."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

pytest.importorskip("prometheus_client")

# on a bound, between bounds, below the first, above the last finite one, zero, negative, NaN
VALUES = [0.005, 0.00625, 0.0001, 0.3, 1.0, 7.25, 299.9, 300.0, 1e9, 0.0, -1.0, math.nan, 0.5, 0.5]

_SCRIPT = textwrap.dedent(
    """
    import math, os, sys, uuid
    from types import SimpleNamespace

    import prometheus_client as pc
    from litellm.proxy import metrics

    VALUES = [float(v) for v in sys.argv[1].split(",")]
    tag = uuid.uuid4().hex[:8]

    def auth(key):
        return SimpleNamespace(end_user_id=None, api_key=key, key_alias="alias", team_id="t", team_alias=None,
                               user_id=7, user_email=None)

    # the fast path (record_request) and the public API, on the same metrics, for two label sets that
    # differ only in the key hash
    for model in ("gpt-x", None):
        for v in VALUES:
            metrics.record_request(auth("fast" + tag), "/v1/chat/completions", "group", 200, v, None, model)
            a = auth("slow" + tag)
            base = ("", a.api_key, "alias", "group", "t", "", "7")
            metrics._m("litellm_proxy_total_requests_metric").labels(*base, "200", "", "/v1/chat/completions").inc()
            metrics._m("litellm_request_total_latency_metric").labels(*base, model or "").observe(v)

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = pc.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        text = pc.generate_latest(registry).decode()
    else:
        text = metrics.render()[0].decode()
    lines = [ln for ln in text.splitlines() if "_created" not in ln]
    fast = [ln.replace("fast" + tag, "KEY") for ln in lines if "fast" + tag in ln]
    slow = [ln.replace("slow" + tag, "KEY") for ln in lines if "slow" + tag in ln]
    assert fast, text
    assert sorted(fast) == sorted(slow), (fast, slow)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        assert fast == slow  # same order too
    print("OK", len(fast))
    """
)


@pytest.mark.parametrize("multiproc", [False, True])
def test_success_path_exposition_matches_inc_and_observe(multiproc: bool, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k.lower() != "prometheus_multiproc_dir"}
    if multiproc:
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, ",".join(repr(v) for v in VALUES)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("OK"), out.stdout


def test_failed_requests_still_counted_in_process() -> None:
    from types import SimpleNamespace

    import prometheus_client as pc

    from litellm.proxy import metrics

    key = "fail" + uuid.uuid4().hex[:8]
    auth = SimpleNamespace(end_user_id="u", api_key=key, key_alias=None, team_id=None, team_alias=None,
                           user_id=None, user_email="e@x")  # fmt: skip
    metrics.record_request(auth, "/v1/chat/completions", "m", 500, 0.1, RuntimeError("x"), "m")
    metrics.record_request(auth, "/v1/chat/completions", "m", 429, 0.1, None, "m")
    metrics.record_request(auth, "/v1/chat/completions", "m", 200, 0.1, None, "m")
    text = pc.generate_latest().decode()
    mine = [ln for ln in text.splitlines() if key in ln and "_created" not in ln]
    failed = [ln for ln in mine if ln.startswith("litellm_proxy_failed_requests_metric_total")]
    assert len(failed) == 2
    assert any('exception_class="RuntimeError"' in ln and 'exception_status="500"' in ln for ln in failed)
    assert any('exception_class=""' in ln and 'exception_status="429"' in ln for ln in failed)
    total = [ln for ln in mine if ln.startswith("litellm_proxy_total_requests_metric_total")]
    assert len(total) == 3
    count = [ln for ln in mine if ln.startswith("litellm_request_total_latency_metric_count")]
    assert count == [ln for ln in count if ln.endswith(" 1.0")] and len(count) == 1
