"""Notify's Prometheus metrics. Labels stay bounded: providers and failure kinds, never ids."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

ASSIGNMENT_TO_SUBMIT = Histogram(
    "qorgau_notify_assignment_to_submit_seconds",
    "From incident.assigned.v1 (occurred_at) to the provider accepting the SMS",
    ["provider"],
    buckets=_LATENCY_BUCKETS,
)
SEGMENTS = Histogram("qorgau_notify_alert_segments", "SMS segments per alert", buckets=(1, 2, 3, 4))
RECEIPT_LATENCY = Histogram(
    "qorgau_notify_receipt_latency_seconds",
    "From submit to the final delivery receipt",
    ["provider"],
    buckets=_LATENCY_BUCKETS,
)
SEND_FAILURES = Counter(
    "qorgau_notify_send_failures_total",
    "Failed send attempts by provider and kind (permanent, unavailable, error, throttled,"
    " no_receipt)",
    ["provider", "kind"],
)
ALERTS = Counter("qorgau_notify_alerts_total", "Alert status changes", ["status"])
PROVIDER_HEALTHY = Gauge(
    "qorgau_notify_provider_healthy",
    "1 while a provider can take messages (SMPP: bound; HTTP: last call succeeded)",
    ["provider"],
)
SMPP_BINDS_UP = Gauge(
    "qorgau_notify_smpp_binds_up", "SMPP binds bound right now (of QORGAU_NOTIFY_SMPP_BINDS)"
)
SMPP_BIND_SUBMITS = Counter(
    "qorgau_notify_smpp_bind_submits_total", "submit_sm sent, by SMPP bind (0-based)", ["bind"]
)
SUBMITS = Counter(
    "qorgau_notify_submits_total", "Provider submit results by status", ["provider", "status"]
)
INBOUND = Counter(
    "qorgau_notify_inbound_total",
    "Receipts and replies received, by kind (receipt, reply, garbage, unmatched, ignored;"
    " receipt_stranded: a parked receipt the sweep applied)",
    ["provider", "kind"],
)
IN_FLIGHT = Gauge("qorgau_notify_sends_in_flight", "Alerts and notices being sent right now")
IN_DOUBT = Gauge(
    "qorgau_notify_alerts_in_doubt",
    "Alerts whose submit may have gone out before a crash (not resent automatically)",
)
INBOUND_UNSAVED = Gauge(
    "qorgau_notify_inbound_unsaved",
    "Receipts and replies held in memory because the database is away (kept once it is back)",
)
INBOUND_IN_HAND = Gauge(
    "qorgau_notify_inbound_in_hand",
    "Receipts and replies received and not yet acted on, in this process (kept or not)",
)
INBOUND_GROUP_FALLBACKS = Counter(
    "qorgau_notify_inbound_group_fallbacks_total",
    "Groups of kept receipts and replies whose shared transaction failed and rolled back, then"
    " acted on one by one",
)
INBOUND_KEPT = Gauge(
    "qorgau_notify_inbound_kept",
    "Receipts and replies kept in notify.inbound and not yet acted on (waiting, parked)",
    ["state"],
)
INBOUND_LOST = Counter(
    "qorgau_notify_inbound_lost_total",
    "Receipts and replies given up on: the database stayed away until shutdown or timeout",
    ["kind"],
)
