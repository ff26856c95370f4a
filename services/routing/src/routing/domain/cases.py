"""An incident as routing holds it, and the assignments (attempts) made for it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from qorgau_contracts import AlertStatus, AssignmentPurpose, Priority, RiskLevel

IncidentStatus = Literal["routing", "assigned", "acknowledged", "unassigned_escalated", "resolved"]
AssignmentStatus = Literal[
    "open", "acknowledged", "declined", "failed", "expired", "reassigned", "resolved", "notice"
]
Route = Literal["district", "covering", "neighbour", "supervisor", "manual"]
AssignmentRoute = Route | Literal["notice"]
"""How the officer was reached; `notice` for the duty supervisor's copy."""

LIVE: frozenset[AssignmentStatus] = frozenset({"open", "acknowledged"})
"""An assignment that still counts towards the officer's load."""


@dataclass(frozen=True)
class Incident:
    id: uuid.UUID
    correlation_id: uuid.UUID
    short_code: str
    district: str | None
    priority: Priority
    risk_level: RiskLevel
    address_line: str
    exercise: bool
    status: IncidentStatus
    received_at: datetime

    @property
    def settled(self) -> bool:
        """Accepted or closed: a later report of it moves nothing."""
        return self.status in ("acknowledged", "resolved")


@dataclass(frozen=True)
class Assignment:
    id: uuid.UUID
    incident_id: uuid.UUID
    attempt: int
    officer_id: str
    purpose: AssignmentPurpose
    status: AssignmentStatus
    created_at: datetime
    ack_deadline: datetime | None = None

    @property
    def awaits_answer(self) -> bool:
        """An officer's open case: the only kind an alert update can move on."""
        return self.purpose == "assignment" and self.status == "open"

    @property
    def resolvable(self) -> bool:
        return self.purpose == "assignment" and self.status in LIVE


MovedOn = Literal["declined", "failed"]


def moves_on(alert_status: AlertStatus) -> MovedOn | None:
    """A decline or a failed delivery moves the case on at once, without the deadline."""
    if alert_status == "declined" or alert_status == "failed":
        return alert_status
    return None


def only_shown(alert_status: AlertStatus) -> bool:
    """`submitted` and `delivered` only show on the board; an answer or a failure can change
    the case."""
    return alert_status == "submitted" or alert_status == "delivered"


def moved_on_reason(status: MovedOn, reason: str | None) -> str:
    return f"{status}: {reason}" if reason else status
