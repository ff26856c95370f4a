"""The consume-apply-ack guard, in memory (TestKafkaBroker)."""

from __future__ import annotations

import base64
import json

from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker
from faststream.kafka.subscriber.usecase import DefaultSubscriber
from qorgau_common.consumer import EventConsumer
from qorgau_common.kafka import subscribe
from qorgau_common.settings import ServiceSettings
from qorgau_contracts import INCIDENT_REPORTED, DeadLetter, IncidentReported

from tests.factories import reported

SETTINGS = ServiceSettings(kafka_bootstrap_servers="memory")


def make(
    apply_results: list[Exception | None],
) -> tuple[KafkaBroker, list[IncidentReported], list[bytes]]:
    broker = KafkaBroker()
    applied: list[IncidentReported] = []
    parked: list[bytes] = []
    consumer = EventConsumer(broker, "test", max_attempts=3, backoff_max_s=0.01)

    subscriber = subscribe(
        broker, INCIDENT_REPORTED.name, SETTINGS, "test", description="under test"
    )
    assert isinstance(subscriber, DefaultSubscriber)

    @subscriber
    async def on_reported(msg: KafkaMessage) -> None:
        async def apply(event: IncidentReported) -> None:
            outcome = apply_results.pop(0) if apply_results else None
            if outcome is not None:
                raise outcome
            applied.append(event)

        await consumer.consume(msg, IncidentReported, apply)

    @broker.subscriber(INCIDENT_REPORTED.dlq)
    async def on_dead(msg: KafkaMessage) -> None:
        parked.append(msg.body)

    return broker, applied, parked


async def test_a_valid_event_is_applied() -> None:
    broker, applied, parked = make([])
    event = reported()
    async with TestKafkaBroker(broker) as br:
        await br.publish(event.model_dump_json().encode(), INCIDENT_REPORTED.name)
    assert applied == [event]
    assert parked == []


async def test_a_malformed_event_goes_to_the_dlq_with_its_reason() -> None:
    broker, applied, parked = make([])
    body = json.dumps({"event_type": "incident.reported", "short_code": "bad code"}).encode()
    async with TestKafkaBroker(broker) as br:
        await br.publish(body, INCIDENT_REPORTED.name, key=b"k1", headers={"h": "v"})
    assert applied == []
    dead = DeadLetter.model_validate_json(parked[0])
    assert dead.topic == INCIDENT_REPORTED.name
    assert dead.service == "test"
    assert base64.b64decode(dead.value_b64) == body
    assert "short_code" in dead.error
    assert "incident_id: Field required" in dead.error
    assert dead.key_b64 == base64.b64encode(b"k1").decode()


async def test_not_json_at_all_goes_to_the_dlq() -> None:
    broker, applied, parked = make([])
    async with TestKafkaBroker(broker) as br:
        await br.publish(b"\xff\xfe not json", INCIDENT_REPORTED.name)
    assert applied == []
    assert "invalid IncidentReported" in DeadLetter.model_validate_json(parked[0]).error


async def test_a_transient_failure_is_retried() -> None:
    broker, applied, parked = make([RuntimeError("blip")])
    async with TestKafkaBroker(broker) as br:
        await br.publish(reported().model_dump_json().encode(), INCIDENT_REPORTED.name)
    assert len(applied) == 1
    assert parked == []


async def test_a_persistent_failure_is_parked_after_the_attempts() -> None:
    broker, applied, parked = make([ValueError("bug")] * 3)
    async with TestKafkaBroker(broker) as br:
        await br.publish(reported().model_dump_json().encode(), INCIDENT_REPORTED.name)
    dead = DeadLetter.model_validate_json(parked[0])
    assert applied == []
    assert dead.attempts == 3
    assert "ValueError('bug')" in dead.error


async def test_an_infrastructure_outage_is_retried_beyond_the_attempts() -> None:
    broker, applied, parked = make([ConnectionRefusedError()] * 5)
    async with TestKafkaBroker(broker) as br:
        await br.publish(reported().model_dump_json().encode(), INCIDENT_REPORTED.name)
    assert len(applied) == 1
    assert parked == []
