from __future__ import annotations

from faststream.kafka import KafkaBroker
from qorgau_common.consumer import on_event
from qorgau_common.runtime import ServiceRuntime
from qorgau_contracts import (
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    IncidentAssigned,
    IncidentReported,
)

from .assign import assign_incident

SERVICE = "routing"
MIGRATIONS = ("qorgau_common", "routing")


def register(broker: KafkaBroker, runtime: ServiceRuntime) -> None:
    async def on_incident_reported(event: IncidentReported) -> None:
        await assign_incident(runtime.pool, event)

    on_event(
        broker,
        runtime.settings,
        SERVICE,
        INCIDENT_REPORTED,
        IncidentReported,
        on_incident_reported,
        description="Assign each reported incident to an on-shift officer.",
    )
    broker.publisher(
        INCIDENT_ASSIGNED.name,
        title="routing/incident_assigned",
        description="Published through the outbox after each assignment.",
        schema=IncidentAssigned,
    )
