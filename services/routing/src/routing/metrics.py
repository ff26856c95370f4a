from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1800)

TIME_TO_ASSIGN = Histogram(
    "qorgau_routing_time_to_assign_seconds",
    "From the report's receipt to its first assignment",
    ["district"],
    buckets=_BUCKETS,
)
TIME_TO_ACKNOWLEDGE = Histogram(
    "qorgau_routing_time_to_acknowledge_seconds",
    "From an assignment to the officer's acknowledgement",
    ["district"],
    buckets=_BUCKETS,
)
ESCALATIONS = Counter(
    "qorgau_routing_escalations_total",
    "Cases moved on from an officer, by why",
    ["district", "reason"],
)
OPEN_CASES = Gauge(
    "qorgau_routing_open_cases",
    "Open or accepted cases per officer",
    ["district", "officer_id"],
)
OVERDUE = Gauge(
    "qorgau_routing_overdue_incidents",
    "Incidents nobody has acknowledged although their first deadline has passed, by priority",
    ["priority"],
)
UNASSIGNED = Gauge(
    "qorgau_routing_unassigned_escalated",
    "Incidents that ran out of officers and wait on the supervisor's board",
)

REPUBLISHED = Counter(
    "qorgau_routing_assignments_republished_total",
    "Assignments published again: unanswered by notify, or the incident reported again",
    ["why"],
)


def district_label(district: str | None) -> str:
    return district or "none"
