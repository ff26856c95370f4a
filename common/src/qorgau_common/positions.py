"""Consumer positions a broker's log no longer has: found and read again from the start.

A broker that restarts empty (the bundled development broker keeps nothing) starts every
partition's log again at offset 0. Our consumer still holds its old position, say 500; a
batch that was in flight when the broker died may even commit that offset to the new
broker, which accepts it. Real Kafka answers a fetch past the log end with
OFFSET_OUT_OF_RANGE and the consumer resets itself; Tansu answers with an empty batch, so
the partition would never be consumed again and every event on it would wait for ever.

So a position past the partition's high watermark (which a live log never allows), or a
high watermark lower than one seen before (a live log never shrinks), means the log we read
is gone. An empty restart loses every partition at once, and on a busy partition the new log
may already have grown past our old position by the time we look (its first records would
then be skipped without a sign): so once one partition shows the loss, every assigned
partition is read again from its beginning. Consumers deduplicate through their inbox, so
nothing doubles, and the new log holds only what came since the restart.
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


async def rewind_past_log_end(
    consumer: AIOKafkaConsumer,
    service: str,
    seen: dict[TopicPartition, int] | None = None,
) -> list[TopicPartition]:
    """If any assigned partition shows that the broker lost its log, seek every assigned
    partition to the beginning; the partitions rewound.

    `seen` (kept by the caller between calls) holds each partition's last high watermark."""
    assigned = sorted(consumer.assignment())
    lost: tuple[TopicPartition, int, int] | None = None
    for tp in assigned:
        end: int | None = None
        with contextlib.suppress(Exception):  # the assignment may change under us
            end = consumer.highwater(tp)
        if end is None:
            continue
        before = seen.get(tp) if seen is not None else None
        if seen is not None:
            seen[tp] = end
        if before is not None and end < before:
            lost = (tp, before, end)
            break
        position = await _position(consumer, tp)
        if position is not None and position > end:
            lost = (tp, position, end)
            break
    if lost is None:
        return []
    tp, position, end = lost
    log.warning(
        "the broker lost its log (a position or high watermark past its log end); "
        "reading every partition again from the start",
        topic=tp.topic,
        partition=tp.partition,
        position=position,
        log_end=end,
        partitions=len(assigned),
    )
    if seen is not None:
        seen.clear()
    # One at a time, and the assignment as it is now: a rebalance during the checks above
    # may have changed it, and aiokafka refuses a whole seek that names a partition no longer
    # ours (one such refusal, swallowed, would leave every partition unrewound).
    rewound: list[TopicPartition] = []
    for each in sorted(consumer.assignment()):
        with contextlib.suppress(Exception):
            await consumer.seek_to_beginning(each)
            rewound.append(each)
            REWOUND.labels(service, each.topic).inc()
    return rewound
