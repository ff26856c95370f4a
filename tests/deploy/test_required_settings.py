"""Every setting a service cannot run without is provided by each overlay and by compose.

The settings' defaults are for `make run`; a deployment that leaves one out crash-loops
(intake without its link key did, in every Kubernetes overlay and in compose).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from console.config import REQUIRED_IN_DEPLOYMENT as CONSOLE
from intake.config import REQUIRED_IN_DEPLOYMENT as INTAKE
from notify.config import REQUIRED_IN_DEPLOYMENT as NOTIFY
from routing.config import REQUIRED_IN_DEPLOYMENT as ROUTING

from tests.deploy import manifests as m

REQUIRED = {"intake": INTAKE, "routing": ROUTING, "notify": NOTIFY, "console": CONSOLE}
VARIANTS = ("dev", "prod", "prod-keda")


def provided_in_kubernetes(docs: list[m.Manifest], workload: str) -> set[str]:
    """Env names the workload's main container gets: env entries and envFrom ConfigMaps."""
    deployment = m.by_kind(docs, "Deployment")[workload]
    config_maps = m.by_kind(docs, "ConfigMap")
    names: set[str] = set()
    containers = deployment["spec"]["template"]["spec"]["containers"]
    container = next(c for c in containers if c["name"] == workload)
    for entry in container.get("env", []):
        names.add(entry["name"])
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref is not None:
            names |= set((config_maps[ref["name"]].get("data") or {}).keys())
        ref = source.get("secretRef")
        if ref is not None:
            pytest.fail(f"{workload}: envFrom a whole Secret hides which settings it provides")
    return names


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("service", sorted(REQUIRED))
def test_each_overlay_provides_every_required_setting(
    variant: str, service: str, docs: dict[str, list[m.Manifest]]
) -> None:
    missing = set(REQUIRED[service]) - provided_in_kubernetes(docs[variant], service)
    assert missing == set(), f"{variant}: {service} would not start without {sorted(missing)}"


def compose_environment(service: str) -> dict[str, Any]:
    compose = yaml.safe_load((m.REPO / "deploy" / "compose.yaml").read_text())
    environment: dict[str, Any] = compose["services"][service].get("environment") or {}
    return environment


@pytest.mark.parametrize("service", sorted(REQUIRED))
def test_compose_provides_every_required_setting(service: str) -> None:
    missing = set(REQUIRED[service]) - set(compose_environment(service))
    assert missing == set(), f"compose: {service} would not start without {sorted(missing)}"
