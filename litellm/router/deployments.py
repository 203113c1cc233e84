"""The Router's deployment table: ``model_list`` entries parsed once, and name resolution.

Owns: validating a ``model_list`` entry, resolving ``os.environ/NAME`` references, the deployment id
(``model_info.id``, else a stable hash of the entry), splitting router-only keys (rpm, tpm, weight,
max_parallel_requests, tags, budgets, stream_timeout) from the params the call pipeline receives, and
resolving a request's ``model=`` (a deployment id, a group name, a model_group_alias, a deployment's own
model name, or a wildcard group such as ``openai/*``) to candidate deployments.

Must not call providers, keep usage state or pick among deployments (strategies and the state store do).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
from typing import Any

__all__ = ["Deployment", "DeploymentTable", "parse_duration"]

# keys of litellm_params the Router consumes; never sent to the call pipeline
ROUTER_ONLY_PARAMS = frozenset(
    {
        "rpm",
        "tpm",
        "weight",
        "order",
        "max_parallel_requests",
        "tags",
        "max_budget",
        "budget_duration",
        "stream_timeout",
        "model_info",
        "use_in_pass_through",
    }
)

_ENV_PREFIX = "os.environ/"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]|mo)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "mo": 2592000, None: 1}


def parse_duration(value: Any) -> float:
    """``"30s"``, ``"10m"``, ``"1h"``, ``"1d"``, ``"1w"``, ``"1mo"`` or a number of seconds -> seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(
            f"budget_duration {value!r}: use a number of seconds or e.g. '30s', '10m', '1h', '1d'"
        )
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _resolve_env(value: Any, where: str) -> Any:
    if isinstance(value, str) and value.startswith(_ENV_PREFIX):
        name = value[len(_ENV_PREFIX) :]
        resolved = os.environ.get(name)
        if resolved is None:
            raise ValueError(f"{where}: environment variable {name!r} is not set (referenced as {value!r})")
        return resolved
    if isinstance(value, dict):
        return {k: _resolve_env(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_env(v, where) for v in value]
    return value


def _number(value: Any, name: str, where: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {name} must be a number, got {value!r}") from None
    if number < 0:
        raise ValueError(f"{where}: {name} must not be negative, got {value!r}")
    return number


class Deployment:
    """One ``model_list`` entry. ``params`` is what the call pipeline receives (``model`` included)."""

    __slots__ = (
        "api_base",
        "budget_duration",
        "call_kwargs",
        "entry",
        "id",
        "litellm_params",
        "max_budget",
        "max_parallel_requests",
        "model",
        "model_info",
        "model_name",
        "order",
        "params",
        "provider",
        "rpm",
        "stream_timeout",
        "tags",
        "timeout",
        "tpm",
        "weight",
    )

    def __init__(self, entry: dict[str, Any], default_max_parallel: int | None = None) -> None:
        if not isinstance(entry, dict):
            raise TypeError(f"model_list entries must be dicts, got {type(entry).__name__}")
        name = entry.get("model_name")
        raw = entry.get("litellm_params")
        if not name or not isinstance(name, str):
            raise ValueError(f"model_list entry {entry!r:.120}: 'model_name' (the group name) is required")
        if not isinstance(raw, dict) or not raw.get("model"):
            raise ValueError(
                f"model_list entry {name!r}: 'litellm_params' with a 'model' is required, "
                "e.g. {'model': 'openai/gpt-4o', 'api_key': 'os.environ/OPENAI_API_KEY'}"
            )
        where = f"model_list[{name!r}].litellm_params"
        lp = _resolve_env(dict(raw), where)
        info = dict(entry.get("model_info") or {})
        self.entry = entry
        self.model_name: str = name
        self.litellm_params: dict[str, Any] = lp
        self.id: str = str(info.get("id") or _stable_id(name, raw))
        info["id"] = self.id
        self.model_info: dict[str, Any] = info
        self.model: str = lp["model"]
        self.api_base: str | None = lp.get("api_base") or lp.get("base_url")
        self.provider: str | None = lp.get("custom_llm_provider") or (
            self.model.split("/", 1)[0] if "/" in self.model else None
        )
        self.rpm = _number(entry.get("rpm", lp.get("rpm", info.get("rpm"))), "rpm", where)
        self.tpm = _number(entry.get("tpm", lp.get("tpm", info.get("tpm"))), "tpm", where)
        self.weight = _number(lp.get("weight"), "weight", where)
        self.order = lp.get("order")
        mpr = lp.get("max_parallel_requests", default_max_parallel)
        self.max_parallel_requests = int(mpr) if mpr is not None else None
        tags = lp.get("tags") or []
        self.tags: tuple[str, ...] = tuple(tags) if isinstance(tags, (list, tuple)) else (str(tags),)
        self.max_budget = _number(lp.get("max_budget"), "max_budget", where)
        self.budget_duration = parse_duration(lp["budget_duration"]) if lp.get("budget_duration") else None
        if self.max_budget is not None and self.budget_duration is None:
            self.budget_duration = 86400.0
        self.timeout = lp.get("timeout")
        self.stream_timeout = lp.get("stream_timeout")
        self.params: dict[str, Any] = {k: v for k, v in lp.items() if k not in ROUTER_ONLY_PARAMS}
        #: the Router's per-deployment call kwargs, built on first use
        self.call_kwargs: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The entry as LiteLLM's ``get_model_list`` returns it (``model_info.id`` filled in)."""
        out = {k: v for k, v in self.entry.items() if k not in ("litellm_params", "model_info")}
        out["model_name"] = self.model_name
        out["litellm_params"] = dict(self.litellm_params)
        out["model_info"] = dict(self.model_info)
        return out

    def __repr__(self) -> str:  # never the params: they hold keys
        return f"Deployment(id={self.id!r}, model_name={self.model_name!r}, model={self.model!r})"


def _stable_id(name: str, litellm_params: dict[str, Any]) -> str:
    text = name + json.dumps(litellm_params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class DeploymentTable:
    """Deployments indexed by id, group and model name; rebuilt on every change (changes are rare)."""

    def __init__(self, default_max_parallel: int | None = None) -> None:
        self.default_max_parallel = default_max_parallel
        self.deployments: list[Deployment] = []
        self.aliases: dict[str, str] = {}
        self.hidden_aliases: set[str] = set()
        self._reindex()

    def set_aliases(self, aliases: dict[str, Any] | None) -> None:
        self.aliases, self.hidden_aliases = {}, set()
        for alias, target in (aliases or {}).items():
            if isinstance(target, dict):
                if not target.get("model"):
                    raise ValueError(f"model_group_alias[{alias!r}] needs a 'model' (the group it points to)")
                self.aliases[alias] = target["model"]
                if target.get("hidden"):
                    self.hidden_aliases.add(alias)
            else:
                self.aliases[alias] = str(target)

    def set(self, model_list: list[dict[str, Any]]) -> None:
        if not isinstance(model_list, list):
            raise TypeError(f"model_list must be a list of deployment dicts, got {type(model_list).__name__}")
        self.deployments = [Deployment(e, self.default_max_parallel) for e in model_list]
        self._reindex()

    def add(self, entry: dict[str, Any] | Deployment) -> Deployment | None:
        dep = entry if isinstance(entry, Deployment) else Deployment(entry, self.default_max_parallel)
        if dep.id in self.by_id:
            return None
        self.deployments.append(dep)
        self._reindex()
        return dep

    def delete(self, deployment_id: str) -> Deployment | None:
        dep = self.by_id.get(deployment_id)
        if dep is None:
            return None
        self.deployments = [d for d in self.deployments if d.id != deployment_id]
        self._reindex()
        return dep

    def _reindex(self) -> None:
        self.by_id: dict[str, Deployment] = {}
        self.by_group: dict[str, list[Deployment]] = {}
        self.by_model: dict[str, list[Deployment]] = {}
        self.patterns: list[tuple[str, list[Deployment]]] = []
        for dep in self.deployments:
            if dep.id in self.by_id:
                raise ValueError(f"two deployments share the id {dep.id!r}; model_info.id must be unique")
            self.by_id[dep.id] = dep
            self.by_group.setdefault(dep.model_name, []).append(dep)
            self.by_model.setdefault(dep.model, []).append(dep)
        for group, deps in self.by_group.items():
            if "*" in group:
                self.patterns.append((group, deps))
        self.patterns.sort(key=lambda p: -len(p[0]))  # most specific pattern first

    def group_names(self) -> list[str]:
        return list(self.by_group)

    def resolve(self, model: str) -> tuple[str, list[Deployment], bool, str | None]:
        """``model`` -> (group name, candidates, specific, wildcard match).

        ``specific`` is True when ``model`` named one deployment (its id): no other deployment may serve
        it. ``wildcard match`` is the requested model when a pattern group (``openai/*``) matched it.
        """
        dep = self.by_id.get(model)
        if dep is not None:
            return dep.model_name, [dep], True, None
        group = self.by_group.get(model)
        if group is not None:
            return model, group, False, None
        target = self.aliases.get(model)
        if target is not None and target in self.by_group:
            return target, self.by_group[target], False, None
        deps = self.by_model.get(model)
        if deps is not None:
            return deps[0].model_name, deps, False, None
        for pattern, deps in self.patterns:
            if fnmatch.fnmatchcase(model, pattern):
                return pattern, deps, False, model
        raise LookupError(model)

    def known_names(self) -> list[str]:
        return sorted(set(self.by_group) | set(self.aliases))
