"""Recording an alert: once per assignment, however often the event comes; a bad phone fails it."""

from __future__ import annotations

import asyncpg
from notify.providers.fake import FakeProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.send_alert import Sending, send_alert

from tests.factories import assigned
from tests.notify.conftest import alert_row, updates


async def test_an_assignment_gets_one_alert_and_one_sms_however_often_it_comes(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    assert await record_alert(pool, event) is None  # the same event, redelivered
    republished = event.model_copy(update={"event_id": assigned().event_id})
    assert await record_alert(pool, republished) == alert_id  # routing republished it
    await send_alert(sending, alert_id)
    await send_alert(sending, alert_id)  # a second sender finds it claimed
    assert [sms.phone for sms in primary.sent] == [event.officer_phone]
    assert await pool.fetchval("SELECT count(*) FROM notify.alerts") == 1
    row = await alert_row(pool, event.assignment_id)
    assert (row["status"], row["assigned_at"]) == ("submitted", event.occurred_at)


async def test_an_invalid_officer_phone_fails_the_alert_with_a_reason_and_sends_nothing(
    pool: asyncpg.Pool, primary: FakeProvider
) -> None:
    bad = assigned(officer_phone="+70000000000")
    assert await record_alert(pool, bad) is None
    assert await record_alert(pool, bad) is None
    (failed,) = await updates(pool)
    assert (failed.status, failed.assignment_id) == ("failed", bad.assignment_id)
    assert failed.reason is not None
    assert "invalid officer phone" in failed.reason
    row = await alert_row(pool, bad.assignment_id)
    assert (row["status"], row["reason"]) == ("failed", failed.reason)
    assert primary.sent == []


async def test_an_assignment_said_again_is_answered_with_the_alerts_status_and_no_sms(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    (submitted,) = await updates(pool)
    again = event.model_copy(update={"event_id": assigned().event_id})
    assert await record_alert(pool, again) is None  # nothing to send
    assert await record_alert(pool, again) is None  # the same republish, redelivered
    first, answer = await updates(pool)
    assert answer.event_id != first.event_id
    assert (answer.status, answer.assignment_id) == ("submitted", event.assignment_id)
    assert answer.provider_message_ids == submitted.provider_message_ids
    assert len(primary.sent) == 1


async def test_a_failed_alert_said_again_is_failed_again_with_its_reason(
    pool: asyncpg.Pool,
) -> None:
    bad = assigned(officer_phone="+70000000000")
    await record_alert(pool, bad)
    await record_alert(pool, bad.model_copy(update={"event_id": assigned().event_id}))
    failed, again = await updates(pool)
    assert (again.status, again.reason) == ("failed", failed.reason)
