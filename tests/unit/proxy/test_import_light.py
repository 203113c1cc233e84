"""The proxy's heavy dependencies load only in the server: ``import litellm`` and ``import litellm.proxy``
import none of starlette, uvicorn, yaml or prometheus_client, and loading a config needs only yaml."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("starlette", "uvicorn", "yaml", "prometheus_client", "uvloop", "httptools", "multipart")


def _loaded(code: str) -> list[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_import_litellm_and_the_proxy_package_stay_light() -> None:
    assert _loaded("import litellm") == []
    assert _loaded("import litellm.proxy") == []


def test_config_loading_needs_only_yaml(tmp_path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("model_list: []\n")
    assert _loaded(f"from litellm.proxy.config import load_config; load_config({str(path)!r})") == ["yaml"]
