"""Prometheus metrics with LiteLLM's names and labels, correct with several worker processes.

Owns the metric objects (created once per process), :func:`record_request` (the proxy-level counters and
the request latency histogram, always on, called once per request by the handlers), the
:class:`PrometheusLogger` callback (``litellm_settings.callbacks: ["prometheus"]``: tokens, spend, LLM API
latency, deployment state and the provider's remaining requests/tokens, from the one logging event), and
:func:`render` for ``GET /metrics``. With ``PROMETHEUS_MULTIPROC_DIR`` set (the CLI sets it for
``--num_workers`` > 1) every worker writes its samples there and ``/metrics`` on any worker reports the sum.

Must not: be imported by ``import litellm`` (prometheus_client is a proxy dependency), or raise into a
request (a metrics problem is logged, never a failed call).
"""

from __future__ import annotations

import os
from bisect import bisect_left
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

__all__ = ["PrometheusLogger", "record_request", "render"]

LATENCY_BUCKETS = (
    0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0,
    6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 10.0, 15.0, 20.0, 25.0, 30.0, 60.0, 120.0, 180.0, 240.0, 300.0,
    float("inf"),
)  # fmt: skip

_KEY = ["end_user", "hashed_api_key", "api_key_alias"]
_TEAM = ["team", "team_alias"]
LABELS = {
    "litellm_proxy_total_requests_metric": [*_KEY, "requested_model", *_TEAM, "user", "status_code", "user_email", "route"],
    "litellm_proxy_failed_requests_metric": [*_KEY, "requested_model", *_TEAM, "user", "exception_status", "exception_class", "route"],
    "litellm_request_total_latency_metric": [*_KEY, "requested_model", *_TEAM, "user", "model"],
    "litellm_requests_metric": [*_KEY, "model", *_TEAM, "user", "user_email"],
    "litellm_spend_metric": [*_KEY, "model", *_TEAM, "user"],
    "litellm_total_tokens_metric": [*_KEY, "model", *_TEAM, "user", "requested_model"],
    "litellm_input_tokens_metric": [*_KEY, "model", *_TEAM, "user", "requested_model"],
    "litellm_output_tokens_metric": [*_KEY, "model", *_TEAM, "user", "requested_model"],
    "litellm_llm_api_latency_metric": ["model", "hashed_api_key", "api_key_alias", *_TEAM, "requested_model", "end_user", "user"],
    "litellm_llm_api_failed_requests_metric": [*_KEY, "model", *_TEAM, "user"],
    "litellm_deployment_state": ["litellm_model_name", "model_id", "api_base", "api_provider"],
    "litellm_deployment_success_responses": ["litellm_model_name", "model_id", "api_base", "api_provider", "requested_model"],
    "litellm_deployment_failure_responses": ["litellm_model_name", "model_id", "api_base", "api_provider", "requested_model", "exception_status", "exception_class"],
    "litellm_deployment_total_requests": ["litellm_model_name", "model_id", "api_base", "api_provider", "requested_model"],
    "litellm_remaining_requests_metric": ["model_group", "api_provider", "api_base", "litellm_model_name", "hashed_api_key", "api_key_alias"],
    "litellm_remaining_tokens_metric": ["model_group", "api_provider", "api_base", "litellm_model_name", "hashed_api_key", "api_key_alias"],
}  # fmt: skip

_DOCS = {
    "litellm_proxy_total_requests_metric": "Total number of requests made to the proxy server",
    "litellm_proxy_failed_requests_metric": "Total number of failed responses from proxy",
    "litellm_request_total_latency_metric": "Total latency (seconds) for a request to the proxy",
    "litellm_requests_metric": "Total number of LLM calls to litellm",
    "litellm_spend_metric": "Total spend on LLM requests (USD)",
    "litellm_total_tokens_metric": "Total number of input + output tokens from LLM requests",
    "litellm_input_tokens_metric": "Total number of input tokens from LLM requests",
    "litellm_output_tokens_metric": "Total number of output tokens from LLM requests",
    "litellm_llm_api_latency_metric": "Total latency (seconds) for a model's LLM API call",
    "litellm_llm_api_failed_requests_metric": "Total number of failed LLM API calls",
    "litellm_deployment_state": "LLM deployment state: 0 healthy, 1 partial outage, 2 complete outage",
    "litellm_deployment_success_responses": "Total successful LLM API calls per deployment",
    "litellm_deployment_failure_responses": "Total failed LLM API calls per deployment",
    "litellm_deployment_total_requests": "Total LLM API calls per deployment, success + failure",
    "litellm_remaining_requests_metric": "Remaining requests for the deployment (provider's x-ratelimit header)",
    "litellm_remaining_tokens_metric": "Remaining tokens for the deployment (provider's x-ratelimit header)",
}

_metrics: dict[str, Any] = {}
# (metric name, label values) -> its labelled child (a dict hit per request)
_children: dict[tuple[str, tuple[str, ...]], Any] = {}


def _m(name: str) -> Any:
    metric = _metrics.get(name)
    if metric is None:
        metric = _metrics[name] = _create(name)
    return metric


def _create(name: str) -> Any:
    import prometheus_client as pc

    labels = LABELS[name]
    doc = _DOCS[name]
    if name.endswith(("latency_metric",)):
        return pc.Histogram(name, doc, labels, buckets=LATENCY_BUCKETS)
    if name in ("litellm_deployment_state",):
        return pc.Gauge(name, doc, labels, multiprocess_mode="livemax")
    if name.startswith("litellm_remaining_"):
        return pc.Gauge(name, doc, labels, multiprocess_mode="livemostrecent")
    return pc.Counter(name, doc, labels)


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _child(name: str, labels: tuple[str, ...]) -> Any:
    """The labelled child of a metric, cached (prometheus_client's ``labels()`` costs µs per call)."""
    key = (name, labels)
    child = _children.get(key)
    if child is None:
        if len(_children) > 20000:  # bounded: unbounded label sets must not grow memory forever
            _children.clear()
        child = _children[key] = _m(name).labels(*labels)
    return child


def _success_path(labels: tuple[str, ...]) -> tuple[Any, ...]:
    """What a successful request updates for one label set: the request counter's value, then the latency
    histogram's sum, bucket values and bounds (prometheus_client's own value objects, so its locks, its
    multiprocess files and its exposition stay exactly as ``inc()``/``observe()`` leave them)."""
    total = _child("litellm_proxy_total_requests_metric", labels[:10])
    latency = _child("litellm_request_total_latency_metric", (*labels[:7], labels[10]))
    try:
        value, hsum, buckets, bounds = total._value, latency._sum, latency._buckets, latency._upper_bounds
    except AttributeError:  # another prometheus_client layout: its public API
        return (None, total, latency)
    if len(buckets) != len(bounds) or total._labelvalues != labels[:10]:
        return (None, total, latency)
    return (value, hsum, tuple(buckets), tuple(bounds))


# the label strings of a successful request -> _success_path (a dict hit per request)
_paths: dict[tuple[str, ...], tuple[Any, ...]] = {}


def record_request(
    auth: Any,
    route: str,
    requested_model: str | None,
    status: int,
    seconds: float,
    exc: BaseException | None,
    model: str | None,
) -> None:
    """Proxy-level metrics for one finished request (every route that calls a model)."""
    try:
        if exc is None and status < 400:
            # total-requests labels, then the latency histogram's model ("" for None, as _s)
            v = auth.end_user_id
            labels = (
                "" if v is None else str(v),
                "" if (v := auth.api_key) is None else str(v),
                "" if (v := auth.key_alias) is None else str(v),
                "" if requested_model is None else str(requested_model),
                "" if (v := auth.team_id) is None else str(v),
                "" if (v := auth.team_alias) is None else str(v),
                "" if (v := auth.user_id) is None else str(v),
                str(status),
                "" if (v := auth.user_email) is None else str(v),
                route,
                "" if model is None else str(model),
            )
            path = _paths.get(labels)
            if path is None:
                if len(_paths) > 20000:  # bounded like _children
                    _paths.clear()
                path = _paths[labels] = _success_path(labels)
            value = path[0]
            if value is None:
                path[1].inc()
                path[2].observe(seconds)
                return
            # Counter.inc() and Histogram.observe() without their per-call checks (a labelled child is
            # always observable; the amount is 1; no exemplar): the same value updates, in the same order
            value.inc(1)
            path[1].inc(seconds)
            bounds = path[3]
            i = bisect_left(bounds, seconds)
            # observe() counts the first bucket whose bound >= seconds, and none for NaN
            if i < len(bounds) and seconds <= bounds[i]:
                path[2][i].inc(1)
            return
        base = (_s(auth.end_user_id), _s(auth.api_key), _s(auth.key_alias), _s(requested_model),
                _s(auth.team_id), _s(auth.team_alias), _s(auth.user_id))  # fmt: skip
        _child("litellm_proxy_total_requests_metric", (*base, str(status), _s(auth.user_email), route)).inc()
        error = type(exc).__name__ if exc else ""
        _child("litellm_proxy_failed_requests_metric", (*base, str(status), error, route)).inc()
    except Exception as err:  # metrics never fail a request
        from litellm.core.log import log_rate_limited

        log_rate_limited(("proxy_metrics",), "metrics update failed", error=repr(err))


def render() -> tuple[bytes, str]:
    """The exposition text for ``GET /metrics`` (summed over workers in multiprocess mode)."""
    import prometheus_client as pc

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = pc.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return pc.generate_latest(registry), pc.CONTENT_TYPE_LATEST
    return pc.generate_latest(), pc.CONTENT_TYPE_LATEST


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


class PrometheusLogger(CustomLogger):
    """LLM-level metrics from the StandardLoggingPayload (``callbacks: ["prometheus"]``)."""

    def _common(self, payload: dict[str, Any]) -> tuple[list[str], list[str], str, str]:
        md = payload.get("metadata") or {}
        key = [
            _s(payload.get("end_user") or md.get("user_api_key_end_user_id")),
            _s(md.get("user_api_key_hash")),
            _s(md.get("user_api_key_alias")),
        ]
        team = [_s(md.get("user_api_key_team_id")), _s(md.get("user_api_key_team_alias"))]
        return (
            key,
            team,
            _s(md.get("user_api_key_user_id")),
            _s(payload.get("model_group") or md.get("model_group")),
        )

    def _deployment(self, payload: dict[str, Any]) -> list[str]:
        hidden = payload.get("hidden_params") or {}
        return [
            _s(hidden.get("litellm_model_name") or payload.get("model")),
            _s(payload.get("model_id") or (payload.get("metadata") or {}).get("model_info", {}).get("id")),
            _s(payload.get("api_base")).split("?")[0],
            _s(payload.get("custom_llm_provider")),
        ]

    def _record(self, kwargs: dict[str, Any], failed: bool) -> None:
        payload = kwargs.get("standard_logging_object")
        if not payload:
            return
        key, team, user, group = self._common(payload)
        model = _s(payload.get("model"))
        dep = self._deployment(payload)
        md = payload.get("metadata") or {}
        _m("litellm_deployment_total_requests").labels(*dep, group).inc()
        if failed:
            err = payload.get("error_information") or {}
            _m("litellm_llm_api_failed_requests_metric").labels(*key, model, *team, user).inc()
            _m("litellm_deployment_failure_responses").labels(
                *dep, group, _s(err.get("error_code")), _s(err.get("error_class"))
            ).inc()
            _m("litellm_deployment_state").labels(*dep).set(2)
            return
        _m("litellm_requests_metric").labels(
            *key, model, *team, user, _s(md.get("user_api_key_user_email"))
        ).inc()
        _m("litellm_spend_metric").labels(*key, model, *team, user).inc(
            float(payload.get("response_cost") or 0.0)
        )
        for name, field in (
            ("litellm_total_tokens_metric", "total_tokens"),
            ("litellm_input_tokens_metric", "prompt_tokens"),
            ("litellm_output_tokens_metric", "completion_tokens"),
        ):
            _m(name).labels(*key, model, *team, user, group).inc(int(payload.get(field) or 0))
        start, end = payload.get("startTime"), payload.get("endTime")
        if start and end:
            _m("litellm_llm_api_latency_metric").labels(
                model, key[1], key[2], *team, group, key[0], user
            ).observe(max(0.0, float(end) - float(start)))
        _m("litellm_deployment_success_responses").labels(*dep, group).inc()
        _m("litellm_deployment_state").labels(*dep).set(0)
        headers = (payload.get("hidden_params") or {}).get("additional_headers") or {}
        rem_req = _int(headers.get("llm_provider-x-ratelimit-remaining-requests"))
        rem_tok = _int(headers.get("llm_provider-x-ratelimit-remaining-tokens"))
        labels = [group, dep[3], dep[2], dep[0], key[1], key[2]]
        if rem_req is not None:
            _m("litellm_remaining_requests_metric").labels(*labels).set(rem_req)
        if rem_tok is not None:
            _m("litellm_remaining_tokens_metric").labels(*labels).set(rem_tok)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._record(kwargs, failed=False)

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._record(kwargs, failed=True)

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._record(kwargs, failed=False)

    def log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._record(kwargs, failed=True)
