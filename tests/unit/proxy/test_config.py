"""config.yaml loading: include, os.environ/ references, validation messages, CLI overrides, and applying
a config to module settings all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from litellm.core.settings import settings
from litellm.proxy.config import ConfigError, apply_cli_overrides, config_from_cli, load_config
from litellm.proxy.setup import apply_config

BASIC = """
model_list:
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/TEST_PROXY_KEY
      rpm: 10
    tpm: 1000
    model_info:
      mode: chat
litellm_settings:
  drop_params: true
  num_retries: 3
  request_timeout: 12
  set_verbose: false
  turn_off_message_logging: true
router_settings:
  routing_strategy: simple-shuffle
  model_group_alias: {"gpt-4": "gpt"}
general_settings:
  master_key: sk-abc
  max_request_size_mb: 2
"""


@pytest.fixture(autouse=True)
def _restore_settings():
    saved = {n: getattr(settings, n) for n in settings.names()}
    yield
    for n, v in saved.items():
        setattr(settings, n, v)


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_basic_config_resolves_env_and_keeps_limits(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TEST_PROXY_KEY", "sk-from-env")
    cfg = load_config(write(tmp_path, BASIC))
    d = cfg.model_list[0]
    assert d["litellm_params"]["api_key"] == "sk-from-env"
    assert d["tpm"] == 1000 and d["litellm_params"]["rpm"] == 10
    assert len(d["model_info"]["id"]) == 32 and d["model_info"]["mode"] == "chat"
    assert (
        load_config(write(tmp_path, BASIC)).model_list[0]["model_info"]["id"] == d["model_info"]["id"]
    )  # stable
    assert cfg.model_names() == ["gpt"]
    assert cfg.general_settings["master_key"] == "sk-abc"


def test_apply_writes_module_settings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TEST_PROXY_KEY", "k")
    rt = apply_config(load_config(write(tmp_path, BASIC)))
    assert settings.drop_params is True and settings.num_retries == 3 and settings.request_timeout == 12
    assert settings.turn_off_message_logging is True
    assert rt.master_key == "sk-abc"


def test_master_key_from_environment(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-env-master")
    rt = apply_config(load_config(write(tmp_path, "model_list: []\n")))
    assert rt.master_key == "sk-env-master"


def test_include_merges_lists_and_resolves_relative_paths(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(
        tmp_path, "model_list:\n  - model_name: b\n    litellm_params: {model: openai/b}\n", "sub/more.yaml"
    )
    path = write(
        tmp_path,
        "include: [sub/more.yaml]\nmodel_list:\n  - model_name: a\n    litellm_params: {model: openai/a}\n",
    )
    assert load_config(path).model_names() == ["a", "b"]


def test_include_cycle_and_missing_file(tmp_path: Path) -> None:
    write(tmp_path, "include: [b.yaml]\n", "a.yaml")
    write(tmp_path, "include: [a.yaml]\n", "b.yaml")
    with pytest.raises(ConfigError, match="include cycle"):
        load_config(str(tmp_path / "a.yaml"))
    with pytest.raises(ConfigError, match=r"include\[0\]: file 'nope.yaml' not found"):
        load_config(write(tmp_path, "include: [nope.yaml]\n"))


def test_environment_variables_section_feeds_references(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("FROM_SECTION", raising=False)
    cfg = load_config(
        write(
            tmp_path,
            "environment_variables: {FROM_SECTION: http://x}\n"
            "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, api_base: os.environ/FROM_SECTION}\n",
        )
    )
    assert cfg.model_list[0]["litellm_params"]["api_base"] == "http://x"
    monkeypatch.delenv("FROM_SECTION", raising=False)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("model_list: {a: 1}\n", "model_list", "must be a list"),
        ("model_list:\n  - model_name: ''\n", "model_list[0].model_name", "required"),
        ("model_list:\n  - model_name: a\n    litellm_params: {api_key: x}\n", "model_list[0].litellm_params.model", "required"),
        ("model_list:\n  - model_name: a\n    litellm_params: {model: m}\n    tpm: -1\n", "model_list[0].tpm", "non-negative"),
        ("litellm_settings:\n  drop_params: 'yes'\n", "litellm_settings.drop_params", "true/false"),
        ("litellm_settings: []\n", "litellm_settings", "must be a mapping"),
        ("router_settings:\n  num_retries: 1.5\n", "router_settings.num_retries", "an integer"),
        ("general_settings:\n  max_request_size_mb: 0\n", "general_settings.max_request_size_mb", "positive"),
        ("general_settings:\n  public_routes: [health]\n", "general_settings.public_routes", "starting with '/'"),
        ("general_settings:\n  alerting: [pager]\n", "general_settings.alerting[0]", "unknown alerting target"),
        ("general_settings:\n  master_key: os.environ/MISSING_MASTER_KEY_X\n", "general_settings.master_key", "MISSING_MASTER_KEY_X is not set"),
        ("- a\n- b\n", "(top level)", "must be a mapping"),
        ("model_lsit: []\n", "model_lsit", "unknown top-level section; did you mean 'model_list'"),
        ("general_settings:\n  master_key: plain\n", "general_settings.master_key", "must start with 'sk-'"),
    ],
)  # fmt: skip
def test_errors_name_file_key_and_problem(tmp_path: Path, text: str, key: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.file == path and err.value.key == key and problem in err.value.problem
    assert str(err.value).startswith(f"{path}: {key}: ")


def test_unknown_setting_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "litellm_settings:\n  drop_param: true\n"))
    assert any("drop_param" in w and "drop_params" in w for w in cfg.warnings)


def test_secret_values_never_appear_in_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "general_settings:\n  master_key: supersecretvalue\n"))
    assert "supersecretvalue" not in str(err.value)


def test_cli_model_and_overrides() -> None:
    cfg = config_from_cli("openai/gpt-4o", api_base="http://b", alias="fast")
    apply_cli_overrides(cfg, drop_params=True, temperature=0.2, max_tokens=7, request_timeout=5)
    d = cfg.model_list[0]
    assert d["model_name"] == "fast" and d["litellm_params"] == {
        "model": "openai/gpt-4o", "api_base": "http://b", "temperature": 0.2, "max_tokens": 7
    }  # fmt: skip
    assert cfg.litellm_settings == {"drop_params": True, "request_timeout": 5.0}


def test_apply_is_all_or_nothing(tmp_path: Path) -> None:
    settings.drop_params = False
    text = "litellm_settings:\n  drop_params: true\n  callbacks: [no_such_module_xyz.handler]\n"
    with pytest.raises(ConfigError, match=r"callbacks\[0\]: cannot import module"):
        apply_config(load_config(write(tmp_path, text)))
    assert settings.drop_params is False  # nothing was written


def test_custom_callback_module_from_the_config_directory(tmp_path: Path) -> None:
    (tmp_path / "my_cbs_for_test.py").write_text(
        "from litellm.integrations.custom_logger import CustomLogger\n"
        "class H(CustomLogger):\n    pass\nproxy_handler_instance = H()\n"
    )
    rt = apply_config(
        load_config(
            write(tmp_path, "litellm_settings:\n  callbacks: [my_cbs_for_test.proxy_handler_instance]\n")
        )
    )
    assert type(rt.callbacks[0]).__name__ == "H"
    assert settings.callbacks == rt.callbacks
    with pytest.raises(ConfigError, match="has no attribute 'nope'"):
        apply_config(load_config(write(tmp_path, "litellm_settings:\n  callbacks: [my_cbs_for_test.nope]\n")))


def test_prometheus_callback_is_the_proxy_metrics_logger(tmp_path: Path) -> None:
    rt = apply_config(load_config(write(tmp_path, "litellm_settings:\n  callbacks: [prometheus]\n")))
    assert rt.prometheus and type(rt.callbacks[0]).__name__ == "PrometheusLogger"


def test_cache_without_a_caching_module_is_an_error_or_a_cache(tmp_path: Path) -> None:
    import importlib.util

    path = write(tmp_path, "litellm_settings:\n  cache: true\n  cache_params: {type: local}\n")
    if importlib.util.find_spec("litellm.caching") is None:
        with pytest.raises(ConfigError, match="caching is not available"):
            apply_config(load_config(path))
    else:
        rt = apply_config(load_config(path))
        assert rt.cache is not None and settings.cache is rt.cache


def test_unknown_integration_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"callbacks\[0\]: unknown callback 'not_an_integration'"):
        apply_config(load_config(write(tmp_path, "litellm_settings:\n  callbacks: [not_an_integration]\n")))
