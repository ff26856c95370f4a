from __future__ import annotations

from faststream.kafka import KafkaBroker
from qorgau_common.runtime import ServiceRuntime
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

SERVICE = "intake"
MIGRATIONS = ("qorgau_common", "intake")


def register(broker: KafkaBroker, runtime: ServiceRuntime) -> None:
    del runtime  # intake only publishes for now, through its outbox
    broker.publisher(
        INCIDENT_REPORTED.name,
        title="intake/incident_reported",
        description="Published through the outbox for every accepted report.",
        schema=IncidentReported,
    )
