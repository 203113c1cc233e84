"""Per-request filters applied before a pick: tag-based routing and the context-window pre-call check.

Owns which deployments of a group may serve a request at all, whatever their state: ``tags`` (with
``enable_tag_filtering``; ``default``-tagged deployments serve untagged or unmatched requests) and, with
``enable_pre_call_checks``, the prompt's token count against each deployment's context window
(``model_info.max_input_tokens``, else the price map). Also the cheap token estimate tpm routing uses.

Must not read the state store or pick.
"""

from __future__ import annotations

from typing import Any

from litellm.router.deployments import Deployment
from litellm.router.strategies import RoutingRequest

__all__ = ["RequestFilters"]


def _exc() -> Any:
    from litellm.core import exceptions

    return exceptions


class RequestFilters:
    """Mixed into Router (through RequestFlow)."""

    def _static_filter(
        self: Any, deps: list[Deployment], kwargs: dict, request: RoutingRequest, skipped: dict, group: str
    ) -> list[Deployment]:
        if self.enable_tag_filtering:
            deps = self._filter_tags(deps, kwargs, skipped, group)
        messages = kwargs.get("messages")
        if messages and self.enable_pre_call_checks:
            request.input_tokens = self._count_tokens(deps[0], messages)
        elif messages and self.strategy.needs_tokens:
            for d in deps:
                if d.tpm is not None:  # tpm routing: an estimate is enough
                    request.input_tokens = _estimate_tokens(messages)
                    break
        if self.enable_pre_call_checks and request.input_tokens:
            fits = []
            for d in deps:
                window = self._context_window(d)
                if window is not None and request.input_tokens > window:
                    skipped[d.id] = f"context window {window} < {request.input_tokens} prompt tokens"
                else:
                    fits.append(d)
            if not fits:
                err = _exc().ContextWindowExceededError(
                    f"Router: the prompt ({request.input_tokens} tokens) exceeds the context window of "
                    f"every deployment of {group!r} (enable_pre_call_checks)",
                    group,
                    None,
                )
                raise err
            deps = fits
        return deps

    def _filter_tags(
        self: Any, deps: list[Deployment], kwargs: dict, skipped: dict, group: str
    ) -> list[Deployment]:
        tags = kwargs.get("tags") or (kwargs.get("metadata") or {}).get("tags") or []
        defaults = [d for d in deps if "default" in d.tags]
        if not tags:
            return defaults or deps
        want = set(tags)
        if self.tag_filtering_match_any:
            matched = [d for d in deps if want & set(d.tags)]
        else:
            matched = [d for d in deps if want <= set(d.tags)]
        if matched:
            for d in deps:
                if d not in matched:
                    skipped[d.id] = "tags do not match"
            return matched
        if defaults:
            return defaults
        raise _exc().BadRequestError(
            f"Router: no deployment of {group!r} has the request tags {sorted(want)} and none is tagged "
            "'default' (enable_tag_filtering)",
            group,
            None,
        )


def _estimate_tokens(messages: Any) -> int:
    """About 4 characters per token plus a few per message: cheap, for tpm accounting only."""
    chars = 0
    for m in messages:
        content = m.get("content") if isinstance(m, dict) else getattr(m, "content", None)
        chars += len(content) if isinstance(content, str) else len(str(content or ""))
    return chars // 4 + 3 * len(messages)
