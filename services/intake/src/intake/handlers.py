from __future__ import annotations

from faststream.kafka import KafkaBroker
from qorgau_common.consumer import on_event
from qorgau_common.runtime import ServiceRuntime
from qorgau_contracts import (
    ALERT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    AlertUpdated,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
)

SERVICE = "intake"
MIGRATIONS = ("qorgau_common", "intake")


def register(broker: KafkaBroker, runtime: ServiceRuntime) -> None:
    # Imported here: the use cases import the repository, which needs nothing of this module.
    from .progress import record_alert, record_assigned, record_resolved

    async def on_incident_assigned(event: IncidentAssigned) -> None:
        await record_assigned(runtime.pool, event)

    async def on_alert_updated(event: AlertUpdated) -> None:
        await record_alert(runtime.pool, event)

    async def on_incident_resolved(event: IncidentResolved) -> None:
        await record_resolved(runtime.pool, event)

    on_event(
        broker,
        runtime.settings,
        SERVICE,
        INCIDENT_ASSIGNED,
        IncidentAssigned,
        on_incident_assigned,
        description="Assignments and supervisor notices go on the incident's timeline.",
    )
    on_event(
        broker,
        runtime.settings,
        SERVICE,
        ALERT_UPDATED,
        AlertUpdated,
        on_alert_updated,
        description="SMS submitted, delivered, failed, acknowledged or declined.",
    )
    on_event(
        broker,
        runtime.settings,
        SERVICE,
        INCIDENT_RESOLVED,
        IncidentResolved,
        on_incident_resolved,
        description="The case closed with its outcome.",
    )
    broker.publisher(
        INCIDENT_REPORTED.name,
        title="intake/incident_reported",
        description="Published through the outbox for every accepted report, for a triaged"
        " one, and again by reconciliation while routing has not answered.",
        schema=IncidentReported,
    )
