from __future__ import annotations

from faststream.kafka import KafkaBroker, KafkaMessage
from qorgau_common.consumer import EventConsumer
from qorgau_common.kafka import subscribe
from qorgau_common.runtime import RegisterHandlers, ServiceRuntime
from qorgau_contracts import ALERT_UPDATED, INCIDENT_ASSIGNED, AlertUpdated, IncidentAssigned

from .alerts import record_alert, send_alert
from .provider import SmsProvider

SERVICE = "notify"
MIGRATIONS = ("qorgau_common", "notify")


def registrar(provider: SmsProvider) -> RegisterHandlers:
    def register(broker: KafkaBroker, runtime: ServiceRuntime) -> None:
        consumer = EventConsumer(
            broker, SERVICE, max_attempts=runtime.settings.consumer_max_attempts
        )

        @subscribe(
            broker,
            INCIDENT_ASSIGNED.name,
            runtime.settings,
            SERVICE,
            description="Send the assigned officer an SMS, once per assignment.",
        )
        async def on_incident_assigned(msg: KafkaMessage) -> None:
            async def apply(event: IncidentAssigned) -> None:
                # Idempotent: a redelivery finds the alert and sends only if still pending.
                alert_id = await record_alert(runtime.pool, event)
                await send_alert(runtime.pool, provider, alert_id)

            await consumer.consume(msg, IncidentAssigned, apply)

        broker.publisher(
            ALERT_UPDATED.name,
            title="notify/alert_updated",
            description="Published through the outbox whenever an alert's status changes.",
            schema=AlertUpdated,
        )

    return register
