"""Replicate: ``replicate/<owner>/<model>``, ``replicate/<owner>/<model>:<version>``, a bare version id, and
``replicate/deployments/<owner>/<name>``, as predictions.

Owns: :class:`ReplicateAdapter`, pure functions over Replicate's prediction API:

* the create request: ``POST /v1/models/<owner>/<model>/predictions`` (official models),
  ``POST /v1/predictions`` with ``version`` (a pinned version), or
  ``POST /v1/deployments/<owner>/<name>/predictions``; ``input`` holds the rendered ``prompt`` (the
  first system message as ``system_prompt`` when ``supports_system_prompt=True``, as in LiteLLM) and the
  params under Replicate's names (``max_new_tokens``, ``stop_sequences``...); a non-streamed call asks
  for Replicate's synchronous mode (``Prefer: wait=60``) so most predictions finish in that one request;
* the prediction reply: ``succeeded`` -> a chat completion (``output`` joined; usage from
  ``metrics.input_token_count`` / ``output_token_count`` when the model reports them); ``failed`` /
  ``canceled`` -> an error naming the prediction; ``starting`` / ``processing`` -> a pending completion
  (``finish_reason`` None) that :meth:`ReplicateAdapter.follow_up_request` turns into the next request:
  ``GET urls.get`` to poll, or ``GET urls.stream`` (SSE) for a streamed call;
* the stream: ``output`` events are text, ``error`` events raise, ``done`` ends with ``finish_reason``.

The second request (poll or stream) is sent by the calls layer (``litellm.calls.follow_ups``), never
here. Keys: REPLICATE_API_KEY, then REPLICATE_API_TOKEN (a bearer token); base: REPLICATE_API_BASE.

Must not: send, sleep, log or read the environment.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

from litellm.providers._common import (
    error_fields,
    json_bearer_headers,
    kind_for_status,
    looks_like_context_window,
    make_error,
)
from litellm.providers.base import Credentials, ErrorInfo, ProviderRequest, StreamErrorEvent, StreamState
from litellm.providers.huggingface import text_prompt

__all__ = ["DEFAULT_API_BASE", "ReplicateAdapter", "make_adapter", "parse_prediction", "split_model"]

DEFAULT_API_BASE = "https://api.replicate.com/v1"
#: seconds between polls of a prediction that did not finish in the synchronous window
POLL_INTERVAL_S = 0.5
_VERSION_ID = re.compile(r"^[0-9a-f]{64}$")
_PARAMS = frozenset({"max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed", "stream"})
_TERMINAL = frozenset({"succeeded", "failed", "canceled", "aborted"})
#: the marker a pending completion carries for the calls layer (never reaches the caller)
FOLLOW_UP_KEY = "_replicate_prediction"


def split_model(model: str) -> tuple[str, str, str | None]:
    """``model`` -> (kind, path, version): kind "models" (``owner/name``), "version" (a pinned version:
    ``owner/name:<id>`` or a bare id) or "deployments" (``deployments/owner/name``)."""
    if model.startswith("deployments/"):
        return "deployments", model[len("deployments/") :], None
    name, sep, version = model.partition(":")
    if sep:
        return "version", name, version
    if _VERSION_ID.match(model):
        return "version", "", model
    return "models", model, None


def _input(model: str, messages: list[dict[str, Any]], params: Mapping[str, Any]) -> dict[str, Any]:
    params = dict(params)
    supports_system = bool(params.pop("supports_system_prompt", False))
    data: dict[str, Any] = {}
    if supports_system:
        for i, message in enumerate(messages):
            if message.get("role") == "system":
                data["system_prompt"] = text_prompt([message], model)
                messages = messages[:i] + messages[i + 1 :]
                break
    data["prompt"] = text_prompt(messages, model)
    low = model.lower()
    for key, value in params.items():
        if value is None or key in ("stream", "stream_options"):
            continue
        if key in ("max_tokens", "max_completion_tokens"):
            # LiteLLM's names: vicuna/flan take max_length, meta/codellama-13b max_tokens, the rest
            # max_new_tokens
            if "vicuna" in low or "flan" in low:
                data["max_length"] = value
            elif "meta/codellama-13b" in low:
                data["max_tokens"] = value
            else:
                data["max_new_tokens"] = value
        elif key == "stop":
            data["stop_sequences"] = value if isinstance(value, str) else ",".join(value)
        else:
            data[key] = value  # temperature, top_p, seed and model-specific inputs (top_k, ...)
    return data


def _text(output: Any) -> str:
    if output is None:
        return ""
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return "".join(str(x) for x in output if x is not None)
    return json.dumps(output)


def _usage(metrics: Any) -> dict[str, int] | None:
    if not isinstance(metrics, Mapping):
        return None
    prompt, completion = metrics.get("input_token_count"), metrics.get("output_token_count")
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def parse_prediction(model: str, data: Mapping[str, Any], provider: str = "replicate") -> dict[str, Any]:
    """A prediction object -> an OpenAI chat.completion dict (pending ones carry :data:`FOLLOW_UP_KEY`)."""
    status = data.get("status")
    prediction_id = str(data.get("id") or "")
    if status in ("failed", "canceled", "aborted"):
        raise _failed(model, prediction_id, data.get("error") or f"the prediction was {status}", provider)
    out: dict[str, Any] = {
        "id": prediction_id or f"chatcmpl-{time.time_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": _text(data.get("output")) if status == "succeeded" else None,
                },
                "finish_reason": "stop" if status == "succeeded" else None,
            }
        ],
    }
    usage = _usage(data.get("metrics"))
    if usage is not None:
        out["usage"] = usage
    if status not in _TERMINAL:
        urls = data.get("urls") or {}
        out[FOLLOW_UP_KEY] = {
            "id": prediction_id,
            "status": status,
            "get": urls.get("get"),
            "stream": urls.get("stream"),
        }
    return out


def _failed(model: str, prediction_id: str, detail: Any, provider: str) -> Exception:
    from litellm.core import exceptions

    message = f"Replicate prediction {prediction_id} did not succeed: {detail}"
    if looks_like_context_window(str(detail), None):
        return exceptions.ContextWindowExceededError(message, model=model, llm_provider=provider)
    return exceptions.APIError(500, message, provider, model)


class ReplicateAdapter:
    """Replicate predictions as chat completions (plain, polled, streamed)."""

    name = "replicate"
    api_key_env = "REPLICATE_API_KEY"
    api_base_env = "REPLICATE_API_BASE"
    default_api_base = DEFAULT_API_BASE
    env_vars: Mapping[str, tuple[str, ...]] = {
        "api_key": ("REPLICATE_API_KEY", "REPLICATE_API_TOKEN"),
        "api_base": ("REPLICATE_API_BASE",),
    }
    poll_interval_s = POLL_INTERVAL_S

    def __repr__(self) -> str:
        return "ReplicateAdapter()"

    def supported_params(self, model: str) -> frozenset[str]:
        return _PARAMS

    def _headers(self, credentials: Credentials, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        return json_bearer_headers(credentials.api_key, extra)

    def build_request(
        self,
        model: str,
        messages: list[dict[str, Any]],
        optional_params: dict[str, Any],
        credentials: Credentials,
        *,
        stream: bool,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ProviderRequest:
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        kind, path, version = split_model(model)
        if not path and not version:
            raise make_error(
                "BadRequestError",
                "Replicate needs a model: replicate/<owner>/<model>, replicate/<owner>/<model>:<version> "
                "or replicate/deployments/<owner>/<name>.",
                model=model,
                provider=self.name,
            )
        body: dict[str, Any] = {"input": _input(path or model, messages, optional_params)}
        if kind == "version":
            url = f"{base}/predictions"
            body["version"] = version
        else:
            url = f"{base}/{kind}/{path}/predictions"
        if extra_body:
            body.update(extra_body)
        headers = self._headers(credentials)
        if not stream:
            headers["Prefer"] = "wait=60"  # synchronous mode: most predictions finish in this request
        if extra_headers:
            headers.update(extra_headers)
        # the create reply is JSON even for a streamed call: the stream is a second request
        return ProviderRequest(url=url, headers=headers, body=body, stream_format="json")

    def parse_response(self, model: str, data: dict[str, Any]) -> dict[str, Any]:
        return parse_prediction(model, data, self.name)

    def follow_up_request(
        self, model: str, parsed: Mapping[str, Any], credentials: Credentials, *, stream: bool
    ) -> ProviderRequest | None:
        """The next request for a pending prediction (``parsed`` from :meth:`parse_response`): its SSE
        stream for a streamed call, else a poll; None once it has finished."""
        pending = parsed.get(FOLLOW_UP_KEY)
        if not isinstance(pending, Mapping):
            return None
        base = (credentials.api_base or DEFAULT_API_BASE).rstrip("/")
        headers = self._headers(credentials)
        headers.pop("Content-Type", None)
        if stream:
            if not pending.get("stream"):
                raise make_error(
                    "BadRequestError",
                    f"Replicate model {model!r} does not stream (its prediction has no stream URL); "
                    "call it without stream=True.",
                    model=model,
                    provider=self.name,
                )
            headers.update({"Accept": "text/event-stream", "Cache-Control": "no-store"})
            return ProviderRequest(url=str(pending["stream"]), headers=headers, method="GET")
        url = pending.get("get") or f"{base}/predictions/{pending['id']}"
        return ProviderRequest(url=str(url), headers=headers, method="GET")

    def new_stream_state(self, model: str) -> StreamState:
        return StreamState(model=model, response_id=f"chatcmpl-{time.time_ns()}", created=int(time.time()))

    def _chunk(self, state: StreamState, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
        return {
            "id": state.response_id,
            "object": "chat.completion.chunk",
            "created": state.created,
            "model": state.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    def parse_stream_event(self, state: StreamState, event: str | None, data: str) -> list[dict[str, Any]]:
        if event == "output":
            if not data:
                return []
            delta: dict[str, Any] = {"content": data}
            if not state.extra.get("role_sent"):
                delta["role"] = "assistant"
                state.extra["role_sent"] = True
            return [self._chunk(state, delta, None)]
        if event == "error":
            try:
                body: Any = json.loads(data)
            except ValueError:
                body = {"detail": data}
            raise StreamErrorEvent(500, body)
        if event == "done":
            try:
                reason = (json.loads(data) or {}).get("reason") if data else None
            except ValueError:
                reason = None
            if reason in ("canceled", "error"):
                raise StreamErrorEvent(500, {"detail": f"Replicate prediction ended: {reason}"})
            return [self._chunk(state, {}, "stop")]
        return []  # keep-alive / unknown events

    def classify_error(self, status_code: int, body: Any, headers: Mapping[str, str]) -> ErrorInfo:
        message, code, _etype = error_fields(body)
        if isinstance(body, Mapping) and body.get("detail") and not body.get("error"):
            message = str(body.get("title") or "") + (": " if body.get("title") else "") + str(body["detail"])
        if not message:
            message = f"HTTP {status_code}"
        if status_code in (400, 422) and looks_like_context_window(message, code):
            return ErrorInfo("ContextWindowExceededError", message)
        return ErrorInfo(kind_for_status(status_code), message)


def make_adapter(name: str = "replicate") -> ReplicateAdapter:
    return ReplicateAdapter()
