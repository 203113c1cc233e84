"""Cost end to end: what ``litellm.completion`` / ``acompletion`` / ``embedding`` calls cost, as the logging
payload, the response and the budgets see it, through the real pipeline and real wire formats.

Every expected value is written out as price x tokens. The prices are copied from the shipped price map
(``litellm/cost/model_prices.json``) into ``PRICES`` below, and the first test checks that the map still
says so; the token counts are the fake provider's documented, deterministic answers (see
``litellm.fake_provider``): prompt tokens are ceil(characters / 4) + 3 per message, a reply is nine
words (one token each), ``x-fake-cached-tokens`` sets cached tokens, ``reasoning_effort`` low / medium
adds 16 / 32 reasoning tokens, Anthropic ``cache_control`` makes the prefix a cache write or read
(forced with ``x-fake-cache``), and Anthropic thinking adds an eight-word thinking block.

A few wire shapes the fake provider does not produce (usage repeated on every chunk beside choices, a
reply without usage, Anthropic one-hour cache writes) are served by ``replay``: a small stdlib server in
this file that answers canned OpenAI / Anthropic bodies, on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import litellm
from litellm.integrations.custom_logger import CustomLogger

pytestmark = pytest.mark.integration

MSGS = [{"role": "user", "content": "hello there, what is up"}]  # 23 chars: ceil(23/4) + 3 = 9 tokens
# Anthropic: a cached system prefix of 850 chars (ceil(850/4) = 213 tokens) and the same user message
CACHED_SYSTEM = [
    {
        "role": "system",
        "content": [
            {"type": "text", "text": "You are helpful. " * 50, "cache_control": {"type": "ephemeral"}}
        ],
    },
    *MSGS,
]
THINKING = {"type": "enabled", "budget_tokens": 1024}

# From litellm/cost/model_prices.json (USD per token); test_prices_... proves the map agrees.
PRICES = {
    "o3-mini": {
        "input_cost_per_token": 1.1e-06,
        "cache_read_input_token_cost": 5.5e-07,
        "output_cost_per_token": 4.4e-06,
    },
    "azure/o3-mini": {
        "input_cost_per_token": 1.1e-06,
        "cache_read_input_token_cost": 5.5e-07,
        "output_cost_per_token": 4.4e-06,
    },
    "gpt-5-mini": {
        "input_cost_per_token": 2.5e-07,
        "cache_read_input_token_cost": 2.5e-08,
        "output_cost_per_token": 2e-06,
    },
    "gpt-4o-mini": {
        "input_cost_per_token": 1.5e-07,
        "cache_read_input_token_cost": 7.5e-08,
        "output_cost_per_token": 6e-07,
    },
    "claude-sonnet-4-5": {
        "input_cost_per_token": 3e-06,
        "cache_read_input_token_cost": 3e-07,
        "cache_creation_input_token_cost": 3.75e-06,
        "cache_creation_input_token_cost_above_1hr": 6e-06,
        "output_cost_per_token": 1.5e-05,
    },
    "text-embedding-3-small": {"input_cost_per_token": 2e-08},
}
IN, READ, WRITE, WRITE_1H, OUT = (
    "input_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
    "cache_creation_input_token_cost_above_1hr",
    "output_cost_per_token",
)
BREAKDOWN_KEYS = (
    "input_cost",
    "cache_read_cost",
    "cache_creation_cost",
    "output_cost",
    "reasoning_cost",
    "tool_use_cost",
    "total_cost",
)


def price(model: str, kind: str) -> float:
    return PRICES[model][kind]


# ------------------------------------------------------------------------------------------ helpers


class PayloadRecorder(CustomLogger):
    """Keeps every success / failure payload (one hook runs per event: sync for sync calls, async else)."""

    def __init__(self) -> None:
        super().__init__()
        self.payloads: list[dict] = []
        self._lock = threading.Lock()

    def _add(self, kwargs: dict) -> None:
        with self._lock:
            self.payloads.append(kwargs["standard_logging_object"])

    def log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)

    def log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)

    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)

    async def async_log_failure_event(self, kwargs, response_obj, start_time, end_time):
        self._add(kwargs)

    def flushed(self) -> list[dict]:
        assert litellm.flush_callbacks(10.0)
        return self.payloads


@pytest.fixture
def recorder() -> PayloadRecorder:
    rec = PayloadRecorder()
    litellm.callbacks = [rec]  # restored by the suite's autouse settings reset
    return rec


@pytest.fixture
def restore_price_map() -> Iterator[None]:
    yield
    from litellm.cost.price_map import reset_model_cost_map

    reset_model_cost_map()


def oa(url: str) -> dict:
    return {"api_base": f"{url}/v1", "api_key": "sk-test"}


def an(url: str) -> dict:
    return {"api_base": url, "api_key": "sk-ant-test"}


def call(model: str, messages: list, *, stream: bool, **kwargs):
    """One sync call; a stream is consumed to the end. Returns the response (None for a stream)."""
    response = litellm.completion(model=model, messages=messages, stream=stream, **kwargs)
    if stream:
        for _ in response:
            pass
        return None
    return response


def assert_priced(payload: dict, *, key: str, parts: dict[str, float]) -> float:
    """The payload's cost is the sum of ``parts`` (breakdown names; the others are 0), priced by ``key``."""
    expected_total = sum(parts.values())
    assert payload["status"] == "success"
    assert payload["response_cost_failure_debug_info"] is None
    assert payload["response_cost"] == pytest.approx(expected_total, rel=1e-12)
    breakdown = payload["cost_breakdown"]
    assert set(breakdown) == set(BREAKDOWN_KEYS)
    for name in BREAKDOWN_KEYS[:-1]:
        assert breakdown[name] == pytest.approx(parts.get(name, 0.0), rel=1e-12, abs=1e-18), name
    assert breakdown["total_cost"] == payload["response_cost"]
    info = payload["model_map_information"]
    assert info["model_map_key"] == key
    assert info["model_map_value"] == litellm.model_cost[key]  # the entry itself, not a summary
    assert payload["hidden_params"]["response_cost"] == payload["response_cost"]
    return payload["response_cost"]


# ------------------------------------------------------------------------------------------ replay server

_REPLY = ["Hello", " world", "!", ""]


def _openai_chunk(content: str | None, finish: str | None, usage: dict | None) -> dict:
    delta = {} if content is None else {"content": content}
    return {
        "id": "chatcmpl-replay",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **({"usage": usage} if usage is not None else {}),
    }


def _openai_usage(completion: int) -> dict:
    return {
        "prompt_tokens": 20,
        "completion_tokens": completion,
        "total_tokens": 20 + completion,
        "prompt_tokens_details": {"cached_tokens": 8},
    }


def _openai_reply(usage: dict | None) -> dict:
    return {
        "id": "chatcmpl-replay",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o-mini",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Hello world!"}, "finish_reason": "stop"}
        ],
        **({"usage": usage} if usage is not None else {}),
    }


def _sse(events: list[tuple[str | None, dict | str]]) -> bytes:
    out = []
    for name, data in events:
        text = data if isinstance(data, str) else json.dumps(data)
        out.append((f"event: {name}\n" if name else "") + f"data: {text}\n\n")
    return "".join(out).encode()


# Anthropic usage with one-hour cache writes (the fake provider only reports five-minute ones)
_ANTHROPIC_1H_USAGE = {
    "input_tokens": 10,
    "cache_creation_input_tokens": 3000,
    "cache_read_input_tokens": 0,
    "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
    "output_tokens": 5,
}


def _replay_body(path: str, stream: bool) -> tuple[str, bytes]:
    if path == "/cumulative/v1/chat/completions":
        # usage on every chunk, cumulative, the last one beside the finish reason: bill it once
        if not stream:
            return "application/json", json.dumps(_openai_reply(_openai_usage(4))).encode()
        events: list[tuple[str | None, dict | str]] = [
            (None, _openai_chunk(text, None, _openai_usage(i + 1))) for i, text in enumerate(_REPLY[:3])
        ]
        events += [(None, _openai_chunk(None, "stop", _openai_usage(4))), (None, "[DONE]")]
        return "text/event-stream", _sse(events)
    if path == "/nousage/v1/chat/completions":
        if not stream:
            return "application/json", json.dumps(_openai_reply(None)).encode()
        events = [(None, _openai_chunk(text, None, None)) for text in _REPLY[:3]]
        events += [(None, _openai_chunk(None, "stop", None)), (None, "[DONE]")]
        return "text/event-stream", _sse(events)
    if path == "/anthropic-1h/v1/messages":
        message = {
            "id": "msg_replay",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "Hello world!"}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": _ANTHROPIC_1H_USAGE,
        }
        if not stream:
            return "application/json", json.dumps(message).encode()
        start = {
            **message,
            "content": [],
            "stop_reason": None,
            "usage": {**_ANTHROPIC_1H_USAGE, "output_tokens": 1},
        }
        return "text/event-stream", _sse(
            [
                ("message_start", {"type": "message_start", "message": start}),
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": 0,
                        "content_block": {"type": "text", "text": ""},
                    },
                ),
                (
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "text_delta", "text": "Hello"},
                    },
                ),
                ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                (
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": "end_turn"},
                        "usage": {"output_tokens": 5},
                    },
                ),
                ("message_stop", {"type": "message_stop"}),
            ]
        )
    return "application/json", b""


class _ReplayHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.requests.append({"path": self.path, "json": body})  # type: ignore[attr-defined]
        ctype, out = _replay_body(self.path.split("?")[0], bool(body.get("stream")))
        self.send_response(200 if out else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.fixture(scope="module")
def replay() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ReplayHandler)
    server.daemon_threads = True
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ------------------------------------------------------------------------------------------ the prices


def test_prices_written_in_this_file_are_the_shipped_price_map_entries():
    for key, prices in PRICES.items():
        entry = litellm.model_cost[key]
        for name, value in prices.items():
            assert entry[name] == value, (key, name)


# ------------------------------------------------------------------------------------------ OpenAI wire


@pytest.mark.parametrize(
    ("model", "effort", "reasoning"), [("o3-mini", "low", 16), ("gpt-5-mini", "medium", 32)]
)
def test_openai_stream_costs_exactly_the_non_streamed_cost_with_cached_and_reasoning_tokens(
    fake_url, recorder, model, effort, reasoning
):
    kwargs = {"reasoning_effort": effort, "extra_headers": {"x-fake-cached-tokens": "4"}, **oa(fake_url)}
    response = call(f"openai/{model}", MSGS, stream=False, **kwargs)
    call(f"openai/{model}", MSGS, stream=True, **kwargs)
    plain, streamed = recorder.flushed()

    usage = response.usage
    assert (usage.prompt_tokens, usage.prompt_tokens_details.cached_tokens) == (9, 4)
    assert (usage.completion_tokens, usage.completion_tokens_details.reasoning_tokens) == (
        9 + reasoning,
        reasoning,
    )
    parts = {
        "input_cost": (9 - 4) * price(model, IN),
        "cache_read_cost": 4 * price(model, READ),
        "output_cost": 9 * price(model, OUT),
        # OpenAI bills reasoning tokens as output tokens; the map has no separate reasoning price
        "reasoning_cost": reasoning * price(model, OUT),
    }
    cost = assert_priced(plain, key=model, parts=parts)
    assert assert_priced(streamed, key=model, parts=parts) == cost
    assert (plain["stream"], streamed["stream"]) == (False, True)
    assert plain["usage_source"] == streamed["usage_source"] == "provider"
    assert streamed["prompt_tokens"] == 9 and streamed["completion_tokens"] == 9 + reasoning
    # the caller reads the same number on the response, and completion_cost agrees
    assert response._hidden_params["response_cost"] == cost
    assert litellm.completion_cost(completion_response=response) == pytest.approx(cost, rel=1e-12)


async def test_async_stream_costs_exactly_the_async_non_streamed_cost(fake_url, recorder):
    kwargs = {"reasoning_effort": "low", "extra_headers": {"x-fake-cached-tokens": "4"}, **oa(fake_url)}
    response = await litellm.acompletion(model="openai/o3-mini", messages=MSGS, **kwargs)
    stream = await litellm.acompletion(model="openai/o3-mini", messages=MSGS, stream=True, **kwargs)
    async for _ in stream:
        pass
    plain, streamed = recorder.flushed()
    parts = {
        "input_cost": 5 * price("o3-mini", IN),
        "cache_read_cost": 4 * price("o3-mini", READ),
        "output_cost": 9 * price("o3-mini", OUT),
        "reasoning_cost": 16 * price("o3-mini", OUT),
    }
    assert assert_priced(plain, key="o3-mini", parts=parts) == assert_priced(
        streamed, key="o3-mini", parts=parts
    )
    assert response._hidden_params["response_cost"] == plain["response_cost"]
    assert plain["call_type"] == streamed["call_type"] == "acompletion"


def test_azure_stream_with_its_leading_filter_chunk_costs_the_non_streamed_cost(fake_url, recorder):
    # Azure speaks the OpenAI wire with an extra first chunk (prompt_filter_results, no choices)
    kwargs = {
        "api_base": fake_url,
        "api_key": "azure-test",
        "api_version": "2024-10-21",
        "reasoning_effort": "low",
        "extra_headers": {"x-fake-cached-tokens": "4"},
    }
    response = call("azure/o3-mini", MSGS, stream=False, **kwargs)
    call("azure/o3-mini", MSGS, stream=True, **kwargs)
    plain, streamed = recorder.flushed()
    m = "azure/o3-mini"
    parts = {
        "input_cost": 5 * price(m, IN),
        "cache_read_cost": 4 * price(m, READ),
        "output_cost": 9 * price(m, OUT),
        "reasoning_cost": 16 * price(m, OUT),
    }
    assert assert_priced(plain, key=m, parts=parts) == assert_priced(streamed, key=m, parts=parts)
    assert response._hidden_params["response_cost"] == plain["response_cost"]


def test_usage_repeated_on_every_chunk_beside_choices_is_billed_once(replay, recorder):
    # cumulative usage on each chunk, the final count on the chunk that carries finish_reason
    base = {"api_base": f"{replay}/cumulative/v1", "api_key": "sk-test"}
    response = call("openai/gpt-4o-mini", MSGS, stream=False, **base)
    call("openai/gpt-4o-mini", MSGS, stream=True, **base)
    plain, streamed = recorder.flushed()
    parts = {
        "input_cost": (20 - 8) * price("gpt-4o-mini", IN),
        "cache_read_cost": 8 * price("gpt-4o-mini", READ),
        "output_cost": 4 * price("gpt-4o-mini", OUT),
    }
    assert assert_priced(streamed, key="gpt-4o-mini", parts=parts) == assert_priced(
        plain, key="gpt-4o-mini", parts=parts
    )
    assert (streamed["prompt_tokens"], streamed["completion_tokens"]) == (20, 4)
    assert streamed["usage_source"] == "provider"
    assert response._hidden_params["response_cost"] == plain["response_cost"]


def test_reply_without_provider_usage_is_counted_locally_priced_and_marked_counted(
    fake_url, fake_provider, replay, recorder
):
    from litellm.cost.tokens import token_counter

    # the fake provider streams no usage when the caller turns it off; the replay server never sends any
    call("openai/gpt-4o-mini", MSGS, stream=True, stream_options={"include_usage": False}, **oa(fake_url))
    assert fake_provider.requests[-1]["json"]["stream_options"] == {"include_usage": False}
    response = call(
        "openai/gpt-4o-mini", MSGS, stream=False, api_base=f"{replay}/nousage/v1", api_key="sk-test"
    )
    call("openai/gpt-4o-mini", MSGS, stream=True, api_base=f"{replay}/nousage/v1", api_key="sk-test")
    fake_stream, replay_json, replay_stream = recorder.flushed()

    prompt = token_counter(model="gpt-4o-mini", messages=MSGS)
    fake_reply = "Hello from the fake provider! This reply is deterministic."
    for payload, reply in (
        (fake_stream, fake_reply),
        (replay_json, "Hello world!"),
        (replay_stream, "Hello world!"),
    ):
        completion = token_counter(model="gpt-4o-mini", text=reply, count_response_tokens=True)
        assert payload["usage_source"] == "counted"
        assert (payload["prompt_tokens"], payload["completion_tokens"]) == (prompt, completion)
        assert_priced(
            payload,
            key="gpt-4o-mini",
            parts={
                "input_cost": prompt * price("gpt-4o-mini", IN),
                "output_cost": completion * price("gpt-4o-mini", OUT),
            },
        )
    assert replay_json["response_cost"] == replay_stream["response_cost"]
    assert response._hidden_params["usage_counted"] is True


# ------------------------------------------------------------------------------------------ Anthropic wire


@pytest.mark.parametrize("cache", ["write", "read"])
def test_anthropic_stream_costs_exactly_the_non_streamed_cost_with_cache_and_thinking(
    fake_url, recorder, cache
):
    kwargs = {"thinking": THINKING, "extra_headers": {"x-fake-cache": cache}, **an(fake_url)}
    response = call("anthropic/claude-sonnet-4-5", CACHED_SYSTEM, stream=False, **kwargs)
    call("anthropic/claude-sonnet-4-5", CACHED_SYSTEM, stream=True, **kwargs)
    plain, streamed = recorder.flushed()

    written, read = (213, 0) if cache == "write" else (0, 213)
    usage = response.usage
    assert usage.prompt_tokens == 9 + 213  # Anthropic's input_tokens (9) plus cache reads and writes
    assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (written, read)
    assert usage.prompt_tokens_details.cached_tokens == read
    # 17 output tokens: nine reply words and the eight-word thinking block; the thinking text counts
    # 9 tokens with the default encoding ("step." is two), as LiteLLM counts it
    assert usage.completion_tokens == 17
    assert usage.completion_tokens_details.reasoning_tokens == 9
    m = "claude-sonnet-4-5"
    parts = {
        "input_cost": 9 * price(m, IN),
        "cache_read_cost": read * price(m, READ),
        "cache_creation_cost": written * price(m, WRITE),
        "output_cost": (17 - 9) * price(m, OUT),
        "reasoning_cost": 9 * price(m, OUT),  # Anthropic bills thinking as output tokens
    }
    cost = assert_priced(plain, key=m, parts=parts)
    assert assert_priced(streamed, key=m, parts=parts) == cost
    assert plain["usage_source"] == streamed["usage_source"] == "provider"
    assert streamed["hidden_params"]["usage_object"]["completion_tokens_details"]["reasoning_tokens"] == 9
    assert response._hidden_params["response_cost"] == cost
    assert litellm.completion_cost(completion_response=response) == pytest.approx(cost, rel=1e-12)


def test_anthropic_prompt_cache_first_call_writes_and_the_next_reads(fake_url, recorder):
    # no x-fake-cache header: the fake provider decides from the prefix it has seen, as Anthropic does
    system = [
        {
            "role": "system",
            "content": [
                {
                    "type": "text",
                    # 560 chars, unique per run so the fake provider has never cached it
                    "text": ("Prefix for cost-e2e. " * 27)[:528] + uuid.uuid4().hex,
                    "cache_control": {"type": "ephemeral"},
                }
            ],
        },
        *MSGS,
    ]
    call("anthropic/claude-sonnet-4-5", system, stream=True, **an(fake_url))
    call("anthropic/claude-sonnet-4-5", system, stream=False, **an(fake_url))
    first, second = recorder.flushed()
    prefix = 140  # 560 chars / 4
    m = "claude-sonnet-4-5"
    out = 9 * price(m, OUT)
    assert_priced(
        first,
        key=m,
        parts={
            "input_cost": 9 * price(m, IN),
            "cache_creation_cost": prefix * price(m, WRITE),
            "output_cost": out,
        },
    )
    assert_priced(
        second,
        key=m,
        parts={
            "input_cost": 9 * price(m, IN),
            "cache_read_cost": prefix * price(m, READ),
            "output_cost": out,
        },
    )


def test_anthropic_one_hour_cache_writes_are_priced_at_the_one_hour_rate_streamed_or_not(replay, recorder):
    base = {"api_base": f"{replay}/anthropic-1h", "api_key": "sk-ant-test"}
    response = call("anthropic/claude-sonnet-4-5", MSGS, stream=False, **base)
    call("anthropic/claude-sonnet-4-5", MSGS, stream=True, **base)
    plain, streamed = recorder.flushed()
    m = "claude-sonnet-4-5"
    parts = {
        "input_cost": 10 * price(m, IN),
        "cache_creation_cost": 1000 * price(m, WRITE) + 2000 * price(m, WRITE_1H),
        "output_cost": 5 * price(m, OUT),
    }
    assert assert_priced(plain, key=m, parts=parts) == assert_priced(streamed, key=m, parts=parts)
    details = response.usage.prompt_tokens_details.cache_creation_token_details
    assert details == {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000}


# ------------------------------------------------------------------------------------------ unknown models, custom prices


def test_unknown_model_call_succeeds_with_null_cost_and_reason_until_registered(
    fake_url, recorder, restore_price_map
):
    model = "openai/my-private-model"
    response = call(model, MSGS, stream=False, **oa(fake_url))
    call(model, MSGS, stream=True, **oa(fake_url))
    assert response.choices[0].message.content  # the call itself is unaffected
    assert response._hidden_params["response_cost"] is None
    for payload in recorder.flushed():
        assert payload["status"] == "success"
        assert payload["response_cost"] is None  # never a silent 0
        reason = payload["response_cost_failure_debug_info"]
        assert "my-private-model" in reason["error_message"] and "register_model" in reason["error_message"]
        assert reason["model"] == model
        assert payload["model_map_information"]["model_map_key"] is None
    with pytest.raises(Exception, match="my-private-model") as raised:
        litellm.completion_cost(completion_response=response)
    assert "litellm.register_model" in str(raised.value)

    litellm.register_model(
        {
            "my-private-model": {
                "input_cost_per_token": 1e-06,
                "output_cost_per_token": 2e-06,
                "litellm_provider": "openai",
                "mode": "chat",
            }
        }
    )
    recorder.payloads.clear()
    response = call(model, MSGS, stream=False, **oa(fake_url))
    call(model, MSGS, stream=True, **oa(fake_url))
    expected = 9 * 1e-06 + 9 * 2e-06
    for payload in recorder.flushed():
        assert payload["response_cost"] == pytest.approx(expected, rel=1e-12)
        assert payload["response_cost_failure_debug_info"] is None
        assert payload["model_map_information"]["model_map_key"] == "my-private-model"
    assert response._hidden_params["response_cost"] == pytest.approx(expected, rel=1e-12)
    assert litellm.completion_cost(completion_response=response) == pytest.approx(expected, rel=1e-12)


def test_per_call_token_prices_price_an_unknown_model_streamed_or_not(fake_url, recorder):
    prices = {"input_cost_per_token": 1e-06, "output_cost_per_token": 3e-06}
    response = call("openai/my-private-model", MSGS, stream=False, **prices, **oa(fake_url))
    call("openai/my-private-model", MSGS, stream=True, **prices, **oa(fake_url))
    expected = {"input_cost": 9 * 1e-06, "output_cost": 9 * 3e-06}
    plain, streamed = recorder.flushed()
    for payload in (plain, streamed):
        assert payload["response_cost"] == pytest.approx(sum(expected.values()), rel=1e-12)
        for name, value in expected.items():
            assert payload["cost_breakdown"][name] == pytest.approx(value, rel=1e-12)
        assert payload["response_cost_failure_debug_info"] is None
    assert response._hidden_params["response_cost"] == plain["response_cost"]
    # the prices are never sent to the provider
    assert "input_cost_per_token" not in json.dumps(plain["model_parameters"])


def test_per_call_prices_override_the_map_for_a_known_model(fake_url, recorder):
    call(
        "openai/gpt-4o-mini",
        MSGS,
        stream=False,
        input_cost_per_token=2e-06,
        output_cost_per_token=5e-06,
        **oa(fake_url),
    )
    (payload,) = recorder.flushed()
    assert payload["response_cost"] == pytest.approx(9 * 2e-06 + 9 * 5e-06, rel=1e-12)


def test_base_model_prices_a_call_under_another_price_map_entry(fake_url, recorder):
    response = call("openai/my-private-model", MSGS, stream=False, base_model="gpt-4o-mini", **oa(fake_url))
    call("openai/my-private-model", MSGS, stream=True, base_model="gpt-4o-mini", **oa(fake_url))
    parts = {"input_cost": 9 * price("gpt-4o-mini", IN), "output_cost": 9 * price("gpt-4o-mini", OUT)}
    plain, streamed = recorder.flushed()
    assert assert_priced(plain, key="gpt-4o-mini", parts=parts) == assert_priced(
        streamed, key="gpt-4o-mini", parts=parts
    )
    assert plain["model"] == "my-private-model"  # the payload still names the model called
    assert response._hidden_params["response_cost"] == plain["response_cost"]


# ------------------------------------------------------------------------------------------ budgets

GPT_4O_MINI_CALL = 9 * PRICES["gpt-4o-mini"][IN] + 9 * PRICES["gpt-4o-mini"][OUT]


def test_max_budget_grows_by_each_calls_cost_and_stops_calls_before_sending(fake_url, fake_provider):
    # no callbacks registered: budget accounting must not depend on logging
    litellm.max_budget = 2.5 * GPT_4O_MINI_CALL
    call("openai/gpt-4o-mini", MSGS, stream=False, **oa(fake_url))
    assert litellm._current_cost == pytest.approx(GPT_4O_MINI_CALL, rel=1e-12)
    call("openai/gpt-4o-mini", MSGS, stream=True, **oa(fake_url))
    assert litellm._current_cost == pytest.approx(2 * GPT_4O_MINI_CALL, rel=1e-12)
    call("openai/gpt-4o-mini", MSGS, stream=False, **oa(fake_url))  # 2 calls spent < 2.5: allowed
    assert litellm._current_cost == pytest.approx(3 * GPT_4O_MINI_CALL, rel=1e-12)
    sent = len(fake_provider.requests)
    assert sent == 3
    with pytest.raises(litellm.BudgetExceededError) as raised:
        call("openai/gpt-4o-mini", MSGS, stream=False, **oa(fake_url))
    with pytest.raises(litellm.BudgetExceededError):
        call("openai/gpt-4o-mini", MSGS, stream=True, **oa(fake_url))
    assert len(fake_provider.requests) == sent  # refused before any request
    assert raised.value.current_cost == pytest.approx(3 * GPT_4O_MINI_CALL, rel=1e-12)
    assert raised.value.max_budget == litellm.max_budget


async def test_max_budget_counts_async_streamed_calls_and_refuses_once_reached(
    fake_url, fake_provider, recorder
):
    litellm.max_budget = 1e-3
    litellm._current_cost = 1e-3 - GPT_4O_MINI_CALL / 2
    stream = await litellm.acompletion(model="openai/gpt-4o-mini", messages=MSGS, stream=True, **oa(fake_url))
    async for _ in stream:
        pass
    assert litellm._current_cost == pytest.approx(1e-3 + GPT_4O_MINI_CALL / 2, rel=1e-12)
    with pytest.raises(litellm.BudgetExceededError):
        await litellm.acompletion(model="openai/gpt-4o-mini", messages=MSGS, **oa(fake_url))
    assert len(fake_provider.requests) == 1
    success, failure = recorder.flushed()  # the refused call is still one (failure) record
    assert success["response_cost"] == pytest.approx(GPT_4O_MINI_CALL, rel=1e-12)
    assert (
        failure["status"] == "failure"
        and failure["error_information"]["error_class"] == "BudgetExceededError"
    )


def test_budget_manager_tracks_the_spend_of_real_completion_responses(fake_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # LiteLLM's local client keeps user_cost.json in the working directory
    manager = litellm.BudgetManager(project_name="cost-e2e", client_type="local")
    manager.create_budget(total_budget=0.01, user="alice")
    cheap = call("openai/gpt-4o-mini", MSGS, stream=False, **oa(fake_url))
    reasoning = call(
        "openai/o3-mini",
        MSGS,
        stream=False,
        reasoning_effort="low",
        extra_headers={"x-fake-cached-tokens": "4"},
        **oa(fake_url),
    )
    manager.update_cost(completion_obj=cheap, user="alice")
    manager.update_cost(completion_obj=reasoning, user="alice")

    o3 = 5 * price("o3-mini", IN) + 4 * price("o3-mini", READ) + (9 + 16) * price("o3-mini", OUT)
    assert manager.get_current_cost("alice") == pytest.approx(GPT_4O_MINI_CALL + o3, rel=1e-12)
    assert manager.get_model_cost("alice") == pytest.approx(
        {"gpt-4o-mini": GPT_4O_MINI_CALL, "o3-mini": o3}, rel=1e-12
    )
    assert manager.get_current_cost("alice") < manager.get_total_budget("alice")
    # saved (LiteLLM documents save_data() as what writes): a new manager reads the same spend
    manager.save_data()
    again = litellm.BudgetManager(project_name="cost-e2e", client_type="local")
    assert again.is_valid_user("alice") and again.get_users() == ["alice"]
    assert again.get_current_cost("alice") == pytest.approx(GPT_4O_MINI_CALL + o3, rel=1e-12)
    on_disk = json.loads((tmp_path / "user_cost.json").read_text())
    assert on_disk["alice"]["current_cost"] == pytest.approx(GPT_4O_MINI_CALL + o3, rel=1e-12)
    manager.reset_cost("alice")
    assert manager.get_current_cost("alice") == 0


# ------------------------------------------------------------------------------------------ embeddings


async def test_embedding_calls_carry_their_cost_in_the_payload_and_response(fake_url, recorder):
    inputs = ["hello world", "abc"]  # ceil(11/4) + ceil(3/4) = 4 tokens
    response = litellm.embedding(model="openai/text-embedding-3-small", input=inputs, **oa(fake_url))
    aresponse = await litellm.aembedding(model="openai/text-embedding-3-small", input=inputs, **oa(fake_url))
    parts = {"input_cost": 4 * price("text-embedding-3-small", IN)}
    payloads = recorder.flushed()
    assert [p["call_type"] for p in payloads] == ["embedding", "aembedding"]
    for payload, resp in zip(payloads, (response, aresponse), strict=True):
        assert payload["prompt_tokens"] == 4
        cost = assert_priced(payload, key="text-embedding-3-small", parts=parts)
        assert resp._hidden_params["response_cost"] == cost
