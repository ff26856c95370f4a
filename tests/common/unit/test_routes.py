"""One batch subscriber per service: records dispatched by topic, each behind the guard."""

from __future__ import annotations

from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker
from qorgau_common.routes import EventRoutes
from qorgau_common.settings import ServiceSettings
from qorgau_contracts import (
    ALERT_UPDATED,
    INCIDENT_REPORTED,
    AlertUpdated,
    DeadLetter,
    IncidentReported,
)

from tests.factories import alert_update, assigned, reported

SETTINGS = ServiceSettings(kafka_bootstrap_servers="memory", consumer_max_attempts=2)


@dataclass
class Seen:
    reported: list[IncidentReported] = field(default_factory=list)
    alerts: list[AlertUpdated] = field(default_factory=list)
    fail_on: set[str] = field(default_factory=set)


ROUTES: EventRoutes[Seen] = EventRoutes()


@ROUTES.on(INCIDENT_REPORTED, IncidentReported, description="reported")
async def on_reported(event: IncidentReported, seen: Seen) -> None:
    if event.short_code in seen.fail_on:
        raise ValueError("a bug for this one")
    seen.reported.append(event)


@ROUTES.on(ALERT_UPDATED, AlertUpdated, description="alerts")
async def on_alert(event: AlertUpdated, seen: Seen) -> None:
    seen.alerts.append(event)


def make(seen: Seen) -> tuple[KafkaBroker, list[DeadLetter]]:
    broker = KafkaBroker()
    ROUTES.subscribe(broker, SETTINGS, "test", lambda: seen)
    parked: list[DeadLetter] = []

    @broker.subscriber(INCIDENT_REPORTED.dlq)
    async def on_dead(msg: KafkaMessage) -> None:
        parked.append(DeadLetter.model_validate_json(msg.body))

    return broker, parked


async def test_each_topic_reaches_its_named_handler() -> None:
    seen = Seen()
    broker, parked = make(seen)
    report = reported()
    alert = alert_update(assigned(), "delivered")
    async with TestKafkaBroker(broker) as br:
        await br.publish(report.model_dump_json().encode(), INCIDENT_REPORTED.name)
        await br.publish(alert.model_dump_json().encode(), ALERT_UPDATED.name)
    assert seen.reported == [report]
    assert seen.alerts == [alert]
    assert parked == []


async def test_a_poison_record_in_a_batch_is_parked_alone_and_the_rest_apply() -> None:
    seen = Seen(fail_on={"BAD1"})
    broker, parked = make(seen)
    good = [reported() for _ in range(3)]
    bad = reported().model_copy(update={"short_code": "BAD1"})
    async with TestKafkaBroker(broker) as br:
        await br.publish_batch(
            *(e.model_dump_json().encode() for e in [good[0], bad, good[1]]),
            b"not json",
            good[2].model_dump_json().encode(),
            topic=INCIDENT_REPORTED.name,
        )
    assert seen.reported == good
    assert sorted(p.error[:20] for p in parked) == sorted(
        ["ValueError('a bug fo", "invalid IncidentRepo"]
    )
