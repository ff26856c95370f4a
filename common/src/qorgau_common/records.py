"""The Kafka records the consumer guard works on, whatever FastStream wrapped them in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, cast

from faststream.kafka import KafkaMessage

__all__ = ["Record", "record_of", "records_of"]


class Record(Protocol):
    """What the guard needs of an aiokafka ConsumerRecord."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes | None]]


def record_of(msg: KafkaMessage) -> Record:
    """The aiokafka record behind a single FastStream message."""
    return cast(Record, msg.raw_message)


def records_of(msg: KafkaMessage) -> tuple[Record, ...]:
    """The aiokafka records behind a FastStream message, batch or single."""
    raw = msg.raw_message
    return cast(tuple[Record, ...], tuple(raw) if isinstance(raw, tuple | list) else (raw,))
