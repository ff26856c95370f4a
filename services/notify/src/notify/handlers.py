from __future__ import annotations

from faststream.kafka import KafkaBroker
from qorgau_common.consumer import on_event
from qorgau_common.runtime import RegisterHandlers, ServiceRuntime
from qorgau_contracts import ALERT_UPDATED, INCIDENT_ASSIGNED, AlertUpdated, IncidentAssigned

from .alerts import record_alert
from .sending import Sender

SERVICE = "notify"
MIGRATIONS = ("qorgau_common", "notify")


def registrar(sender: Sender) -> RegisterHandlers:
    def register(broker: KafkaBroker, runtime: ServiceRuntime) -> None:
        async def on_incident_assigned(event: IncidentAssigned) -> None:
            # Idempotent: a redelivery finds the alert, and only a pending one is claimed.
            alert_id = await record_alert(runtime.pool, event)
            if alert_id is not None:
                await sender.dispatch(alert_id)

        on_event(
            broker,
            runtime.settings,
            SERVICE,
            INCIDENT_ASSIGNED,
            IncidentAssigned,
            on_incident_assigned,
            description="Send the assigned officer an SMS, once per assignment.",
        )
        broker.publisher(
            ALERT_UPDATED.name,
            title="notify/alert_updated",
            description="Published through the outbox whenever an alert's status changes.",
            schema=AlertUpdated,
        )

    return register
