"""How far a downstream consumer group is behind on a topic, as the broker sees it.

Reconciliation republishes what a stage has not answered. While that stage is still working
through a queue (after an outage, or a backlog) its answer is only late, not lost: a
republish then only adds to the queue (17,600 republished events were seen while routing
caught up). So a reconciler asks first; a group that is behind is left to catch up.

Only partitions the group has committed count. After the broker lost its data the group has
no offsets at all, and then the lag is unknown (None): the caller republishes, because the
events themselves may be gone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Sequence

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Counter
from qorgau_contracts import Topic

__all__ = ["DEFERRED", "Queue", "consumer_lag", "consumer_lags", "still_catching_up"]

log = structlog.get_logger(__name__)

_CLOSE_S = 2.0

DEFERRED = Counter(
    "qorgau_reconcile_deferred_total",
    "Reconciliation rounds skipped because the downstream group was still working through"
    " its queue",
    ["service"],
)


# A queue this short is the records of one poll, always there under steady load; only a
# longer one means the stage is working through a backlog.
BACKLOG_ABOVE = 200


Queue = tuple[str, Topic]
"""A consumer group and a topic it consumes."""


async def still_catching_up(
    bootstrap_servers: str, service: str, *queues: Queue, above: int = BACKLOG_ABOVE
) -> bool:
    """True (and counted) when any group has more than `above` records of its topic to
    consume. The queues are looked at with one admin client and one consumer."""
    lags = await consumer_lags(bootstrap_servers, queues)
    for (group, topic), lag in zip(queues, lags, strict=True):
        if lag is not None and lag > above:
            log.info(
                "downstream still catching up; not republishing",
                group=group, topic=topic.name, lag=lag,
            )  # fmt: skip
            DEFERRED.labels(service).inc()
            return True
    return False


async def consumer_lag(
    bootstrap_servers: str, group: str, topic: Topic, timeout_s: float = 5.0
) -> int | None:
    """Records of `topic` that `group` has not yet committed past; None when unknown."""
    (lag,) = await consumer_lags(bootstrap_servers, [(group, topic)], timeout_s)
    return lag


async def consumer_lags(
    bootstrap_servers: str, queues: Sequence[Queue], timeout_s: float = 5.0
) -> list[int | None]:
    """`consumer_lag` of each queue, asked with one pair of clients; all None if the broker
    does not answer within `timeout_s`."""
    try:
        return await asyncio.wait_for(_lags(bootstrap_servers, queues), timeout_s)
    except Exception as exc:
        log.info("consumer lag unknown", queues=len(queues), error=type(exc).__name__)
        return [None] * len(queues)


async def _lags(bootstrap_servers: str, queues: Sequence[Queue]) -> list[int | None]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
    try:
        await admin.start()
        await consumer.start()
        return [await _lag(admin, consumer, group, topic) for group, topic in queues]
    finally:
        # Bounded: this also runs when the round is cancelled (a service stopping), and a
        # client whose start was cut short must not hold the stop up.
        await _close(consumer.stop())
        await _close(admin.close())


async def _lag(
    admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer, group: str, topic: Topic
) -> int | None:
    # Partitions named: Tansu drops the connection on a fetch of "all the group's offsets".
    partitions = [TopicPartition(topic.name, p) for p in range(topic.partitions)]
    committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
    mine: dict[TopicPartition, int] = {
        tp: int(meta.offset) for tp, meta in committed.items() if meta.offset >= 0
    }
    if not mine:
        return None
    ends = await consumer.end_offsets(list(mine))
    return sum(max(0, int(ends[tp]) - offset) for tp, offset in mine.items())


async def _close(closing: Awaitable[object]) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(closing, _CLOSE_S)
