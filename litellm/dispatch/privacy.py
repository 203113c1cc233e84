"""What the dispatcher does to an event before any callback sees it: secrets masked, content stripped.

Owns two pure steps the router applies to an event's kwargs (the dict every hook receives) and its
``standard_logging_object`` (the payload every destination is built from):

* :func:`mask_event_secrets` (always): the ``api_base`` URL's userinfo and credential query parameters
  (``http://user:KEY@host/v1`` -> ``http://****@host/v1``), and credential-named fields of the call's
  ``metadata`` at any depth (``api_key``, ``authorization``, ``token``, ``secret``, ``password``, ...;
  see :func:`litellm.core.redact.is_secret_key`), in the kwargs, ``litellm_params`` and the payload
  (``metadata``, ``api_base``, ``hidden_params``, ``model_parameters``). Copy-on-write: an event with
  nothing to mask is returned as is, and nothing the caller owns is ever mutated.
* :func:`strip_content` (fail closed): when a ``logging_hook`` that was meant to rewrite or mask an
  event raised, timed out or is stuck, the event is delivered with message and response content
  removed rather than as it was.

Must not: mutate its inputs, log, read settings, or import anything above ``litellm.core``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from litellm.core.redact import (
    is_secret_key,
    mask_secret,
    mask_secrets,
    mask_url,
    redact_kwargs,
    redact_response_obj,
    scrub_headers,
    scrub_text,
)

__all__ = ["mask_event_secrets", "strip_content"]

_HEADER_KEYS = ("headers", "extra_headers")

# Parameter names that are neither credentials (is_secret_key) nor header dicts: _mask_shallow leaves
# their values alone whatever they are, so a params dict with only such names is returned at once.
# Only str names found plain are added; bounded (names are a program's own, few).
_plain_keys: set = set()
_PLAIN_KEYS_MAX = 1024
_NO_KEYS: frozenset = frozenset()


def _is_mapping(value: Any) -> TypeGuard[Mapping]:
    # a dict first: isinstance against the Mapping ABC costs several times a type check
    return type(value) is dict or (value is not None and isinstance(value, Mapping))


def _url_to_mask(url: Any) -> bool:
    # what mask_url returns unchanged (anything but a str with "@" or "?") is not worth the call
    return isinstance(url, str) and ("@" in url or "?" in url)


def mask_event_secrets(kwargs: dict) -> dict:
    """``kwargs`` with secrets in URLs and metadata masked (the same dict when there is nothing to mask)."""
    changes: dict[str, Any] = {}
    get = kwargs.get
    api_base = get("api_base")
    if api_base and _url_to_mask(api_base):
        masked = mask_url(api_base)
        if masked is not api_base:
            changes["api_base"] = masked
    memo: dict[int, Any] = {}  # the same metadata dict sits in kwargs and litellm_params: walked once
    metadata = get("metadata")
    if metadata:
        masked = memo[id(metadata)] = mask_secrets(metadata)
        if masked is not metadata:
            changes["metadata"] = masked
    params = get("litellm_params")
    if _is_mapping(params) and params:
        masked = _mask_litellm_params(params, memo)
        if masked is not params:
            changes["litellm_params"] = masked
    optional = get("optional_params")
    if _is_mapping(optional) and optional:
        masked = _mask_shallow(optional)
        if masked is not optional:
            changes["optional_params"] = masked
    payload = get("standard_logging_object")
    if _is_mapping(payload):
        masked = _mask_payload(payload, metadata, memo)
        if masked is not payload:
            changes["standard_logging_object"] = masked
    traceback_text = get("traceback_exception")
    if isinstance(traceback_text, str) and traceback_text:
        masked = scrub_text(traceback_text)
        if masked != traceback_text:
            changes["traceback_exception"] = masked
    if not changes:
        return kwargs
    out = dict(kwargs)
    out.update(changes)
    return out


def _masked_metadata(metadata: Any, memo: dict[int, Any]) -> Any:
    key = id(metadata)
    if key not in memo:
        memo[key] = mask_secrets(metadata)
    return memo[key]


def _mask_litellm_params(params: Mapping, memo: dict[int, Any]) -> Mapping:
    changes: dict[str, Any] = {}
    api_base = params.get("api_base")
    if api_base and _url_to_mask(api_base):
        masked = mask_url(api_base)
        if masked is not api_base:
            changes["api_base"] = masked
    metadata = params.get("metadata")
    if metadata:
        masked = _masked_metadata(metadata, memo)
        if masked is not metadata:
            changes["metadata"] = masked
    shallow = _mask_shallow(params, skip=("metadata", "api_base"))
    if shallow is not params:
        changes.update({k: v for k, v in shallow.items() if v is not params.get(k)})
    if not changes:
        return params
    out = dict(params)
    out.update(changes)
    return out


def _mask_shallow(params: Mapping, skip: tuple = ()) -> Mapping:
    """Top-level credential-named entries masked and header dicts scrubbed (params are flat and large:
    a tool schema is not walked)."""
    plain = _plain_keys if type(params) is dict else _NO_KEYS  # (another Mapping's keys may not hash)
    if plain and params.keys() <= plain:  # the usual case: the same few plain names event after event
        return params
    out: dict | None = None
    for key, value in params.items():
        if key in plain:
            continue
        header = key in _HEADER_KEYS
        if not header and not is_secret_key(key):
            if type(key) is str and len(_plain_keys) < _PLAIN_KEYS_MAX:
                _plain_keys.add(key)
            continue
        if key in skip or value is None or value == "":
            continue
        if header:
            if not isinstance(value, Mapping):
                continue
            new: Any = scrub_headers(value)
            if new == dict(value):
                continue
        elif isinstance(value, (bool, int, float)):
            continue
        else:
            new = mask_secret(value) if isinstance(value, str) else "****"
        if out is None:
            out = dict(params)
        out[key] = new
    return params if out is None else out


def _mask_payload(payload: Mapping, call_metadata: Any, memo: dict[int, Any]) -> Mapping:
    changes: dict[str, Any] = {}
    get = payload.get
    api_base = get("api_base")
    if api_base and _url_to_mask(api_base):
        masked = mask_url(api_base)
        if masked is not api_base:
            changes["api_base"] = masked
    metadata = get("metadata")
    if metadata:
        if call_metadata and id(call_metadata) in memo and metadata == call_metadata:
            # the payload's metadata is a copy of the call's (same keys, same values): already walked
            known = memo[id(call_metadata)]
            masked = metadata if known is call_metadata else known
        else:
            masked = mask_secrets(metadata)
        if masked is not metadata:
            changes["metadata"] = masked
    hidden = get("hidden_params")
    if _is_mapping(hidden) and hidden.get("api_base"):
        masked = mask_url(hidden["api_base"])
        if masked is not hidden["api_base"]:
            changes["hidden_params"] = {**hidden, "api_base": masked}
    model_parameters = get("model_parameters")
    if _is_mapping(model_parameters) and model_parameters:
        masked = _mask_shallow(model_parameters)
        if masked is not model_parameters:
            changes["model_parameters"] = masked
    text = get("error_str")
    if isinstance(text, str) and text:
        masked = scrub_text(text)
        if masked != text:
            changes["error_str"] = masked
    error_info = get("error_information")
    if _is_mapping(error_info) and error_info:
        fixed = {k: (scrub_text(v) if isinstance(v, str) else v) for k, v in error_info.items()}
        if fixed != dict(error_info):
            changes["error_information"] = fixed
    if not changes:
        return payload
    out = dict(payload)
    out.update(changes)
    return out


def strip_content(kwargs: dict, result: Any) -> tuple[dict, Any]:
    """(kwargs, result) with every message and response content removed (replaced by the marker)."""
    return redact_kwargs(kwargs), redact_response_obj(result)
