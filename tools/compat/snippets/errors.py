"""Each error status x provider family, through the fake provider's ``x-fake-error`` header: the class
raised, its status code, provider, and whether ``openai`` users catch it."""

from __future__ import annotations

from typing import Any

from _probe_lib import Recorder, error_view, settle

import litellm
from snippets import add
from snippets.providers import kwargs_for

STATUSES = (400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529)
FAMILIES = ("openai", "azure", "anthropic", "groq", "together_ai", "mistral", "deepseek", "openrouter", "xai")


def _error(family: str, fault: str) -> Any:
    def run(env: dict[str, Any]) -> Any:
        kw = kwargs_for(env, family, num_retries=0, max_retries=0, extra_headers={"x-fake-error": fault})
        try:
            litellm.completion(**kw)
        except Exception as exc:
            return error_view(exc)
        return {"raised": None}

    return run


for _family in FAMILIES:
    for _status in STATUSES:
        add(f"error[{_family},{_status}]", _error(_family, str(_status)))
    add(f"error[{_family},context_window]", _error(_family, "context_window"))
    add(f"error[{_family},content_policy]", _error(_family, "content_policy"))


def _failure_payload(family: str, status: int) -> Any:
    def run(env: dict[str, Any]) -> Any:
        rec = Recorder()
        litellm.callbacks = [rec]
        kw = kwargs_for(
            env, family, num_retries=0, max_retries=0, extra_headers={"x-fake-error": str(status)}
        )
        try:
            litellm.completion(**kw)
        except Exception:
            pass
        settle(lambda: rec.first("log_failure_event") is not None)
        got = rec.first("log_failure_event")
        if got is None:
            return {"failure_hook": None}
        p = got[0]["standard_logging_object"]
        info = p.get("error_information") or {}
        return {
            "status": p["status"],
            "error_class": info.get("error_class"),
            "error_code": info.get("error_code"),
            "llm_provider": info.get("llm_provider"),
            "model": p["model"],
            "response_cost": p["response_cost"],
            "exception": type(got[0].get("exception")).__name__,
        }

    return run


for _family in ("openai", "azure", "anthropic"):
    for _status in (401, 429, 500):
        add(f"failure_payload[{_family},{_status}]", _failure_payload(_family, _status))


def _bad_model(env: dict[str, Any]) -> Any:
    try:
        litellm.completion(model="nonexistent-provider/foo", messages=[{"role": "user", "content": "hi"}])
    except Exception as exc:
        return {"raised": type(exc).__name__, "is_openai_error": error_view(exc)["is_openai_error"]}
    return {"raised": None}


add("error[unknown provider]", _bad_model)


def _missing_key(env: dict[str, Any]) -> Any:
    try:
        litellm.completion(model="anthropic/claude-sonnet-4-5", messages=[{"role": "user", "content": "hi"}])
    except Exception as exc:
        return {"raised": type(exc).__name__}
    return {"raised": None}


add("error[anthropic key missing]", _missing_key)
