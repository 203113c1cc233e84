"""Cost against hand-computed values: price (as published in the map) x tokens, written out per row.

Covers 60+ models across providers (plain per-token rows), every price kind (cached read, 5 minute and
1 hour cache writes, reasoning, audio in/out, image tokens in/out, per request, per second, per character,
per query, per image, per pixel, batch / priority / flex tiers, >128k / >200k tiers, tiered_pricing tables,
web search) and every call type (chat, text completion, responses, embedding, image generation,
transcription, speech, rerank, moderation, video generation, batch).
"""

from __future__ import annotations

import pytest

from litellm.cost.calculator import compute_cost

# (model, provider, expected cost of 1000 prompt + 500 completion tokens)
PLAIN_ROWS = [
    ("gpt-4o", "openai", 1000 * 2.5e-06 + 500 * 1e-05),
    ("gpt-4o-mini", "openai", 1000 * 1.5e-07 + 500 * 6e-07),
    ("gpt-4.1", "openai", 1000 * 2e-06 + 500 * 8e-06),
    ("o3", "openai", 1000 * 2e-06 + 500 * 8e-06),
    ("gpt-5", "openai", 1000 * 1.25e-06 + 500 * 1e-05),
    ("computer-use-preview", "openai", 1000 * 3e-06 + 500 * 1.2e-05),
    ("ft:gpt-3.5-turbo", "openai", 1000 * 3e-06 + 500 * 6e-06),
    ("azure/gpt-4o", "azure", 1000 * 2.5e-06 + 500 * 1e-05),
    ("azure/computer-use-preview", "azure", 1000 * 3e-06 + 500 * 1.2e-05),
    ("azure/eu/gpt-4o-2024-08-06", "azure", 1000 * 2.75e-06 + 500 * 1.1e-05),
    ("azure/eu/gpt-4o-mini", "azure", 1000 * 1.65e-07 + 500 * 6.6e-07),
    ("claude-opus-4-5", "anthropic", 1000 * 5e-06 + 500 * 2.5e-05),
    ("claude-sonnet-4-5", "anthropic", 1000 * 3e-06 + 500 * 1.5e-05),
    ("claude-haiku-4-5", "anthropic", 1000 * 1e-06 + 500 * 5e-06),
    ("gemini/gemini-2.5-pro", "gemini", 1000 * 1.25e-06 + 500 * 1e-05),
    ("gemini/gemini-robotics-er-2-preview", "gemini", 1000 * 1e-06 + 500 * 5e-06),
    ("gemini/gemini-3.1-flash-lite-preview", "gemini", 1000 * 2.5e-07 + 500 * 1.5e-06),
    ("gemini/deep-research-preview-04-2026", "gemini", 1000 * 2e-06 + 500 * 1.2e-05),
    ("gemini-3.1-flash-lite-preview", "vertex_ai", 1000 * 2.5e-07 + 500 * 1.5e-06),
    ("gemini-3.5-flash-lite", "vertex_ai", 1000 * 3e-07 + 500 * 2.5e-06),
    ("deep-research-pro-preview-12-2025", "vertex_ai", 1000 * 2e-06 + 500 * 1.2e-05),
    ("vertex_ai/claude-3-5-haiku", "vertex_ai", 1000 * 1e-06 + 500 * 5e-06),
    ("vertex_ai/claude-opus-4-5", "vertex_ai", 1000 * 5e-06 + 500 * 2.5e-05),
    ("ai21.jamba-1-5-large-v1:0", "bedrock", 1000 * 2e-06 + 500 * 8e-06),
    ("ai21.jamba-1-5-mini-v1:0", "bedrock", 1000 * 2e-07 + 500 * 4e-07),
    ("us.anthropic.claude-3-5-sonnet-20241022-v2:0", "bedrock", 1000 * 3e-06 + 500 * 1.5e-05),
    ("eu.anthropic.claude-3-5-sonnet-20240620-v1:0", "bedrock", 1000 * 3e-06 + 500 * 1.5e-05),
    ("us.writer.palmyra-x4-v1:0", "bedrock", 1000 * 2.5e-06 + 500 * 1e-05),
    ("us.writer.palmyra-x5-v1:0", "bedrock", 1000 * 6e-07 + 500 * 6e-06),
    ("us.amazon.nova-2-pro-preview-20251202-v1:0", "bedrock", 1000 * 1.375e-06 + 500 * 1.1e-05),
    ("mistral/codestral-2508", "mistral", 1000 * 3e-07 + 500 * 9e-07),
    ("mistral/codestral-mamba-latest", "mistral", 1000 * 2.5e-07 + 500 * 2.5e-07),
    ("mistral/devstral-small-latest", "mistral", 1000 * 1e-07 + 500 * 3e-07),
    ("command-a-03-2025", "cohere_chat", 1000 * 2.5e-06 + 500 * 1e-05),
    ("groq/openai/gpt-oss-120b", "groq", 1000 * 1.5e-07 + 500 * 6e-07),
    ("groq/meta-llama/llama-prompt-guard-2-86m", "groq", 1000 * 4e-08 + 500 * 4e-08),
    ("deepseek-chat", "deepseek", 1000 * 2.8e-07 + 500 * 4.2e-07),
    ("deepseek/deepseek-chat", "deepseek", 1000 * 2.8e-07 + 500 * 4.2e-07),
    ("deepseek-reasoner", "deepseek", 1000 * 2.8e-07 + 500 * 4.2e-07),
    ("xai/grok-4.3", "xai", 1000 * 1.25e-06 + 500 * 2.5e-06),
    ("together-ai-4.1b-8b", "together_ai", 1000 * 2e-07 + 500 * 2e-07),
    ("together-ai-41.1b-80b", "together_ai", 1000 * 9e-07 + 500 * 9e-07),
    ("fireworks_ai/accounts/fireworks/models/deepseek-r1", "fireworks_ai", 1000 * 3e-06 + 500 * 8e-06),
    (
        "fireworks_ai/accounts/fireworks/models/deepseek-coder-v2-instruct",
        "fireworks_ai",
        1000 * 1.2e-06 + 500 * 1.2e-06,
    ),
    ("perplexity/codellama-70b-instruct", "perplexity", 1000 * 7e-07 + 500 * 2.8e-06),
    ("azure_ai/gpt-oss-120b", "azure_ai", 1000 * 1.5e-07 + 500 * 6e-07),
    ("azure_ai/gpt-chat-latest", "azure_ai", 1000 * 5e-06 + 500 * 3e-05),
    ("deepinfra/Gryphe/MythoMax-L2-13b", "deepinfra", 1000 * 4e-07 + 500 * 4e-07),
    ("deepinfra/NousResearch/Hermes-3-Llama-3.1-405B", "deepinfra", 1000 * 1e-06 + 500 * 1e-06),
    ("cerebras/llama-3.1-70b", "cerebras", 1000 * 6e-07 + 500 * 6e-07),
    ("sambanova/MiniMax-M2.7", "sambanova", 1000 * 6e-07 + 500 * 2.4e-06),
    ("databricks/databricks-claude-sonnet-4", "databricks", 1000 * 2.99999e-06 + 500 * 1.500002e-05),
    ("dashscope/deepseek-v4-flash", "dashscope", 1000 * 2e-07 + 500 * 4e-07),
    ("moonshot/kimi-k2.7-code", "moonshot", 1000 * 9.5e-07 + 500 * 4e-06),
    ("zai/glm-5", "zai", 1000 * 1e-06 + 500 * 3.2e-06),
    ("watsonx/ibm/granite-3-8b-instruct", "watsonx", 1000 * 2e-07 + 500 * 2e-07),
    ("cloudflare/@cf/meta/llama-2-7b-chat-fp16", "cloudflare", 1000 * 1.923e-06 + 500 * 1.923e-06),
    ("nebius/deepseek-ai/DeepSeek-R1", "nebius", 1000 * 8e-07 + 500 * 2.4e-06),
    ("novita/deepseek/deepseek-v3.2", "novita", 1000 * 2.69e-07 + 500 * 4e-07),
    ("vercel_ai_gateway/alibaba/qwen-3-14b", "vercel_ai_gateway", 1000 * 8e-08 + 500 * 2.4e-07),
    ("azure/gpt-audio", "azure", 1000 * 2.5e-06 + 500 * 1e-05),
]


@pytest.mark.parametrize(("model", "provider", "expected"), PLAIN_ROWS, ids=[r[0] for r in PLAIN_ROWS])
def test_chat_cost_is_prompt_and_completion_tokens_times_their_prices(model, provider, expected):
    result = compute_cost(
        model=model,
        custom_llm_provider=provider,
        call_type="completion",
        usage={"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500},
    )
    assert result.failure_reason is None
    assert result.response_cost == pytest.approx(expected, rel=1e-12)
    assert result.breakdown["total_cost"] == result.response_cost


def test_table_spans_at_least_sixty_models_and_fifteen_providers():
    assert len({r[0] for r in PLAIN_ROWS}) >= 60
    assert len({r[1] for r in PLAIN_ROWS}) >= 15


# (id, kwargs for compute_cost, expected total, expected breakdown subset)
KIND_ROWS = [
    (
        "openai cached input read at the cache price",
        dict(
            model="gpt-4o",
            custom_llm_provider="openai",
            call_type="acompletion",
            usage={
                "prompt_tokens": 1200,
                "completion_tokens": 300,
                "prompt_tokens_details": {"cached_tokens": 1024},
            },
        ),
        176 * 2.5e-06 + 1024 * 1.25e-06 + 300 * 1e-05,
        {"input_cost": 176 * 2.5e-06, "cache_read_cost": 1024 * 1.25e-06, "output_cost": 300 * 1e-05},
    ),
    (
        "anthropic cache read and 5 minute cache write (normalised usage)",
        dict(
            model="claude-sonnet-4-5",
            custom_llm_provider="anthropic",
            call_type="completion",
            usage={
                "prompt_tokens": 3000,
                "completion_tokens": 400,
                "prompt_tokens_details": {"cached_tokens": 1000},
                "cache_read_input_tokens": 1000,
                "cache_creation_input_tokens": 500,
            },
        ),
        1500 * 3e-06 + 1000 * 3e-07 + 500 * 3.75e-06 + 400 * 1.5e-05,
        {"cache_read_cost": 1000 * 3e-07, "cache_creation_cost": 500 * 3.75e-06},
    ),
    (
        "anthropic 1 hour cache writes at the 1 hour price (raw usage)",
        dict(
            model="claude-opus-4-5",
            custom_llm_provider="anthropic",
            call_type="anthropic_messages",
            usage={
                "input_tokens": 100,
                "output_tokens": 50,
                "cache_read_input_tokens": 0,
                "cache_creation_input_tokens": 2000,
                "cache_creation": {"ephemeral_5m_input_tokens": 1200, "ephemeral_1h_input_tokens": 800},
            },
        ),
        100 * 5e-06 + 1200 * 6.25e-06 + 800 * 1e-05 + 50 * 2.5e-05,
        {"cache_creation_cost": 1200 * 6.25e-06 + 800 * 1e-05},
    ),
    (
        "reasoning tokens at the reasoning price",
        dict(
            model="dashscope/qwen-plus-2025-04-28",
            custom_llm_provider="dashscope",
            call_type="completion",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 900,
                "completion_tokens_details": {"reasoning_tokens": 600},
            },
        ),
        1000 * 4e-07 + 300 * 1.2e-06 + 600 * 4e-06,
        {"reasoning_cost": 600 * 4e-06, "output_cost": 300 * 1.2e-06},
    ),
    (
        "reasoning tokens at the output price when no reasoning price",
        dict(
            model="o3",
            custom_llm_provider="openai",
            call_type="completion",
            usage={
                "prompt_tokens": 500,
                "completion_tokens": 2000,
                "completion_tokens_details": {"reasoning_tokens": 1500},
            },
        ),
        500 * 2e-06 + 500 * 8e-06 + 1500 * 8e-06,
        {"reasoning_cost": 1500 * 8e-06},
    ),
    (
        "audio tokens in and out at audio prices",
        dict(
            model="azure/gpt-audio",
            custom_llm_provider="azure",
            call_type="completion",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 500,
                "prompt_tokens_details": {"audio_tokens": 400},
                "completion_tokens_details": {"audio_tokens": 300},
            },
        ),
        600 * 2.5e-06 + 400 * 4e-05 + 200 * 1e-05 + 300 * 8e-05,
        {},
    ),
    (
        "image input tokens at the image token price",
        dict(
            model="xai/grok-4.3",
            custom_llm_provider="xai",
            call_type="completion",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 10,
                "prompt_tokens_details": {"image_tokens": 700},
            },
        ),
        300 * 1.25e-06 + 700 * 1.25e-06 + 10 * 2.5e-06,
        {},
    ),
    (
        "image output tokens at the image token price",
        dict(
            model="gemini/gemini-3-pro-image-preview",
            custom_llm_provider="gemini",
            call_type="completion",
            usage={
                "prompt_tokens": 100,
                "completion_tokens": 1300,
                "completion_tokens_details": {"image_tokens": 1120},
            },
        ),
        100 * 2e-06 + 180 * 1.2e-05 + 1120 * 0.00012,
        {},
    ),
    (
        "a flat fee per request",
        dict(
            model="perplexity/sonar-small-online",
            custom_llm_provider="perplexity",
            call_type="completion",
            usage={"prompt_tokens": 1000, "completion_tokens": 100},
        ),
        0.005 + 100 * 2.8e-07,
        {"input_cost": 0.005},
    ),
    (
        "priority service tier prices",
        dict(
            model="gpt-4o",
            custom_llm_provider="openai",
            call_type="completion",
            usage={"prompt_tokens": 1000, "completion_tokens": 100},
            service_tier="priority",
        ),
        1000 * 4.25e-06 + 100 * 1.7e-05,
        {},
    ),
    (
        "flex service tier prices including the flex cache price",
        dict(
            model="gpt-5",
            custom_llm_provider="openai",
            call_type="completion",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 100,
                "prompt_tokens_details": {"cached_tokens": 400},
            },
            service_tier="flex",
        ),
        600 * 6.25e-07 + 400 * 6.25e-08 + 100 * 5e-06,
        {},
    ),
    (
        "service tier read from the usage block (anthropic)",
        dict(
            model="claude-haiku-4-5",
            custom_llm_provider="anthropic",
            call_type="completion",
            usage={"prompt_tokens": 1000, "completion_tokens": 100, "service_tier": "batch"},
        ),
        1000 * 5e-07 + 100 * 2.5e-06,
        {},
    ),
    (
        "batch call type bills batch prices",
        dict(
            model="text-embedding-3-large",
            custom_llm_provider="openai",
            call_type="aretrieve_batch",
            usage={"prompt_tokens": 10_000, "completion_tokens": 0},
        ),
        10_000 * 6.5e-08,
        {},
    ),
    (
        "prompt above 200k bills every token at the long-context price",
        dict(
            model="gemini/gemini-2.5-pro",
            custom_llm_provider="gemini",
            call_type="completion",
            usage={
                "prompt_tokens": 250_000,
                "completion_tokens": 1000,
                "completion_tokens_details": {"reasoning_tokens": 600},
            },
        ),
        250_000 * 2.5e-06 + 400 * 1.5e-05 + 600 * 1.5e-05,
        {},
    ),
    (
        "prompt above 128k bills at the 128k tier",
        dict(
            model="empiriolabs/qwen3-5-27b",
            custom_llm_provider="empiriolabs",
            call_type="completion",
            usage={"prompt_tokens": 130_000, "completion_tokens": 1000},
        ),
        130_000 * 2.58e-07 + 1000 * 2.064e-06,
        {},
    ),
    (
        "prompt at or below 128k stays on the base price",
        dict(
            model="empiriolabs/qwen3-5-27b",
            custom_llm_provider="empiriolabs",
            call_type="completion",
            usage={"prompt_tokens": 128_000, "completion_tokens": 1000},
        ),
        128_000 * 8.6e-08 + 1000 * 6.88e-07,
        {},
    ),
    (
        "xai bills the long-context tier from exactly the threshold",
        dict(
            model="xai/grok-4.3",
            custom_llm_provider="xai",
            call_type="completion",
            usage={
                "prompt_tokens": 200_000,
                "completion_tokens": 1000,
                "prompt_tokens_details": {"cached_tokens": 1000},
            },
        ),
        199_000 * 2.5e-06 + 1000 * 4e-07 + 1000 * 5e-06,
        {},
    ),
    (
        "tiered_pricing table picks the tier the prompt falls in",
        dict(
            model="dashscope/qwen-flash",
            custom_llm_provider="dashscope",
            call_type="completion",
            usage={"prompt_tokens": 300_000, "completion_tokens": 1000},
        ),
        300_000 * 2.5e-07 + 1000 * 2e-06,
        {},
    ),
    (
        "server-side web searches at the per-query price",
        dict(
            model="claude-sonnet-4-5",
            custom_llm_provider="anthropic",
            call_type="completion",
            usage={
                "prompt_tokens": 1000,
                "completion_tokens": 100,
                "server_tool_use": {"web_search_requests": 3},
            },
        ),
        1000 * 3e-06 + 100 * 1.5e-05 + 3 * 0.01,
        {"tool_use_cost": 3 * 0.01},
    ),
    (
        "text completion call type",
        dict(
            model="gpt-4o",
            custom_llm_provider="openai",
            call_type="atext_completion",
            usage={"prompt_tokens": 10, "completion_tokens": 20},
        ),
        10 * 2.5e-06 + 20 * 1e-05,
        {},
    ),
    (
        "responses API usage shape",
        dict(
            model="gpt-5",
            custom_llm_provider="openai",
            call_type="aresponses",
            usage={
                "input_tokens": 1000,
                "output_tokens": 800,
                "input_tokens_details": {"cached_tokens": 200},
                "output_tokens_details": {"reasoning_tokens": 500},
            },
        ),
        800 * 1.25e-06 + 200 * 1.25e-07 + 300 * 1e-05 + 500 * 1e-05,
        {},
    ),
    (
        "embedding",
        dict(
            model="text-embedding-3-large",
            custom_llm_provider="openai",
            call_type="aembedding",
            usage={"prompt_tokens": 10_000, "total_tokens": 10_000},
        ),
        10_000 * 1.3e-07,
        {},
    ),
    (
        "embedding under a provider prefix",
        dict(
            model="mistral/mistral-embed-2312",
            custom_llm_provider=None,
            call_type="embedding",
            usage={"prompt_tokens": 2000},
        ),
        2000 * 1e-07,
        {},
    ),
    (
        "moderation is free",
        dict(
            model="omni-moderation-latest",
            custom_llm_provider="openai",
            call_type="moderation",
            usage={"prompt_tokens": 100},
        ),
        0.0,
        {},
    ),
    (
        "image generation per image for the quality and size asked",
        dict(
            model="gpt-image-1",
            custom_llm_provider="openai",
            call_type="image_generation",
            usage=None,
            extra={"size": "1024x1024", "quality": "low", "n": 2},
        ),
        2 * 0.011,
        {},
    ),
    (
        "image generation per token when the provider reports usage",
        dict(
            model="gpt-image-1",
            custom_llm_provider="openai",
            call_type="aimage_generation",
            usage={
                "input_tokens": 50,
                "output_tokens": 4160,
                "input_tokens_details": {"image_tokens": 0},
                "output_tokens_details": {"image_tokens": 4160},
            },
        ),
        50 * 5e-06 + 4160 * 4e-05,
        {},
    ),
    (
        "image generation per pixel",
        dict(
            model="azure/dall-e-3",
            custom_llm_provider="azure",
            call_type="image_generation",
            usage=None,
            extra={"size": "1024x1024", "quality": "standard", "n": 1},
        ),
        1024 * 1024 * 4.19617e-08,
        {},
    ),
    (
        "transcription per second at the output per-second price",
        dict(
            model="whisper-1",
            custom_llm_provider="openai",
            call_type="atranscription",
            usage=None,
            extra={"duration_seconds": 30.0},
        ),
        30.0 * 0.0001,
        {},
    ),
    (
        "transcription per second at the input price when output is free",
        dict(
            model="deepgram/nova-2",
            custom_llm_provider="deepgram",
            call_type="transcription",
            usage=None,
            extra={"duration_seconds": 60.0},
        ),
        60.0 * 7.167e-05,
        {},
    ),
    (
        "transcription per token when usage is reported",
        dict(
            model="gpt-4o-transcribe",
            custom_llm_provider="openai",
            call_type="transcription",
            usage={"input_tokens": 500, "output_tokens": 100, "input_tokens_details": {"audio_tokens": 500}},
        ),
        500 * 2.5e-06 + 100 * 1e-05,
        {},
    ),
    (
        "speech per character",
        dict(
            model="tts-1",
            custom_llm_provider="openai",
            call_type="aspeech",
            usage=None,
            extra={"characters": 1000},
        ),
        1000 * 1.5e-05,
        {},
    ),
    (
        "speech per character for another provider",
        dict(
            model="elevenlabs/eleven_multilingual_v2",
            custom_llm_provider="elevenlabs",
            call_type="speech",
            usage=None,
            extra={"characters": 250},
        ),
        250 * 8e-05,
        {},
    ),
    (
        "speech per token with audio output tokens",
        dict(
            model="gpt-4o-mini-tts",
            custom_llm_provider="openai",
            call_type="speech",
            usage={
                "prompt_tokens": 20,
                "completion_tokens": 1000,
                "completion_tokens_details": {"audio_tokens": 1000},
            },
        ),
        20 * 6e-07 + 1000 * 1.2e-05,
        {},
    ),
    (
        "rerank per search unit",
        dict(
            model="rerank-english-v3.0",
            custom_llm_provider="cohere",
            call_type="arerank",
            usage=None,
            extra={"search_units": 3},
        ),
        3 * 0.002,
        {},
    ),
    (
        "rerank per token",
        dict(
            model="voyage/rerank-2",
            custom_llm_provider="voyage",
            call_type="rerank",
            usage={"prompt_tokens": 4000},
        ),
        4000 * 5e-08,
        {},
    ),
    (
        "video generation per second",
        dict(
            model="dashscope/wan3.0-video",
            custom_llm_provider="dashscope",
            call_type="video_generation",
            usage=None,
            extra={"duration_seconds": 5},
        ),
        5 * 0.165025,
        {},
    ),
    (
        "per-call token prices override the map",
        dict(
            model="gpt-4o",
            custom_llm_provider="openai",
            call_type="completion",
            usage={"prompt_tokens": 1000, "completion_tokens": 100},
            custom_pricing={"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},
        ),
        1000 * 1e-06 + 100 * 2e-06,
        {},
    ),
    (
        "per-call token prices price an unknown model",
        dict(
            model="my-private-model",
            custom_llm_provider="openai",
            call_type="completion",
            usage={"prompt_tokens": 1000, "completion_tokens": 100},
            custom_pricing={"input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},
        ),
        1000 * 1e-06 + 100 * 2e-06,
        {},
    ),
    (
        "per-call per-second prices bill the response time",
        dict(
            model="my-sagemaker-endpoint",
            custom_llm_provider="sagemaker",
            call_type="completion",
            usage={"prompt_tokens": 1000, "completion_tokens": 100},
            custom_pricing={"input_cost_per_second": 0.002},
            extra={"response_time_ms": 1500},
        ),
        1.5 * 0.002,
        {},
    ),
    (
        "base_model prices a deployment under another key",
        dict(
            model="azure/my-gpt4o-deployment",
            custom_llm_provider="azure",
            call_type="completion",
            usage={"prompt_tokens": 1000, "completion_tokens": 100},
            base_model="azure/gpt-4o",
        ),
        1000 * 2.5e-06 + 100 * 1e-05,
        {},
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected", "parts"), [r[1:] for r in KIND_ROWS], ids=[r[0] for r in KIND_ROWS]
)
def test_each_price_kind_and_call_type_follows_the_billing_formula(kwargs, expected, parts):
    result = compute_cost(**kwargs)
    assert result.failure_reason is None, result.failure_reason
    assert result.response_cost == pytest.approx(expected, rel=1e-9, abs=1e-15)
    for name, value in parts.items():
        assert result.breakdown[name] == pytest.approx(value, rel=1e-9, abs=1e-15), name
    parts_sum = sum(v for k, v in result.breakdown.items() if k != "total_cost")
    assert parts_sum == pytest.approx(result.breakdown["total_cost"], rel=1e-12, abs=1e-15)
