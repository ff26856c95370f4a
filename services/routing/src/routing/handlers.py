from __future__ import annotations

from faststream.kafka import KafkaBroker, KafkaMessage
from qorgau_common.consumer import EventConsumer
from qorgau_common.kafka import subscribe
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
    consumer = EventConsumer(broker, SERVICE, max_attempts=runtime.settings.consumer_max_attempts)

    @subscribe(
        broker,
        INCIDENT_REPORTED.name,
        runtime.settings,
        SERVICE,
        description="Assign each reported incident to an on-shift officer.",
    )
    async def on_incident_reported(msg: KafkaMessage) -> None:
        async def apply(event: IncidentReported) -> None:
            await assign_incident(runtime.pool, event)

        await consumer.consume(msg, IncidentReported, apply)

    broker.publisher(
        INCIDENT_ASSIGNED.name,
        title="routing/incident_assigned",
        description="Published through the outbox after each assignment.",
        schema=IncidentAssigned,
    )
