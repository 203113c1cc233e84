"""Anthropic error statuses map to the exception users catch for them (issue 8; checked against LiteLLM
1.110.2 with tools/compat: 408/409/413/502/503/504 as LiteLLM, 422 and 529 deliberately different)."""

from __future__ import annotations

import pytest

from litellm.providers.registry import get_adapter

ANTHROPIC = get_adapter("anthropic")


def _body(etype: str, message: str = "x") -> dict:
    return {"type": "error", "error": {"type": etype, "message": message}}


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (503, _body("api_error"), "ServiceUnavailableError"),
        (503, None, "ServiceUnavailableError"),
        (529, _body("overloaded_error", "Overloaded"), "ServiceUnavailableError"),
        (529, None, "ServiceUnavailableError"),
        (502, _body("api_error"), "BadGatewayError"),
        (504, _body("timeout_error"), "Timeout"),
        (504, None, "Timeout"),
        (408, _body("api_error"), "Timeout"),
        (409, _body("conflict_error"), "BadRequestError"),
        (413, _body("request_too_large"), "BadRequestError"),
        (422, _body("api_error"), "UnprocessableEntityError"),
        (500, _body("api_error"), "InternalServerError"),
        (429, _body("rate_limit_error"), "RateLimitError"),
        (401, _body("authentication_error"), "AuthenticationError"),
        (403, _body("permission_error"), "PermissionDeniedError"),
        (404, _body("not_found_error"), "NotFoundError"),
    ],
)
def test_anthropic_status_and_type_to_exception(status: int, body: dict | None, kind: str) -> None:
    assert ANTHROPIC.classify_error(status, body, {}).kind == kind
