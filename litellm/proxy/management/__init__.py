"""The management side of the proxy: keys, users, teams, organisations, end users, budgets and spend
reports over HTTP (:mod:`.routes`, :mod:`.routes_entities`), who may call what (:mod:`.roles`), the
entity repository (:mod:`.entities`), settings (:mod:`.settings`) and the wiring of keys, ledger and
budgets into the app (:mod:`.wiring`).

:func:`install` is the extension entry point the app calls once at build time.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install"]


def install(app: Any) -> None:
    """Wire virtual keys, the spend ledger, budgets, limits and the management routes into ``app``."""
    from litellm.proxy.management.wiring import attach

    attach(app)
