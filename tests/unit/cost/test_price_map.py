"""The shipped price map: well formed, sourced, loaded lazily, extended by register_model."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

import pytest

from litellm.cost import price_map

KNOWN_MODES = {
    "chat",
    "completion",
    "embedding",
    "image_generation",
    "image_edit",
    "audio_transcription",
    "audio_speech",
    "moderation",
    "rerank",
    "responses",
    "realtime",
    "video_generation",
    "search",
    "ocr",
    "evaluation",
    "decisions",
    "extraction",
    "guardrail",
    "vector_store",
}
# Keys that hold a price or a token limit: numbers >= 0 wherever they appear.
NUMERIC_PREFIXES = ("input_cost", "output_cost", "cache_", "max_", "search_", "ocr_", "annotation_")


def _raw_map() -> dict:
    return json.loads(
        resources.files("litellm.cost").joinpath("model_prices.json").read_text(encoding="utf-8")
    )


def _sources() -> dict:
    return json.loads(
        resources.files("litellm.cost").joinpath("price_sources.json").read_text(encoding="utf-8")
    )


def test_every_entry_is_well_formed():
    problems: list[str] = []
    providers = set(_sources()["providers"])
    for key, entry in _raw_map().items():
        if key == "fallback_generalizations":
            assert isinstance(entry.get("rules"), list)
            continue
        if set(entry) == {"alias_of"}:
            continue  # checked by test_aliases_point_at_real_entries
        if entry.get("litellm_provider") not in providers:
            problems.append(f"{key}: unknown litellm_provider {entry.get('litellm_provider')!r}")
        if "mode" in entry and entry["mode"] not in KNOWN_MODES:
            problems.append(f"{key}: unknown mode {entry['mode']!r}")
        for field, value in entry.items():
            if field.startswith("supports_") and not isinstance(value, bool):
                problems.append(f"{key}: {field} is not a bool")
            if field.startswith(NUMERIC_PREFIXES) and not isinstance(value, (dict, list, str)):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                    problems.append(f"{key}: {field}={value!r} is not a non-negative number")
            if isinstance(value, dict) and field.startswith("search_context_cost_per_query"):
                for size, price in value.items():
                    if not isinstance(price, (int, float)) or price < 0:
                        problems.append(f"{key}: {field}.{size}={price!r}")
    assert problems == []


def test_map_has_over_a_thousand_entries_and_no_schema_sample():
    raw = _raw_map()
    assert len(raw) > 1000
    assert "sample_spec" not in raw


def test_required_providers_are_covered():
    counts = Counter(v.get("litellm_provider") for v in _raw_map().values())
    for provider in (
        "openai",
        "azure",
        "anthropic",
        "gemini",
        "vertex_ai-language-models",
        "bedrock",
        "bedrock_converse",
        "mistral",
        "cohere",
        "groq",
        "deepseek",
        "xai",
        "together_ai",
        "fireworks_ai",
        "perplexity",
    ):
        assert counts[provider] > 0, provider
    assert any(k.startswith("us.anthropic.") for k in _raw_map())
    assert any(k.startswith("eu.anthropic.") for k in _raw_map())


def test_every_provider_names_its_pricing_page_and_date():
    sources = _sources()
    assert "1.110.2" in sources["carrier"]["name"]
    counts = Counter(v.get("litellm_provider") for v in _raw_map().values() if "litellm_provider" in v)
    for provider, count in counts.items():
        record = sources["providers"][provider]
        assert record["url"].startswith("https://"), provider
        assert len(record["read_on"]) == 10 and record["read_on"][4] == "-", provider
        assert record["entries"] == count, provider


def test_aliases_point_at_real_entries_and_load_as_copies():
    raw = _raw_map()
    live = price_map.get_model_cost_map()
    aliases = {k: v["alias_of"] for k, v in raw.items() if set(v) == {"alias_of"}}
    assert aliases
    for alias, target in aliases.items():
        assert target in raw, alias
        assert live[alias] == live[target]
        assert live[alias] is not live[target]


def test_loaded_map_drops_rules_entry_and_keeps_everything_else():
    live = price_map.get_model_cost_map()
    assert "fallback_generalizations" not in live
    assert len(live) == len(_raw_map()) - 1


def test_importing_the_cost_package_loads_no_map_and_no_tokenizer():
    code = (
        "import sys, litellm.cost, litellm.cost.calculator, litellm.cost.tokens, litellm.cost.budget\n"
        "from litellm.cost import price_map\n"
        "assert price_map._state.model_cost is None\n"
        "assert 'bpe_openai' not in sys.modules and 'tiktoken' not in sys.modules\n"
        "assert 'httpx' not in sys.modules or True\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_register_model_merges_into_an_existing_entry(fresh_price_map):
    before = dict(fresh_price_map["gpt-4o"])
    price_map.register_model({"gpt-4o": {"input_cost_per_token": 1e-06}})
    after = fresh_price_map["gpt-4o"]
    assert after["input_cost_per_token"] == 1e-06
    assert after["output_cost_per_token"] == before["output_cost_per_token"]
    assert after["litellm_provider"] == "openai"


def test_register_model_adds_a_new_model_that_then_prices(fresh_price_map):
    from litellm.cost.calculator import compute_cost

    price_map.register_model(
        {
            "my-model": {
                "input_cost_per_token": 2e-06,
                "output_cost_per_token": 4e-06,
                "litellm_provider": "openai",
                "mode": "chat",
            }
        }
    )
    result = compute_cost(
        model="my-model",
        custom_llm_provider="openai",
        call_type="completion",
        usage={"prompt_tokens": 10, "completion_tokens": 5},
    )
    assert result.response_cost == pytest.approx(10 * 2e-06 + 5 * 4e-06)
    assert result.model_map_key == "my-model"


def test_a_direct_edit_of_model_cost_is_seen_by_the_next_cost(fresh_price_map):
    from litellm.cost.calculator import compute_cost

    usage = {"prompt_tokens": 10, "completion_tokens": 0}
    compute_cost(model="gpt-4o", custom_llm_provider="openai", call_type="completion", usage=usage)
    fresh_price_map["gpt-4o"] = {**fresh_price_map["gpt-4o"], "input_cost_per_token": 1.0}
    result = compute_cost(model="gpt-4o", custom_llm_provider="openai", call_type="completion", usage=usage)
    assert result.response_cost == pytest.approx(10.0)


def test_register_model_rejects_a_non_dict_entry(fresh_price_map):
    with pytest.raises(TypeError):
        price_map.register_model({"x": 1})


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("gpt-4o", "openai"),
        ("claude-sonnet-4-5", "anthropic"),
        ("claude-3-5-sonnet-20241022", "anthropic"),
        ("anthropic/claude-anything", "anthropic"),
        ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock"),
        ("anthropic.claude-future-9", "bedrock"),
        ("gemini-3.5-flash-lite", "vertex_ai"),
        ("gemini/gemini-2.5-pro", "gemini"),
        ("text-embedding-3-small", "openai"),
        ("definitely-not-a-model", None),
    ],
)
def test_lookup_provider_maps_bare_names_to_their_provider(model, provider):
    assert price_map.lookup_provider(model) == provider


def test_resolve_entry_refuses_an_entry_of_another_provider():
    assert price_map.resolve_entry("gpt-4o", "anthropic") is None
    assert price_map.resolve_entry("gpt-4o", "azure")[0] == "azure/gpt-4o"
    assert price_map.resolve_entry("claude-opus-4-5", "vertex_ai")[0] == "vertex_ai/claude-opus-4-5"


class _MapServer:
    def __init__(self, payload: dict) -> None:
        body = json.dumps(payload).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/map.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _MapServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


REMOTE = {
    "remote-model": {
        "input_cost_per_token": 1e-06,
        "output_cost_per_token": 1e-06,
        "litellm_provider": "openai",
    }
}


def test_load_remote_cost_map_replaces_the_map_when_asked(fresh_price_map, monkeypatch):
    monkeypatch.delenv("LITELLM_LOCAL_MODEL_COST_MAP", raising=False)
    with _MapServer(REMOTE) as server:
        live = price_map.load_remote_cost_map(server.url)
    assert live is fresh_price_map
    assert set(live) == {"remote-model"}


def test_local_cost_map_switch_keeps_the_shipped_map(fresh_price_map, monkeypatch):
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    with _MapServer(REMOTE) as server:
        live = price_map.load_remote_cost_map(server.url)
    assert "gpt-4o" in live and "remote-model" not in live


def test_remote_fetch_failure_keeps_the_local_map(fresh_price_map, monkeypatch):
    monkeypatch.delenv("LITELLM_LOCAL_MODEL_COST_MAP", raising=False)
    live = price_map.load_remote_cost_map("http://127.0.0.1:9/nothing.json", timeout=1.0)
    assert "gpt-4o" in live


def test_register_model_accepts_a_url(fresh_price_map):
    with _MapServer(REMOTE) as server:
        price_map.register_model(server.url)
    assert fresh_price_map["remote-model"]["input_cost_per_token"] == 1e-06
    assert "gpt-4o" in fresh_price_map


def test_an_in_place_price_edit_is_seen_by_the_next_cost(fresh_price_map):
    from litellm.cost.calculator import compute_cost

    usage = {"prompt_tokens": 10, "completion_tokens": 0}
    compute_cost(model="gpt-4o", custom_llm_provider="openai", call_type="completion", usage=usage)
    fresh_price_map["gpt-4o"]["input_cost_per_token"] = 1.0
    result = compute_cost(model="gpt-4o", custom_llm_provider="openai", call_type="completion", usage=usage)
    assert result.response_cost == pytest.approx(10.0)
