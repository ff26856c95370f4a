"""A batch gives the same final state as the same records one by one (property test).

Both ways a batch is applied: record by record behind the guard, and in one shared
transaction that falls back to record by record when anything in it fails (a poison record,
an effect that raises). Duplicates, poison records and failing effects are mixed in.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st
from qorgau_common.consumer import EventConsumer, SharedBatches
from qorgau_common.unit_of_work import unit_of_work
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from tests.batches import FakeBroker, FakeMessage, FakeRecord
from tests.factories import reported

TOPIC = INCIDENT_REPORTED.name


@dataclass
class State:
    """An idempotent effect (an inbox of event ids) and the order it saw per partition."""

    inbox: set[uuid.UUID] = field(default_factory=set)
    order: dict[int, list[uuid.UUID]] = field(default_factory=dict)


class FakePool:
    """A pool of one connection whose transactions roll `state` back when they fail."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.commits = 0

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakePool]:
        yield self

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        saved = copy.deepcopy((self.state.inbox, self.state.order))
        try:
            yield
        except BaseException:
            self.state.inbox, self.state.order = saved
            raise
        self.commits += 1


EVENTS = [reported(short_code=f"AB{n:02d}") for n in range(6)]
FAILING = {EVENTS[5].event_id}  # its effect always raises: parked after its retries


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
    batches: list[list[FakeRecord]], *, shared: bool = False
) -> tuple[State, list[tuple[int, int, str]], list[int], int]:
    state, broker = State(), FakeBroker()
    consumer = EventConsumer(broker, "test", max_attempts=2, backoff_max_s=0.0)  # type: ignore[arg-type]
    pool = FakePool(state)
    together = SharedBatches(lambda: pool, frozenset({TOPIC})) if shared else None  # type: ignore[arg-type, return-value]
    partition_of: dict[uuid.UUID, int] = {}

    async def apply(event: IncidentReported) -> None:
        async with unit_of_work(pool) as _:  # type: ignore[arg-type]
            if event.event_id in state.inbox:
                return
            state.inbox.add(event.event_id)
            state.order.setdefault(partition_of[event.event_id], []).append(event.event_id)
            if event.event_id in FAILING:
                raise ValueError("this effect always fails")

    acks: list[int] = []
    for batch in batches:
        for r in batch:
            if r.value and not r.value.startswith(b"\x00"):
                partition_of[IncidentReported.model_validate_json(r.value).event_id] = r.partition
        message = FakeMessage(tuple(batch))
        route = lambda _: (IncidentReported, apply)  # noqa: E731
        await consumer.consume_batch(message, route, shared=together)  # type: ignore[arg-type]
        acks += message.acks
    return state, broker.dead, acks, pool.commits


picks = st.lists(
    st.tuples(st.integers(min_value=-1, max_value=len(EVENTS) - 1), st.integers(0, 2)),
    max_size=20,
)


@given(
    picks=picks,
    cuts=st.lists(st.integers(min_value=1, max_value=5), max_size=10),
    shared=st.booleans(),
)
async def test_batches_reach_the_same_state_as_one_by_one(
    picks: list[tuple[int, int]], cuts: list[int], shared: bool
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
    one, dead_one, _, _ = await run([[r] for r in all_records])
    many, dead_many, acks, commits = await run(batches, shared=shared)
    assert many.inbox == one.inbox
    assert many.order == one.order  # order per partition is kept
    assert sorted(dead_many) == sorted(dead_one)  # every poison record parked, alone
    assert acks == [len(b) for b in batches]  # one offset commit per batch, after all of it
    if shared:
        clean = [b for b in batches if not any(bad(r) for r in b)]
        assert commits >= len(clean)  # each clean batch in one transaction, at least


def bad(record: FakeRecord) -> bool:
    if not record.value or record.value.startswith(b"\x00"):
        return True
    return IncidentReported.model_validate_json(record.value).event_id in FAILING


async def test_a_clean_batch_commits_once_and_a_failing_one_falls_back() -> None:
    clean = records([(0, 0), (1, 0), (2, 0), (0, 0)])
    state, dead, acks, commits = await run([clean], shared=True)
    assert commits == 1
    assert acks == [4]
    assert not dead
    assert len(state.inbox) == 3

    mixed = records([(0, 0), (5, 0), (1, 0)])
    state, dead, acks, commits = await run([mixed], shared=True)
    assert {e.event_id for e in EVENTS[:2]} <= state.inbox  # the others applied, one by one
    assert [offset for _, offset, _ in dead] == [1]  # the failing one parked, alone
    assert acks == [3]
