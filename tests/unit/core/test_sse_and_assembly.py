"""The SSE decoder and the assembly of streamed chunks into one response (pure functions)."""

from __future__ import annotations

from litellm.calls.streaming import assemble_chunks
from litellm.core.sse import SSEDecoder


def feed(lines):
    d = SSEDecoder()
    out = [e for e in (d.feed_line(line) for line in lines) if e is not None]
    tail = d.flush()
    return [*out, tail] if tail else out


def test_sse_events_names_multiline_data_and_comments():
    events = feed(
        [
            b"event: message_start\n",
            b'data: {"a":1}\n',
            b"\n",
            b": ping\n",
            b"data: x\n",
            b"data: y\n",
            b"\n",
            "data: [DONE]",
            "",
        ]
    )
    assert events == [("message_start", '{"a":1}'), (None, "x\ny"), (None, "[DONE]")]


def test_sse_event_without_trailing_blank_line_is_flushed():
    assert feed([b"data: last"]) == [(None, "last")]


def test_sse_crlf_and_no_space_after_colon():
    assert feed([b"data:{}\r\n", b"\r\n"]) == [(None, "{}")]


def chunk(delta, finish=None, usage=None, index=0):
    c = {
        "id": "c1",
        "created": 1,
        "model": "gpt-4o",
        "object": "chat.completion.chunk",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        c["usage"] = usage
    return c


def test_assembly_joins_content_tool_calls_reasoning_and_takes_provider_usage():
    chunks = [
        chunk({"role": "assistant", "content": "Hel"}),
        chunk({"content": "lo", "reasoning_content": "think"}),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "f", "arguments": '{"a"'},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}),
        # usage arriving on a chunk that also carries choices counts once (LiteLLM #36168)
        chunk(
            {}, finish="tool_calls", usage={"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        ),
    ]
    r = assemble_chunks(chunks, [{"role": "user", "content": "x"}])
    m = r.choices[0].message
    assert m.content == "Hello" and m.reasoning_content == "think"
    assert m.tool_calls[0].id == "call_1" and m.tool_calls[0].function.arguments == '{"a": 1}'
    assert r.choices[0].finish_reason == "tool_calls"
    assert (r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.total_tokens) == (11, 7, 18)
    assert not r._hidden_params.get("usage_counted")


def test_assembly_counts_usage_locally_only_when_provider_sent_none_and_marks_it():
    r = assemble_chunks(
        [chunk({"role": "assistant", "content": "hello there"}), chunk({}, finish="stop")],
        [{"role": "user", "content": "hi"}],
    )
    assert r.usage.completion_tokens > 0 and r.usage.prompt_tokens > 0
    assert r._hidden_params["usage_counted"] is True


def test_assembly_keeps_choices_apart_by_index():
    r = assemble_chunks(
        [
            chunk({"content": "a"}, index=0),
            chunk({"content": "b"}, index=1),
            chunk({}, finish="stop", index=1),
        ]
    )
    assert [c.message.content for c in r.choices] == ["a", "b"]
