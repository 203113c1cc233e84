"""``BudgetManager``: per-user budgets and spend, LiteLLM's API, stored in a local JSON file.

Storage (``client_type="local"``): ``user_cost.json`` in the working directory by default (LiteLLM's file),
or ``path=``. As LiteLLM documents ("save budget to disk"), data is written when :meth:`save_data` is
called, never as a side effect: ``create_budget``, ``update_cost``, ``reset_cost`` and the periodic
resets change the manager in memory and remember the change. (LiteLLM 1.110.2 also starts an undocumented
background thread that rewrites ``user_cost.json`` in the working directory after ``update_cost``; a
library must not write files its user did not ask for.) Saving is safe against concurrent writers and
crashes:

- writers in any number of processes serialise on an exclusive lock on ``<path>.lock`` (``fcntl.flock``;
  on a platform without it, a process-local lock only);
- under the lock the file is re-read and this manager's changes since its last save are replayed on top
  (costs are added as increments, not written as totals), so two processes spending for the same user
  never lose each other's updates;
- the result is written to a temporary file in the same folder, flushed and fsynced, then moved over the
  old file with ``os.replace``: a crash at any point leaves either the old or the new file, never a torn one.

``client_type="hosted"`` keeps LiteLLM's protocol: ``POST {api_base}/get_budget`` and ``/set_budget`` with
``{"project_name": ..., "user_dict": ...}``. Must not: import the package root, or write secrets (headers
are never stored).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal

__all__ = ["BudgetManager"]

_DURATION_DAYS = {"daily": 1, "weekly": 7, "monthly": 28, "yearly": 365}
_process_lock = threading.Lock()


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    """Exclusive across processes (flock on a sidecar file) and across threads of this process."""
    with _process_lock:
        try:
            import fcntl
        except ImportError:  # no flock on this platform: threads of this process are still serialised
            yield
            return
        fd = os.open(path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _read_json(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        # an unreadable file is never silently replaced with an empty one: the caller sees the error
        raise
    return data if isinstance(data, dict) else {}


def _atomic_write_json(path: str, data: dict[str, Any]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".user_cost.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=4)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows it
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class BudgetManager:
    """Per-user budgets for a project (LiteLLM's ``litellm.BudgetManager``)."""

    def __init__(
        self,
        project_name: str,
        client_type: str = "local",
        api_base: str | None = None,
        headers: dict[str, str] | None = None,
        path: str | None = None,
    ) -> None:
        self.project_name = project_name
        self.client_type = client_type
        self.api_base = api_base or "https://api.litellm.ai"
        self.headers = headers or {"Content-Type": "application/json"}
        self.path = path or "user_cost.json"
        self.user_dict: dict[str, Any] = {}
        # changes since the last save, replayed onto the file's current contents when saving
        self._ops: list[tuple[Any, ...]] = []
        self._lock = threading.RLock()
        self.load_data()

    # ------------------------------------------------------------------ storage

    def load_data(self) -> None:
        """(Re)load every user's record from the file (or the hosted service)."""
        if self.client_type == "local":
            with self._lock:
                self.user_dict = _read_json(self.path)
                self._ops = []
        elif self.client_type == "hosted":
            response = self._post("/get_budget", {"project_name": self.project_name})
            self.user_dict = response.get("data", {}) if isinstance(response, dict) else {}
        else:
            raise ValueError(f"client_type must be 'local' or 'hosted', got {self.client_type!r}")

    def _post(self, route: str, body: dict[str, Any]) -> Any:
        import httpx  # only the hosted client needs it

        response = httpx.post(
            self.api_base.rstrip("/") + route, headers=self.headers, json=body, timeout=10.0
        )
        response.raise_for_status()
        return response.json()

    @staticmethod
    def _apply(data: dict[str, Any], op: tuple[Any, ...]) -> None:
        kind, user = op[0], op[1]
        if kind == "set":
            data[user] = copy.deepcopy(op[2])
            return
        record = data.setdefault(user, {})
        if kind == "add":
            model, cost = op[2], op[3]
            record["current_cost"] = record.get("current_cost", 0) + cost
            model_cost = record.get("model_cost")
            if not isinstance(model_cost, dict):
                model_cost = record["model_cost"] = {}
            model_cost[model] = model_cost.get(model, 0) + cost
        elif kind == "reset":
            record["current_cost"] = 0
            record["model_cost"] = {}
        elif kind == "touch":
            record["last_updated_at"] = op[2]

    def _change(self, op: tuple[Any, ...]) -> None:
        # in memory only: the file is written by save_data(), as documented
        with self._lock:
            self._apply(self.user_dict, op)
            self._ops.append(op)

    def save_data(self) -> dict[str, str]:
        """Write this manager's changes: the one method that writes (see the module docstring).

        Changes made since the last save are replayed onto the file's current contents, so several
        managers (or processes) saving for the same users never lose each other's updates.
        """
        if self.client_type == "hosted":
            return self._post("/set_budget", {"project_name": self.project_name, "user_dict": self.user_dict})
        with self._lock, _file_lock(self.path):
            on_disk = _read_json(self.path)
            for op in self._ops:
                self._apply(on_disk, op)
            _atomic_write_json(self.path, on_disk)
            self.user_dict = on_disk
            self._ops = []
        return {"status": "success"}

    # ------------------------------------------------------------------ budgets

    def create_budget(
        self,
        total_budget: float,
        user: str,
        duration: Literal["daily", "weekly", "monthly", "yearly"] | None = None,
        created_at: float | None = None,
    ) -> dict[str, Any]:
        """Give ``user`` a budget (USD), optionally reset every ``duration``. Replaces any earlier record."""
        record: dict[str, Any] = {"total_budget": total_budget}
        if duration is not None:
            if duration not in _DURATION_DAYS:
                raise ValueError("duration needs to be one of - daily, weekly, monthly, yearly")
            created = time.time() if created_at is None else created_at
            record.update(
                {"duration": _DURATION_DAYS[duration], "created_at": created, "last_updated_at": created}
            )
        self._change(("set", user, record))
        return self.user_dict[user]

    def projected_cost(self, model: str, messages: list[dict[str, Any]], user: str) -> float:
        """The user's spend so far plus the prompt cost of ``messages`` on ``model``."""
        from litellm.cost import calculator, tokens

        text = "".join(str(m.get("content") or "") for m in messages)
        prompt_tokens = tokens.token_counter(model=model, text=text)
        prompt_cost, _ = calculator.cost_per_token(
            model=model, prompt_tokens=prompt_tokens, completion_tokens=0
        )
        return prompt_cost + self.get_current_cost(user)

    def get_total_budget(self, user: str) -> float:
        return self.user_dict[user]["total_budget"]

    def update_cost(
        self,
        user: str,
        completion_obj: Any = None,
        model: str | None = None,
        input_text: str | None = None,
        output_text: str | None = None,
    ) -> dict[str, Any]:
        """Add a call's cost to ``user``: from a response (``completion_cost``) or from model + texts."""
        from litellm.cost import calculator, tokens

        if model and input_text and output_text:
            prompt_tokens = tokens.token_counter(
                model=model, messages=[{"role": "user", "content": input_text}]
            )
            completion_tokens = tokens.token_counter(
                model=model, messages=[{"role": "user", "content": output_text}]
            )
            prompt_cost, completion_cost = calculator.cost_per_token(
                model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
            cost = prompt_cost + completion_cost
        elif completion_obj is not None:
            cost = calculator.completion_cost(completion_response=completion_obj)
            model = calculator._field(completion_obj, "model") or model
        else:
            raise ValueError(
                "Either a chat completion object or the text response needs to be passed in. "
                "Learn more - https://docs.litellm.ai/docs/budget_manager"
            )
        self._change(("add", user, str(model), cost))
        return {"user": self.user_dict[user]}

    def get_current_cost(self, user: str) -> float:
        return self.user_dict[user].get("current_cost", 0)

    def get_model_cost(self, user: str) -> dict[str, float] | int:
        return self.user_dict[user].get("model_cost", 0)

    def is_valid_user(self, user: str) -> bool:
        return user in self.user_dict

    def get_users(self) -> list[str]:
        return list(self.user_dict.keys())

    def reset_cost(self, user: str) -> dict[str, Any]:
        """Zero the user's spend (total and per model); the budget stays."""
        self._change(("reset", user))
        return {"user": self.user_dict[user]}

    def reset_on_duration(self, user: str) -> None:
        """Reset the user's spend when their budget period has passed since the last reset."""
        record = self.user_dict[user]
        if "duration" not in record:
            return
        now = time.time()
        if now - record.get("last_updated_at", record.get("created_at", now)) >= record["duration"] * 86_400:
            with self._lock:
                self._apply(self.user_dict, ("reset", user))
                self._apply(self.user_dict, ("touch", user, now))
                self._ops += [("reset", user), ("touch", user, now)]

    def update_budget_all_users(self) -> None:
        """Apply :meth:`reset_on_duration` to every user with a periodic budget."""
        for user in self.get_users():
            if "duration" in self.user_dict.get(user, {}):
                self.reset_on_duration(user)
