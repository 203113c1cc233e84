"""The exception tree every provider error is mapped to.

Each class subclasses the matching ``openai`` exception, so ``except openai.RateLimitError`` and
``except openai.OpenAIError`` catch ours (a documented LiteLLM promise). ``openai`` is imported when this
module is, and this module is imported lazily: on the first error, or when user code touches
``litellm.RateLimitError``. ``import litellm`` never imports it.

    openai.OpenAIError
     └── openai.APIError ........................ APIError (any status)
          ├── openai.APIStatusError
          │    ├── BadRequestError (400)
          │    │    ├── ContextWindowExceededError
          │    │    ├── ContentPolicyViolationError
          │    │    └── UnsupportedParamsError
          │    ├── AuthenticationError (401)
          │    ├── PermissionDeniedError (403)
          │    ├── NotFoundError (404)
          │    ├── UnprocessableEntityError (422)
          │    ├── RateLimitError (429)
          │    ├── InternalServerError (500)
          │    ├── BadGatewayError (502)
          │    └── ServiceUnavailableError (503)
          ├── openai.APIConnectionError .... APIConnectionError
          │    └── openai.APITimeoutError .. Timeout (408)
          └── openai.APIResponseValidationError ... APIResponseValidationError
    Exception
     └── BudgetExceededError

Every instance carries ``status_code``, ``message``, ``llm_provider``, ``model``, ``body`` (the provider's
parsed error body), ``litellm_debug_info``, ``max_retries`` and ``num_retries``. Constructors keep
LiteLLM's argument orders, so code that raises them (custom handlers, mock responses) keeps working.
Messages never contain API keys: the pipeline builds them from error bodies, not from requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import openai

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "BudgetExceededError",
    "ContentPolicyViolationError",
    "ContextWindowExceededError",
    "InternalServerError",
    "JSONSchemaValidationError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServiceUnavailableError",
    "Timeout",
    "UnprocessableEntityError",
    "UnsupportedParamsError",
    "error_from_status",
    "make_error",
]

_PLACEHOLDER_URL = "https://litellm.invalid/"


def _request(url: str | None = None) -> httpx.Request:
    return httpx.Request("POST", url or _PLACEHOLDER_URL)


def _response(status_code: int, response: httpx.Response | None, url: str | None = None) -> httpx.Response:
    if response is not None:
        return response
    return httpx.Response(status_code, request=_request(url))


def _prefixed(cls_name: str, message: str) -> str:
    text = str(message)
    return text if text.startswith("litellm.") else f"litellm.{cls_name}: {text}"


class _LiteLLMErrorMixin:
    """Shared attributes and a readable ``str()``."""

    status_code: int
    message: str
    llm_provider: str | None
    model: str | None
    litellm_debug_info: str | None
    max_retries: int | None
    num_retries: int | None

    def _init_fields(
        self,
        status_code: int,
        message: str,
        llm_provider: str | None,
        model: str | None,
        litellm_debug_info: str | None,
        max_retries: int | None,
        num_retries: int | None,
    ) -> None:
        self.status_code = status_code
        self.message = _prefixed(type(self).__name__, message)
        self.llm_provider = llm_provider
        self.model = model
        self.litellm_debug_info = litellm_debug_info
        self.max_retries = max_retries
        self.num_retries = num_retries

    def __str__(self) -> str:
        text = self.message
        if self.num_retries:
            text += f" LiteLLM Retried: {self.num_retries} times"
        if self.max_retries:
            text += f", LiteLLM Max Retries: {self.max_retries}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


def _status_error_init(
    self: Any,
    status_code: int,
    message: str,
    llm_provider: str | None,
    model: str | None,
    response: httpx.Response | None,
    litellm_debug_info: str | None,
    max_retries: int | None,
    num_retries: int | None,
    body: Any,
) -> None:
    self._init_fields(status_code, message, llm_provider, model, litellm_debug_info, max_retries, num_retries)
    resp = _response(status_code, response)
    openai.APIStatusError.__init__(self, self.message, response=resp, body=body)  # type: ignore[arg-type]
    # openai sets status_code from the response; keep ours when the response is a placeholder
    self.status_code = status_code


class _ModelFirst:
    """LiteLLM's ``(message, model, llm_provider, ...)`` constructor, for status errors."""

    _status: int

    def __init__(
        self,
        message: str,
        model: str | None = None,
        llm_provider: str | None = None,
        response: httpx.Response | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Any = None,
    ) -> None:
        _status_error_init(
            self,
            self._status,
            message,
            llm_provider,
            model,
            response,
            litellm_debug_info,
            max_retries,
            num_retries,
            body,
        )


class _ProviderFirst:
    """LiteLLM's ``(message, llm_provider, model, ...)`` constructor, for status errors."""

    _status: int

    def __init__(
        self,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        response: httpx.Response | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Any = None,
    ) -> None:
        _status_error_init(
            self,
            self._status,
            message,
            llm_provider,
            model,
            response,
            litellm_debug_info,
            max_retries,
            num_retries,
            body,
        )


class BadRequestError(_ModelFirst, _LiteLLMErrorMixin, openai.BadRequestError):  # type: ignore[misc]
    _status = 400


class ContextWindowExceededError(BadRequestError):
    pass


class ContentPolicyViolationError(BadRequestError):
    def __init__(
        self,
        message: str,
        model: str | None = None,
        llm_provider: str | None = None,
        response: httpx.Response | None = None,
        litellm_debug_info: str | None = None,
        provider_specific_fields: dict | None = None,
        body: Mapping[str, object] | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
    ) -> None:
        super().__init__(
            message, model, llm_provider, response, litellm_debug_info, max_retries, num_retries, body
        )
        self.provider_specific_fields = provider_specific_fields


class UnsupportedParamsError(BadRequestError):
    def __init__(
        self,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        status_code: int = 400,
        response: httpx.Response | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(
            message, model, llm_provider, response, litellm_debug_info, max_retries, num_retries, body
        )


class AuthenticationError(_ProviderFirst, _LiteLLMErrorMixin, openai.AuthenticationError):  # type: ignore[misc]
    _status = 401


class PermissionDeniedError(_ProviderFirst, _LiteLLMErrorMixin, openai.PermissionDeniedError):  # type: ignore[misc]
    _status = 403


class NotFoundError(_ModelFirst, _LiteLLMErrorMixin, openai.NotFoundError):  # type: ignore[misc]
    _status = 404


class UnprocessableEntityError(_ModelFirst, _LiteLLMErrorMixin, openai.UnprocessableEntityError):  # type: ignore[misc]
    _status = 422


class RateLimitError(_ProviderFirst, _LiteLLMErrorMixin, openai.RateLimitError):  # type: ignore[misc]
    _status = 429

    def __init__(
        self,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        response: httpx.Response | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, body
        )
        self.headers = dict(headers or {})


class InternalServerError(_ProviderFirst, _LiteLLMErrorMixin, openai.InternalServerError):
    _status = 500

    def __init__(
        self,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        response: httpx.Response | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Any = None,
        provider_status_code: int | None = None,
    ) -> None:
        super().__init__(
            message, llm_provider, model, response, litellm_debug_info, max_retries, num_retries, body
        )
        self.provider_status_code = provider_status_code


class BadGatewayError(_ProviderFirst, _LiteLLMErrorMixin, openai.APIStatusError):
    _status = 502


class ServiceUnavailableError(_ProviderFirst, _LiteLLMErrorMixin, openai.APIStatusError):
    _status = 503


class APIError(_LiteLLMErrorMixin, openai.APIError):
    def __init__(
        self,
        status_code: int,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        request: httpx.Request | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Any = None,
        response: httpx.Response | None = None,
    ) -> None:
        self._init_fields(
            status_code, message, llm_provider, model, litellm_debug_info, max_retries, num_retries
        )
        openai.APIError.__init__(self, self.message, request or _request(), body=body)  # type: ignore[arg-type]
        self.response = response


class APIConnectionError(_LiteLLMErrorMixin, openai.APIConnectionError):
    def __init__(
        self,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        request: httpx.Request | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Any = None,
    ) -> None:
        self._init_fields(500, message, llm_provider, model, litellm_debug_info, max_retries, num_retries)
        openai.APIConnectionError.__init__(self, message=self.message, request=request or _request())  # type: ignore[arg-type]
        self.body = body


class Timeout(_LiteLLMErrorMixin, openai.APITimeoutError):
    def __init__(
        self,
        message: str,
        model: str | None = None,
        llm_provider: str | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        headers: Mapping[str, str] | None = None,
        exception_status_code: int | None = None,
        response: httpx.Response | None = None,
        body: Any = None,
    ) -> None:
        self._init_fields(
            exception_status_code or 408,
            message,
            llm_provider,
            model,
            litellm_debug_info,
            max_retries,
            num_retries,
        )
        openai.APITimeoutError.__init__(self, request=_request())  # type: ignore[arg-type]
        # APITimeoutError fixes its own message; keep ours
        self.message = _prefixed("Timeout", message)
        self.args = (self.message,)
        self.headers = dict(headers or {})
        self.response = response
        self.body = body


class APIResponseValidationError(_LiteLLMErrorMixin, openai.APIResponseValidationError):
    def __init__(
        self,
        message: str,
        llm_provider: str | None = None,
        model: str | None = None,
        litellm_debug_info: str | None = None,
        max_retries: int | None = None,
        num_retries: int | None = None,
        body: Any = None,
    ) -> None:
        self._init_fields(500, message, llm_provider, model, litellm_debug_info, max_retries, num_retries)
        openai.APIResponseValidationError.__init__(
            self,
            response=_response(500, None),  # type: ignore[arg-type]
            body=body,
            message=self.message,
        )
        self.status_code = 500


class JSONSchemaValidationError(APIResponseValidationError):
    """The reply to a ``response_format`` JSON schema does not match it
    (``litellm.enable_json_schema_validation``); ``raw_response`` and ``schema`` say what and against what."""

    def __init__(self, model: str | None, llm_provider: str | None, raw_response: str, schema: str) -> None:
        self.raw_response = raw_response
        self.schema = schema
        super().__init__(
            f"litellm.JSONSchemaValidationError: model={model}, returned an invalid response={raw_response!r}, "
            f"for schema={schema}.\nAccess raw response with `e.raw_response`",
            llm_provider,
            model,
        )


class BudgetExceededError(Exception):
    def __init__(
        self,
        current_cost: float,
        max_budget: float,
        message: str | None = None,
        llm_provider: str | None = None,
        entity_type: str | None = None,
        entity_id: str | None = None,
    ) -> None:
        self.current_cost = current_cost
        self.max_budget = max_budget
        self.llm_provider = llm_provider
        self.entity_type = entity_type
        self.entity_id = entity_id
        self.status_code = 400
        self.message = message or (
            f"Budget has been exceeded! Current cost: {current_cost}, Max budget: {max_budget}"
        )
        super().__init__(self.message)


# ---------------------------------------------------------------------------------------------------
# Construction from a classified provider error
# ---------------------------------------------------------------------------------------------------

_BY_NAME: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        BadRequestError,
        ContextWindowExceededError,
        ContentPolicyViolationError,
        UnsupportedParamsError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        UnprocessableEntityError,
        RateLimitError,
        InternalServerError,
        BadGatewayError,
        ServiceUnavailableError,
        APIError,
        APIConnectionError,
        Timeout,
        APIResponseValidationError,
    )
}

_BY_STATUS = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    408: "Timeout",
    413: "BadRequestError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
    500: "InternalServerError",
    502: "BadGatewayError",
    503: "ServiceUnavailableError",
    504: "Timeout",
    529: "InternalServerError",  # Anthropic "overloaded", as LiteLLM maps it
}


# how LiteLLM names each provider in messages ("OpenAIException - ...")
_LABELS = {
    "openai": "OpenAI",
    "azure": "Azure",
    "anthropic": "Anthropic",
    "xai": "XAI",
    "deepseek": "DeepSeek",
    "openrouter": "OpenRouter",
    "together_ai": "TogetherAI",
    "fireworks_ai": "FireworksAI",
    "hosted_vllm": "HostedVLLM",
    "lm_studio": "LMStudio",
    "nvidia_nim": "NvidiaNim",
}


def error_from_status(status_code: int) -> str:
    """The exception kind for a bare status code (used when an adapter has nothing more specific)."""
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    if 400 <= status_code < 500:
        return "BadRequestError"
    return "APIError"


def make_error(
    kind: str,
    message: str,
    *,
    model: str | None,
    llm_provider: str | None,
    status_code: int | None = None,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    response: httpx.Response | None = None,
) -> Exception:
    """Build the exception named ``kind`` with the shared fields filled in."""
    cls = _BY_NAME.get(kind, APIError)
    provider_label = f"{_LABELS.get(llm_provider or '') or (llm_provider or 'LiteLLM').replace('_', ' ').title().replace(' ', '')}Exception"
    text = f"{provider_label} - {message}"
    if cls is APIError:
        return APIError(status_code or 500, text, llm_provider, model, body=body, response=response)
    if cls is Timeout:
        return Timeout(
            text, model, llm_provider, headers=headers, exception_status_code=status_code, body=body
        )
    if cls is RateLimitError:
        return RateLimitError(text, llm_provider, model, response=response, body=body, headers=headers)
    if cls in (APIConnectionError, APIResponseValidationError):
        return cls(text, llm_provider, model, body=body)
    if cls is InternalServerError:
        err = InternalServerError(
            text, llm_provider, model, response=response, body=body, provider_status_code=status_code
        )
        return err
    if issubclass(cls, BadRequestError) and cls is not UnsupportedParamsError:
        bad_request = cls(text, model, llm_provider, response=response, body=body)
        if status_code and 400 <= status_code < 500:
            bad_request.status_code = status_code  # 409, 413, ...: the real status, as LiteLLM keeps it
        return bad_request
    if cls in (NotFoundError, UnprocessableEntityError):
        return cls(text, model, llm_provider, response=response, body=body)
    return cls(text, llm_provider, model, response=response, body=body)  # type: ignore[call-arg]
