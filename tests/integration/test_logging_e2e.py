"""Every call emits exactly one terminal logging event with its payload, through the real pipeline."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading

import pytest

import litellm
from litellm.integrations.custom_logger import CustomLogger

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello"}]
CANARY = "sk-canary-7f3e9d2c1b0a"


class Recorder(CustomLogger):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.events: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    def _add(self, kind, kwargs):
        with self.lock:
            self.events.append((kind, kwargs))

    def log_pre_api_call(self, model, messages, kwargs):
        self._add("pre", kwargs)

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add("success", kwargs)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add("failure", kwargs)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_success", kwargs)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add("async_failure", kwargs)

    def kinds(self):
        return [k for k, _ in self.events]

    def terminal(self):
        return [(k, kw) for k, kw in self.events if k != "pre"]


def oa(fake_url: str, **extra) -> dict:
    return {
        "model": "openai/gpt-4o-mini",
        "messages": MSGS,
        "api_base": f"{fake_url}/v1",
        "api_key": "sk-test",
        **extra,
    }


def _run(is_async: bool, stream: bool, fail: bool, fake_url: str):
    kwargs = oa(fake_url, stream=stream)
    if fail:
        kwargs["extra_headers"] = (
            {"x-fake-error": "500"} if not stream else {"x-fake-stream-disconnect-after": "3"}
        )

    def sync():
        r = litellm.completion(**kwargs)
        if stream:
            return list(r)
        return r

    async def asyn():
        r = await litellm.acompletion(**kwargs)
        if stream:
            return [c async for c in r]
        return r

    try:
        asyncio.run(asyn()) if is_async else sync()
    except Exception:
        if not fail:
            raise


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("fail", [False, True], ids=["success", "failure"])
def test_exactly_one_terminal_event_routed_by_call_kind(fake_url, is_async, stream, fail):
    rec = Recorder()
    litellm.callbacks = [rec]
    _run(is_async, stream, fail, fake_url)
    assert litellm.flush_callbacks(timeout=10)
    terminal = rec.terminal()
    expected = ("async_" if is_async else "") + ("failure" if fail else "success")
    assert [k for k, _ in terminal] == [expected]
    assert rec.kinds()[0] == "pre"  # pre-call before the terminal event
    kwargs = terminal[0][1]
    payload = kwargs["standard_logging_object"]
    json.dumps(payload)  # JSON-serialisable as is
    assert payload["status"] == ("failure" if fail else "success")
    assert payload["stream"] is stream
    assert payload["call_type"] == ("acompletion" if is_async else "completion")
    assert payload["litellm_call_id"] == kwargs["litellm_call_id"]
    if fail:
        assert payload["error_information"]["error_class"]
        assert "exception" in kwargs and "traceback_exception" in kwargs
    else:
        assert payload["prompt_tokens"] > 0 and payload["completion_tokens"] > 0
        assert payload["response_cost"] > 0
        assert payload["model_map_information"]["model_map_key"]
        assert payload["completionStartTime"] >= payload["startTime"]
        if stream:
            assert kwargs["complete_streaming_response"].choices[0].message.content


def test_payload_carries_metadata_tags_user_and_params(fake_url):
    rec = Recorder()
    litellm.callbacks = [rec]
    litellm.completion(
        **oa(
            fake_url,
            temperature=0.1,
            user="end-user-1",
            metadata={"session_id": "s-1", "tags": ["a", "b"], "k": "v"},
        )
    )
    litellm.flush_callbacks()
    kwargs = rec.terminal()[0][1]
    p = kwargs["standard_logging_object"]
    assert p["metadata"]["k"] == "v" and p["request_tags"] == ["a", "b"] and p["session_id"] == "s-1"
    assert p["end_user"] == "end-user-1"
    assert p["model_parameters"]["temperature"] == 0.1
    assert p["custom_llm_provider"] == "openai" and p["api_base"].endswith("/v1")
    for key in (
        "model",
        "messages",
        "optional_params",
        "litellm_params",
        "litellm_call_id",
        "call_type",
        "stream",
        "start_time",
        "end_time",
        "api_base",
        "response_cost",
        "standard_logging_object",
    ):
        assert key in kwargs, key
    assert kwargs["litellm_params"]["metadata"]["k"] == "v"


def test_function_callbacks_success_and_failure_lists(fake_url):
    seen = []
    litellm.success_callback = [
        lambda kw, resp, s, e: seen.append(("ok", kw["standard_logging_object"]["status"]))
    ]
    litellm.failure_callback = [
        lambda kw, resp, s, e: seen.append(("fail", kw["standard_logging_object"]["status"]))
    ]
    litellm.completion(**oa(fake_url))
    with pytest.raises(litellm.InternalServerError):
        litellm.completion(**oa(fake_url, extra_headers={"x-fake-error": "500"}))
    litellm.flush_callbacks()
    assert seen == [("ok", "success"), ("fail", "failure")]


def test_per_call_callbacks_add_to_global_for_that_call_only(fake_url):
    glob, local = Recorder(), Recorder()
    litellm.callbacks = [glob]
    litellm.completion(**oa(fake_url), callbacks=[local])
    litellm.completion(**oa(fake_url))
    litellm.flush_callbacks()
    assert len(glob.terminal()) == 2 and len(local.terminal()) == 1


def test_an_unknown_callback_name_never_fails_the_call_and_is_reported(fake_url, monkeypatch):
    litellm.callbacks = ["no-such-logger"]
    with pytest.warns(Warning, match="no-such-logger"):
        response = litellm.completion(**oa(fake_url))
    assert response.choices[0].message.content
    stats = litellm.callback_stats()
    assert stats["per_callback"]["no-such-logger"]["dropped"]["misconfigured"] >= 1


def test_strict_callbacks_raise_at_the_call_naming_the_valid_names(fake_url, monkeypatch):
    monkeypatch.setenv("LITELLM_STRICT_CALLBACKS", "1")
    litellm.callbacks = ["no-such-logger-strict"]
    with pytest.raises(ValueError) as info:
        litellm.completion(**oa(fake_url))
    assert "otel" in str(info.value) and "langfuse" in str(info.value)


def test_retries_that_finally_succeed_emit_one_success(fake_url, fake_key):
    rec = Recorder()
    litellm.callbacks = [rec]
    litellm.completion(
        **oa(
            fake_url,
            num_retries=3,
            extra_headers={"x-fake-fail-times": "2", "x-fake-key": fake_key, "x-fake-retry-after-ms": "5"},
        )
    )
    litellm.flush_callbacks()
    assert [k for k, _ in rec.terminal()] == ["success"]


def test_mock_exception_emits_one_failure():
    rec = Recorder()
    litellm.callbacks = [rec]
    with pytest.raises(litellm.RateLimitError):
        litellm.completion(
            model="gpt-4o", messages=MSGS, mock_response=litellm.RateLimitError("x", "openai", "gpt-4o")
        )
    litellm.flush_callbacks()
    assert [k for k, _ in rec.terminal()] == ["failure"]


def test_stream_closed_early_fires_once_with_what_arrived(fake_url):
    rec = Recorder()
    litellm.callbacks = [rec]
    stream = litellm.completion(**oa(fake_url, stream=True, extra_headers={"x-fake-chunks": "100"}))
    it = iter(stream)
    next(it), next(it)
    stream.close()
    stream.close()
    litellm.flush_callbacks()
    assert [k for k, _ in rec.terminal()] == ["success"]


def test_streamed_cost_equals_non_streamed_cost(fake_url):
    rec = Recorder()
    litellm.callbacks = [rec]
    litellm.completion(**oa(fake_url))
    list(litellm.completion(**oa(fake_url, stream=True)))
    litellm.flush_callbacks()
    (_, a), (_, b) = rec.terminal()
    pa, pb = a["standard_logging_object"], b["standard_logging_object"]
    assert pa["response_cost"] == pytest.approx(pb["response_cost"])
    assert (pa["prompt_tokens"], pa["completion_tokens"]) == (pb["prompt_tokens"], pb["completion_tokens"])
    assert pb["usage_source"] == "provider"


def test_redaction_global_and_per_logger(fake_url):
    plain, private = Recorder(), Recorder(turn_off_message_logging=True)
    litellm.callbacks = [plain, private]
    litellm.completion(**oa(fake_url, messages=[{"role": "user", "content": "secret prompt text"}]))
    litellm.flush_callbacks()
    p_plain = plain.terminal()[0][1]["standard_logging_object"]
    p_private_kwargs = private.terminal()[0][1]
    assert "secret prompt text" in json.dumps(p_plain["messages"])
    assert "secret prompt text" not in json.dumps(p_private_kwargs["standard_logging_object"]["messages"])
    assert "secret prompt text" not in json.dumps(p_private_kwargs["messages"])
    assert "Hello from the fake" not in json.dumps(p_private_kwargs["standard_logging_object"]["response"])
    assert p_private_kwargs["standard_logging_object"]["completion_tokens"] == p_plain["completion_tokens"]

    litellm.turn_off_message_logging = True
    rec = Recorder()
    litellm.callbacks = [rec]
    litellm.completion(**oa(fake_url, messages=[{"role": "user", "content": "secret prompt text"}]))
    litellm.flush_callbacks()
    kw = rec.terminal()[0][1]
    assert "secret prompt text" not in json.dumps(kw["standard_logging_object"], default=str)
    assert "secret prompt text" not in json.dumps(kw["messages"], default=str)
    assert kw["standard_logging_object"]["response_cost"] > 0


def test_canary_api_key_never_reaches_payload_kwargs_or_errors(fake_url, capsys):
    rec = Recorder()
    litellm.callbacks = [rec]
    headers = {"Authorization": f"Bearer {CANARY}", "x-api-key": CANARY, "api-key": CANARY}
    litellm.completion(**{**oa(fake_url), "api_key": CANARY}, extra_headers=headers)
    with pytest.raises(litellm.AuthenticationError) as info:
        litellm.completion(
            **{**oa(fake_url), "api_key": CANARY}, extra_headers={"x-fake-error": "401", **headers}
        )
    list(litellm.completion(**{**oa(fake_url), "api_key": CANARY}, stream=True))
    litellm.flush_callbacks()
    assert CANARY not in str(info.value) and CANARY not in repr(info.value)
    for _, kwargs in rec.events:
        dumped = json.dumps(kwargs, default=repr)
        assert CANARY not in dumped
    out = capsys.readouterr()
    assert CANARY not in out.out and CANARY not in out.err


class Raising(CustomLogger):
    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        raise RuntimeError("logger bug")


class Hanging(CustomLogger):
    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self.release.wait(30)


def test_raising_and_hanging_loggers_do_not_affect_calls_or_others(fake_url):
    rec, hanging = Recorder(), Hanging()
    litellm.callbacks = [Raising(), hanging, rec]
    try:
        for _ in range(5):
            r = litellm.completion(**oa(fake_url))
            assert r.choices[0].message.content
        # the call returned while a logger is still blocked: delivery is off the request path
        assert not hanging.release.is_set()
        litellm.flush_callbacks(timeout=5)
        assert len(rec.terminal()) == 5
        stats = litellm.callback_stats()
        assert stats["failed"] >= 5
    finally:
        hanging.release.set()


def test_events_survive_the_end_of_asyncio_run_and_are_not_repeated(fake_url):
    rec = Recorder()
    litellm.callbacks = [rec]

    async def one():
        await litellm.acompletion(**oa(fake_url))

    asyncio.run(one())  # the loop is closed right after the call returns
    asyncio.run(one())
    litellm.flush_callbacks()
    assert [k for k, _ in rec.terminal()] == ["async_success", "async_success"]
    ids = [kw["litellm_call_id"] for _, kw in rec.terminal()]
    assert len(set(ids)) == 2


def test_interpreter_exit_delivers_queued_events(fake_url, tmp_path):
    out = tmp_path / "events.txt"
    code = textwrap.dedent(
        f"""
        import litellm, time
        from litellm.integrations.custom_logger import CustomLogger
        class Slow(CustomLogger):
            def log_success_event(self, kwargs, r, s, e):
                time.sleep(0.01)
                open({str(out)!r}, "a").write(kwargs["litellm_call_id"] + "\\n")
        litellm.callbacks = [Slow()]
        for _ in range(20):
            litellm.completion(model="openai/gpt-4o-mini", messages=[{{"role": "user", "content": "x"}}],
                               api_base={fake_url + "/v1"!r}, api_key="k")
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, env={**os.environ})
    assert len(out.read_text().split()) == 20


def test_ten_thousand_calls_deliver_every_event_with_flat_memory():
    psutil = pytest.importorskip("psutil")
    counter = {"n": 0}

    def count(kwargs, resp, start, end):
        counter["n"] += 1

    rec_ids = set()

    class Ids(CustomLogger):
        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            rec_ids.add(kwargs["standard_logging_object"]["id"])

    litellm.success_callback = [count]
    litellm.callbacks = [Ids()]
    dropped_before = litellm.callback_stats()["dropped"]  # counters are per process
    proc = psutil.Process()
    for _ in range(1000):
        litellm.completion(model="gpt-4o-mini", messages=MSGS, mock_response="ok")
    litellm.flush_callbacks(timeout=30)
    rss_warm = proc.memory_info().rss
    for i in range(10_000):
        litellm.completion(model="gpt-4o-mini", messages=MSGS, mock_response="ok")
        if i % 2000 == 1999:  # a bounded queue: let the worker catch up rather than count drops
            litellm.flush_callbacks(timeout=30)
    assert litellm.flush_callbacks(timeout=60)
    growth_mb = (proc.memory_info().rss - rss_warm) / 1e6
    assert counter["n"] == 11_000
    assert len(rec_ids) == 11_000
    stats = litellm.callback_stats()
    assert stats["dropped"] == dropped_before
    assert growth_mb < 20, growth_mb


def test_response_without_usage_is_counted_locally_and_marked():
    rec = Recorder()
    litellm.callbacks = [rec]
    r = litellm.completion(
        model="gpt-4o-mini",
        messages=MSGS,
        mock_response={"choices": [{"message": {"role": "assistant", "content": "four words right here"}}]},
    )
    litellm.flush_callbacks()
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    p = rec.terminal()[0][1]["standard_logging_object"]
    assert p["usage_source"] == "counted" and p["response_cost"] > 0


def test_exit_delivers_through_an_exporter_created_after_the_dispatcher_started(tmp_path):
    """atexit runs hooks in reverse order: the exporter must still receive the dispatcher's last events."""
    out = tmp_path / "exported.jsonl"
    code = textwrap.dedent(
        f"""
        import json, time, litellm
        from litellm.exporters.batch import BatchExporter
        from litellm.integrations.base import PayloadLogger
        from litellm.integrations.custom_logger import CustomLogger

        litellm.callbacks = [CustomLogger()]
        litellm.completion(model="gpt-4o-mini", messages=[{{"role": "user", "content": "x"}}], mock_response="a")

        def send(batch):
            with open({str(out)!r}, "a") as f:
                f.writelines(json.dumps(item) + "\\n" for item in batch)

        class FileLogger(PayloadLogger):
            name = "file"
            def __init__(self):
                super().__init__()
                self.exporter = BatchExporter("file-test", send, flush_interval=30.0)
            def on_event(self, payload, kwargs):
                time.sleep(0.005)  # keep events queued in the dispatcher when the interpreter exits
                self.exporter.submit({{"id": payload["id"], "status": payload["status"]}})

        litellm.callbacks = [FileLogger()]
        for _ in range(50):
            litellm.completion(model="gpt-4o-mini", messages=[{{"role": "user", "content": "x"}}], mock_response="b")
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert len(ids) == 50 and len(set(ids)) == 50


def test_stream_event_hooks_get_every_chunk_in_order(fake_url):
    class Chunks(CustomLogger):
        def __init__(self):
            super().__init__()
            self.sync_chunks, self.async_chunks = [], []

        def log_stream_event(self, kwargs, response_obj, start_time, end_time):
            self.sync_chunks.append(response_obj)

        async def async_log_stream_event(self, kwargs, response_obj, start_time, end_time):
            self.async_chunks.append(response_obj)

    rec = Chunks()
    litellm.callbacks = [rec]
    got = list(litellm.completion(**oa(fake_url, stream=True)))

    async def run():
        s = await litellm.acompletion(**oa(fake_url, stream=True))
        return [c async for c in s]

    got_async = asyncio.run(run())
    litellm.flush_callbacks()
    assert [c.id for c in rec.sync_chunks] == [c.id for c in got] and len(rec.sync_chunks) == len(got)
    text = "".join(c.choices[0].delta.content or "" for c in rec.sync_chunks if c.choices)
    assert text.startswith("Hello from the fake provider")
    assert len(rec.async_chunks) == len(got_async)


def test_debug_lines_with_litellm_log_env_never_show_the_key(fake_url):
    code = textwrap.dedent(
        f"""
        import litellm
        litellm.completion(model="openai/gpt-4o-mini", messages=[{{"role": "user", "content": "x"}}],
                           api_base={fake_url + "/v1"!r}, api_key={CANARY!r})
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LITELLM_LOG": "DEBUG"},
    )
    assert out.returncode == 0, out.stderr
    assert "llm request" in out.stderr and "llm call succeeded" in out.stderr
    assert CANARY not in out.stderr + out.stdout
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "llm request" not in quiet.stderr
