"""The alert: one SMS to one officer for one assignment, and the event its changes publish."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from qorgau_contracts import (
    AlertStatus,
    AlertUpdated,
    AssignmentPurpose,
    AssignmentState,
    Language,
    Priority,
    RiskLevel,
)

from .sms import AlertText, render_alert

PRODUCER = "notify"

# The contract's statuses plus the two notify keeps to itself: `pending` (recorded, not yet
# claimed) and `sending` (claimed by one sender).
AlertState = Literal[
    "pending", "sending", "submitted", "delivered", "failed", "acknowledged", "declined"
]

IN_DOUBT_REASON = "in doubt: notify stopped between submit and its response; not resent"
DRILL_NOT_SENT_REASON = "exercise: no provider is allowed to carry drills"


@dataclass(frozen=True)
class Alert:
    id: uuid.UUID
    assignment_id: uuid.UUID
    incident_id: uuid.UUID
    correlation_id: uuid.UUID
    phone: str
    language: Language
    short_code: str
    priority: Priority
    risk_level: RiskLevel
    district: str | None
    address_line: str
    exercise: bool
    status: AlertState
    provider: str | None
    provider_message_ids: tuple[str, ...]
    assigned_at: datetime | None = None
    created_at: datetime | None = None
    submitted_at: datetime | None = None
    claim_token: uuid.UUID | None = None
    purpose: AssignmentPurpose = "assignment"
    ack_deadline: datetime | None = None
    routing_state: AssignmentState | None = None
    officer_id: str = ""


def alert_text(alert: Alert) -> str:
    """The SMS the officer reads for this alert."""
    return render_alert(
        AlertText(
            short_code=alert.short_code,
            priority=alert.priority,
            risk_level=alert.risk_level,
            district=alert.district,
            address_line=alert.address_line,
            language=alert.language,
            exercise=alert.exercise,
        )
    )


def alert_updated(
    alert: Alert,
    status: AlertStatus,
    *,
    reason: str | None = None,
    provider: str | None = None,
    message_ids: tuple[str, ...] = (),
) -> AlertUpdated:
    """The one builder of `alert.updated.v1`: the alert's new status, as routing sees it."""
    return AlertUpdated(
        producer=PRODUCER,
        correlation_id=alert.correlation_id,
        exercise=alert.exercise,
        alert_id=alert.id,
        assignment_id=alert.assignment_id,
        incident_id=alert.incident_id,
        status=status,
        provider=provider or alert.provider,
        provider_message_ids=message_ids or alert.provider_message_ids,
        reason=reason,
    )
