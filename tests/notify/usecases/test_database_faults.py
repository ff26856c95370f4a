"""A database that drops its connections while an SMS is on the wire loses nothing: the
submit's record is written once the database answers again (no alert left "in doubt")."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from notify.db import submits as submits_db
from notify.db.senders import beat
from notify.db.submits import Recorded
from notify.domain.alert import IN_DOUBT_REASON
from notify.providers.fake import FakeProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.send_window import SendWindow
from notify.usecases.sweep import sweep_once
from qorgau_contracts import IncidentAssigned

from tests.factories import assigned
from tests.notify.conftest import alert_row, attempts, now, updates

ROUNDS = 5
ROUND = {"pending_after_s": 5.0, "receipt_timeout_s": 60.0, "in_doubt_after_s": 60.0}


async def drop_connections(database_url: str) -> int:
    """pg_terminate_backend on every other connection to the database (a restart, as the
    pool sees it)."""
    admin = await asyncpg.connect(database_url)
    try:
        rows = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    return len(rows)


async def test_submits_are_recorded_after_the_database_dropped_every_connection(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider, database_url: str
) -> None:
    # Each round kills the pooled connections while 4 SMS are on the wire, then records
    # their submits at once: a connection that has read the server's FATAL notice but not
    # yet its close fails with asyncpg's InternalClientError, which must be retried too.
    # (Before that was classified, about one round in three left alerts in `sending`.)
    events = []
    for _ in range(ROUNDS):
        batch = [assigned() for _ in range(4)]
        events += batch
        alert_ids = [await record_alert(pool, event) for event in batch]
        async with asyncio.TaskGroup() as group:  # every pooled connection has a backend
            for _ in range(4):
                group.create_task(pool.fetchval("SELECT pg_sleep(0.02)"))
        primary.hold()
        for alert_id in alert_ids:
            assert alert_id is not None
            await window.dispatch(alert_id)
        try:
            await primary.wait_on_wire(len(events))
            assert await drop_connections(database_url) >= 1
        finally:
            primary.release()
        await asyncio.wait_for(window.drain(), 30)
    for event in events:
        row = await alert_row(pool, event.assignment_id)
        assert (row["status"], row["intent_at"]) == ("submitted", None), row["status"]
    assert await attempts(pool) == [("smpp", "submitted")] * len(events)


class DatabaseAway:
    """Makes recording a submit's outcome fail as a database that is away would, until
    `back()`; `tries` counts the failed writes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.away = True
        self.tries = 0
        self._tried = asyncio.Event()
        real = submits_db.record_submit

        async def record_submit(*args: Any, **kwargs: Any) -> Recorded | None:
            if self.away:
                self.tries += 1
                if self.tries >= 2:
                    self._tried.set()
                raise asyncpg.CannotConnectNowError("the database system is starting up")
            return await real(*args, **kwargs)

        monkeypatch.setattr(submits_db, "record_submit", record_submit)

    async def retried(self, within_s: float = 10.0) -> None:
        try:
            await asyncio.wait_for(self._tried.wait(), within_s)
        except TimeoutError:
            raise TimeoutError(f"the record was tried {self.tries} times, not 2") from None

    def back(self) -> None:
        self.away = False


async def submitted_while_the_database_is_away(
    pool: asyncpg.Pool, window: SendWindow, monkeypatch: pytest.MonkeyPatch
) -> tuple[IncidentAssigned, DatabaseAway]:
    """An alert whose SMS went out while the database was away: its sender is retrying the
    record."""
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    database = DatabaseAway(monkeypatch)
    await window.dispatch(alert_id)
    await database.retried()
    return event, database


async def test_a_sweep_never_fails_a_submit_whose_record_this_process_is_still_retrying(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SMS reached the SMSC and its answer came back, but the database was away: the
    # sender keeps retrying the record. A sweep round meanwhile (long after the intent)
    # must leave the alert alone: notify never stopped, so nothing is in doubt.
    event, database = await submitted_while_the_database_is_away(pool, window, monkeypatch)
    await sweep_once(window, **ROUND, now=now() + timedelta(seconds=600))
    assert (await alert_row(pool, event.assignment_id))["status"] == "sending"
    database.back()
    await asyncio.wait_for(window.drain(), 30)
    row = await alert_row(pool, event.assignment_id)
    assert (row["status"], row["reason"]) == ("submitted", None)
    assert [(u.status, u.provider) for u in await updates(pool)] == [("submitted", "smpp")]
    assert await attempts(pool) == [("smpp", "submitted")]
    assert (primary.on_wire, len(primary.sent)) == (1, 1)


async def test_another_replica_fails_an_alert_in_doubt_only_once_its_sender_is_gone(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Replica A submitted and is retrying the record; replica B's sweep sees A's intent
    # long past `in_doubt_after_s`. While A's heartbeat is fresh the alert is A's; once A
    # stops beating (it died), B fails it in doubt.
    event, database = await submitted_while_the_database_is_away(pool, window, monkeypatch)
    other = SendWindow(replace(window.sending, instance_id=uuid.uuid4(), in_hand=Counter()))
    later = now() + timedelta(seconds=600)
    await beat(pool, window.sending.instance_id, later - timedelta(seconds=5))
    await sweep_once(other, **ROUND, now=later)
    assert (await alert_row(pool, event.assignment_id))["status"] == "sending"
    await sweep_once(other, **ROUND, now=later + timedelta(seconds=61))
    row = await alert_row(pool, event.assignment_id)
    assert (row["status"], row["reason"]) == ("failed", IN_DOUBT_REASON)
    database.back()  # A was not dead after all: its late record does not undo the failure
    await asyncio.wait_for(window.drain(), 30)
    assert (await alert_row(pool, event.assignment_id))["status"] == "failed"
    assert [u.status for u in await updates(pool)] == ["failed"]
    assert await attempts(pool) == [("smpp", "submitted")]
