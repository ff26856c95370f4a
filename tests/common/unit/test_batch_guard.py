"""A batch gives the same final state as the same records one by one (property test)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from qorgau_common.consumer import EventConsumer
from qorgau_contracts import INCIDENT_REPORTED, DeadLetter, IncidentReported

from tests.factories import reported

TOPIC = INCIDENT_REPORTED.name


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


@dataclass
class State:
    """An idempotent effect (an inbox of event ids) and the order it saw per partition."""

    inbox: set[uuid.UUID] = field(default_factory=set)
    order: dict[int, list[uuid.UUID]] = field(default_factory=dict)


EVENTS = [reported(short_code=f"AB{n:02d}") for n in range(6)]


def records(picks: list[tuple[int, int]]) -> list[FakeRecord]:
    """Each pick: (event index or -1 for poison, partition of a poison record).

    An event always lands on its own partition (its key, the incident id, decides)."""
    out = []
    for offset, (index, poison_partition) in enumerate(picks):
        partition = poison_partition if index < 0 else index % 3
        value = b"\x00poison" if index < 0 else EVENTS[index].model_dump_json().encode()
        out.append(FakeRecord(TOPIC, partition, offset, None, value))
    return out


async def run(
    batches: list[list[FakeRecord]],
) -> tuple[State, list[tuple[int, int, str]], list[int]]:
    state, broker = State(), FakeBroker()
    consumer = EventConsumer(broker, "test", max_attempts=2, backoff_max_s=0.0)  # type: ignore[arg-type]
    partition_of: dict[uuid.UUID, int] = {}

    async def apply(event: IncidentReported) -> None:
        if event.event_id in state.inbox:
            return
        state.inbox.add(event.event_id)
        state.order.setdefault(partition_of[event.event_id], []).append(event.event_id)

    acks: list[int] = []
    for batch in batches:
        for r in batch:
            if r.value and not r.value.startswith(b"\x00"):
                partition_of[IncidentReported.model_validate_json(r.value).event_id] = r.partition
        message = FakeMessage(tuple(batch))
        await consumer.consume_batch(message, lambda _: (IncidentReported, apply))  # type: ignore[arg-type]
        acks += message.acks
    return state, broker.dead, acks


picks = st.lists(
    st.tuples(st.integers(min_value=-1, max_value=len(EVENTS) - 1), st.integers(0, 2)),
    max_size=20,
)


@given(picks=picks, cuts=st.lists(st.integers(min_value=1, max_value=5), max_size=10))
async def test_batches_reach_the_same_state_as_one_by_one(
    picks: list[tuple[int, int]], cuts: list[int]
) -> None:
    all_records = records(picks)
    batches: list[list[FakeRecord]] = []
    rest = list(all_records)
    for size in [*cuts, len(rest) or 1]:
        if not rest:
            break
        batches.append(rest[:size])
        rest = rest[size:]
    if rest:
        batches.append(rest)
    one, dead_one, _ = await run([[r] for r in all_records])
    many, dead_many, acks = await run(batches)
    assert many.inbox == one.inbox
    assert many.order == one.order  # order per partition is kept
    assert sorted(dead_many) == sorted(dead_one)  # every poison record parked, alone
    assert acks == [len(b) for b in batches]  # one commit per batch, after all of it
