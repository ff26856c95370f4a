"""The lag of a downstream group, read from a real broker (reconcilers ask before they
republish)."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from qorgau_common.lag import consumer_lag, consumer_lags, still_catching_up
from qorgau_contracts import INCIDENT_REPORTED

pytestmark = pytest.mark.integration

REPORTED = INCIDENT_REPORTED
FIRST = TopicPartition(REPORTED.name, 0)


async def five_records(kafka: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all")
    await producer.start()
    try:
        for n in range(5):
            await producer.send_and_wait(REPORTED.name, f"e{n}".encode(), partition=0)
    finally:
        await producer.stop()


async def commit(kafka: str, group: str, offset: int) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka, group_id=group)
    await consumer.start()
    try:
        consumer.assign([FIRST])
        await consumer.commit({FIRST: offset})
    finally:
        await consumer.stop()


async def test_the_lag_counts_what_the_group_has_not_committed_past(kafka: str) -> None:
    await five_records(kafka)
    await commit(kafka, "downstream", 2)
    assert await consumer_lag(kafka, "downstream", REPORTED) == 3
    # A group that never committed (or a broker that lost its offsets): unknown, not zero.
    assert await consumer_lag(kafka, "nobody", REPORTED) is None


async def test_an_unreachable_broker_gives_an_unknown_lag() -> None:
    assert await consumer_lag("127.0.0.1:1", "downstream", REPORTED, timeout_s=2) is None


async def test_a_short_queue_is_not_a_backlog(kafka: str) -> None:
    await five_records(kafka)
    await commit(kafka, "behind", 0)
    assert not await still_catching_up(kafka, "test", ("behind", REPORTED))
    assert await still_catching_up(kafka, "test", ("behind", REPORTED), above=4)


async def test_any_queue_behind_is_a_backlog_asked_in_one_go(kafka: str) -> None:
    await five_records(kafka)
    await commit(kafka, "caught-up", 5)
    await commit(kafka, "behind", 0)
    assert await consumer_lags(kafka, [("caught-up", REPORTED), ("behind", REPORTED)]) == [0, 5]
    assert await still_catching_up(
        kafka, "test", ("caught-up", REPORTED), ("behind", REPORTED), above=4
    )
    assert not await still_catching_up(kafka, "test", ("caught-up", REPORTED), above=4)
