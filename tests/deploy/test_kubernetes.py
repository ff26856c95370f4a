"""The Kubernetes manifests: schema-valid, hardened, and in step with the topic contracts."""

from __future__ import annotations

from pathlib import Path

import pytest
from qorgau_common.kafka import topic_partitions
from qorgau_contracts import TOPICS

from tests.deploy import manifests as m

VARIANTS = ("dev", "prod", "prod-keda")


@pytest.mark.parametrize("variant", VARIANTS)
def test_core_kinds_are_valid_for_kubernetes_1_32(
    variant: str, docs: dict[str, list[m.Manifest]], tmp_path: Path
) -> None:
    result = m.validate_core(docs[variant], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variant", VARIANTS)
def test_custom_resources_are_well_formed(variant: str, docs: dict[str, list[m.Manifest]]) -> None:
    assert m.crd_problems(docs[variant]) == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_workloads_are_probed_limited_and_locked_down(
    variant: str, docs: dict[str, list[m.Manifest]]
) -> None:
    workloads = [d for d in docs[variant] if d["kind"] in m.WORKLOAD_KINDS]
    assert {"intake", "routing", "notify", "qorgau-migrations"} <= {
        w["metadata"]["name"] for w in workloads
    }
    assert m.workload_problems(workloads) == []


@pytest.mark.parametrize(
    ("variant", "replicas", "min_insync"), [("dev", 1, 1), ("prod", 3, 2), ("prod-keda", 3, 2)]
)
def test_every_contract_topic_and_dlq_has_a_kafka_topic(
    variant: str, replicas: int, min_insync: int, docs: dict[str, list[m.Manifest]]
) -> None:
    expected = topic_partitions()
    assert {t.name for t in TOPICS} | {t.dlq for t in TOPICS} == set(expected)
    assert m.topic_problems(docs[variant], expected, replicas, min_insync) == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_service_has_its_companions(variant: str, docs: dict[str, list[m.Manifest]]) -> None:
    rendered = docs[variant]
    deployments = m.by_kind(rendered, "Deployment")
    services = m.by_kind(rendered, "Service")
    accounts = m.by_kind(rendered, "ServiceAccount")
    budgets = m.by_kind(rendered, "PodDisruptionBudget")
    scalers = {
        d["spec"]["scaleTargetRef"]["name"]
        for d in rendered
        if d["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
    }
    config_maps = set(m.by_kind(rendered, "ConfigMap"))
    for name, port in m.SERVICES.items():
        pod = deployments[name]["spec"]["template"]["spec"]
        assert services[name]["spec"]["ports"][0]["port"] == port
        assert accounts[pod["serviceAccountName"]]["automountServiceAccountToken"] is False
        assert (
            budgets[name]["spec"]["selector"]["matchLabels"]
            == (deployments[name]["spec"]["selector"]["matchLabels"])
        )
        assert name in scalers
        # Exactly one autoscaler per Deployment: KEDA's ScaledObject replaces the CPU HPA.
        assert (
            sum(
                1
                for d in rendered
                if d["kind"] in ("HorizontalPodAutoscaler", "ScaledObject")
                and d["spec"]["scaleTargetRef"]["name"] == name
            )
            == 1
        )
        container = next(c for c in pod["containers"] if c["name"] == name)
        assert container["command"] == ["python", "-m", name, "serve"]
        assert container["ports"][0]["containerPort"] == port
        refs = {e["configMapRef"]["name"] for e in container["envFrom"]}
        assert refs <= config_maps, f"{name} refers to a ConfigMap that is not rendered"


@pytest.mark.parametrize("variant", VARIANTS)
def test_secrets_are_referenced_never_committed(
    variant: str, docs: dict[str, list[m.Manifest]]
) -> None:
    rendered = docs[variant]
    assert m.by_kind(rendered, "Secret") == {}
    env = {
        e["name"]: e.get("valueFrom", {})
        for d in rendered
        if d["kind"] in m.WORKLOAD_KINDS
        for c in d["spec"]["template"]["spec"]["containers"]
        for e in c.get("env", [])
    }
    for secret in (
        "QORGAU_DATABASE_URL",
        "QORGAU_INTAKE_ENCRYPTION_KEYS",
        "QORGAU_NOTIFY_SMPP_PASSWORD",
    ):
        assert "secretKeyRef" in env[secret], f"{secret} must come from a Secret"
    for config_map in m.by_kind(rendered, "ConfigMap").values():
        leaked = {k for k in config_map.get("data", {}) if k in env or "PASSWORD" in k}
        assert not leaked, f"{config_map['metadata']['name']} holds secrets: {leaked}"


def _allowed_ports(
    policies: list[m.Manifest], pod_labels: dict[str, str], direction: str
) -> set[object]:
    """Ports a pod with these labels may use in `direction` ("ingress" or "egress")."""
    ports: set[object] = set()
    for policy in policies:
        selector = policy["spec"]["podSelector"]
        labels_match = all(
            pod_labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()
        )
        exprs_match = all(
            pod_labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", [])
        )
        if labels_match and exprs_match:
            for rule in policy["spec"].get(direction, []):
                ports |= {p["port"] for p in rule.get("ports", [])}
    return ports


@pytest.mark.parametrize("variant", VARIANTS)
def test_network_policies_allow_only_what_the_design_needs(
    variant: str, docs: dict[str, list[m.Manifest]]
) -> None:
    policies = [d for d in docs[variant] if d["kind"] == "NetworkPolicy"]
    deny = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert deny, "no default-deny NetworkPolicy"
    for name in m.SERVICES:
        labels = {"app.kubernetes.io/name": name}
        egress = _allowed_ports(policies, labels, "egress")
        # notify: the SMSC (SMPP) and the HTTP gateway (HTTPS), both outside the cluster.
        expected_egress = {53, 5432, 9092} | ({2775, 443} if name == "notify" else set())
        assert egress == expected_egress, f"{name} egress {egress}"
        ingress = _allowed_ports(policies, labels, "ingress")
        # Through the ingress controller: operators to intake, supervisors to routing, the
        # gateway's status callbacks to notify.
        from_ingress = {"intake": {8080}, "routing": {8081}, "notify": {8082}}
        expected_ingress = {"http"} | from_ingress.get(name, set())
        assert ingress == expected_ingress, f"{name} ingress {ingress}"
