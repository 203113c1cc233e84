"""``SlackAlertingLogger`` ("slack"): alerts about calls, posted to Slack incoming webhooks.

Owns the alert rules, their de-duplication and rate limit, and the one timer thread per logger that
checks for hanging calls, closes squash windows and sends the periodic report. Alert types (LiteLLM's
names, selectable with ``alert_types``):

================================  ======================================================================
``llm_exceptions``                a call failed (model, provider, API base, error class / code / message)
``llm_too_slow``                  a call succeeded but took longer than ``alerting_threshold`` seconds
``llm_requests_hanging``          a call started and has not finished after ``alerting_threshold``
``outage_alerts``                 one model/deployment failed ``minor_outage_alert_threshold`` (5), then
                                  ``major_outage_alert_threshold`` (10) times within ``outage_alert_ttl``
``budget_alerts``                 spend reached 85 % ("15% budget left"), 95 % ("5% budget left") or
                                  100 % ("budget crossed") of a budget: this logger's ``max_budget``,
                                  ``litellm.max_budget``, or a key/team/user budget in the call metadata
``daily_reports``                 every ``daily_report_frequency`` seconds (12 h, LiteLLM's default): calls,
                                  failures, spend, tokens and latency per model since the last report
================================  ======================================================================

Flood control: alerts with the same fingerprint (type + model + deployment + error class/code, never
free text) within ``squash_window`` seconds (60) are sent once; the rest are counted and summarised in
one follow-up ("repeated N more times"). On top of that, at most ``max_alerts_per_minute`` (20)
messages leave per minute; alerts over the limit wait in their squash window. Budget alerts are sent
once per budget and level per ``budget_alert_ttl`` (24 h).

Hanging calls need the pre-call event, so register the logger in ``litellm.callbacks`` (the pre-call
event does not reach loggers listed only in ``success_callback``). No thread per call: a pre-call adds
an entry to a bounded table that the timer scans.

Delivery goes through a :class:`~litellm.exporters.BatchExporter`, one message per POST, 429 / 5xx
retried with Retry-After honoured. A bad or missing webhook never fails or slows a call: the error is
counted in ``stats()`` and logged (rate-limited) without the webhook URL, which is a secret (its path is
the credential). Queued alerts carry a route name, never the URL, so a spool on disk holds no secret.

Environment: ``SLACK_WEBHOOK_URL`` (or ``ALERTING_WEBHOOK_URL``), ``SLACK_DAILY_REPORT_FREQUENCY``
(seconds), ``PROXY_BASE_URL`` (appended to messages, as LiteLLM does). Message content is never put in
an alert.

Must not: block or do I/O in the hooks, start a thread per call, read the environment outside
:meth:`SlackSettings.from_env`, or let the webhook URL reach a record, a log line or an error.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
import weakref
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from litellm.exporters import (
    BatchExporter,
    ExportError,
    PayloadTooLargeError,
    PermanentExportError,
    RetryableExportError,
)
from litellm.integrations.base import PayloadLogger

__all__ = ["ALERT_TYPES", "SlackAlertingLogger", "SlackSettings", "format_message"]

ALERT_TYPES = (
    "llm_exceptions",
    "llm_too_slow",
    "llm_requests_hanging",
    "outage_alerts",
    "budget_alerts",
    "daily_reports",
    "cooldown_deployment",  # the Router cooled a deployment down (LiteLLM's alert type)
)
_LEVELS = ("Low", "Medium", "High")
_BUDGET_LEVELS = (
    (1.0, "budget crossed", "High"),
    (0.95, "5% budget left", "Medium"),
    (0.85, "15% budget left", "Low"),
)
_MAX_SQUASH_KEYS = 1000
_MAX_PENDING_CALLS = 100_000
_MAX_TEXT = 3000  # Slack's limit for one section block's text


@dataclass(frozen=True)
class SlackSettings:
    """Alerting configuration. Webhook URLs are secrets: they never print."""

    webhook_url: str | None = field(default=None, repr=False)
    alert_to_webhook_url: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    alerting_threshold: float = 300.0
    alert_types: frozenset[str] = frozenset(ALERT_TYPES)
    daily_report_frequency: float = 12 * 3600.0
    budget_alert_ttl: float = 24 * 3600.0
    outage_alert_ttl: float = 60.0
    minor_outage_alert_threshold: int = 5
    major_outage_alert_threshold: int = 10
    squash_window: float = 60.0
    max_alerts_per_minute: int = 20
    max_budget: float | None = None
    proxy_base_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> SlackSettings:
        """Keywords win over the environment; ``alerting_args`` (LiteLLM's dict) may carry the numeric
        settings. Raises ValueError when no webhook URL is configured at all."""
        env = os.environ if environ is None else environ
        args = dict(overrides.pop("alerting_args", None) or {})
        for key, value in list(overrides.items()):
            if value is None:
                del overrides[key]
        webhook = (
            overrides.pop("webhook_url", None)
            or env.get("SLACK_WEBHOOK_URL")
            or env.get("ALERTING_WEBHOOK_URL")
        )
        routes: dict[str, tuple[str, ...]] = {}
        for alert_type, urls in (overrides.pop("alert_to_webhook_url", None) or {}).items():
            name = getattr(alert_type, "value", alert_type)
            routes[str(name)] = (urls,) if isinstance(urls, str) else tuple(urls)
        if not webhook and not routes:
            raise ValueError("Missing SLACK_WEBHOOK_URL / ALERTING_WEBHOOK_URL from environment")
        types = overrides.pop("alert_types", None)
        alert_types = (
            frozenset(getattr(t, "value", t) for t in types) if types is not None else frozenset(ALERT_TYPES)
        )
        freq = overrides.pop("daily_report_frequency", None) or args.pop("daily_report_frequency", None)
        freq = freq or env.get("SLACK_DAILY_REPORT_FREQUENCY") or 12 * 3600.0
        numeric: dict[str, Any] = {}  # field name -> value of that field's type (int or float)
        for name in (
            "alerting_threshold",
            "budget_alert_ttl",
            "outage_alert_ttl",
            "minor_outage_alert_threshold",
            "major_outage_alert_threshold",
            "squash_window",
            "max_alerts_per_minute",
            "max_budget",
        ):
            value = overrides.pop(name, None)
            if value is None:
                value = args.pop(name, None)
            if value is not None:
                numeric[name] = type(getattr(cls, name) or 0.0)(value)
        if overrides:
            raise TypeError(f"unknown Slack settings: {', '.join(sorted(overrides))}")
        return cls(
            webhook_url=webhook,
            alert_to_webhook_url=routes,
            alert_types=alert_types,
            daily_report_frequency=float(freq),
            proxy_base_url=env.get("PROXY_BASE_URL"),
            **numeric,
        )

    def urls_for(self, alert_type: str) -> tuple[str, ...]:
        urls = self.alert_to_webhook_url.get(alert_type)
        if urls:
            return urls
        return (self.webhook_url,) if self.webhook_url else ()


def format_message(
    alert_type: str,
    level: str,
    message: str,
    *,
    fields: Mapping[str, Any] | None = None,
    repeated: int = 0,
    proxy_base_url: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The webhook body: ``text`` (LiteLLM's layout, and Slack's fallback) plus ``blocks``."""
    stamp = datetime.fromtimestamp(time.time() if now is None else now, tz=timezone.utc).strftime(
        "%H:%M:%S UTC"
    )
    detail = "".join(f"\n{k}: `{v}`" for k, v in (fields or {}).items() if v not in (None, ""))
    if repeated:
        detail += f"\n_Repeated {repeated} more time{'s' if repeated != 1 else ''} since the first alert._"
    if alert_type == "daily_reports":
        text = f"Alert type: `{alert_type}`\n{message}{detail}"
    else:
        text = f"Alert type: `{alert_type}`\nLevel: `{level}`\nTimestamp: `{stamp}`\n\nMessage: {message}{detail}"
    if proxy_base_url:
        text += f"\n\nProxy URL: `{proxy_base_url}`"
    section = text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."
    return {
        "text": section,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": section}}],
    }


def _redacted_where(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}"
    except ValueError:
        return "<invalid url>"


def _without_url(exc: ExportError, url: str) -> ExportError:
    """The same export error with the webhook URL's path (the credential) taken out of its message."""
    message = str(exc)
    try:
        parts = urlsplit(url)
        if parts.path and len(parts.path) > 1:
            message = message.replace(parts.path, "/<webhook path>")
        message = message.replace(url, _redacted_where(url) + "/<webhook path>")
    except ValueError:
        message = f"{type(exc).__name__} from the Slack webhook"
    if isinstance(exc, RetryableExportError):
        return RetryableExportError(message, exc.retry_after, status_code=exc.status_code)
    if isinstance(exc, PayloadTooLargeError):
        return PayloadTooLargeError(message, status_code=exc.status_code)
    return PermanentExportError(message, status_code=exc.status_code)


class _Squash:
    __slots__ = ("alert_type", "count", "fields", "level", "message", "owed", "window_end")

    def __init__(self, alert_type: str, level: str, message: str, fields: dict, window_end: float) -> None:
        self.alert_type = alert_type
        self.level = level
        self.message = message
        self.fields = fields
        self.window_end = window_end
        self.count = 0  # occurrences after the one that was (or will be) sent
        self.owed = False  # the first occurrence itself is still unsent (rate limit)


class _ModelStats:
    __slots__ = ("calls", "completion_tokens", "cost", "failures", "latency", "prompt_tokens")

    def __init__(self) -> None:
        self.calls = self.failures = self.prompt_tokens = self.completion_tokens = 0
        self.cost = self.latency = 0.0


class SlackAlertingLogger(PayloadLogger):
    """Alerts to Slack (see the module docstring for the rules and settings).

    Keyword arguments (LiteLLM's where it has them): ``webhook_url`` / ``default_webhook_url``,
    ``alerting_threshold``, ``alert_types``, ``alert_to_webhook_url``, ``alerting_args`` (dict), and
    ``daily_report_frequency``, ``budget_alert_ttl``, ``outage_alert_ttl``,
    ``minor_outage_alert_threshold``, ``major_outage_alert_threshold``, ``squash_window``,
    ``max_alerts_per_minute``, ``max_budget``; ``spool_dir`` and ``exporter_options`` for delivery."""

    name = "slack"

    def __init__(
        self,
        webhook_url: str | None = None,
        alerting_threshold: float | None = None,
        alert_types: Iterable[str] | None = None,
        alert_to_webhook_url: Mapping[str, str | list[str]] | None = None,
        alerting_args: Mapping[str, Any] | None = None,
        *,
        default_webhook_url: str | None = None,
        daily_report_frequency: float | None = None,
        budget_alert_ttl: float | None = None,
        outage_alert_ttl: float | None = None,
        minor_outage_alert_threshold: int | None = None,
        major_outage_alert_threshold: int | None = None,
        squash_window: float | None = None,
        max_alerts_per_minute: int | None = None,
        max_budget: float | None = None,
        spool_dir: str | os.PathLike[str] | None = None,
        exporter_options: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("alerting", None)  # LiteLLM's ["slack"] list: this logger is the slack destination
        kwargs.pop("internal_usage_cache", None)
        super().__init__(**kwargs)
        self.settings = SlackSettings.from_env(
            environ,
            webhook_url=webhook_url or default_webhook_url,
            alerting_threshold=alerting_threshold,
            alert_types=alert_types,
            alert_to_webhook_url=alert_to_webhook_url,
            alerting_args=alerting_args,
            daily_report_frequency=daily_report_frequency,
            budget_alert_ttl=budget_alert_ttl,
            outage_alert_ttl=outage_alert_ttl,
            minor_outage_alert_threshold=minor_outage_alert_threshold,
            major_outage_alert_threshold=major_outage_alert_threshold,
            squash_window=squash_window,
            max_alerts_per_minute=max_alerts_per_minute,
            max_budget=max_budget,
        )
        self._lock = threading.Lock()
        self._squash: OrderedDict[tuple, _Squash] = OrderedDict()
        self._tokens = float(self.settings.max_alerts_per_minute)
        self._tokens_at = time.monotonic()
        # call id -> (start, model, api base), in start order
        self._pending: OrderedDict[str, tuple[float, str, str]] = OrderedDict()
        self._hung_alerted: set[str] = set()
        self._failures: dict[str, deque[float]] = {}
        self._outage_level: dict[str, int] = {}
        self._budget_sent: dict[tuple[str, str], float] = {}
        self._spend = 0.0
        self._report: dict[str, _ModelStats] = {}
        self._next_report = time.time() + self.settings.daily_report_frequency
        self._counts = {"alerts_raised": 0, "alerts_squashed": 0, "alerts_queued": 0, "alerts_dropped": 0}
        self._ticker: threading.Thread | None = None
        self._ticker_pid = 0
        self._stop = threading.Event()
        if hasattr(os, "register_at_fork"):
            ref = weakref.ref(self)

            def after_in_child() -> None:
                owner = ref()
                if owner is not None:
                    owner._after_fork()

            os.register_at_fork(after_in_child=after_in_child)
        self.exporter = BatchExporter(
            self.name,
            self._send,
            max_batch_size=1,  # one message per POST, so a retry never re-posts an alert already delivered
            flush_interval=0.2,
            spool_dir=spool_dir,
            **{"max_queue_size": 1000, **dict(exporter_options or {})},
        )

    # -- hooks (cheap, non-blocking) ----------------------------------------------------------------

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        kw = kwargs if isinstance(kwargs, Mapping) else {}
        call_id = kw.get("litellm_call_id")
        if not call_id or "llm_requests_hanging" not in self.settings.alert_types:
            return
        start = kw.get("start_time")
        started = start.timestamp() if isinstance(start, datetime) else time.time()
        with self._lock:
            self._pending[str(call_id)] = (
                started,
                str(kw.get("model") or model or ""),
                str(kw.get("api_base") or ""),
            )
            while len(self._pending) > _MAX_PENDING_CALLS:
                oldest, _ = self._pending.popitem(last=False)
                self._hung_alerted.discard(oldest)
        self._ensure_ticker()

    def on_event(self, payload: dict, kwargs: dict) -> None:
        self._ensure_ticker()
        call_id = str(payload.get("litellm_call_id") or payload.get("id") or "")
        with self._lock:
            self._pending.pop(call_id, None)
            self._hung_alerted.discard(call_id)
            self._account(payload)
        if payload.get("status") == "failure":
            self._on_failure(payload)
        else:
            self._on_success(payload)
        self._check_budgets(payload)

    # -- rules ---------------------------------------------------------------------------------------

    @staticmethod
    def _where(payload: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "Model": payload.get("model"),
            "Provider": payload.get("custom_llm_provider"),
            "API Base": payload.get("api_base") or None,
            "Model ID": payload.get("model_id"),
        }

    def _on_failure(self, payload: Mapping[str, Any]) -> None:
        err = payload.get("error_information") or {}
        error_class = err.get("error_class") or "Exception"
        code = err.get("error_code") or ""
        deployment = str(payload.get("model_id") or f"{payload.get('model')}@{payload.get('api_base') or ''}")
        text = str(err.get("error_message") or payload.get("error_str") or "unknown error")[:1000]
        self.raise_alert(
            "llm_exceptions",
            "High",
            f"LLM API call failed: `{text}`",
            fields={
                **self._where(payload),
                "Error": f"{error_class} {code}".strip(),
                "Call ID": payload.get("litellm_call_id"),
            },
            fingerprint=(deployment, error_class, code),
        )
        if str(code) == "400":
            return  # a bad request says nothing about the deployment's health (LiteLLM does not count it)
        now = time.monotonic()
        ttl = self.settings.outage_alert_ttl
        with self._lock:
            times = self._failures.setdefault(deployment, deque())
            times.append(now)
            while times and now - times[0] > ttl:
                times.popleft()
            count = len(times)
            level = 0
            if count >= self.settings.major_outage_alert_threshold:
                level = 2
            elif count >= self.settings.minor_outage_alert_threshold:
                level = 1
            fire = level > self._outage_level.get(deployment, 0)
            if fire:
                self._outage_level[deployment] = level
        if fire:
            kind = "Major" if level == 2 else "Minor"
            self.raise_alert(
                "outage_alerts",
                "High" if level == 2 else "Medium",
                f"{kind} service outage: {count} failed calls to `{payload.get('model')}` within {ttl:g}s",
                fields={**self._where(payload), "Last error": f"{error_class} {code}".strip()},
                fingerprint=(deployment, kind),
            )

    def _on_success(self, payload: Mapping[str, Any]) -> None:
        latency = float(payload.get("response_time") or 0.0)
        if latency > self.settings.alerting_threshold:
            self.raise_alert(
                "llm_too_slow",
                "Low",
                f"`Responses are slow - {latency:.2f}s response time > Alerting threshold: "
                f"{self.settings.alerting_threshold:g}s`",
                fields={**self._where(payload), "Call ID": payload.get("litellm_call_id")},
                fingerprint=(payload.get("model"), payload.get("api_base")),
            )
        deployment = str(payload.get("model_id") or f"{payload.get('model')}@{payload.get('api_base') or ''}")
        with self._lock:
            # A success ends an outage episode: the next burst of failures alerts again.
            if self._outage_level.pop(deployment, None) is not None:
                self._failures.pop(deployment, None)

    def _budgets(self, payload: Mapping[str, Any]) -> list[tuple[str, float, float]]:
        """(name, spent, limit) for every budget this call counts against."""
        from litellm.core.settings import settings as core_settings

        cost = float(payload.get("response_cost") or 0.0)
        out = []
        if self.settings.max_budget:
            out.append(("this logger's budget", self._spend, self.settings.max_budget))
        global_budget = float(getattr(core_settings, "max_budget", 0.0) or 0.0)
        if global_budget > 0:
            out.append(
                (
                    "litellm.max_budget",
                    float(getattr(core_settings, "_current_cost", 0.0) or 0.0),
                    global_budget,
                )
            )
        metadata = payload.get("metadata") or {}
        for who, spend_key, max_key, name_keys in (
            (
                "key",
                "user_api_key_spend",
                "user_api_key_max_budget",
                ("user_api_key_alias", "user_api_key_hash"),
            ),
            (
                "team",
                "user_api_key_team_spend",
                "user_api_key_team_max_budget",
                ("user_api_key_team_alias", "user_api_key_team_id"),
            ),
            ("user", "user_api_key_user_spend", "user_api_key_user_max_budget", ("user_api_key_user_id",)),
        ):
            limit = metadata.get(max_key)
            if limit in (None, "") or metadata.get(spend_key) in (None, ""):
                continue
            try:
                spent, limit_f = float(metadata[spend_key]) + cost, float(limit)
            except (TypeError, ValueError):
                continue
            label = next((str(metadata[k]) for k in name_keys if metadata.get(k)), "unknown")
            out.append((f"{who} {label}", spent, limit_f))
        return out

    def _check_budgets(self, payload: Mapping[str, Any]) -> None:
        if "budget_alerts" not in self.settings.alert_types:
            return
        now = time.monotonic()
        for name, spent, limit in self._budgets(payload):
            if limit <= 0:
                continue
            for ratio, label, level in _BUDGET_LEVELS:
                if spent < ratio * limit:
                    continue
                key = (name, label)
                with self._lock:
                    last = self._budget_sent.get(key)
                    if last is not None and now - last < self.settings.budget_alert_ttl:
                        break
                    self._budget_sent[key] = now
                self.raise_alert(
                    "budget_alerts",
                    level,
                    f"Budget alert for {name}: {label}. Spend `${spent:.6f}`, max budget `${limit:.6f}`",
                    fingerprint=key,
                )
                break  # only the highest level reached

    def _account(self, payload: Mapping[str, Any]) -> None:
        """Under the lock: add the call to this period's report and to this logger's own spend."""
        cost = float(payload.get("response_cost") or 0.0)
        self._spend += cost
        stats = self._report.get(str(payload.get("model")))
        if stats is None:
            if len(self._report) >= _MAX_SQUASH_KEYS:
                return
            stats = self._report[str(payload.get("model"))] = _ModelStats()
        stats.calls += 1
        stats.failures += payload.get("status") == "failure"
        stats.cost += cost
        stats.prompt_tokens += int(payload.get("prompt_tokens") or 0)
        stats.completion_tokens += int(payload.get("completion_tokens") or 0)
        stats.latency += float(payload.get("response_time") or 0.0)

    # -- alert plumbing ------------------------------------------------------------------------------

    def raise_alert(
        self,
        alert_type: str,
        level: str,
        message: str,
        *,
        fields: Mapping[str, Any] | None = None,
        fingerprint: Any = None,
        squash: bool = True,
    ) -> bool:
        """Queue an alert (public for applications that want to alert through the same channel).

        Returns True when a message was queued now, False when it was squashed, rate-limited (it will
        follow in the squash window's summary), not enabled, or dropped."""
        if alert_type not in self.settings.alert_types:
            return False
        level = level if level in _LEVELS else "Low"
        now = time.monotonic()
        key = (alert_type, fingerprint if fingerprint is not None else message)
        with self._lock:
            self._counts["alerts_raised"] += 1
            entry = self._squash.get(key) if squash else None
            if entry is not None and now < entry.window_end:
                entry.count += 1
                self._counts["alerts_squashed"] += 1
                return False
            if squash:
                if len(self._squash) >= _MAX_SQUASH_KEYS:
                    self._counts["alerts_dropped"] += 1
                    return False
                entry = _Squash(
                    alert_type, level, message, dict(fields or {}), now + self.settings.squash_window
                )
                self._squash[key] = entry
            if not self._take_token(now):
                if entry is None:
                    self._counts["alerts_dropped"] += 1
                else:
                    entry.owed = True
                return False
        self._ensure_ticker()
        self._enqueue(
            alert_type,
            format_message(
                alert_type, level, message, fields=fields, proxy_base_url=self.settings.proxy_base_url
            ),
        )
        return True

    def _take_token(self, now: float) -> bool:
        """Under the lock: a token bucket refilled at max_alerts_per_minute per 60 s."""
        rate = self.settings.max_alerts_per_minute / 60.0
        self._tokens = min(
            float(self.settings.max_alerts_per_minute), self._tokens + (now - self._tokens_at) * rate
        )
        self._tokens_at = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def _enqueue(self, alert_type: str, body: dict[str, Any]) -> None:
        urls = self.settings.urls_for(alert_type)
        for index in range(len(urls)):
            # The route (alert type + index) stands for the URL, so the queue and spool hold no secret.
            queued = self.exporter.submit(
                {"id": uuid.uuid4().hex, "route": alert_type, "index": index, "body": body}
            )
            with self._lock:
                self._counts["alerts_queued" if queued else "alerts_dropped"] += 1

    def _close_windows(self, force: bool = False) -> None:
        """Send the summaries of squash windows that ended (all of them with ``force``)."""
        now = time.monotonic()
        out = []
        with self._lock:
            for key in list(self._squash):
                entry = self._squash[key]
                if not force and now < entry.window_end:
                    continue
                if not (entry.count or entry.owed):
                    del self._squash[key]
                    continue
                if not self._take_token(now):
                    entry.window_end = now + self.settings.squash_window
                    continue
                out.append((entry, entry.count))
                del self._squash[key]
        for entry, repeated in out:
            message = entry.message if entry.owed else f"(follow-up) {entry.message}"
            body = format_message(
                entry.alert_type,
                entry.level,
                message,
                fields=entry.fields,
                repeated=repeated,
                proxy_base_url=self.settings.proxy_base_url,
            )
            self._enqueue(entry.alert_type, body)

    def _check_hanging(self) -> None:
        if "llm_requests_hanging" not in self.settings.alert_types:
            return
        now = time.time()
        threshold = self.settings.alerting_threshold
        hung = []
        with self._lock:
            for call_id, (started, model, api_base) in self._pending.items():
                if now - started < threshold:
                    break  # insertion order is start order: the rest are younger
                if call_id not in self._hung_alerted:
                    self._hung_alerted.add(call_id)
                    hung.append((call_id, now - started, model, api_base))
        for call_id, elapsed, model, api_base in hung:
            self.raise_alert(
                "llm_requests_hanging",
                "Medium",
                f"`Requests are hanging - {elapsed:.0f}s+ request time` (threshold {threshold:g}s)",
                fields={"Model": model, "API Base": api_base or None, "Call ID": call_id},
                fingerprint=(model, api_base),
            )

    def daily_report(self, reset: bool = True) -> str | None:
        """The report text for the calls since the last report (None when there were none)."""
        with self._lock:
            report = self._report
            if reset:
                self._report = {}
        if not report:
            return None
        rows = sorted(report.items(), key=lambda kv: kv[1].cost, reverse=True)
        total = _ModelStats()
        lines = ["*Spend and usage report*"]
        for model, s in rows[:15]:
            avg = s.latency / s.calls if s.calls else 0.0
            lines.append(
                f"`{model}`: {s.calls} calls, {s.failures} failed, ${s.cost:.6f}, "
                f"{s.prompt_tokens}+{s.completion_tokens} tokens, avg {avg:.2f}s"
            )
        for s in report.values():
            total.calls += s.calls
            total.failures += s.failures
            total.cost += s.cost
            total.prompt_tokens += s.prompt_tokens
            total.completion_tokens += s.completion_tokens
        if len(rows) > 15:
            lines.append(f"... and {len(rows) - 15} more models")
        lines.append(
            f"*Total*: {total.calls} calls, {total.failures} failed, ${total.cost:.6f}, "
            f"{total.prompt_tokens + total.completion_tokens} tokens"
        )
        return "\n".join(lines)

    def send_daily_report(self) -> bool:
        """Send the report now (and start a new period). False when there was nothing to report."""
        self._next_report = time.time() + self.settings.daily_report_frequency
        if "daily_reports" not in self.settings.alert_types:
            return False
        text = self.daily_report()
        if text is None:
            return False
        self._enqueue(
            "daily_reports",
            format_message("daily_reports", "Low", text, proxy_base_url=self.settings.proxy_base_url),
        )
        return True

    # -- the one timer thread ------------------------------------------------------------------------

    def _tick_interval(self) -> float:
        s = self.settings
        return max(0.05, min(1.0, s.alerting_threshold / 4, s.squash_window / 4))

    def _ensure_ticker(self) -> None:
        if self._ticker is not None and self._ticker_pid == os.getpid():
            return
        with self._lock:
            if self._ticker is not None and self._ticker_pid == os.getpid():
                return
            ref = weakref.ref(self)
            thread = threading.Thread(
                target=_tick_loop, args=(ref, self._stop, self._tick_interval()), daemon=True
            )
            thread.name = "litellm-slack-alerting"
            self._ticker, self._ticker_pid = thread, os.getpid()
        thread.start()

    def _after_fork(self) -> None:
        # Another thread may have held the lock at fork time; the parent's timer does not exist here.
        self._lock = threading.Lock()
        self._ticker = None
        self._stop = threading.Event()

    def _tick(self) -> None:
        self._check_hanging()
        self._close_windows()
        if time.time() >= self._next_report:
            self.send_daily_report()

    def close(self) -> None:
        """Stop the timer thread (alerts already queued are still delivered by the exporter)."""
        self._stop.set()

    # -- delivery ------------------------------------------------------------------------------------

    def _send(self, batch: list[dict]) -> None:
        from litellm.exporters.http import post

        for item in batch:
            urls = self.settings.urls_for(str(item.get("route")))
            index = int(item.get("index") or 0)
            if index >= len(urls):
                raise PermanentExportError("no Slack webhook configured for this alert type")
            url = urls[index]
            try:
                post(url, json_body=item["body"], timeout=10.0)
            except ExportError as exc:
                raise _without_url(exc, url) from None

    def flush(self, timeout: float | None = None) -> bool:
        """Send pending squash summaries now, then wait for delivery."""
        self._close_windows(force=True)
        return self.exporter.flush(10.0 if timeout is None else timeout)

    def stats(self) -> dict:
        """Alert counters (raised, squashed, queued, dropped) and the exporter's delivery counters."""
        with self._lock:
            out: dict[str, Any] = dict(self._counts)
            out["calls_in_flight"] = len(self._pending)
        out["delivery"] = self.exporter.stats()
        return out


def _tick_loop(ref: weakref.ref[SlackAlertingLogger], stop: threading.Event, interval: float) -> None:
    # Holds the logger only weakly between ticks, so a dropped logger ends its thread.
    while not stop.wait(interval):
        logger = ref()
        if logger is None:
            return
        try:
            logger._tick()
        except Exception:
            # The timer must survive anything a rule does; the next tick tries again.
            from litellm.core.log import log_once

            log_once(("slack", "tick"), "slack alerting timer error", level="error", exc_info=True)
        del logger
