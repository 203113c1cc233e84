"""The exception tree: status codes, fields, and catchability as openai's classes."""

from __future__ import annotations

import openai
import pytest

from litellm.core import exceptions as ex


@pytest.mark.parametrize(
    ("kind", "status", "openai_cls"),
    [
        ("BadRequestError", 400, openai.BadRequestError),
        ("ContextWindowExceededError", 400, openai.BadRequestError),
        ("ContentPolicyViolationError", 400, openai.BadRequestError),
        ("AuthenticationError", 401, openai.AuthenticationError),
        ("PermissionDeniedError", 403, openai.PermissionDeniedError),
        ("NotFoundError", 404, openai.NotFoundError),
        ("UnprocessableEntityError", 422, openai.UnprocessableEntityError),
        ("RateLimitError", 429, openai.RateLimitError),
        ("InternalServerError", 500, openai.InternalServerError),
        ("BadGatewayError", 502, openai.APIStatusError),
        ("ServiceUnavailableError", 503, openai.APIStatusError),
        ("Timeout", 408, openai.APITimeoutError),
        ("APIConnectionError", 500, openai.APIConnectionError),
        ("APIResponseValidationError", 500, openai.APIResponseValidationError),
    ],
)
def test_make_error_builds_the_class_with_fields(kind, status, openai_cls):
    err = ex.make_error(
        kind, "went wrong", model="m", llm_provider="anthropic", status_code=status, body={"e": 1}
    )
    assert type(err).__name__ == kind
    assert isinstance(err, openai_cls) and isinstance(err, openai.OpenAIError)
    assert err.status_code == status and err.model == "m" and err.llm_provider == "anthropic"
    assert str(err).startswith(f"litellm.{kind}: AnthropicException - went wrong")


def test_error_from_status_defaults():
    assert ex.error_from_status(418) == "BadRequestError"
    assert ex.error_from_status(599) == "APIError"
    assert ex.error_from_status(529) == "InternalServerError"


def test_litellm_constructor_orders_still_work():
    assert ex.RateLimitError("m", "openai", "gpt-4o").llm_provider == "openai"
    assert ex.BadRequestError("m", "gpt-4o", "openai").model == "gpt-4o"
    assert ex.APIError(418, "teapot", "openai", "gpt-4o").status_code == 418
    b = ex.BudgetExceededError(2.0, 1.0)
    assert "Budget has been exceeded" in str(b) and b.max_budget == 1.0


def test_retry_counts_show_in_the_message():
    err = ex.RateLimitError("slow", "openai", "gpt-4o", num_retries=2, max_retries=2)
    assert "Retried: 2 times" in str(err)


def test_payload_error_information_masks_keys_quoted_by_traceback_source_lines():
    from litellm.calls.payload import error_information

    def caller():
        key = "sk-canary-in-source-line-0123456789abcdef"
        raise ValueError(f"bad key {key}")

    try:
        caller()
    except ValueError as exc:
        info = error_information(exc, "openai")
    assert 'key = "sk-canary' in info["traceback"].replace("'", '"') or "sk-" in info["traceback"]
    assert "sk-canary-in-source-line-0123456789abcdef" not in info["traceback"]
    assert "sk-canary-in-source-line-0123456789abcdef" not in info["error_message"]
