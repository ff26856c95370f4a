"""The outbox relay over real PostgreSQL, with a fake send: order, parking, lag, LISTEN."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from qorgau_common.outbox import OutboxMessage
from qorgau_common.relay import OUTBOX_LAG, OUTBOX_PARKED, OutboxRelay, waves

from tests.common.support import FakeSend, add, event


async def pending(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL"))


async def test_relay_publishes_committed_events_in_order_and_marks_them(pool: asyncpg.Pool) -> None:
    events = [event(n) for n in range(5)]
    await add(pool, *events)
    send = FakeSend()
    assert await OutboxRelay(pool, "intake", send).drain() == 5
    assert [m.key for m in send.sent] == [str(e.incident_id).encode() for e in events]
    assert send.sent[0].headers["event_type"] == "incident.reported"
    assert await pending(pool) == 0
    assert await OutboxRelay(pool, "intake", send).drain() == 0


async def test_a_rolled_back_transaction_publishes_nothing(pool: asyncpg.Pool) -> None:
    with contextlib.suppress(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            from qorgau_common.outbox import enqueue
            from qorgau_contracts import INCIDENT_REPORTED

            e = event()
            await enqueue(conn, "intake", INCIDENT_REPORTED.name, str(e.incident_id), e)
            raise RuntimeError("the state change failed")
    send = FakeSend()
    assert await OutboxRelay(pool, "intake", send).drain() == 0
    assert send.sent == []


async def test_a_relay_that_fails_midway_marks_what_went_out_and_a_new_one_finishes(
    pool: asyncpg.Pool,
) -> None:
    await add(pool, *[event(n) for n in range(4)])
    failing = FakeSend()
    failing.fail_after = 2
    with pytest.raises(ConnectionError):
        await OutboxRelay(pool, "intake", failing).drain()
    second = FakeSend()
    assert await OutboxRelay(pool, "intake", second).drain() == 2
    assert set(failing.ids).isdisjoint(second.ids)
    # The broker being away never counts an attempt: nothing is parked for it.
    assert await pool.fetchval("SELECT max(attempts) FROM intake.outbox") == 0


async def test_one_key_is_sent_in_order_one_wave_at_a_time(pool: asyncpg.Pool) -> None:
    incident = uuid.uuid4()
    same = [event(n, incident) for n in range(3)]
    other = event(9)
    await add(pool, same[0], other, same[1], same[2])
    send = FakeSend()
    assert await OutboxRelay(pool, "intake", send).drain() == 4
    mine = [m.id for m in send.sent if m.key == str(incident).encode()]
    assert mine == sorted(mine)


def test_waves_hold_one_message_per_key_in_order() -> None:
    def m(i: int, key: bytes) -> OutboxMessage:
        return OutboxMessage(i, "t", key, b"", {})

    split = waves([m(1, b"a"), m(2, b"b"), m(3, b"a"), m(4, b"a"), m(5, b"c")])
    assert [[x.id for x in w] for w in split] == [[1, 2, 5], [3], [4]]


async def test_a_row_that_keeps_failing_is_parked_and_blocks_only_its_own_key(
    pool: asyncpg.Pool,
) -> None:
    poison, after_poison = uuid.uuid4(), event(1)
    poisoned = [event(0, poison), event(2, poison)]
    await add(pool, poisoned[0], after_poison, poisoned[1])
    send = FakeSend(fail={str(poison).encode(): MessageSizeTooLargeError()})
    relay = OutboxRelay(pool, "intake", send, max_attempts=3)
    for _ in range(3):
        with pytest.raises(MessageSizeTooLargeError):
            await relay.drain()
    # The other key went out at once; the poisoned key's first row is parked after 3 tries,
    # and its second row waits behind it (per-key order), without being tried.
    assert [m.key for m in send.sent] == [str(after_poison.incident_id).encode()]
    rows = await pool.fetch("SELECT attempts, parked_at, last_error FROM intake.outbox ORDER BY id")
    assert rows[0]["attempts"] == 3
    assert rows[0]["parked_at"] is not None
    assert "MessageSizeTooLarge" in rows[0]["last_error"]
    assert rows[2]["attempts"] == 0
    assert rows[2]["parked_at"] is None
    assert await relay.drain() == 0  # no longer jams: nothing left to try
    await relay.record_gauges()
    assert OUTBOX_PARKED.labels("intake")._value.get() == 1
    # Retried by hand (qorgau-admin outbox retry): it goes, then the row behind it.
    await pool.execute("UPDATE intake.outbox SET parked_at = NULL, attempts = 0")
    send.fail.clear()
    assert await relay.drain() == 2
    assert [m.key for m in send.sent[1:]] == [str(poison).encode()] * 2


async def test_lag_is_recorded_while_the_broker_is_down(pool: asyncpg.Pool) -> None:
    await add(pool, event())
    await pool.execute("UPDATE intake.outbox SET created_at = now() - interval '90 seconds'")
    send = FakeSend(fail={None: KafkaConnectionError()})
    send.fail_after = 0
    relay = OutboxRelay(pool, "intake", send, poll_interval_s=0.05)
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(10):
            while OUTBOX_LAG.labels("intake")._value.get() < 90:
                await asyncio.sleep(0.05)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_relay_listens_again_after_its_connection_is_killed(pool: asyncpg.Pool) -> None:
    send = FakeSend()
    relay = OutboxRelay(pool, "intake", send, poll_interval_s=3600)
    task = asyncio.create_task(relay.run())

    async def sent_within(count: int, bound: float, what: str) -> None:
        async with asyncio.timeout(bound):
            while len(send.sent) < count:
                await asyncio.sleep(0.02)
        assert len(send.sent) == count, what

    async def listening() -> list[int]:
        async with asyncio.timeout(10):
            while True:
                pids = await pool.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
                    " AND datname = current_database()"
                )
                if pids:
                    return [r["pid"] for r in pids]
                await asyncio.sleep(0.02)

    try:
        await listening()
        await add(pool, event(1))
        await sent_within(1, 10, "a NOTIFY wakes the relay")
        # The database drops the LISTEN connection (a restart, a failover): the relay must
        # notice and LISTEN again, or it would only poll from then on (hourly here).
        for pid in await listening():
            await pool.execute("SELECT pg_terminate_backend($1)", pid)
        await listening()
        await add(pool, event(2))
        await sent_within(2, 10, "a NOTIFY after the reconnect wakes the relay")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_only_one_relay_publishes_at_a_time(pool: asyncpg.Pool) -> None:
    await add(pool, *[event(n) for n in range(20)])
    send = FakeSend()
    relays = [OutboxRelay(pool, "intake", send, batch_size=3) for _ in range(3)]
    await asyncio.gather(*(r.drain() for r in relays))
    await OutboxRelay(pool, "intake", send).drain()
    assert len(send.ids) == len(set(send.ids)) == 20


async def test_full_rounds_go_on_and_a_partial_round_is_the_last(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Five rows in batches of two: three rounds, and no empty fourth to find out (a row
    committed after the last claim wakes the relay again through its NOTIFY)."""
    await add(pool, *[event(n) for n in range(5)])
    rounds: list[int] = []
    publish = OutboxRelay._publish_batch

    async def counted(relay: OutboxRelay) -> tuple[int, int, BaseException | None]:
        outcome = await publish(relay)
        rounds.append(outcome[0])
        return outcome

    monkeypatch.setattr(OutboxRelay, "_publish_batch", counted)
    send = FakeSend()
    assert await OutboxRelay(pool, "intake", send, batch_size=2).drain() == 5
    assert rounds == [2, 2, 1]
    assert await pending(pool) == 0
    assert len(send.ids) == 5


async def test_a_relay_that_cannot_take_the_lock_claims_nothing(pool: asyncpg.Pool) -> None:
    await add(pool, event())
    send = FakeSend()
    async with pool.acquire() as other, other.transaction():
        await other.execute("SELECT pg_advisory_xact_lock(hashtext('outbox:intake'))")
        assert await OutboxRelay(pool, "intake", send).drain() == 0
    assert send.ids == []
    assert await OutboxRelay(pool, "intake", send).drain() == 1


async def test_a_broker_that_restarts_empty_never_parks_a_row(pool: asyncpg.Pool) -> None:
    """Tansu answers UnknownError for a while after an empty restart: not the row's fault."""
    from aiokafka.errors import UnknownError

    incident = event()
    await add(pool, incident)
    send = FakeSend(fail={str(incident.incident_id).encode(): UnknownError()})
    relay = OutboxRelay(pool, "intake", send, max_attempts=2)
    for _ in range(5):
        with pytest.raises(UnknownError):
            await relay.drain()
    row = await pool.fetchrow("SELECT attempts, parked_at FROM intake.outbox")
    assert row is not None
    assert (row["attempts"], row["parked_at"]) == (0, None)
    send.fail.clear()
    assert await relay.drain() == 1


async def test_a_busy_relay_reads_its_gauges_once_an_interval_not_every_round(
    pool: asyncpg.Pool,
) -> None:
    """Woken by every commit, a busy relay would read its gauges as often as it publishes."""
    read: list[float] = []

    class Counted(OutboxRelay):
        async def record_gauges(self) -> None:
            read.append(asyncio.get_running_loop().time())
            await super().record_gauges()

    send = FakeSend()
    relay = Counted(pool, "intake", send, poll_interval_s=30)
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(10):
            for n in range(5):  # five commits, each its own NOTIFY and round
                await add(pool, event(n))
                while len(send.sent) <= n:
                    await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert len(read) == 1  # the first round's
