"""The transaction seam on a real PostgreSQL: own transactions, a shared one, and after_commit."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar

import asyncpg
import pytest
from qorgau_common.inbox import claim_all, claim_event
from qorgau_common.unit_of_work import (
    AfterCommit,
    after_commit,
    batch_memo,
    claimed_ahead,
    claimed_ahead_for,
    shared_transaction,
    unit_of_work,
)
from qorgau_contracts import INCIDENT_REPORTED

from tests.factories import reported

TOPIC = INCIDENT_REPORTED.name


async def backend(pool: asyncpg.Pool) -> int:
    async with unit_of_work(pool) as conn:
        return int(await conn.fetchval("SELECT pg_backend_pid()"))


async def test_outside_a_shared_transaction_each_unit_has_its_own_and_actions_run_at_once(
    pool: asyncpg.Pool,
) -> None:
    ran: list[str] = []

    async def action() -> None:
        ran.append("now")

    await after_commit(action)
    assert ran == ["now"]
    async with unit_of_work(pool) as conn:
        assert conn.is_in_transaction()


async def test_inside_one_every_unit_joins_it_and_actions_wait_for_the_commit(
    pool: asyncpg.Pool,
) -> None:
    ran: list[int] = []

    async def action() -> None:
        ran.append(await pool.fetchval("SELECT count(*) FROM pg_stat_activity"))

    async with shared_transaction(pool):
        first, second = await backend(pool), await backend(pool)
        await after_commit(action)
        assert not ran  # not before the commit
    assert first == second
    assert len(ran) == 1


async def test_actions_of_a_batch_that_rolled_back_never_run(pool: asyncpg.Pool) -> None:
    ran: list[str] = []

    async def action() -> None:
        ran.append("sent")

    async def batch() -> None:
        async with shared_transaction(pool):
            await after_commit(action)
            raise ValueError("an effect failed")

    with pytest.raises(ValueError, match="an effect failed"):
        await batch()
    assert not ran


async def test_a_task_started_inside_never_uses_the_shared_connection(
    pool: asyncpg.Pool,
) -> None:
    """A child task inherits the context; two coroutines on one connection would break it."""
    async with shared_transaction(pool):
        mine = await backend(pool)
        child = await asyncio.create_task(backend(pool))
    assert child != mine


async def test_a_failing_action_after_the_commit_is_counted_not_raised(pool: asyncpg.Pool) -> None:
    from qorgau_common.unit_of_work import AFTER_COMMIT_FAILED

    before = AFTER_COMMIT_FAILED._value.get()

    async def broken() -> None:
        raise RuntimeError("the provider is down")

    async with shared_transaction(pool):
        await after_commit(broken)
    assert AFTER_COMMIT_FAILED._value.get() == before + 1


async def test_an_action_after_the_commit_runs_in_the_context_it_was_handed_over_in(
    pool: asyncpg.Pool,
) -> None:
    """Its record's trace span and log fields: a send started after a batch stays in the
    report's trace."""
    record: ContextVar[str] = ContextVar("record", default="none")
    seen: list[str] = []

    async def action() -> None:
        seen.append(record.get())

    async with shared_transaction(pool):
        for name in ("first", "second"):
            token = record.set(name)
            await after_commit(action)
            record.reset(token)
    assert seen == ["first", "second"]


async def test_the_actions_after_a_batch_run_side_by_side_started_in_order(
    pool: asyncpg.Pool,
) -> None:
    """A batch's sends go out together: one slow submit (a confirmation SMS waiting for its
    response) must not hold the next alert, nor the consumer's next poll, for the sum of
    them all. Each action here waits for the other; one after the other, they never end."""
    started: list[str] = []
    both = asyncio.Barrier(2)

    def action(name: str) -> AfterCommit:
        async def run() -> None:
            started.append(name)
            await both.wait()

        return run

    async def batch() -> None:
        async with shared_transaction(pool):
            await after_commit(action("first"))
            await after_commit(action("second"))

    await asyncio.wait_for(batch(), 5)
    assert started == ["first", "second"]


async def test_a_failing_action_does_not_stop_the_others(pool: asyncpg.Pool) -> None:
    from qorgau_common.unit_of_work import AFTER_COMMIT_FAILED

    before = AFTER_COMMIT_FAILED._value.get()
    ran: list[str] = []

    async def broken() -> None:
        raise RuntimeError("the provider is down")

    async def fine() -> None:
        await asyncio.sleep(0)
        ran.append("sent")

    async with shared_transaction(pool):
        await after_commit(broken)
        await after_commit(fine)
    assert ran == ["sent"]
    assert AFTER_COMMIT_FAILED._value.get() == before + 1


async def test_a_batch_claimed_ahead_answers_each_claim_once_without_a_round_trip(
    pool: asyncpg.Pool,
) -> None:
    """The guard claims a shared batch's inbox in one statement; each use case's claim is
    then answered from it: new once, a second delivery in the same batch not new, an event
    the inbox already had not new, and one outside the batch claimed as usual."""
    known, fresh, outside = reported(), reported(), reported()
    async with unit_of_work(pool) as conn:
        assert await claim_event(conn, "intake", known, TOPIC)
    async with shared_transaction(pool) as conn:
        batch = [(known.event_id, TOPIC), (fresh.event_id, TOPIC), (fresh.event_id, TOPIC)]
        new = await claim_all(conn, "intake", batch)
        assert new == {fresh.event_id}
        claimed_ahead_for("intake", frozenset(e for e, _ in batch), new)
        assert claimed_ahead("intake", outside.event_id) is None
        answers = [await claim_event(conn, "intake", e, TOPIC) for e in (known, fresh, fresh)]
        assert answers == [False, True, False]
        assert await claim_event(conn, "intake", outside, TOPIC)  # claimed as usual
    assert claimed_ahead("intake", fresh.event_id) is None  # only inside its batch
    rows = await pool.fetchval("SELECT count(*) FROM intake.inbox")
    assert rows == 3


async def test_a_batch_memo_lives_as_long_as_its_batch(pool: asyncpg.Pool) -> None:
    """Outside a shared transaction there is none (read every time); inside, every use case
    of the batch shares one per kind; the next batch starts with an empty one."""
    assert batch_memo("roster") is None
    async with shared_transaction(pool):
        memo = batch_memo("roster")
        assert memo == {}
        memo["read"] = 1
        assert batch_memo("roster") is memo
        assert batch_memo("other") == {}

        async def child() -> dict[str, object] | None:
            return batch_memo("roster")

        assert await asyncio.create_task(child()) is None  # not the batch's owner
    assert batch_memo("roster") is None
    async with shared_transaction(pool):
        assert batch_memo("roster") == {}
