"""Consumer positions a broker's log no longer has: found and read again from the start.

A broker that restarts empty (the bundled development broker keeps nothing) starts every
partition's log again at offset 0. Our consumer still holds its old position, say 500; a
batch that was in flight when the broker died may even commit that offset to the new
broker, which accepts it. Real Kafka answers a fetch past the log end with
OFFSET_OUT_OF_RANGE and the consumer resets itself; Tansu answers with an empty batch, so
the partition would never be consumed again and every event on it would wait for ever.

So a position past the partition's high watermark (which a live log never allows) means
the log we read is gone, and everything in the new log is unread: the partition is read
again from its beginning. Consumers deduplicate through their inbox, so nothing doubles.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import Counter

__all__ = ["REWOUND", "rewind_past_log_end"]

log = structlog.get_logger(__name__)

REWOUND = Counter(
    "qorgau_consumer_rewinds_total",
    "Partitions read again from the start because the broker's log ended before our position",
    ["service", "topic"],
)

_POSITION_WAIT_S = 1.0


async def _position(consumer: AIOKafkaConsumer, tp: TopicPartition) -> int | None:
    """The consumer's position, or None while it has none (a rejoin is under way)."""
    with contextlib.suppress(Exception):
        return await asyncio.wait_for(consumer.position(tp), _POSITION_WAIT_S)
    return None


async def rewind_past_log_end(consumer: AIOKafkaConsumer, service: str) -> list[TopicPartition]:
    """Seek every assigned partition whose position is past its log end to the beginning."""
    rewound: list[TopicPartition] = []
    for tp in sorted(consumer.assignment()):
        end: int | None = None
        with contextlib.suppress(Exception):  # the assignment may change under us
            end = consumer.highwater(tp)
        if end is None:
            continue
        position = await _position(consumer, tp)
        if position is None or position <= end:
            continue
        log.warning(
            "consumer position is past the broker's log end (the broker lost its log); "
            "reading the partition again from the start",
            topic=tp.topic,
            partition=tp.partition,
            position=position,
            log_end=end,
        )
        with contextlib.suppress(Exception):
            await consumer.seek_to_beginning(tp)
            rewound.append(tp)
            REWOUND.labels(service, tp.topic).inc()
    return rewound
