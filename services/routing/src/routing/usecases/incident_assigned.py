"""The one builder of `incident.assigned.v1`: an assignment (or a supervisor's notice) as
notify and intake read it, first sent by `assign` and said again by `reconcile`."""

from __future__ import annotations

import uuid
from datetime import datetime

from qorgau_contracts import AssignmentPurpose, IncidentAssigned, Language

from routing.db import SCHEMA
from routing.domain.cases import Incident


def assigned_event(
    incident: Incident,
    assignment_id: uuid.UUID,
    *,
    officer_id: str,
    phone: str,
    language: Language,
    attempt: int,
    ack_deadline: datetime,
    purpose: AssignmentPurpose,
) -> IncidentAssigned:
    return IncidentAssigned(
        producer=SCHEMA,
        correlation_id=incident.correlation_id,
        exercise=incident.exercise,
        assignment_id=assignment_id,
        incident_id=incident.id,
        short_code=incident.short_code,
        attempt=attempt,
        officer_id=officer_id,
        officer_phone=phone,
        officer_language=language,
        district=incident.district,
        priority=incident.priority,
        risk_level=incident.risk_level,
        address_line=incident.address_line,
        ack_deadline=ack_deadline,
        purpose=purpose,
    )
