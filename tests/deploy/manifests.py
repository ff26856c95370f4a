"""Render, validate and inspect the deploy files; shared by the tests and their broken twins.

Every check here is a plain function that returns problems (empty: fine), so the same code
judges the committed manifests and the deliberately broken copies in test_broken.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
CHECKS = REPO / "deploy" / "checks"
# `make deploy-tools` installs them outside the clone and says where (QORGAU_CHECKS_BIN).
CHECKS_BIN = Path(os.environ.get("QORGAU_CHECKS_BIN") or REPO / ".tools" / "checks" / "bin")
KUBERNETES_VERSION = "1.32.0"
OVERLAYS = ("dev", "prod")
KEDA_COMPONENT = K8S / "components" / "keda-consumer-lag"
SERVICES = {"intake": 8080, "routing": 8081, "notify": 8082}
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}

Manifest = dict[str, Any]


def tool(name: str) -> str:
    """A check tool from `make deploy-tools`, else from PATH; never a skip."""
    local = CHECKS_BIN / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(
        f"`{name}` is not installed. Run `make deploy-tools`: it installs the pinned check "
        f"tools from deploy/checks/requirements.txt.",
        pytrace=False,
    )


def kubectl() -> str:
    found = shutil.which("kubectl") or (
        "/usr/bin/kubectl" if Path("/usr/bin/kubectl").exists() else None
    )
    if not found:
        pytest.fail(
            "`kubectl` is not installed; the deploy checks render overlays with "
            "`kubectl kustomize`. Install it: https://kubernetes.io/docs/tasks/tools/",
            pytrace=False,
        )
    return found


def run(*cmd: str | Path, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def render(kustomization_dir: Path) -> str:
    result = run(kubectl(), "kustomize", kustomization_dir)
    assert result.returncode == 0, f"kubectl kustomize {kustomization_dir} failed:\n{result.stderr}"
    return result.stdout


def with_component(overlay: Path, component: Path, workdir: Path) -> Path:
    """A throwaway kustomization: `overlay` plus an optional `component`."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": [os.path.relpath(overlay, workdir)],
                "components": [os.path.relpath(component, workdir)],
            }
        )
    )
    return workdir


def load_all(text: str) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def is_core(doc: Manifest) -> bool:
    """Kinds built into Kubernetes (known to kubernetes-validate), as opposed to CRDs."""
    group = doc.get("apiVersion", "").rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def validate_core(docs: Iterable[Manifest], workdir: Path) -> subprocess.CompletedProcess[str]:
    """kubernetes-validate --strict on the built-in kinds (it knows no CRD schema)."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "core.yaml"
    path.write_text(yaml.safe_dump_all([d for d in docs if is_core(d)]))
    return run(tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSION, "--quiet", path)


def by_kind(docs: Iterable[Manifest], kind: str) -> dict[str, Manifest]:
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind}


def _pod_spec(doc: Manifest) -> Manifest:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod: Manifest = spec["template"]["spec"]
    return pod


def _containers(pod: Manifest) -> Iterator[Manifest]:
    yield from pod.get("initContainers", [])
    yield from pod.get("containers", [])


def workload_problems(docs: Iterable[Manifest]) -> list[str]:
    """Probes (Deployments), limits and a non-root, read-only, locked-down securityContext."""
    problems: list[str] = []
    for doc in docs:
        if doc.get("kind") not in WORKLOAD_KINDS:
            continue
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        pod = _pod_spec(doc)
        pod_sc = pod.get("securityContext", {})
        if pod.get("automountServiceAccountToken") is not False:
            problems.append(f"{where}: automountServiceAccountToken is not false")
        if pod.get("hostNetwork") or pod.get("hostPID") or pod.get("hostIPC"):
            problems.append(f"{where}: uses a host namespace")
        tmp_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        for c in _containers(pod):
            at = f"{where} container {c.get('name')}"
            sc = c.get("securityContext", {})
            image = c.get("image", "")
            if ":" not in image.rpartition("/")[2] and "@" not in image:
                problems.append(f"{at}: image {image!r} has no tag or digest")
            elif image.endswith(":latest"):
                problems.append(f"{at}: image {image!r} uses :latest")
            if doc["kind"] == "Deployment":
                for probe in ("livenessProbe", "readinessProbe"):
                    if probe not in c:
                        problems.append(f"{at}: no {probe}")
            resources = c.get("resources", {})
            for bound in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(bound, {}):
                        problems.append(f"{at}: no {bound}.{resource}")
            if not sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")):
                problems.append(f"{at}: runAsNonRoot is not true")
            if sc.get("runAsUser", pod_sc.get("runAsUser")) in (None, 0):
                problems.append(f"{at}: no non-zero runAsUser")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{at}: readOnlyRootFilesystem is not true")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{at}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                problems.append(f"{at}: privileged")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problems.append(f"{at}: capabilities do not drop ALL")
            if sc.get("capabilities", {}).get("add"):
                problems.append(f"{at}: adds capabilities")
            seccomp = sc.get("seccompProfile", pod_sc.get("seccompProfile", {}))
            if seccomp.get("type") != "RuntimeDefault":
                problems.append(f"{at}: seccompProfile is not RuntimeDefault")
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            if mounts.get("/tmp") not in tmp_volumes:
                problems.append(f"{at}: no emptyDir at /tmp (the root filesystem is read-only)")
    return problems


KAFKA_TOPIC_SPEC = {"topicName", "partitions", "replicas", "config"}
SCALED_OBJECT_SPEC = {
    "scaleTargetRef",
    "minReplicaCount",
    "maxReplicaCount",
    "pollingInterval",
    "cooldownPeriod",
    "triggers",
    "advanced",
    "fallback",
}


def crd_problems(docs: list[Manifest]) -> list[str]:
    """The structure of the custom resources kubernetes-validate cannot check."""
    problems: list[str] = []
    deployments = by_kind(docs, "Deployment")
    for doc in docs:
        if is_core(doc):
            continue
        kind, name = doc.get("kind"), doc.get("metadata", {}).get("name")
        spec = doc.get("spec", {})
        where = f"{kind}/{name}"
        if kind == "KafkaTopic":
            if doc["apiVersion"] != "kafka.strimzi.io/v1beta2":
                problems.append(f"{where}: apiVersion {doc['apiVersion']}")
            if not doc["metadata"].get("labels", {}).get("strimzi.io/cluster"):
                problems.append(f"{where}: no strimzi.io/cluster label")
            if unknown := set(spec) - KAFKA_TOPIC_SPEC:
                problems.append(f"{where}: unknown spec fields {sorted(unknown)}")
            for field in ("partitions", "replicas"):
                value = spec.get(field)
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    problems.append(f"{where}: spec.{field} must be a positive integer")
            config = spec.get("config", {})
            if not isinstance(config, dict) or not all(
                isinstance(v, (str, int)) for v in config.values()
            ):
                problems.append(f"{where}: spec.config must map names to strings or numbers")
            elif "retention.ms" not in config:
                problems.append(f"{where}: no explicit retention.ms")
            if (
                isinstance(spec.get("replicas"), int)
                and int(config.get("min.insync.replicas", 1)) > spec["replicas"]
            ):
                problems.append(f"{where}: min.insync.replicas exceeds replicas")
        elif kind == "ScaledObject":
            if doc["apiVersion"] != "keda.sh/v1alpha1":
                problems.append(f"{where}: apiVersion {doc['apiVersion']}")
            if unknown := set(spec) - SCALED_OBJECT_SPEC:
                problems.append(f"{where}: unknown spec fields {sorted(unknown)}")
            target = spec.get("scaleTargetRef", {}).get("name")
            if target not in deployments:
                problems.append(f"{where}: scaleTargetRef {target!r} is not a Deployment here")
            if not 1 <= spec.get("minReplicaCount", 0) <= spec.get("maxReplicaCount", 0):
                problems.append(f"{where}: needs 1 <= minReplicaCount <= maxReplicaCount")
            triggers = spec.get("triggers") or []
            for trigger in triggers:
                meta = trigger.get("metadata", {})
                missing = {"bootstrapServers", "consumerGroup", "topic", "lagThreshold"} - set(meta)
                if trigger.get("type") != "kafka" or missing:
                    problems.append(
                        f"{where}: kafka trigger incomplete (missing {sorted(missing)})"
                    )
                elif not all(isinstance(v, str) for v in meta.values()):
                    problems.append(f"{where}: trigger metadata values must be strings")
            if not triggers:
                problems.append(f"{where}: no triggers")
        else:
            problems.append(f"{where}: custom resource kind not checked by these tests")
    return problems


def topic_problems(
    docs: list[Manifest], expected: Mapping[str, int], replicas: int, min_insync: int
) -> list[str]:
    """A KafkaTopic for each expected topic, with its partitions and the overlay's replication."""
    problems: list[str] = []
    topics = {
        d["spec"].get("topicName", d["metadata"]["name"]): d["spec"]
        for d in docs
        if d.get("kind") == "KafkaTopic"
    }
    for name, partitions in expected.items():
        spec = topics.get(name)
        if spec is None:
            problems.append(f"no KafkaTopic for {name}")
            continue
        if spec.get("partitions") != partitions:
            problems.append(f"{name}: {spec.get('partitions')} partitions, expected {partitions}")
        if spec.get("replicas") != replicas:
            problems.append(f"{name}: replicas {spec.get('replicas')}, expected {replicas}")
        got = spec.get("config", {}).get("min.insync.replicas")
        if got != min_insync:
            problems.append(f"{name}: min.insync.replicas {got}, expected {min_insync}")
    problems += [
        f"KafkaTopic {name} is not in the contracts" for name in set(topics) - set(expected)
    ]
    return problems


def checkov_findings(directory: Path) -> set[tuple[str, str]]:
    """(check id, resource) for each failed checkov check on the manifests in `directory`."""
    result = run(
        tool("checkov"),
        "--skip-download",
        "--framework",
        "kubernetes",
        "--output",
        "json",
        "--quiet",
        "--directory",
        directory,
        env={"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov gave no JSON (exit {result.returncode}):\n{result.stderr[-3000:]}")
    reports = report if isinstance(report, list) else [report]
    return {
        (failed["check_id"], failed["resource"])
        for r in reports
        for failed in r.get("results", {}).get("failed_checks", [])
    }


def checkov_baseline() -> set[tuple[str, str]]:
    baseline = yaml.safe_load((CHECKS / "checkov-baseline.yaml").read_text())
    return {(entry["check"], res) for entry in baseline["accepted"] for res in entry["resources"]}
