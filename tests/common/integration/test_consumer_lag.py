"""The lag of a downstream group, read from a real broker (reconcilers ask before they
republish)."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from qorgau_common.lag import consumer_lag
from qorgau_contracts import INCIDENT_REPORTED

pytestmark = pytest.mark.integration

TOPIC = INCIDENT_REPORTED.name
REPORTED = INCIDENT_REPORTED


async def test_the_lag_counts_what_the_group_has_not_committed_past(kafka: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all")
    await producer.start()
    try:
        sent = [
            await producer.send_and_wait(TOPIC, f"e{n}".encode(), partition=0) for n in range(5)
        ]
    finally:
        await producer.stop()
    assert {s.partition for s in sent} == {0}
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id="downstream")
    await consumer.start()
    try:
        consumer.assign([TopicPartition(TOPIC, 0)])
        await consumer.commit({TopicPartition(TOPIC, 0): 2})
    finally:
        await consumer.stop()
    assert await consumer_lag(kafka, "downstream", REPORTED) == 3
    # A group that never committed (or a broker that lost its offsets): unknown, not zero.
    assert await consumer_lag(kafka, "nobody", REPORTED) is None


async def test_an_unreachable_broker_gives_an_unknown_lag() -> None:
    assert await consumer_lag("127.0.0.1:1", "downstream", REPORTED, timeout_s=2) is None


async def test_a_short_queue_is_not_a_backlog(kafka: str) -> None:
    from qorgau_common.lag import still_catching_up

    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all")
    await producer.start()
    try:
        for n in range(5):
            await producer.send_and_wait(TOPIC, f"e{n}".encode(), partition=0)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id="behind")
    await consumer.start()
    try:
        consumer.assign([TopicPartition(TOPIC, 0)])
        await consumer.commit({TopicPartition(TOPIC, 0): 0})
    finally:
        await consumer.stop()
    assert not await still_catching_up(kafka, "test", "behind", REPORTED)
    assert await still_catching_up(kafka, "test", "behind", REPORTED, above=4)
