"""Sending an alert: the SMS text, the attempts, failover between providers, drills, the window."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
from notify.providers.fake import FakeProvider
from notify.providers.routes import Routes
from notify.usecases.record_alert import record_alert
from notify.usecases.send_alert import Sending, send_alert
from notify.usecases.send_window import SendWindow

from tests.factories import assigned
from tests.notify.conftest import alert_row, attempts, now, updates

DESIGN_EXAMPLE = (
    "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5. Ответ: 1 K7Q2 принял, 2 K7Q2 не могу"
)


async def test_the_officer_gets_the_alert_and_its_submission_is_published(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    (sms,) = primary.sent
    assert (sms.phone, sms.text) == ("+77000003001", DESIGN_EXAMPLE)
    (submitted,) = await updates(pool)
    assert (submitted.status, submitted.provider) == ("submitted", "smpp")
    assert (submitted.alert_id, submitted.assignment_id) == (alert_id, event.assignment_id)
    assert submitted.provider_message_ids == sms.message_ids
    assert submitted.correlation_id == event.correlation_id
    row = await alert_row(pool, event.assignment_id)
    assert (row["status"], row["segments"], row["intent_at"]) == ("submitted", 2, None)
    assert await attempts(pool) == [("smpp", "submitted")]


async def test_a_permanent_rejection_fails_the_alert_at_once(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider, backup: FakeProvider
) -> None:
    primary.refuse("submit_sm rejected: 0x0000000b", "permanent")
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    (failed,) = await updates(pool)
    assert (failed.status, failed.reason) == ("failed", "submit_sm rejected: 0x0000000b")
    assert backup.on_wire == 0  # no other route does better for a refused number
    assert await attempts(pool) == [("smpp", "rejected")]


async def test_a_throttled_primary_fails_over_to_the_second_provider(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider, backup: FakeProvider
) -> None:
    primary.refuse("throttled past the budget", "throttled")
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    assert (primary.sent, [s.text for s in backup.sent]) == ([], [DESIGN_EXAMPLE])
    (submitted,) = await updates(pool)
    assert (submitted.provider, submitted.provider_message_ids) == ("http", ("http-1",))
    assert await attempts(pool) == [("smpp", "rejected"), ("http", "submitted")]


async def test_a_down_primary_fails_over_without_an_attempt_on_record(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider, backup: FakeProvider
) -> None:
    primary.refuse("SMPP bind is down", "unavailable")  # nothing went on the wire
    alert_id = await record_alert(pool, assigned())
    assert alert_id is not None
    await send_alert(sending, alert_id)
    assert len(backup.sent) == 1
    assert await attempts(pool) == [("http", "submitted")]


async def test_when_every_provider_fails_it_waits_then_gives_up(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider, backup: FakeProvider
) -> None:
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    primary.refuse("down", "error")
    backup.refuse("down too", "error")
    await send_alert(sending, alert_id)
    row = await alert_row(pool, event.assignment_id)
    assert (row["status"], row["reason"]) == ("pending", "down too")
    assert await updates(pool) == []  # routing hears nothing yet: the sweeper retries
    primary.refuse("down", "error")
    backup.refuse("down too", "error")
    await send_alert(sending, alert_id, now=now() + timedelta(seconds=121))
    (failed,) = await updates(pool)
    assert (failed.status, failed.reason) == ("failed", "no provider could send: down too")


async def test_drills_go_only_to_the_provider_marked_for_them(
    pool: asyncpg.Pool, primary: FakeProvider, backup: FakeProvider
) -> None:
    nowhere = Sending(pool, Routes.of(primary, backup))
    drill = assigned(exercise=True)
    alert_id = await record_alert(pool, drill)
    assert alert_id is not None
    await send_alert(nowhere, alert_id)
    assert (primary.sent, backup.sent) == ([], [])
    (recorded_only,) = await updates(pool)
    assert (recorded_only.status, recorded_only.provider) == ("submitted", "none")
    assert recorded_only.exercise
    simulator = Sending(pool, Routes.of(primary, backup, exercise_provider="http"))
    second = await record_alert(pool, assigned(exercise=True, officer_language="kk"))
    assert second is not None
    await send_alert(simulator, second)
    assert primary.sent == []
    assert [s.text[:4] for s in backup.sent] == ["ОҚУ "]


async def test_the_window_keeps_a_slow_send_from_holding_up_the_rest_and_drains(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    window = SendWindow(sending, window=2)
    ids = []
    for n in range(3):
        alert_id = await record_alert(pool, assigned(officer_phone=f"+7700000300{n}"))
        assert alert_id is not None
        ids.append(alert_id)
    primary.hold()
    await window.dispatch(ids[0])
    await window.dispatch(ids[1])
    await primary.wait_on_wire(2)
    third = asyncio.create_task(window.dispatch(ids[2]))
    await asyncio.sleep(0.05)  # to show it waits for a free slot
    assert (third.done(), primary.on_wire) == (False, 2)
    primary.release()
    await third
    await window.drain()
    assert len(primary.sent) == 3
    assert {u.status for u in await updates(pool)} == {"submitted"}
