"""Parking a message that cannot be processed: `<topic>.dlq`, with its reason and origin."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime

import structlog
from faststream.kafka import KafkaBroker
from prometheus_client import Counter
from qorgau_contracts import DeadLetter, dlq_name

from .records import Record

__all__ = ["DEAD_LETTERS", "DeadLetters"]

log = structlog.get_logger(__name__)

DEAD_LETTERS = Counter(
    "qorgau_dead_letters_total", "Messages parked on a dead-letter topic", ["service", "topic"]
)


class DeadLetters:
    def __init__(self, broker: KafkaBroker, service: str, *, backoff_max_s: float) -> None:
        self._broker = broker
        self._service = service
        self._backoff_max_s = backoff_max_s

    async def park(
        self, record: Record, reason: str, *, attempts: int, first_failed_at: datetime
    ) -> None:
        """Publish a dead letter, retrying until the broker takes it."""
        dead = DeadLetter(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            key_b64=base64.b64encode(record.key).decode() if record.key else None,
            value_b64=base64.b64encode(record.value or b"").decode(),
            headers=tuple(
                (name, base64.b64encode(value or b"").decode()) for name, value in record.headers
            ),
            error=reason,
            service=self._service,
            attempts=attempts,
            first_failed_at=first_failed_at,
            last_failed_at=datetime.now(UTC),
        )
        delay = 0.2
        while True:
            try:
                await self._broker.publish(
                    dead.model_dump_json().encode(),
                    topic=dlq_name(record.topic),
                    key=record.key,
                    headers={"event_type": "dead_letter", "service": self._service},
                )
                break
            except Exception as exc:
                log.warning("cannot publish dead letter; retrying", error=type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max_s)
        DEAD_LETTERS.labels(self._service, record.topic).inc()
        log.warning(
            "message parked on dead-letter topic",
            topic=record.topic,
            offset=record.offset,
            reason=reason,
        )
