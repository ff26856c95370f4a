"""The one builder of `incident.unassigned.v1`: nobody can take the case, and why.

Intake shows the incident as waiting for an officer and stops republishing it; the board
shows it as escalated with the reason.
"""

from __future__ import annotations

from qorgau_common.db import Connection
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_UNASSIGNED, IncidentUnassigned

from routing.db import SCHEMA
from routing.domain.cases import Incident


async def publish_unassigned(
    conn: Connection, incident: Incident, attempts: int, reason: str, *, supervisor_told: bool
) -> None:
    event = IncidentUnassigned(
        producer=SCHEMA,
        correlation_id=incident.correlation_id,
        exercise=incident.exercise,
        incident_id=incident.id,
        short_code=incident.short_code,
        attempts=attempts,
        reason=reason[:200],
        supervisor_told=supervisor_told,
    )
    await enqueue(conn, SCHEMA, INCIDENT_UNASSIGNED.name, str(incident.id), event)
