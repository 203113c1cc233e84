"""Redaction of message content and masking of secrets: pure functions, no state, no I/O.

Two different jobs live here because every log path needs both:

* **content redaction** (``turn_off_message_logging``): message and response text is replaced by
  :data:`REDACTED_MARKER` while structure, token counts and cost stay intact, so a redacted record still
  answers "how much, how long, which model". Every function returns a copy; the input is never mutated,
  because the unredacted objects are shared with the loggers that may see content.
* **secret masking** (always on): API keys, ``Authorization``-style headers and credential params are
  masked wherever they could leak into a payload, a kwargs dict, a log line or an exception text.
  :func:`is_secret_key` decides by a field's *name* (case-insensitive, ``-``/``_``/camelCase alike:
  ``api_key``, ``Authorization``, ``token``, ``secret``, ``password``, ``*_key`` of a credential kind,
  ...); :func:`mask_secrets` masks such fields at any depth of user data (metadata) copy-on-write;
  :func:`mask_url` masks the userinfo (``http://user:KEY@host``) and credential query parameters of
  a URL; :func:`scrub_text` masks key-looking strings and URL userinfo in free text.

This module must not import anything from the package beyond the standard library, read settings or
environment, or log: it is called from the logging path itself.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "REDACTED_MARKER",
    "is_secret_key",
    "mask_secret",
    "mask_secrets",
    "mask_url",
    "redact_kwargs",
    "redact_messages",
    "redact_payload",
    "redact_response_obj",
    "scrub_headers",
    "scrub_params",
    "scrub_text",
]

# The marker LiteLLM writes in place of content (litellm/constants.py, REDACTED_BY_LITELLM), kept so
# dashboards and tests written against LiteLLM recognise redacted records.
REDACTED_MARKER = "redacted-by-litellm"

# Keys whose value is user or model text. "usage" and friends are deliberately absent: tokens stay.
_CONTENT_KEYS = frozenset(
    {
        "content",
        "text",
        "reasoning_content",
        "reasoning",
        "thinking",
        "thinking_blocks",
        "arguments",
        "refusal",
        "b64_json",
        "transcript",
        "partial_json",
        "encrypted_content",
        "revised_prompt",
        "instructions",
        "prompt",
        "input",
        "messages",
        "system",
        "query",
        "documents",
    }
)
# Subtrees that never hold content and are large or numeric: skipped for speed and fidelity.
_KEEP_KEYS = frozenset({"usage", "_hidden_params", "hidden_params", "response_cost", "model_map_information"})

# Top-level kwargs entries that hold a whole response (LiteLLM's names for them).
_RESPONSE_KWARGS = ("complete_streaming_response", "async_complete_streaming_response", "complete_response")
# Request parameters that carry prompt text rather than tuning knobs.
_CONTENT_PARAMS = ("instructions", "system", "prompt", "input", "messages", "suffix")

_MAX_DEPTH = 24

# -- content redaction ------------------------------------------------------------------------------


def redact_messages(messages: Any) -> list:
    """A copy of ``messages`` with every content-bearing field replaced by the marker.

    Roles, names, tool-call ids and function names are kept (they are structure, not content). A bare
    prompt string becomes one user message holding the marker.
    """
    if messages is None:
        return []
    if isinstance(messages, (str, bytes)):
        return [{"role": "user", "content": REDACTED_MARKER}]
    if not isinstance(messages, (list, tuple)):
        messages = [messages]
    out = []
    for message in messages:
        if isinstance(message, (str, bytes)):
            out.append(REDACTED_MARKER)
        else:
            out.append(_redact_tree(message, 0))
    return out


def redact_response_obj(obj: Any) -> Any:
    """A copy of a response (model object, dict or text) with content replaced; usage and ids kept."""
    if obj is None:
        return None
    if isinstance(obj, (str, bytes)):
        return REDACTED_MARKER
    return _redact_tree(obj, 0)


def redact_payload(payload: Mapping[str, Any]) -> dict:
    """A copy of a StandardLoggingPayload with messages, response and prompt-like params redacted."""
    out = dict(payload)
    messages = out.get("messages")
    if messages is not None:
        out["messages"] = REDACTED_MARKER if isinstance(messages, (str, bytes)) else redact_messages(messages)
    response = out.get("response")
    if response is not None:
        out["response"] = redact_response_obj(response)
    for key in ("prompt", "input", "instructions"):
        if out.get(key) is not None:
            out[key] = REDACTED_MARKER
    params = out.get("model_parameters")
    if isinstance(params, Mapping):
        out["model_parameters"] = _redact_content_params(params)
    return out


def redact_kwargs(kwargs: Mapping[str, Any]) -> dict:
    """A copy of the kwargs handed to callbacks with every place content can hide redacted.

    Covers ``messages``, ``input``/``prompt``, the ``standard_logging_object``, assembled streaming
    responses, the raw provider response text and the raw request body; everything else is shared.
    """
    out = dict(kwargs)
    if out.get("messages") is not None:
        out["messages"] = redact_messages(out["messages"])
    for key in ("input", "prompt", "instructions", "system", "original_response"):
        if out.get(key) is not None:
            out[key] = REDACTED_MARKER
    payload = out.get("standard_logging_object")
    if isinstance(payload, Mapping):
        out["standard_logging_object"] = redact_payload(payload)
    for key in (*_RESPONSE_KWARGS, "chunk"):
        if out.get(key) is not None:
            out[key] = redact_response_obj(out[key])
    for key in ("optional_params", "model_parameters"):
        if isinstance(out.get(key), Mapping):
            out[key] = _redact_content_params(out[key])
    additional = out.get("additional_args")
    if isinstance(additional, Mapping):
        additional = dict(additional)
        for key in ("complete_input_dict", "original_response", "request_str"):
            if additional.get(key) is not None:
                additional[key] = REDACTED_MARKER
        out["additional_args"] = additional
    return out


def _redact_content_params(params: Mapping[str, Any]) -> dict:
    out = dict(params)
    for key in _CONTENT_PARAMS:
        if out.get(key) is not None:
            out[key] = REDACTED_MARKER
    return out


def _redact_tree(obj: Any, depth: int) -> Any:
    """Copy ``obj`` replacing values under content keys; containers and model objects are walked."""
    if depth > _MAX_DEPTH:
        return obj
    if isinstance(obj, Mapping):
        return {k: _redact_field(k, v, depth) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_redact_tree(v, depth + 1) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_redact_tree(v, depth + 1) for v in obj)
    if obj is None or isinstance(obj, (str, bytes, int, float, bool)):
        return obj
    return _redact_object(obj, depth)


def _redact_field(key: Any, value: Any, depth: int) -> Any:
    if value is None or key in _KEEP_KEYS:
        return value
    if key in _CONTENT_KEYS:
        return REDACTED_MARKER
    return _redact_tree(value, depth + 1)


def _redact_object(obj: Any, depth: int) -> Any:
    """Redact an attribute-bearing object (a pydantic model or a plain object) on a shallow copy.

    Writes go straight to the copy's ``__dict__`` so validate-on-assignment models accept the marker
    where a list of content parts used to be.
    """
    fields = getattr(obj, "__dict__", None)
    if not isinstance(fields, dict):
        return obj  # __slots__-only objects: nothing we can safely rebuild
    try:
        clone = obj.model_copy() if hasattr(obj, "model_copy") else copy.copy(obj)
    except Exception:
        return obj
    target = clone.__dict__
    for key, value in list(fields.items()):
        new = _redact_field(key, value, depth)
        if new is not value:
            target[key] = new
    extra = getattr(obj, "__pydantic_extra__", None)
    if isinstance(extra, dict) and extra:
        clone_extra = getattr(clone, "__pydantic_extra__", None)
        if isinstance(clone_extra, dict):
            if clone_extra is extra:  # a shallow copy may share the dict: never write into the original
                clone_extra = dict(extra)
                object.__setattr__(clone, "__pydantic_extra__", clone_extra)
            for key, value in extra.items():
                clone_extra[key] = _redact_field(key, value, depth)
    return clone


# -- secret masking ---------------------------------------------------------------------------------

_SECRET_EXACT = frozenset(
    {
        "api_key",
        "apikey",
        "authorization",
        "proxy_authorization",
        "x_api_key",
        "api_key_header",
        "azure_ad_token",
        "azure_ad_token_provider",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_access_key_id",
        "aws_bearer_token",
        "client_secret",
        "password",
        "passwd",
        "secret",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "cookie",
        "set_cookie",
        "x_goog_api_key",
        "ocp_apim_subscription_key",
        "vertex_credentials",
        "credentials",
        "private_key",
        "master_key",
        "dsn",
        "sentry_dsn",
        "webhook_url",
        "slack_webhook_url",
    }
)
_SECRET_SUFFIXES = (
    "_api_key",
    "_secret",
    "_token",
    "_password",
    "_secret_key",
    "_credentials",
    "_dsn",
    "_key_id",
)
_HEADER_CONTAINERS = frozenset({"headers", "extra_headers", "default_headers", "request_headers"})
_CONTENT_CONTAINERS = frozenset({"messages", "input", "prompt", "content"})

# Patterns for secrets inside free text: OpenAI/Anthropic style keys, bearer tokens, AWS access key ids,
# Google API keys, and "api_key=..." / "'authorization': '...'" spellings as found in reprs and URLs.
_TEXT_PATTERNS = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^\s/@?#'\"<>]+)@"
    r"|(?P<bearer>(?i:bearer|basic)\s+)(?P<btok>[A-Za-z0-9._~+/=\-]{8,})"
    r"|(?P<sk>\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,})"
    r"|(?P<aws>\bAKIA[0-9A-Z]{16}\b)"
    r"|(?P<goog>\bAIza[0-9A-Za-z_\-]{30,})"
    r"|(?P<kv>(?i:api[_-]?key|x-api-key|authorization|access[_-]?token|client[_-]?secret|password|secret[_-]?key)"
    r"""['"]?\s*[:=]\s*['"]?)(?P<kvval>(?:(?i:bearer|basic)\s+)?[^'"\s,;&}]{4,})"""
)


# Words that make a field name a credential wherever they appear in it (``x_auth_token``, ``dbPassword``).
_SECRET_WORDS = frozenset(
    {
        "token",
        "secret",
        "secrets",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "apikey",
        "authorization",
        "auth",
        "credential",
        "credentials",
        "cookie",
        "privatekey",
    }
)
# ``<word>_key`` names a credential for these words (``private_key``, ``accessKey``); a bare ``key`` or a
# ``cache_key`` does not.
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "private",
        "access",
        "secret",
        "session",
        "signing",
        "encryption",
        "master",
        "client",
        "service",
        "account",
        "subscription",
        "license",
        "admin",
        "auth",
        "virtual",
        "bearer",
    }
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[_\-\s.]+")


# LiteLLM's proxy metadata names identifiers of a key this way (``user_api_key_hash``,
# ``user_api_key_team_id``, ``user_api_key_alias``): attribution, not credentials.
_IDENTIFIER_PREFIXES = ("user_api_key_",)


@functools.lru_cache(maxsize=4096)
def _is_secret_name(name: str) -> bool:
    key = name.lower().replace("-", "_")
    if key.startswith(_IDENTIFIER_PREFIXES):
        return False
    if key in _SECRET_EXACT or "api_key" in key or key.endswith(_SECRET_SUFFIXES):
        return True
    words = [w for w in _WORD_SPLIT.split(_CAMEL.sub("_", name).lower()) if w]
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(w == "key" and i and words[i - 1] in _KEY_QUALIFIERS for i, w in enumerate(words))


_secret_names: dict[str, bool] = {}  # a plain dict in front of the lru_cache: the hot path is one get()


def is_secret_key(name: Any) -> bool:
    """Whether a parameter, header or dict key names a credential.

    Case-insensitive, and ``-``/``_``/camelCase alike: ``api_key``, ``Authorization``, ``X-Auth-Token``,
    ``dbPassword``, ``client_secret``, ``private_key``, ``session_token``, ... Token *counts*
    (``max_tokens``, ``prompt_tokens``) and a bare ``key``/``cache_key`` are not credentials.
    """
    known = _secret_names.get(name) if type(name) is str else None
    if known is not None:
        return known
    if not isinstance(name, str) or len(name) > 200:
        return False
    result = _is_secret_name(name)
    if len(_secret_names) < 4096:
        _secret_names[name] = result
    return result


def mask_secret(value: Any) -> str:
    """A display form of a secret that shows at most its last 4 characters (``sk-...abcd``).

    Short values show nothing. An auth scheme (``Bearer``) and a key-type prefix (``sk-``) are kept
    because they identify the kind of credential without revealing any of it.
    """
    if value is None:
        return "****"
    if not isinstance(value, str):
        return "****"
    text = value.strip()
    scheme = ""
    match = re.match(r"(?i)(bearer|basic|token)\s+", text)
    if match:
        scheme = match.group(1).capitalize() + " "
        text = text[match.end() :]
    if len(text) < 16:
        return scheme + "****"
    prefix_match = re.match(r"[A-Za-z]{2,3}-", text)
    prefix = prefix_match.group(0) if prefix_match else ""
    return f"{scheme}{prefix}...{text[-4:]}"


def _already_masked(value: str) -> bool:
    return "..." in value or value.strip("*") == ""


def _mask_match(match: re.Match) -> str:
    if match.group("scheme") is not None:
        return match.group("scheme") + "****@"
    token = match.group("btok")
    if token is None:
        token = match.group("kvval")
    if token is None:
        return mask_secret(match.group(0))
    if _already_masked(token):
        return match.group(0)  # mask_secret's own output: keep its "sk-...abcd" hint
    lead = match.group("bearer") if match.group("btok") is not None else match.group("kv")
    return lead + mask_secret(token)


def scrub_text(text: str) -> str:
    """``text`` with anything that looks like a key or token masked; returns ``text`` itself if clean."""
    if not text or not isinstance(text, str):
        return text
    return _TEXT_PATTERNS.sub(_mask_match, text)


def scrub_headers(headers: Any) -> dict:
    """A plain-dict copy of ``headers`` (mapping, httpx.Headers or pairs) with credential headers masked."""
    if not headers:
        return {}
    items = headers.items() if hasattr(headers, "items") else headers
    out: dict = {}
    for name, value in items:
        if is_secret_key(name) or (
            isinstance(name, str) and name.lower().endswith(("-key", "-token", "-auth"))
        ):
            out[name] = mask_secret(value) if isinstance(value, str) else "****"
        elif isinstance(value, str):
            out[name] = scrub_text(value)
        else:
            out[name] = value
    return out


def scrub_params(params: Any, _depth: int = 0) -> Any:
    """A copy of request params with credentials masked, header dicts scrubbed, nested dicts walked.

    Message content is left alone (it is the content redaction's job, and rewriting a user's text
    because it mentions ``sk-`` would be surprising); other strings get :func:`scrub_text`.
    """
    if not isinstance(params, Mapping):
        return params
    out: dict = {}
    for key, value in params.items():
        if is_secret_key(key):
            if value is None or value == "":
                out[key] = value
            else:
                out[key] = mask_secret(value) if isinstance(value, str) else "****"
        elif key in _HEADER_CONTAINERS and isinstance(value, Mapping):
            out[key] = scrub_headers(value)
        elif key in _CONTENT_CONTAINERS:
            out[key] = value
        else:
            out[key] = _scrub_value(value, _depth)
    return out


def _scrub_value(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return scrub_params(value, depth + 1)
    if isinstance(value, list):
        return [_scrub_value(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_scrub_value(v, depth + 1) for v in value)
    return value


# -- secrets in user data and URLs ---------------------------------------------------------------------


def _may_hold_secret(text: str) -> bool:
    """A cheap pre-check before :func:`scrub_text`: could any of its patterns match ``text``?"""
    return (
        ("@" in text and "://" in text)
        or "sk-" in text
        or "earer " in text
        or "asic " in text
        or "AKIA" in text
        or "AIza" in text
        or "=" in text
        or ":" in text
        or "pk-" in text
        or "rk-" in text
    )


def mask_secrets(value: Any, _key: Any = None, _depth: int = 0) -> Any:
    """``value`` with credential-named fields masked at any depth, and key-looking strings scrubbed.

    For user data such as ``metadata``: a string under a secret-named key (:func:`is_secret_key`) is
    replaced by :func:`mask_secret`'s form, a list under one has each string masked, and every other
    string that could hold one goes through :func:`scrub_text` (URL userinfo, bearer tokens, ``sk-``
    keys, ``api_key=...``; a substring pre-check skips plain values such as ids and tags). Numbers, booleans
    and None are kept (``token_count: 3`` is not a secret). Copy-on-write: when nothing needs masking
    the very same object is returned, and the input is never mutated.
    """
    kind = type(value)
    if kind is str:
        return _mask_str(value, _key)
    if _depth > _MAX_DEPTH:
        return value
    if kind is dict or (kind is not list and kind is not tuple and isinstance(value, Mapping)):
        out: dict | None = None
        clean = _clean_strings
        for k, v in value.items():
            vkind = type(v)
            if vkind is str:
                # a string remembered clean under this key is kept (_mask_str's first look, inlined:
                # metadata is mostly such strings, walked for every event)
                known = clean.get(k)
                if known is not None and v in known:
                    continue
                new: Any = _mask_str(v, k)
            elif v is None or vkind is int or vkind is float or vkind is bool:
                continue
            elif (vkind is dict or vkind is list) and not v:
                continue  # empty: nothing to mask (mask_secrets would return it as is)
            else:
                new = mask_secrets(v, k, _depth + 1)
            if new is not v:
                if out is None:
                    out = dict(value)
                out[k] = new
        return value if out is None else out
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        items: list | None = None
        for i, v in enumerate(value):
            if v is None or type(v) in (int, float, bool):
                continue
            new = mask_secrets(v, _key, _depth + 1)
            if new is not v:
                if items is None:
                    items = list(value)
                items[i] = new
        if items is None:
            return value
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, (bytes, bytearray)) and _key is not None and is_secret_key(_key):
        return "****"
    return value


# Strings found clean, by the key they were found under: the same metadata (key attribution, client
# address, user agent, route) is walked for every event a process emits. Only clean strings are
# remembered (never a secret or what masked one); bounded (_CLEAN_MAX strings), and cleared when full.
# A set per key, not (key, value) pairs: the hot look-up then builds no tuple.
_clean_strings: dict[Any, set[str]] = {}
_clean_count = 0
_CLEAN_MAX = 8192
_CLEAN_LEN = 256


def _mask_str(value: str, key: Any) -> str:
    if len(value) <= _CLEAN_LEN:
        known = _clean_strings.get(key)
        if known is not None and value in known:
            return value
        masked = _mask_str_once(value, key)
        if masked is value:
            _remember_clean(key, value)
        return masked
    return _mask_str_once(value, key)


def _remember_clean(key: Any, value: str) -> None:
    global _clean_count
    if _clean_count >= _CLEAN_MAX:
        _clean_strings.clear()
        _clean_count = 0
    known = _clean_strings.get(key)
    if known is None:
        known = _clean_strings[key] = set()
    known.add(value)
    _clean_count += 1


def _mask_str_once(value: str, key: Any) -> str:
    if key is not None and is_secret_key(key):
        return mask_secret(value) if value else value
    if not _may_hold_secret(value):
        return value
    masked = scrub_text(value)
    return value if masked == value else masked


# Query parameters that carry a credential under a name is_secret_key would not flag on its own.
_SECRET_QUERY = frozenset({"key", "sig", "signature", "x_amz_signature", "x_amz_credential", "code"})


def mask_url(url: Any) -> Any:
    """``url`` with its userinfo and credential query parameters masked (``http://****@host/v1``).

    ``http://user:KEY@host/v1`` -> ``http://****@host/v1``; ``https://h/v1?key=AIza...&a=1`` ->
    ``https://h/v1?key=****&a=1``. A URL with neither is returned unchanged (the same object), as is
    anything that is not a string.
    """
    if not isinstance(url, str) or ("@" not in url and "?" not in url):
        return url
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return scrub_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "****@" + netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = []
        for pair in query.split("&"):
            name, sep, val = pair.partition("=")
            lowered = name.lower().replace("-", "_")
            if sep and val and (lowered in _SECRET_QUERY or is_secret_key(name)):
                pair = f"{name}=****"
            pairs.append(pair)
        query = "&".join(pairs)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
