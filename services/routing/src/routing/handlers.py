from __future__ import annotations

from faststream.kafka import KafkaBroker
from qorgau_common.consumer import on_event
from qorgau_common.runtime import RegisterHandlers, ServiceRuntime
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

from .domain import EscalationPolicy

SERVICE = "routing"
MIGRATIONS = ("qorgau_common", "routing")


def registrar(policy: EscalationPolicy) -> RegisterHandlers:
    # Imported here: the use cases import the repository, which needs nothing of this module.
    from .acknowledgements import on_alert_updated
    from .assign import assign_incident

    def register(broker: KafkaBroker, runtime: ServiceRuntime) -> None:
        async def on_incident_reported(event: IncidentReported) -> None:
            await assign_incident(runtime.pool, event, policy)

        async def on_alert(event: AlertUpdated) -> None:
            await on_alert_updated(runtime.pool, event, policy)

        on_event(
            broker,
            runtime.settings,
            SERVICE,
            INCIDENT_REPORTED,
            IncidentReported,
            on_incident_reported,
            description="Assign each reported incident to an on-shift officer.",
        )
        on_event(
            broker,
            runtime.settings,
            SERVICE,
            ALERT_UPDATED,
            AlertUpdated,
            on_alert,
            description="An acknowledgement stops escalation; a decline or failed"
            " delivery moves the case to the next officer at once.",
        )
        broker.publisher(
            INCIDENT_ASSIGNED.name,
            title="routing/incident_assigned",
            description="Each assignment and supervisor notice, via the outbox.",
            schema=IncidentAssigned,
        )
        broker.publisher(
            INCIDENT_RESOLVED.name,
            title="routing/incident_resolved",
            description="A case closed with its outcome, via the outbox.",
            schema=IncidentResolved,
        )

    return register
