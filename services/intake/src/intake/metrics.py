"""Intake's Prometheus metrics (the outbox and consumers export their own in common)."""

from __future__ import annotations

from prometheus_client import Counter

REPORTS = Counter("qorgau_intake_reports_total", "New incidents accepted, by channel", ["channel"])
REPUBLISHED = Counter(
    "qorgau_intake_reconcile_republished_total",
    "Incidents republished because routing had not answered in time",
)
QUARANTINED = Counter(
    "qorgau_intake_webhook_quarantined_total",
    "Authentic webhook updates that could not be processed, kept in intake.webhook_quarantine",
    ["source", "kind"],
)
