"""The deployment files: Kubernetes manifests pass the Kubernetes schema (kubernetes-validate), probes
point at the proxy's health routes, docker-compose runs proxy + PostgreSQL + Redis, the Dockerfiles
expose 4000 with a health check (non-root where named), and the shipped configs load with our loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "deploy" / "k8s"


def _docs() -> list[dict]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_k8s_manifests_are_valid_kubernetes_objects() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    docs = _docs()
    assert {d["kind"] for d in docs} == {"Deployment", "Service", "ConfigMap", "Secret"}
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)  # raises on any schema error


def test_k8s_validation_catches_a_broken_manifest() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    deployment = next(d for d in _docs() if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = {"bad": 1}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, "1.30", strict=True)


def test_probes_config_and_secret_wiring() -> None:
    docs = {d["kind"]: d for d in _docs()}
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/liveliness"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
    assert container["ports"][0]["containerPort"] == 4000 == docs["Service"]["spec"]["ports"][0]["port"]
    assert container["envFrom"][0]["secretRef"]["name"] == docs["Secret"]["metadata"]["name"]
    assert pod["volumes"][0]["configMap"]["name"] == docs["ConfigMap"]["metadata"]["name"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert docs["Service"]["spec"]["selector"] == docs["Deployment"]["spec"]["selector"]["matchLabels"]


def test_shipped_configs_load(tmp_path: Path, monkeypatch) -> None:
    from litellm.proxy.config import load_config

    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "REDIS_HOST", "DATABASE_URL"):
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-test")
    cfg = load_config(str(ROOT / "docker" / "config.yaml"))
    assert cfg.general_settings["master_key"] == "sk-test"
    configmap = next(d for d in _docs() if d["kind"] == "ConfigMap")
    (tmp_path / "config.yaml").write_text(configmap["data"]["config.yaml"])
    assert load_config(str(tmp_path / "config.yaml")).model_names() == ["gpt-4o"]


def test_compose_runs_proxy_postgres_and_redis() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"proxy", "postgres", "redis"}
    proxy = services["proxy"]
    assert (ROOT / proxy["build"]["dockerfile"]).exists()
    assert "./docker/config.yaml:/app/config.yaml:ro" in proxy["volumes"]
    assert proxy["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert proxy["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert all("healthcheck" in services[s] for s in ("postgres", "redis"))


@pytest.mark.parametrize("name", ["Dockerfile", "Dockerfile.non_root", "Dockerfile.database"])
def test_dockerfiles(name: str) -> None:
    text = (ROOT / "docker" / name).read_text()
    assert "EXPOSE 4000" in text and "HEALTHCHECK" in text and "/health/" in text
    assert "CONFIG_FILE_PATH=/app/config.yaml" in text
    assert '"litellm.proxy"' in text
    if name != "Dockerfile":
        assert "USER 10001" in text
