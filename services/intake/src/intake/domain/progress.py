"""What a downstream event means for an incident's status: pure, order-tolerant rules.

Events may arrive late or twice, so a status only ever moves forward; every event still
leaves a line on the timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qorgau_contracts import AlertUpdated, IncidentAssigned, IncidentResolved

from .incident import Status

_RANK: dict[Status, int] = {
    "awaiting_triage": 0,
    "reported": 0,
    "assigned": 1,
    "acknowledged": 2,
    "resolved": 3,
}


@dataclass(frozen=True)
class Progress:
    entry: str  # the timeline line
    status: Status | None  # the status it proposes, or None to leave it
    detail: dict[str, Any] = field(default_factory=dict)


def advance(current: Status, proposed: Status | None) -> Status:
    """The later of the two statuses; an unknown current status is kept."""
    if proposed is None or current not in _RANK:
        return current
    return proposed if _RANK[proposed] > _RANK[current] else current


def on_assigned(event: IncidentAssigned) -> Progress:
    detail = {
        "assignment_id": str(event.assignment_id),
        "attempt": event.attempt,
        "officer_id": event.officer_id,
    }
    if event.purpose == "supervisor_notice":
        return Progress("supervisor_notice", None, detail)
    return Progress("assigned", "assigned", detail)


def on_alert(event: AlertUpdated) -> Progress:
    detail: dict[str, Any] = {"assignment_id": str(event.assignment_id), "provider": event.provider}
    if event.reason:
        detail["reason"] = event.reason[:200]
    status: Status | None = "acknowledged" if event.status == "acknowledged" else None
    return Progress(f"alert_{event.status}", status, detail)


def on_resolved(event: IncidentResolved) -> Progress:
    detail = {
        "assignment_id": str(event.assignment_id),
        "officer_id": event.officer_id,
        "outcome": event.outcome,
    }
    return Progress("resolved", "resolved", detail)
