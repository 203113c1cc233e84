"""One ledger row from one finished request: who (key hash, user, team, org, end user), what (model,
group, deployment, call type), how much (tokens, spend, cache hit), how it ended, and redacted metadata.

Owns :func:`build_row`, :func:`usage_of` (a JSON reply's usage), :func:`stream_cost` (a stream's cost
from the tokens the client was sent -- an aborted stream pays for what was generated) and
:class:`StreamMeter`, the iterator that counts them. Must not: write anywhere, or copy a secret (request
metadata passes through ``litellm.core.redact``; the key appears only as its hash).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from litellm.core.jsonfast import dumps_compact

__all__ = ["StreamMeter", "build_row", "build_values", "prices_for", "usage_of"]

_KEEP_METADATA = 40  # fields of request metadata kept on a row (bounded rows)


def usage_of(response: Any) -> tuple[int, int]:
    usage = response.get("usage") if isinstance(response, dict) else getattr(response, "usage", None)
    if usage is None:
        return 0, 0
    if isinstance(usage, dict):
        get = usage.get
        prompt = get("prompt_tokens") or get("input_tokens") or 0
        completion = get("completion_tokens") or get("output_tokens") or 0
    else:
        try:  # a Usage has both (attribute reads: no getattr call per field)
            prompt, completion = usage.prompt_tokens, usage.completion_tokens
        except AttributeError:
            prompt = getattr(usage, "prompt_tokens", None)
            completion = getattr(usage, "completion_tokens", None)
        prompt = prompt or getattr(usage, "input_tokens", None) or 0
        completion = completion or getattr(usage, "output_tokens", None) or 0
    return int(prompt), int(completion)


def prices_for(model: str | None, params: dict[str, Any] | None = None) -> tuple[float, float, int | None]:
    """(input $/token, output $/token, max output tokens) for a deployment; custom prices win."""
    params = params or {}
    inp, out, max_out = params.get("input_cost_per_token"), params.get("output_cost_per_token"), None
    if model:
        try:
            from litellm.cost.model_info import get_model_info

            info = get_model_info(model, base_model=(params.get("model_info") or {}).get("base_model"))
            inp = inp if inp is not None else info.get("input_cost_per_token")
            out = out if out is not None else info.get("output_cost_per_token")
            max_out = info.get("max_output_tokens") or info.get("max_tokens")
        except Exception:  # not in the price map: free unless the config prices it
            pass
    return float(inp or 0.0), float(out or 0.0), max_out


class StreamMeter:
    """Wraps a stream the proxy sends: counts the text sent and keeps the provider's usage if it came."""

    __slots__ = ("chunks", "text", "usage")

    def __init__(self) -> None:
        self.text: list[str] = []
        self.usage: tuple[int, int] | None = None
        self.chunks = 0

    async def wrap(self, stream: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for chunk in stream:
            self.chunks += 1
            try:
                choices = chunk.choices
                if choices:
                    content = choices[0].delta.content
                    if content:
                        self.text.append(content)
                usage = getattr(chunk, "usage", None)
                if usage is None:
                    private = getattr(chunk, "__pydantic_private__", None) or {}
                    usage = (private.get("_hidden_params") or {}).get("usage")
                if usage:
                    self.usage = usage_of({"usage": usage})
            except AttributeError:
                pass
            yield chunk

    def tokens(self, model: str | None, prompt_estimate: int) -> tuple[int, int]:
        if self.usage is not None and self.usage[1]:
            return self.usage
        from litellm.calls.streaming import count_text_tokens

        text = "".join(self.text)
        completion = count_text_tokens(model or "", text) if text else 0
        return prompt_estimate, completion


def day_of(ts: float) -> str:
    return _day(int(ts // 86400))


@lru_cache(maxsize=64)
def _day(days: int) -> str:
    return datetime.fromtimestamp(days * 86400, timezone.utc).strftime("%Y-%m-%d")


def _clean(value: Any, depth: int = 0) -> Any:
    from litellm.core.redact import is_secret_key

    if isinstance(value, dict):
        if depth > 4:
            return "[truncated]"
        return {k: ("[REDACTED]" if is_secret_key(k) else _clean(v, depth + 1)) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value[:50]]
    if isinstance(value, str) and value.startswith("sk-"):
        return "[REDACTED]"
    return value


def _metadata(request_md: dict[str, Any] | None, auth_md: dict[str, Any]) -> dict[str, Any]:
    """Request metadata with secret-named fields and secret-looking values redacted, plus the
    ``user_api_key_*`` attribution fields."""
    if not request_md:
        return dict(auth_md)
    md = {}
    for i, (k, v) in enumerate((request_md or {}).items()):
        if i >= _KEEP_METADATA:
            break
        if k.startswith("user_api_key") or k in ("model_info", "deployment", "model_group", "headers"):
            continue
        md[k] = v
    md = _clean(md)
    md.update(auth_md)
    return md


def build_row(
    record: Any, *, spend: float, deployment: str | None = None, prompt_tokens: int, completion_tokens: int, cache_hit: bool,
    tags: list[str], request_md: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    """The row as a dict of ``ledger.COLUMNS`` (see :func:`build_values`)."""
    from litellm.proxy.spend.ledger import COLUMNS

    values = build_values(
        record, spend=spend, deployment=deployment, prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens, cache_hit=cache_hit, tags=tags, request_md=request_md,
    )  # fmt: skip
    return dict(zip(COLUMNS, values, strict=True))


def build_values(
    record: Any, *, spend: float, deployment: str | None = None, prompt_tokens: int, completion_tokens: int, cache_hit: bool,
    tags: list[str], request_md: dict[str, Any] | None,
) -> list[Any]:  # fmt: skip
    """One request's row as the values of ``ledger.COLUMNS``, in that order (what the ledger spools: built
    as a list, no dict per request)."""
    auth = record.auth
    info = record.info
    status = record.status
    ok = status < 400 and record.exception is None
    start, end = record.started, record.ended or time.time()
    try:  # an AuthContext has every field: attribute reads, not getattr with a default
        api_key, key_alias, user_id = auth.api_key, auth.key_alias, auth.user_id
        team_id, org_id, end_user = auth.team_id, auth.org_id, auth.end_user_id
    except AttributeError:  # no caller (None), or a caller object without some of them
        api_key, key_alias = getattr(auth, "api_key", None), getattr(auth, "key_alias", None)
        user_id, team_id = getattr(auth, "user_id", None), getattr(auth, "team_id", None)
        org_id, end_user = getattr(auth, "org_id", None), getattr(auth, "end_user_id", None)
    try:
        model_group, model_id, litellm_model = info.model_group, info.model_id, info.litellm_model
    except AttributeError:
        model_group, model_id = getattr(info, "model_group", None), getattr(info, "model_id", None)
        litellm_model = getattr(info, "litellm_model", None)
    prompt, completion = int(prompt_tokens), int(completion_tokens)
    auth_md = auth.logging_metadata() if auth is not None else {}
    return [
        record.call_id,
        record.call_type,
        api_key,
        key_alias,
        user_id,
        team_id,
        org_id,
        end_user,
        record.requested_model,
        model_group,
        model_id,
        litellm_model or deployment,
        prompt,
        completion,
        prompt + completion,
        float(spend),
        1 if cache_hit else 0,
        "success" if ok else ("aborted" if status == 499 else "failure"),
        int(status),
        start,
        end,
        _day(int(start // 86400)),  # day_of(start)
        "[]" if type(tags) is list and not tags else dumps_compact(list(tags)),
        # _metadata without request metadata is a copy of auth_md: this one is ours already
        dumps_compact(_metadata(request_md, auth_md) if request_md else auth_md),
    ]
