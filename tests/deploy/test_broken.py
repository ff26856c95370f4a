"""Broken copies of the manifests must fail the same checks the real ones pass."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from qorgau_common.kafka import topic_partitions

from tests.deploy import manifests as m


def _deployment(docs: list[m.Manifest], name: str) -> m.Manifest:
    return copy.deepcopy(m.by_kind(docs, "Deployment")[name])


def _container(deployment: m.Manifest) -> m.Manifest:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    name = deployment["metadata"]["name"]
    return next(c for c in containers if c["name"] == name)


def test_a_deployment_without_probes_fails(docs: dict[str, list[m.Manifest]]) -> None:
    broken = _deployment(docs["prod"], "intake")
    del _container(broken)["readinessProbe"]
    del _container(broken)["livenessProbe"]
    problems = m.workload_problems([broken])
    assert any("no readinessProbe" in p for p in problems)
    assert any("no livenessProbe" in p for p in problems)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("readOnlyRootFilesystem", False, "readOnlyRootFilesystem"),
        ("allowPrivilegeEscalation", True, "allowPrivilegeEscalation"),
        ("runAsUser", 0, "runAsUser"),
        ("capabilities", {"drop": ["NET_RAW"]}, "drop ALL"),
    ],
)
def test_a_weakened_security_context_fails(
    docs: dict[str, list[m.Manifest]], field: str, value: object, expected: str
) -> None:
    broken = _deployment(docs["prod"], "notify")
    _container(broken)["securityContext"][field] = value
    assert any(expected in p for p in m.workload_problems([broken]))


def test_a_container_without_limits_fails(docs: dict[str, list[m.Manifest]]) -> None:
    broken = _deployment(docs["prod"], "routing")
    del _container(broken)["resources"]["limits"]
    assert any("no limits.memory" in p for p in m.workload_problems([broken]))


def test_a_misspelt_field_fails_strict_validation(
    docs: dict[str, list[m.Manifest]], tmp_path: Path
) -> None:
    broken = _deployment(docs["prod"], "intake")
    container = _container(broken)
    container["livenesProbe"] = container.pop("livenessProbe")
    result = m.validate_core([broken], tmp_path)
    assert result.returncode != 0
    assert "livenesProbe" in result.stdout + result.stderr


def test_a_wrongly_typed_field_fails_validation(
    docs: dict[str, list[m.Manifest]], tmp_path: Path
) -> None:
    broken = _deployment(docs["prod"], "intake")
    broken["spec"]["replicas"] = "two"
    assert m.validate_core([broken], tmp_path).returncode != 0


def test_a_kafka_topic_with_the_wrong_partitions_fails(docs: dict[str, list[m.Manifest]]) -> None:
    broken = copy.deepcopy(docs["prod"])
    topic = next(d for d in broken if d["kind"] == "KafkaTopic" and d["spec"]["partitions"] == 6)
    topic["spec"]["partitions"] = 3
    problems = m.topic_problems(broken, topic_partitions(), replicas=3, min_insync=2)
    assert problems == [f"{topic['spec']['topicName']}: 3 partitions, expected 6"]


def test_a_malformed_custom_resource_fails(docs: dict[str, list[m.Manifest]]) -> None:
    broken = copy.deepcopy(docs["prod-keda"])
    topic = next(d for d in broken if d["kind"] == "KafkaTopic")
    topic["spec"]["partitionz"] = topic["spec"].pop("partitions")
    scaler = next(d for d in broken if d["kind"] == "ScaledObject")
    scaler["spec"]["scaleTargetRef"]["name"] = "nowhere"
    problems = m.crd_problems(broken)
    assert any("unknown spec fields ['partitionz']" in p for p in problems)
    assert any("'nowhere' is not a Deployment" in p for p in problems)


def test_invalid_yaml_fails_yamllint(tmp_path: Path) -> None:
    broken = tmp_path / "deployment.yaml"
    broken.write_text("kind: Deployment\nspec:\n  replicas: 1\n   template: {}\n")
    result = m.run(
        m.tool("yamllint"), "--strict", "--config-file", m.CHECKS / "yamllint.yaml", broken
    )
    assert result.returncode != 0
    assert "syntax error" in result.stdout
    with pytest.raises(yaml.YAMLError):
        m.load_all(broken.read_text())


def test_a_compose_file_with_a_wrong_field_fails(tmp_path: Path) -> None:
    compose = yaml.safe_load((m.REPO / "deploy" / "compose.yaml").read_text())
    compose["services"]["intake"]["depends_on"]["topics"]["condition"] = "service_finished"
    compose["services"]["routing"]["healthcheck"]["intervall"] = "5s"
    broken = tmp_path / "compose.yaml"
    broken.write_text(yaml.safe_dump(compose))
    result = m.run(m.tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", broken)
    assert result.returncode != 0


def test_a_new_checkov_finding_is_not_hidden_by_the_baseline(
    docs: dict[str, list[m.Manifest]], tmp_path: Path
) -> None:
    broken = _deployment(docs["prod"], "routing")
    broken["spec"]["template"]["spec"]["hostNetwork"] = True
    (tmp_path / "prod.yaml").write_text(yaml.safe_dump(broken))
    new = m.checkov_findings(tmp_path) - m.checkov_baseline()
    assert ("CKV_K8S_19", "Deployment.qorgau.routing") in new
