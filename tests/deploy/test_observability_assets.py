"""The alert rules and the dashboard load, and every Qorgau metric they use exists."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "deploy" / "observability"
METRIC_MODULES = (
    "qorgau_common.relay",
    "qorgau_common.broker_link",
    "qorgau_common.retention",
    "qorgau_common.consumer",
    "qorgau_common.dead_letters",
    "intake.metrics",
    "routing.metrics",
    "notify.metrics",
    "notify.usecases.sweep",
)
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exported_names() -> set[str]:
    for module in METRIC_MODULES:
        importlib.import_module(module)
    names: set[str] = set()
    for family in REGISTRY.collect():
        for suffix in SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
    return names


def rule_expressions() -> list[str]:
    rules = yaml.safe_load((ASSETS / "alerts.yaml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((ASSETS / "grafana-dashboard.json").read_text())
    return [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]


def test_every_rule_is_complete() -> None:
    rules = yaml.safe_load((ASSETS / "alerts.yaml").read_text())
    names = set()
    for rule in (r for g in rules["groups"] for r in g["rules"]):
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"]
        assert rule["annotations"]["runbook"].startswith("docs/operations.md#")
        names.add(rule["alert"])
    # The signals ops asked for.
    assert {
        "QorgauOutboxLagging",
        "QorgauDeadLetterTopicNotEmpty",
        "QorgauHighPriorityUnacknowledged",
        "QorgauSmppUnbound",
        "QorgauConsumerGroupLagging",
    } <= names


def test_runbook_anchors_exist() -> None:
    runbook = (ROOT / "docs" / "operations.md").read_text()
    anchors = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", runbook, re.M)
    }
    rules = yaml.safe_load((ASSETS / "alerts.yaml").read_text())
    for rule in (r for g in rules["groups"] for r in g["rules"]):
        assert rule["annotations"]["runbook"].split("#", 1)[1] in anchors, rule["alert"]


@pytest.mark.parametrize("expr", rule_expressions() + dashboard_expressions())
def test_expressions_use_only_metrics_the_code_exports(expr: str) -> None:
    used = set(re.findall(r"\b(qorgau_[a-z0-9_]+)", expr))
    assert used <= exported_names(), used - exported_names()
    assert expr.count("(") == expr.count(")")
