"""Hand-written fakes of what the consumer guard reads and writes: records, a batch, the DLQ."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qorgau_contracts import DeadLetter


@dataclass
class FakeRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes | None]] = field(default_factory=list)


@dataclass
class FakeMessage:
    raw_message: tuple[FakeRecord, ...]
    acks: list[int] = field(default_factory=list)

    async def ack(self) -> None:
        self.acks.append(len(self.raw_message))


class FakeBroker:
    def __init__(self) -> None:
        self.dead: list[tuple[int, int, str]] = []

    async def publish(self, body: bytes, **_: Any) -> None:
        letter = DeadLetter.model_validate_json(body)
        self.dead.append((letter.partition, letter.offset, letter.error))
