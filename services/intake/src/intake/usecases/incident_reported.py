"""The one builder of `incident.reported.v1`, and its way into the outbox.

Every path that makes routing hear about an incident goes through here: a new report, a
new social-media incident, triage or a location that places a waiting one, and
reconciliation republishing one nobody routed.
"""

from __future__ import annotations

from qorgau_common.db import Connection
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from intake.db import SCHEMA
from intake.domain.incident import Incident


def reported_event(incident: Incident) -> IncidentReported:
    return IncidentReported(
        producer=SCHEMA,
        correlation_id=incident.id,
        exercise=incident.exercise,
        incident_id=incident.id,
        short_code=incident.short_code,
        channel=incident.channel,
        received_at=incident.received_at,
        district=incident.district,
        district_unresolved_reason=incident.district_unresolved_reason,
        address_line=incident.address_line,
        coordinates=incident.coordinates,
        priority=incident.priority,
        risk_level=incident.risk_level,
        risk_flags=incident.risk_flags,
        linked_incident_ids=incident.linked_incident_ids,
    )


async def publish_reported(conn: Connection, incident: Incident) -> None:
    """In the caller's transaction: the change and its event commit together."""
    await enqueue(conn, SCHEMA, INCIDENT_REPORTED.name, str(incident.id), reported_event(incident))
