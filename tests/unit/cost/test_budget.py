"""BudgetManager: LiteLLM's API on a local file, written only by save_data(), that survives concurrent
writers and crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from litellm.cost.budget import BudgetManager

RESPONSE = {"model": "gpt-4o", "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}
RESPONSE_COST = 1000 * 2.5e-06 + 100 * 1e-05


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "user_cost.json")


def test_budget_lifecycle(path):
    manager = BudgetManager(project_name="test", path=path)
    manager.create_budget(total_budget=10, user="alice")
    assert manager.is_valid_user("alice") and not manager.is_valid_user("bob")
    assert manager.get_total_budget("alice") == 10
    assert manager.get_current_cost("alice") == 0
    manager.update_cost(user="alice", completion_obj=RESPONSE)
    assert manager.get_current_cost("alice") == pytest.approx(RESPONSE_COST)
    assert manager.get_model_cost("alice") == {"gpt-4o": pytest.approx(RESPONSE_COST)}
    assert manager.get_users() == ["alice"]
    assert manager.save_data() == {"status": "success"}
    reloaded = BudgetManager(project_name="test", path=path)
    assert reloaded.get_current_cost("alice") == pytest.approx(RESPONSE_COST)
    manager.reset_cost("alice")
    assert manager.get_current_cost("alice") == 0
    assert manager.get_model_cost("alice") == {}
    assert manager.get_total_budget("alice") == 10


def test_update_cost_from_model_and_texts(path):
    from litellm.cost import tokens

    manager = BudgetManager(project_name="test", path=path)
    manager.create_budget(total_budget=1, user="u")
    manager.update_cost(user="u", model="gpt-4o", input_text="hello there", output_text="general kenobi")
    prompt = tokens.token_counter(model="gpt-4o", messages=[{"role": "user", "content": "hello there"}])
    answer = tokens.token_counter(model="gpt-4o", messages=[{"role": "user", "content": "general kenobi"}])
    assert manager.get_current_cost("u") == pytest.approx(prompt * 2.5e-06 + answer * 1e-05)


def test_update_cost_needs_a_response_or_texts(path):
    manager = BudgetManager(project_name="test", path=path)
    manager.create_budget(total_budget=1, user="u")
    with pytest.raises(ValueError):
        manager.update_cost(user="u")


def test_projected_cost_adds_the_prompt_cost_to_spend(path):
    from litellm.cost import tokens

    manager = BudgetManager(project_name="test", path=path)
    manager.create_budget(total_budget=1, user="u")
    manager.update_cost(user="u", completion_obj=RESPONSE)
    messages = [{"role": "user", "content": "what is the meaning of life?"}]
    prompt = tokens.token_counter(model="gpt-4o", text="what is the meaning of life?")
    assert manager.projected_cost("gpt-4o", messages, "u") == pytest.approx(RESPONSE_COST + prompt * 2.5e-06)


def test_periodic_budgets_reset_when_their_period_has_passed(path):
    manager = BudgetManager(project_name="test", path=path)
    two_days_ago = time.time() - 2 * 86_400
    manager.create_budget(total_budget=5, user="daily", duration="daily", created_at=two_days_ago)
    manager.create_budget(total_budget=5, user="monthly", duration="monthly", created_at=two_days_ago)
    manager.create_budget(total_budget=5, user="forever")
    for user in ("daily", "monthly", "forever"):
        manager.update_cost(user=user, completion_obj=RESPONSE)
    manager.update_budget_all_users()
    manager.save_data()
    assert manager.get_current_cost("daily") == 0
    assert manager.user_dict["daily"]["last_updated_at"] > two_days_ago
    assert manager.get_current_cost("monthly") == pytest.approx(RESPONSE_COST)
    assert manager.get_current_cost("forever") == pytest.approx(RESPONSE_COST)
    assert BudgetManager(project_name="test", path=path).get_current_cost("daily") == 0


def test_nothing_is_written_until_save_data_is_called(tmp_path, monkeypatch):
    # LiteLLM documents save_data() as the way to save to user_cost.json; its 1.110.2 code also rewrites
    # the file from a background thread after update_cost, which a library must not do unasked.
    monkeypatch.chdir(tmp_path)
    manager = BudgetManager(project_name="test")
    manager.create_budget(total_budget=10, user="alice")
    manager.create_budget(total_budget=10, user="bob", duration="daily", created_at=time.time() - 3 * 86_400)
    manager.update_cost(user="alice", completion_obj=RESPONSE)
    manager.update_cost(user="bob", model="gpt-4o", input_text="hi", output_text="there")
    manager.update_budget_all_users()
    manager.reset_cost("alice")
    manager.update_cost(user="alice", completion_obj=RESPONSE)
    assert os.listdir(tmp_path) == []
    assert manager.get_current_cost("alice") == pytest.approx(RESPONSE_COST)
    manager.save_data()
    assert sorted(n for n in os.listdir(tmp_path) if not n.endswith(".lock")) == ["user_cost.json"]
    on_disk = json.loads((tmp_path / "user_cost.json").read_text())
    assert on_disk["alice"]["current_cost"] == pytest.approx(RESPONSE_COST)
    assert on_disk["bob"]["total_budget"] == 10 and on_disk["bob"]["duration"] == 1


def test_invalid_duration_is_rejected(path):
    with pytest.raises(ValueError):
        BudgetManager(project_name="test", path=path).create_budget(1, "u", duration="hourly")


_WORKER = """
import sys
from litellm.cost.budget import BudgetManager
path, user, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
manager = BudgetManager(project_name="p", path=path)
response = {"model": "gpt-4o", "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}
for _ in range(n):
    manager.update_cost(user=user, completion_obj=response)
    manager.save_data()
"""


def test_concurrent_writers_in_several_processes_lose_no_update(path):
    manager = BudgetManager(project_name="p", path=path)
    manager.create_budget(total_budget=100, user="shared")
    manager.create_budget(total_budget=100, user="other")
    manager.save_data()
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, path, user, "15"])
        for user in ("shared", "shared", "shared", "other")
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    with open(path) as fh:
        data = json.load(fh)
    assert data["shared"]["current_cost"] == pytest.approx(45 * RESPONSE_COST)
    assert data["shared"]["model_cost"]["gpt-4o"] == pytest.approx(45 * RESPONSE_COST)
    assert data["other"]["current_cost"] == pytest.approx(15 * RESPONSE_COST)
    assert data["shared"]["total_budget"] == 100


_CRASHER = """
import os, sys
from litellm.cost import budget
path = sys.argv[1]
manager = budget.BudgetManager(project_name="p", path=path)
def crash(src, dst):
    os._exit(17)  # the process dies after writing the temp file, before it replaces the real one
budget.os.replace = crash
manager.update_cost(user="u", completion_obj={"model": "gpt-4o", "usage": {"prompt_tokens": 1000, "completion_tokens": 100}})
manager.save_data()
"""


def test_a_crash_mid_write_leaves_the_previous_file_intact(path):
    manager = BudgetManager(project_name="p", path=path)
    manager.create_budget(total_budget=3, user="u")
    manager.update_cost(user="u", completion_obj=RESPONSE)
    manager.save_data()
    with open(path, "rb") as fh:
        before = fh.read()
    done = subprocess.run([sys.executable, "-c", _CRASHER, path], timeout=60)
    assert done.returncode == 17
    with open(path, "rb") as fh:
        assert fh.read() == before
    reloaded = BudgetManager(project_name="p", path=path)
    assert reloaded.get_current_cost("u") == pytest.approx(RESPONSE_COST)
    reloaded.update_cost(user="u", completion_obj=RESPONSE)
    reloaded.save_data()  # the leftover temp file is harmless
    assert BudgetManager(project_name="p", path=path).get_current_cost("u") == pytest.approx(
        2 * RESPONSE_COST
    )


_LOOPER = """
import sys
from litellm.cost.budget import BudgetManager
manager = BudgetManager(project_name="p", path=sys.argv[1])
response = {"model": "gpt-4o", "usage": {"prompt_tokens": 1000, "completion_tokens": 100}}
print("ready", flush=True)
while True:
    manager.update_cost(user="u", completion_obj=response)
    manager.save_data()
"""


def test_a_writer_killed_at_any_moment_never_leaves_a_torn_file(path):
    manager = BudgetManager(project_name="p", path=path)
    manager.create_budget(total_budget=3, user="u")
    manager.save_data()
    for delay in (0.05, 0.1, 0.2):
        proc = subprocess.Popen([sys.executable, "-c", _LOOPER, path], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        with open(path) as fh:
            data = json.load(fh)
        assert data["u"]["total_budget"] == 3
    leftovers = [n for n in os.listdir(os.path.dirname(path)) if n.endswith(".tmp")]
    assert len(leftovers) <= 3
