"""Valid events with sensible defaults; tests override what they care about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from notify.domain.alert import Alert
from qorgau_contracts import AlertUpdated, AssignmentUpdated, IncidentAssigned, IncidentReported


def reported(**changes: Any) -> IncidentReported:
    incident = uuid.uuid4()
    values: dict[str, Any] = {
        "producer": "intake",
        "correlation_id": incident,
        "incident_id": incident,
        "short_code": "K7Q2",
        "channel": "call_102",
        "received_at": datetime.now(UTC),
        "district": "nura",
        "address_line": "пр. Туран 1",
        "priority": "high",
        "risk_level": "high",
    }
    values.update(changes)
    return IncidentReported(**values)


def assigned(**changes: Any) -> IncidentAssigned:
    incident = uuid.uuid4()
    values: dict[str, Any] = {
        "producer": "routing",
        "correlation_id": incident,
        "incident_id": incident,
        "assignment_id": uuid.uuid4(),
        "short_code": "K7Q2",
        "attempt": 1,
        "officer_id": "YSL-01",
        "officer_phone": "+77000003001",
        "officer_language": "ru",
        "district": "yesil",
        "priority": "high",
        "risk_level": "high",
        "address_line": "ул. Сыганак 10 кв 5",
        "ack_deadline": datetime.now(UTC) + timedelta(minutes=5),
    }
    values.update(changes)
    return IncidentAssigned(**values)


def alert_update(
    assigned_event: IncidentAssigned, status: str, reason: str | None = None
) -> AlertUpdated:
    return AlertUpdated(
        producer="notify",
        correlation_id=assigned_event.correlation_id,
        alert_id=uuid.uuid4(),
        assignment_id=assigned_event.assignment_id,
        incident_id=assigned_event.incident_id,
        status=status,
        provider="smpp",
        reason=reason,
    )


def assignment_update(
    assigned_event: IncidentAssigned, state: str, **changes: Any
) -> AssignmentUpdated:
    """Routing's `assignment.updated.v1` for `assigned_event`'s assignment."""
    values: dict[str, Any] = {
        "producer": "routing",
        "correlation_id": assigned_event.correlation_id,
        "assignment_id": assigned_event.assignment_id,
        "incident_id": assigned_event.incident_id,
        "short_code": assigned_event.short_code,
        "attempt": assigned_event.attempt,
        "officer_id": assigned_event.officer_id,
        "purpose": assigned_event.purpose,
        "state": state,
        "district": assigned_event.district,
        "priority": assigned_event.priority,
        "risk_level": assigned_event.risk_level,
        "address_line": assigned_event.address_line,
    }
    values.update(changes)
    return AssignmentUpdated(**values)


def alert(**changes: Any) -> Alert:
    """A notify alert as stored: submitted over SMPP to a Yesil inspector."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "assignment_id": uuid.uuid4(),
        "incident_id": uuid.uuid4(),
        "correlation_id": uuid.uuid4(),
        "phone": "+77000003001",
        "language": "ru",
        "short_code": "K7Q2",
        "priority": "high",
        "risk_level": "high",
        "district": "yesil",
        "address_line": "ул. Сыганак 10 кв 5",
        "exercise": False,
        "status": "submitted",
        "provider": "smpp",
        "provider_message_ids": ("a", "b"),
    }
    values.update(changes)
    return Alert(**values)
