"""A consumer batch's progress, recorded together, ends where the same events one by one do.

Seeded random runs of downstream events for two incidents (repeats and events for an incident
intake does not know mixed in): one copy goes through one shared transaction, where the
progress is written in one statement at the end, the other copy event by event. Status,
routed mark and timeline must agree.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from intake.usecases.record_progress import (
    record_alert,
    record_assigned,
    record_assignment_updated,
    record_resolved,
    record_unassigned,
)
from qorgau_common.unit_of_work import shared_transaction
from qorgau_contracts import (
    AlertUpdated,
    AssignmentUpdated,
    Event,
    IncidentAssigned,
    IncidentResolved,
    IncidentUnassigned,
)

from tests import factories
from tests.intake.support import submit_directly

RUNS = 12

# The downstream events intake records, each about one incident.
IncidentEvent = (
    IncidentAssigned | AlertUpdated | AssignmentUpdated | IncidentUnassigned | IncidentResolved
)


def events_for(incident_id: uuid.UUID, rng: random.Random) -> list[IncidentEvent]:
    first = factories.assigned(incident_id=incident_id, correlation_id=incident_id, attempt=1)
    second = factories.assigned(incident_id=incident_id, correlation_id=incident_id, attempt=2)
    notice = factories.assigned(
        incident_id=incident_id, correlation_id=incident_id, purpose="supervisor_notice"
    )
    pool: list[IncidentEvent] = [
        first,
        second,
        notice,
        factories.alert_update(first, "submitted"),
        factories.alert_update(first, "delivered"),
        factories.alert_update(first, "failed", reason="delivery receipt: UNDELIV"),
        factories.assignment_update(first, "acknowledged"),
        factories.assignment_update(first, "expired"),
        factories.assignment_update(second, "acknowledged"),
        IncidentUnassigned(
            producer="routing", correlation_id=incident_id, incident_id=incident_id,
            short_code="K7Q2", attempts=1, reason="nobody left", supervisor_told=True,
        ),
        IncidentResolved(
            producer="routing", correlation_id=incident_id, incident_id=incident_id,
            assignment_id=first.assignment_id, officer_id=first.officer_id,
            outcome="protective_order_issued", resolved_by="supervisor-1",
        ),
    ]  # fmt: skip
    chosen = rng.choices(pool, k=rng.randint(1, 8))
    return chosen + rng.sample(chosen, k=min(2, len(chosen)))  # and a few redelivered


def moved_to(
    event: IncidentEvent, incident_id: uuid.UUID, ids: dict[uuid.UUID, uuid.UUID]
) -> IncidentEvent:
    """The same event for another incident; a redelivery stays a redelivery."""
    new_id = ids.setdefault(event.event_id, uuid.uuid4())
    return event.model_copy(update={"incident_id": incident_id, "event_id": new_id})


def record_of(event: Event) -> Callable[[asyncpg.Pool, Any], Awaitable[None]]:
    if isinstance(event, IncidentAssigned):
        return record_assigned
    if isinstance(event, AlertUpdated):
        return record_alert
    if isinstance(event, AssignmentUpdated):
        return record_assignment_updated
    if isinstance(event, IncidentUnassigned):
        return record_unassigned
    assert isinstance(event, IncidentResolved)
    return record_resolved


async def state(pool: asyncpg.Pool, incident_id: uuid.UUID) -> tuple[Any, ...]:
    row = await pool.fetchrow(
        "SELECT status, routed_at IS NOT NULL AS routed FROM intake.incidents WHERE id = $1",
        incident_id,
    )
    lines = await pool.fetch(
        "SELECT status, detail::text FROM intake.incident_timeline WHERE incident_id = $1"
        " ORDER BY id",
        incident_id,
    )
    assert row is not None
    # The opening line aside: the second report of a pair is linked to the first.
    return tuple(row), [tuple(line) for line in lines[1:]]


async def test_a_batch_records_what_the_same_events_one_by_one_do(
    pool: asyncpg.Pool, database_url: str
) -> None:
    rng = random.Random(20261201)
    for run in range(RUNS):
        batched = await submit_directly(database_url, f"102-8{run:03d}a")
        alone = await submit_directly(database_url, f"102-8{run:03d}b")
        stranger = uuid.uuid4()  # intake never heard of it
        events = events_for(batched, rng) + events_for(stranger, rng)
        rng.shuffle(events)
        ids: dict[uuid.UUID, uuid.UUID] = {}
        copies = [moved_to(e, alone, ids) if e.incident_id == batched else e for e in events]
        async with shared_transaction(pool):
            for event in events:
                await record_of(event)(pool, event)
        for event in copies:
            if event.incident_id != stranger:
                await record_of(event)(pool, event)
        assert await state(pool, batched) == await state(pool, alone), events
