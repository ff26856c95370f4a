"""A broker that restarts empty: a consumer whose position is past the new log still reads it.

Tansu accepts an offset commit from a member it does not know, and answers a fetch past the
log end with an empty batch. So a batch acknowledged just after the restart commits the old
offset into the new log, and without the rewind that partition is never consumed again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from qorgau_common.broker_link import BrokerLink
from qorgau_common.kafka import ensure_topics
from qorgau_common.positions import rewind_past_log_end
from qorgau_common.settings import ServiceSettings
from qorgau_local.broker import free_port, start_tansu
from qorgau_local.procs import stop_process

pytestmark = pytest.mark.integration

TOPIC = "lost.log.v1"
TP = TopicPartition(TOPIC, 0)


async def _eventually(check, within_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not check():
        assert loop.time() < deadline, "not reached in time"
        await asyncio.sleep(0.1)


async def publish(bootstrap: str, value: bytes) -> None:
    """To partition 0: after the restart the broker may auto-create the topic with more."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(TOPIC, value, partition=0)
    finally:
        await producer.stop()


async def test_a_position_past_the_log_end_reads_the_new_log_from_the_start(
    tmp_path: Path,
) -> None:
    port = free_port()
    bootstrap = f"127.0.0.1:{port}"
    seen: list[bytes] = []

    def build() -> KafkaBroker:
        broker = KafkaBroker(bootstrap, logger=None)

        @broker.subscriber(
            TOPIC,
            group_id="lost-log",
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            session_timeout_ms=2000,
            heartbeat_interval_ms=500,
        )
        async def handle(msg: KafkaMessage) -> None:
            seen.append(msg.body)
            await msg.ack()

        return broker

    proc = start_tansu(port, tmp_path / "tansu.log")
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, kafka_start_timeout_s=20)
    link = BrokerLink(settings, "test", build)
    try:
        await ensure_topics(bootstrap, {TOPIC: 1})
        assert await link.join()
        for n in range(10):
            await publish(bootstrap, f"old-{n}".encode())
        await _eventually(lambda: len(seen) == 10)
        assert link.broker is not None
        (subscriber,) = link.broker.subscribers
        consumer: AIOKafkaConsumer = subscriber.consumer  # type: ignore[attr-defined]

        stop_process(proc, timeout=5)
        proc = start_tansu(port, tmp_path / "tansu.log")
        await ensure_topics(bootstrap, {TOPIC: 1})
        for n in range(3):
            await publish(bootstrap, f"new-{n}".encode())
        await _eventually(lambda: sum(b.startswith(b"new") for b in seen) == 3)  # rejoined
        # Where a stale commit leaves a rejoined consumer (seen: a batch in flight when the
        # broker died commits its old offset into the new log, and Tansu accepts it).
        consumer.seek(TP, 10)
        for n in range(3):
            await publish(bootstrap, f"late-{n}".encode())
        await asyncio.sleep(2)  # only to show that nothing more happens
        assert not any(b.startswith(b"late") for b in seen), "a fetch past the end reads nothing"

        assert not link.log_lost.is_set()
        keeping = asyncio.create_task(link.keep())
        try:
            await _eventually(lambda: sum(b.startswith(b"late") for b in seen) == 3)
        finally:
            keeping.cancel()
        # The service is told, so it says again at once what the broker may have lost.
        assert link.log_lost.is_set()
        assert await rewind_past_log_end(consumer, "test") == []
    finally:
        await link.stop()
        stop_process(proc, timeout=5)


async def read_until(
    consumer: AIOKafkaConsumer, read: list[bytes], done: Callable[[], bool]
) -> None:
    """Fetch into `read` until `done()`, for at most 10 s."""
    async with asyncio.timeout(10):
        while not done():
            for records in (await consumer.getmany(timeout_ms=200)).values():
                read += [r.value for r in records if r.value is not None]


async def test_one_lost_partition_rewinds_them_all_even_those_the_new_log_outgrew(
    tmp_path: Path,
) -> None:
    """After an empty restart a busy partition's new log may already be past our old
    position (seen in the fault suite: offsets 0..position of the new log were skipped
    without a sign, and only reconciliation found their reports a minute later). The
    partition that does show the loss rewinds every assigned one."""
    port = free_port()
    bootstrap = f"127.0.0.1:{port}"
    quiet, busy = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)
    proc = start_tansu(port, tmp_path / "tansu.log")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        await ensure_topics(bootstrap, {TOPIC: 2})
        await producer.start()
        for n in range(3):
            await producer.send_and_wait(TOPIC, f"quiet-{n}".encode(), partition=0)
        for n in range(5):
            await producer.send_and_wait(TOPIC, f"busy-{n}".encode(), partition=1)
        await consumer.start()
        consumer.assign([quiet, busy])
        consumer.seek(quiet, 10)  # past the new log's end: the loss shows here
        consumer.seek(busy, 2)  # the new log outgrew the old position: busy-0, busy-1 unread
        read: list[bytes] = []
        await read_until(consumer, read, lambda: None not in map(consumer.highwater, [quiet, busy]))
        assert read == [b"busy-2", b"busy-3", b"busy-4"]

        rewound = await rewind_past_log_end(consumer, "test", {})

        assert sorted(rewound) == [quiet, busy]
        await read_until(consumer, read, lambda: {b"busy-0", b"busy-1", b"quiet-0"} <= set(read))
    finally:
        await consumer.stop()
        await producer.stop()
        stop_process(proc, timeout=5)
