"""The broker's health has its own alert rule (issue 11): intake stays ready through a
broker outage, so no readiness alert says the broker is gone."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ALERTS = ROOT / "deploy" / "observability" / "alerts.yaml"


def test_a_critical_alert_fires_when_a_service_cannot_reach_the_broker() -> None:
    """QorgauBrokerUnreachable is critical, fires on `qorgau_broker_up` being 0 for any one
    service, and has a runbook."""
    rules = yaml.safe_load(ALERTS.read_text())
    by_name = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    assert "QorgauBrokerUnreachable" in by_name
    rule = by_name["QorgauBrokerUnreachable"]
    expr = rule["expr"].replace(" ", "")
    assert "qorgau_broker_up" in expr
    assert "by(service)" in expr
    assert expr.endswith("==0")
    assert rule["labels"]["severity"] == "critical"
    assert rule["annotations"]["runbook"].startswith("docs/operations.md#")
