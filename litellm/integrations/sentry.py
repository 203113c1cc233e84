"""``SentryLogger`` ("sentry"): failed calls as Sentry error events, recent calls as their breadcrumbs.

Owns the Sentry settings (:class:`SentrySettings`, read from the environment once, in the logger's
constructor), the mapping from a StandardLoggingPayload to a Sentry event and breadcrumb (pure
functions), and the choice of client:

* the application's Sentry client when one is active (``sentry_sdk.get_client().is_active()``): it is
  used as it is, never re-initialised, and its own transport delivers;
* otherwise a private ``sentry_sdk.Client`` built from ``SENTRY_DSN`` that installs no integration
  (``default_integrations=False``: no excepthook, logging or threading patches), is never bound to the
  global scope, captures no local variables or source lines, and whose transport hands each envelope to
  a :class:`~litellm.exporters.BatchExporter` (retry with backoff, optional disk spool, exit flush) that
  posts it to the DSN's envelope endpoint.

Each failure becomes one event: the exception (type, message, stack frames without locals or source
context), level ``error``, tags ``model``, ``llm_provider``, ``litellm_call_id``, ``response_cost``,
``call_type``, ``error_code``, a ``litellm`` context (tokens, duration, stream, api host) and the recent
calls as breadcrumbs. Successful calls are only breadcrumbs. Message content goes into the event only
when allowed (``include_content=True`` or ``SENTRY_SEND_DEFAULT_PII=true``) and message logging is on.

Environment (LiteLLM's names): ``SENTRY_DSN``, ``SENTRY_ENVIRONMENT`` (production),
``SENTRY_API_SAMPLE_RATE`` (1.0), ``SENTRY_SEND_DEFAULT_PII`` (false).

Must not: import ``sentry_sdk`` at module import, call ``sentry_sdk.init`` or touch the global scope,
read the environment outside :meth:`SentrySettings.from_env`, or put the DSN's key or any API key into
an event, a log line or an error message.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from litellm.core.settings import settings as _core_settings
from litellm.exporters import BatchExporter
from litellm.integrations.base import PayloadLogger

__all__ = ["SentryLogger", "SentrySettings", "breadcrumb", "event_tags", "failure_event"]

_EXTRA_HINT = "pip install 'litellm-observe[sentry]'"
_MAX_TAG_CHARS = 200  # Sentry's limit for tag values
# frame keys that can carry user text or secrets: source lines of the caller's code and local variables
_FRAME_CONTENT_KEYS = ("vars", "pre_context", "context_line", "post_context")


def _truthy(value: str | None) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class SentrySettings:
    """DSN and event options; built once per logger. The DSN (it holds the project key) never prints."""

    dsn: str | None = field(default=None, repr=False)
    environment: str = "production"
    sample_rate: float = 1.0
    include_content: bool = False
    breadcrumbs: int = 20

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> SentrySettings:
        env = os.environ if environ is None else environ
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            sample_rate = float(env.get("SENTRY_API_SAMPLE_RATE") or 1.0)
        except ValueError:
            sample_rate = 1.0
        values: dict[str, Any] = {
            "dsn": env.get("SENTRY_DSN") or None,
            "environment": env.get("SENTRY_ENVIRONMENT") or "production",
            "sample_rate": min(max(sample_rate, 0.0), 1.0),
            "include_content": _truthy(env.get("SENTRY_SEND_DEFAULT_PII")),
        }
        values.update(given)
        return cls(**values)


# ------------------------------------------------------------------------------------------- mapping


def _tag(value: Any) -> str:
    return str(value)[:_MAX_TAG_CHARS]


def _host(api_base: Any) -> str | None:
    try:
        return urlsplit(str(api_base)).hostname if api_base else None
    except ValueError:
        return None


def event_tags(payload: Mapping[str, Any]) -> dict[str, str]:
    """The call's tags on a Sentry event (strings, at most 200 characters each)."""
    info = payload.get("error_information") or {}
    tags = {
        "model": payload.get("model"),
        "llm_provider": payload.get("custom_llm_provider") or info.get("llm_provider"),
        "litellm_call_id": payload.get("litellm_call_id") or payload.get("id"),
        "response_cost": payload.get("response_cost"),
        "call_type": payload.get("call_type"),
        "error_code": info.get("error_code"),
        "model_group": payload.get("model_group"),
        "stream": payload.get("stream"),
    }
    return {k: _tag(v) for k, v in tags.items() if v is not None}


def breadcrumb(payload: Mapping[str, Any]) -> dict[str, Any]:
    """One call as a Sentry breadcrumb (no content, no keys)."""
    failed = payload.get("status") == "failure"
    duration = payload.get("response_time")
    model = payload.get("model") or "unknown"
    status = "failure" if failed else "success"
    message = f"{model} {status}"
    if isinstance(duration, (int, float)):
        message += f" in {duration:.3f}s"
    return {
        "type": "default",
        "category": "litellm.call",
        "level": "error" if failed else "info",
        "message": message,
        "timestamp": payload.get("endTime"),
        "data": {
            k: v
            for k, v in {
                "litellm_call_id": payload.get("litellm_call_id") or payload.get("id"),
                "model": payload.get("model"),
                "llm_provider": payload.get("custom_llm_provider"),
                "status": status,
                "response_cost": payload.get("response_cost"),
                "total_tokens": payload.get("total_tokens"),
            }.items()
            if v is not None
        },
    }


def _strip_frames(event: dict) -> None:
    for value in (event.get("exception") or {}).get("values") or ():
        for frame in (value.get("stacktrace") or {}).get("frames") or ():
            for key in _FRAME_CONTENT_KEYS:
                frame.pop(key, None)


def failure_event(
    payload: Mapping[str, Any],
    exception: BaseException | None = None,
    *,
    breadcrumbs: list[dict] | None = None,
    include_content: bool = False,
    environment: str | None = None,
) -> dict[str, Any]:
    """The Sentry event for one failed call. Uses the exception object for real frames when given."""
    info = payload.get("error_information") or {}
    event: dict[str, Any]
    if exception is not None:
        from sentry_sdk.utils import event_from_exception

        # no locals, no source lines, no stack of the logging thread: they are not the call's, and locals
        # or source lines can hold prompts or keys
        options = {
            "include_local_variables": False,
            "include_source_context": False,
            "add_full_stack": False,
            "max_value_length": 4096,
        }
        sdk_event, _ = event_from_exception(
            exception, client_options=options, mechanism={"type": "litellm", "handled": True}
        )
        event = dict(sdk_event)  # the SDK types it as a closed TypedDict; ours gains litellm's keys
        _strip_frames(event)
    else:
        event = {
            "level": "error",
            "exception": {
                "values": [
                    {
                        "type": str(info.get("error_class") or "Exception"),
                        "value": str(info.get("error_message") or payload.get("error_str") or ""),
                        "mechanism": {"type": "litellm", "handled": True},
                    }
                ]
            },
        }
    event["event_id"] = uuid.uuid4().hex
    event["level"] = "error"
    event["logger"] = "litellm"
    event["platform"] = "python"
    if environment:
        event["environment"] = environment
    event["tags"] = event_tags(payload)
    context: dict[str, Any] = {
        k: v
        for k, v in {
            "litellm_call_id": payload.get("litellm_call_id") or payload.get("id"),
            "trace_id": payload.get("trace_id"),
            "model": payload.get("model"),
            "api_host": _host(payload.get("api_base")),
            "stream": payload.get("stream"),
            "duration_s": payload.get("response_time"),
            "prompt_tokens": payload.get("prompt_tokens"),
            "completion_tokens": payload.get("completion_tokens"),
            "response_cost": payload.get("response_cost"),
            "request_tags": payload.get("request_tags") or None,
            "error_class": info.get("error_class"),
        }.items()
        if v is not None
    }
    if include_content:
        context["messages"] = payload.get("messages")
        context["model_parameters"] = payload.get("model_parameters")
    event["contexts"] = {"litellm": context}
    # group by what failed where, not by the (often request-specific) message text
    event["fingerprint"] = [
        "litellm",
        str(info.get("error_class") or "error"),
        str(payload.get("model") or ""),
    ]
    if breadcrumbs:
        event["breadcrumbs"] = {"values": list(breadcrumbs)}
    return event


# ------------------------------------------------------------------------------------------ the logger


def _queue_transport(dsn: str, exporter: BatchExporter) -> Any:
    """A sentry-sdk Transport that queues each envelope on ``exporter`` instead of sending it."""
    from sentry_sdk.transport import Transport

    class _QueueTransport(Transport):
        def capture_envelope(self, envelope: Any) -> None:
            event_id = (envelope.headers or {}).get("event_id") or uuid.uuid4().hex
            # envelopes of events are UTF-8 JSON lines; surrogateescape keeps any odd byte round-trippable
            exporter.submit(
                {"id": event_id, "envelope": envelope.serialize().decode("utf-8", "surrogateescape")}
            )

        def flush(self, timeout: float, callback: Any = None) -> None:
            exporter.flush(timeout)

    return _QueueTransport({"dsn": dsn})


class SentryLogger(PayloadLogger):
    """Failed calls to Sentry with the call's tags and recent calls as breadcrumbs (see module docstring).

    ``dsn`` overrides ``SENTRY_DSN``; ``client`` uses a given ``sentry_sdk.Client`` as is;
    ``include_content`` allows message content in events; ``breadcrumbs`` is how many recent calls an
    event carries; ``spool_dir`` / ``spool_mode`` / ``exporter_options`` configure the BatchExporter of the
    private client.
    """

    name = "sentry"

    def __init__(
        self,
        dsn: str | None = None,
        *,
        client: Any = None,
        include_content: bool | None = None,
        breadcrumbs: int | None = None,
        flush_interval: float = 0.5,
        spool_dir: str | os.PathLike[str] | None = None,
        spool_mode: str = "on_failure",
        exporter_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        try:
            import sentry_sdk
        except ImportError as exc:
            raise ImportError(f"the Sentry logger needs sentry-sdk: {_EXTRA_HINT}") from exc
        self.settings = SentrySettings.from_env(
            environ, dsn=dsn, include_content=include_content, breadcrumbs=breadcrumbs
        )
        self._recent: deque[dict] = deque(maxlen=max(self.settings.breadcrumbs, 0))
        self._lock = threading.Lock()
        self.exporter: BatchExporter | None = None
        self.owns_client = False
        if client is None:
            current = sentry_sdk.get_client()
            if current.is_active():
                client = current  # the application's Sentry: use it, never re-initialise it
        if client is None:
            client = self._private_client(flush_interval, spool_dir, spool_mode, exporter_options)
        self.client = client

    def _private_client(
        self,
        flush_interval: float,
        spool_dir: str | os.PathLike[str] | None,
        spool_mode: str,
        exporter_options: Mapping[str, Any] | None,
    ) -> Any:
        import sentry_sdk
        from sentry_sdk.utils import Dsn

        s = self.settings
        if not s.dsn:
            raise ValueError("Sentry needs SENTRY_DSN (or an active sentry_sdk client, or dsn=...)")
        auth = Dsn(s.dsn).to_auth()
        self._envelope_url = auth.get_api_url()
        self._auth_header = auth.to_header()
        # one envelope per request (Sentry's envelope endpoint takes one); a retried batch resends only it
        options = {"max_batch_size": 1, **dict(exporter_options or {})}
        self.exporter = BatchExporter(
            self.name,
            self._send,
            flush_interval=flush_interval,
            spool_dir=spool_dir,
            spool_mode=spool_mode,
            **options,
        )
        self.owns_client = True
        return sentry_sdk.Client(
            dsn=s.dsn,
            environment=s.environment,
            sample_rate=s.sample_rate,
            transport=_queue_transport(s.dsn, self.exporter),
            default_integrations=False,
            auto_enabling_integrations=False,
            integrations=[],
            include_local_variables=False,
            include_source_context=False,
            attach_stacktrace=False,
            auto_session_tracking=False,
            enable_backpressure_handling=False,
            send_client_reports=False,
            traces_sample_rate=None,
            max_breadcrumbs=max(s.breadcrumbs, 1),
        )

    # -- per event (the dispatcher's worker) ---------------------------------------------------------------

    def content_allowed(self) -> bool:
        if (
            _core_settings.turn_off_message_logging
            or self.turn_off_message_logging
            or self.message_logging is False
        ):
            return False
        return self.settings.include_content

    def on_event(self, payload: dict, kwargs: dict) -> None:
        crumb = breadcrumb(payload)
        with self._lock:
            recent = list(self._recent)
            if self._recent.maxlen:
                self._recent.append(crumb)
        if payload.get("status") != "failure":
            return
        exception = kwargs.get("exception") if isinstance(kwargs, Mapping) else None
        event = failure_event(
            payload,
            exception if isinstance(exception, BaseException) else None,
            breadcrumbs=[*recent, crumb],
            include_content=self.content_allowed(),
            environment=self.settings.environment,
        )
        # no scope: nothing of the application's (or this worker thread's) scope is merged in, and the
        # client's own before_send, sampling and scrubbing still apply
        self.client.capture_event(event)

    # -- delivery of the private client's envelopes (the exporter's worker) ------------------------------

    def _send(self, batch: list[dict]) -> None:
        from litellm.exporters.http import post

        for item in batch:
            post(
                self._envelope_url,
                content=item["envelope"].encode("utf-8", "surrogateescape"),
                headers={"Content-Type": "application/x-sentry-envelope", "X-Sentry-Auth": self._auth_header},
                gzip=True,
            )

    def flush(self, timeout: float | None = None) -> bool:
        budget = 10.0 if timeout is None else timeout
        if self.exporter is not None:
            return self.exporter.flush(budget)
        self.client.flush(timeout=budget)
        return True

    def shutdown(self, timeout: float = 5.0) -> None:
        """Deliver what the deadline allows; close the private client (never the application's)."""
        if self.exporter is not None:
            self.exporter.shutdown(timeout)
        if self.owns_client:
            self.client.close(timeout=0)

    def stats(self) -> dict:
        """The private client's exporter counters (empty when the application's client delivers)."""
        return self.exporter.stats() if self.exporter is not None else {}
