"""Token counting: tiktoken-identical counts offline, OpenAI's chat framing, images, trimming, tokenizers."""

from __future__ import annotations

import base64
import glob
import os
import random
import struct
import subprocess
import sys

import pytest

from litellm.cost import tokens


def _corpus() -> list[str]:
    rng = random.Random(1234)
    alphabet = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n.,;:!?'\"()[]{}<>-_=+*/\\|@#$%^&~`"
        "éèüßøåçñ東京大阪中文日本語한국어Ελληνικάрусский🙂🤖🚀👍🏽"
    )
    samples = [
        "",
        " ",
        "hello world",
        "Hello, World! How's it going?",
        "def f(x):\n    return x ** 2  # square\n\n\nclass A:\n\tpass\n",
        "   leading and trailing   ",
        "\n\n\n\n",
        "1234567890 3.14159 1e-7 0x1F",
        "<|endoftext|> <|im_start|>user<|im_end|>",
        "Ünïcödé 東京 🤖 tabs\tand\nnewlines   spaces",
        "https://example.com/path?query=1&other=two#frag",
        '{"key": [1, 2, {"nested": true}], "s": "v"}',
        "a" * 5000,
        "🙂" * 300,
        "The quick brown fox jumps over the lazy dog. " * 40,
    ]
    for _ in range(200):
        length = rng.randint(1, 400)
        samples.append("".join(rng.choice(alphabet) for _ in range(length)))
    return samples


def _tiktoken_oracle_dir() -> str | None:
    """Where LiteLLM ships tiktoken's BPE files (its installed package), if anywhere we can see."""
    candidates = []
    if os.environ.get("LITELLM_TIKTOKEN_ORACLE_DIR"):
        candidates.append(os.environ["LITELLM_TIKTOKEN_ORACLE_DIR"])
    for root in {sys.prefix, sys.base_prefix, "/work/scratch/ref"}:
        candidates += glob.glob(
            os.path.join(
                root, "lib", "python3*", "site-packages", "litellm", "litellm_core_utils", "tokenizers"
            )
        )
    for folder in candidates:
        # tiktoken names cached files by the sha1 of their URL: these two are cl100k_base and o200k_base
        if all(
            os.path.isfile(os.path.join(folder, name))
            for name in (
                "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
                "fb374d419588a4632f3f557e76b4b70aebbca790",
            )
        ):
            return folder
    return None


def test_counts_equal_tiktoken_on_a_corpus():
    pytest.importorskip("tiktoken")
    folder = _tiktoken_oracle_dir()
    if folder is None:
        pytest.skip("LiteLLM's shipped tiktoken BPE files are not installed here")
    # tiktoken reads its cache dir once per process: run the oracle in a child with only that dir
    code = (
        "import json, sys, tiktoken\n"
        "texts = json.load(sys.stdin)\n"
        "out = {n: [len(tiktoken.get_encoding(n).encode(t, disallowed_special=())) for t in texts]"
        " for n in ('cl100k_base', 'o200k_base')}\n"
        "print(json.dumps(out))\n"
    )
    import json

    texts = _corpus()
    env = {**os.environ, "TIKTOKEN_CACHE_DIR": folder}
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    oracle = json.loads(done.stdout)
    ours = {
        "cl100k_base": [tokens.token_counter(model="gpt-4", text=t) for t in texts],
        "o200k_base": [tokens.token_counter(model="gpt-4o", text=t) for t in texts],
    }
    assert ours == oracle


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", "o200k_base"),
        ("openai/gpt-4o-mini", "o200k_base"),
        ("azure/gpt-4.1", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("ft:gpt-4o-mini:org::abc", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("text-embedding-3-small", "cl100k_base"),
        ("claude-sonnet-4-5", "cl100k_base"),
    ],
)
def test_each_model_counts_with_its_openai_encoding(model, encoding):
    assert tokens.encoding_name_for_model(model) == encoding


def test_encode_and_decode_round_trip_and_count_special_text_as_plain_text():
    text = "héllo wörld <|endoftext|>"
    ids = tokens.encode(model="gpt-4o", text=text)
    assert tokens.decode(model="gpt-4o", tokens=ids) == text
    assert len(ids) == tokens.token_counter(model="gpt-4o", text=text)


def _n(text: str, model: str = "gpt-4o") -> int:
    return tokens.token_counter(model=model, text=text)


def test_messages_cost_three_per_message_one_per_name_and_three_to_prime_the_reply():
    messages = [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "What is the weather in Paris?", "name": "bob"},
    ]
    expected = (3 + _n("system") + _n("You are helpful.")) + (
        3 + _n("user") + _n("What is the weather in Paris?") + _n("bob") + 1
    )
    assert tokens.token_counter(model="gpt-4o", messages=messages) == expected + 3
    assert tokens.token_counter(model="gpt-4o", messages=messages, count_response_tokens=True) == expected


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get weather",
            "parameters": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "description": "City"},
                    "unit": {"type": "string", "enum": ["c", "f"]},
                },
                "required": ["city"],
            },
        },
    }
]


def test_tool_definitions_are_counted_as_openai_renders_them():
    rendered = (
        "namespace functions {\n\n// Get weather\ntype get_weather = (_: {\n// City\ncity: string,\n"
        'unit?: "c" | "f",\n}) => any;\n\n} // namespace functions'
    )
    assert tokens.format_tool_definitions(TOOLS) == rendered
    user = [{"role": "user", "content": "hi"}]
    base = tokens.token_counter(model="gpt-4o", messages=user)
    assert tokens.token_counter(model="gpt-4o", messages=user, tools=TOOLS) == base + _n(rendered) + 9
    with_system = [{"role": "system", "content": "s"}, *user]
    base_s = tokens.token_counter(model="gpt-4o", messages=with_system)
    assert (
        tokens.token_counter(model="gpt-4o", messages=with_system, tools=TOOLS) == base_s + _n(rendered) + 5
    )
    choice = {"type": "function", "function": {"name": "get_weather"}}
    assert tokens.token_counter(model="gpt-4o", messages=user, tool_choice=choice) == base + 7 + _n(
        "get_weather"
    )


def test_tool_call_arguments_are_counted():
    messages = [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
            ],
        }
    ]
    assert tokens.token_counter(model="gpt-4o", messages=messages) == 3 + _n("assistant") + _n('{"a": 1}') + 3


def _png(width: int, height: int) -> str:
    header = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    )
    return "data:image/png;base64," + base64.b64encode(header + b"\0" * 4).decode()


def _image_message(url: str, detail: str | None = None) -> list[dict]:
    image = {"url": url} if detail is None else {"url": url, "detail": detail}
    return [{"role": "user", "content": [{"type": "image_url", "image_url": image}]}]


@pytest.mark.parametrize(
    ("model", "width", "height", "detail", "image_tokens"),
    [
        ("gpt-4o", 1024, 1024, "high", 85 + 170 * 4),  # 768x768 -> 2x2 tiles
        ("gpt-4o", 2048, 4096, "auto", 85 + 170 * 6),  # 1024x2048 -> 768x1536 -> 2x3 tiles
        ("gpt-4o", 800, 600, "low", 85),
        ("gpt-4o", 4096, 8192, "high", 85 + 170 * 6),
        ("gpt-4o-mini", 1024, 1024, "high", 2833 + 5667 * 4),
        ("gpt-5", 512, 512, "high", 70 + 140 * 1),
        ("gpt-4.1-mini", 1024, 1024, "high", 1659),  # 32x32 patches = 1024, x1.62, rounded up
    ],
)
def test_image_parts_are_counted_by_detail_and_size(model, width, height, detail, image_tokens):
    counted = tokens.token_counter(model=model, messages=_image_message(_png(width, height), detail))
    assert counted == 3 + _n("user", model) + image_tokens + 3


def test_image_urls_are_never_fetched_and_cost_the_base_tokens():
    counted = tokens.token_counter(model="gpt-4o", messages=_image_message("https://127.0.0.1:9/none.png"))
    assert counted == 3 + _n("user") + 85 + 3


def test_text_and_messages_together_is_an_error():
    with pytest.raises(ValueError):
        tokens.token_counter(model="gpt-4o", text="a", messages=[{"role": "user", "content": "b"}])


def test_trim_messages_keeps_system_and_newest_messages_within_the_budget():
    messages = [{"role": "system", "content": "Be brief."}] + [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"message number {i} " * 20}
        for i in range(30)
    ]
    original = [dict(m) for m in messages]
    trimmed = tokens.trim_messages(messages, model="gpt-4o", max_tokens=300)
    assert messages == original  # input untouched
    assert trimmed[0] == {"role": "system", "content": "Be brief."}
    assert trimmed[-1] == messages[-1]
    assert tokens.token_counter(model="gpt-4o", messages=trimmed) <= 300
    assert len(trimmed) < len(messages)


def test_trim_messages_returns_messages_unchanged_when_they_fit():
    messages = [{"role": "user", "content": "short"}]
    kept, left = tokens.trim_messages(messages, model="gpt-4o", return_response_tokens=True)
    assert kept == messages
    assert left == int(128000 * 0.75) - tokens.token_counter(model="gpt-4o", messages=messages)


def test_trim_messages_shortens_a_single_long_message_in_the_middle():
    messages = [{"role": "user", "content": "start " + "filler " * 2000 + " end"}]
    trimmed = tokens.trim_messages(messages, model="gpt-4o", max_tokens=100)
    assert len(trimmed) == 1
    assert ".." in trimmed[0]["content"]
    assert trimmed[0]["content"].startswith("start") and trimmed[0]["content"].endswith("end")
    assert tokens.token_counter(model="gpt-4o", messages=trimmed) <= 100


def test_trim_messages_keeps_trailing_tool_results():
    messages = [
        {"role": "user", "content": "x " * 500},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [{"id": "1", "function": {"name": "f", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "1", "content": "result"},
    ]
    trimmed = tokens.trim_messages(messages, model="gpt-4o", max_tokens=100)
    assert trimmed[-1] == messages[-1]


def test_trim_messages_without_a_known_model_or_budget_changes_nothing():
    messages = [{"role": "user", "content": "x " * 5000}]
    assert tokens.trim_messages(messages, model="unknown-model-xyz") == messages


def test_hf_tokenizers_missing_names_the_extra():
    try:
        import tokenizers  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"litellm-observe\[tokenizers\]"):
            tokens.create_tokenizer('{"version": "1.0"}')
    else:
        pytest.skip("tokenizers is installed; covered by test_custom_hf_tokenizer_counts")


def test_custom_hf_tokenizer_counts():
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, pre_tokenizers

    tok = tokenizers.Tokenizer(models.WordLevel({"hello": 0, "world": 1, "[UNK]": 2}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    custom = tokens.create_tokenizer(tok.to_str())
    assert tokens.token_counter(model="x", custom_tokenizer=custom, text="hello world hello") == 3


def test_counting_loads_the_tokenizer_without_importing_the_bpe_openai_package_init():
    code = (
        "import sys\n"
        "from litellm.cost import tokens\n"
        "assert tokens.token_counter(model='gpt-4o', text='hello world') == 2\n"
        "print('bpe_openai.compat' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
