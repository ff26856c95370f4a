"""An officer's reply becomes an acknowledgement or a decline, and is answered in their language."""

from __future__ import annotations

import asyncpg
from notify.domain.receipt import Receipt
from notify.providers.fake import FakeProvider
from notify.usecases.answer_reply import answer_reply
from notify.usecases.record_alert import record_alert
from notify.usecases.record_receipt import record_receipt
from notify.usecases.send_alert import Sending, send_alert
from qorgau_contracts import IncidentAssigned

from tests.factories import assigned
from tests.notify.conftest import alert_row, updates

PHONE = "+77000003001"
KK_PHONE = "+77000005002"


async def alerted(pool: asyncpg.Pool, sending: Sending, **changes: object) -> IncidentAssigned:
    event = assigned(**changes)
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    return event


def notices(provider: FakeProvider, phone: str) -> list[str]:
    """What `phone` got besides its alerts (which always name the risk)."""
    alert = ("риск", "қауіп")
    return [
        s.text for s in provider.sent if s.phone == phone and not any(w in s.text for w in alert)
    ]


async def test_a_reply_with_the_code_acknowledges_and_is_confirmed(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    event = await alerted(pool, sending, short_code="ACK1")
    outcome = await answer_reply(pool, sending.routes, PHONE, " 1  АСк1 ")  # Cyrillic lookalikes
    assert outcome == "acknowledged"
    acknowledged = (await updates(pool))[-1]
    assert (acknowledged.status, acknowledged.assignment_id) == (
        "acknowledged",
        event.assignment_id,
    )
    row = await alert_row(pool, event.assignment_id)
    assert row["status"] == "acknowledged"
    assert row["answered_at"] is not None
    assert notices(primary, PHONE) == ["Qorgau ACK1: принято, спасибо."]


async def test_a_bare_answer_applies_to_the_phones_latest_open_alert_even_once_delivered(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    older = await alerted(pool, sending, short_code="OLD1", officer_phone=KK_PHONE)
    latest = await alerted(
        pool, sending, short_code="DEC2", officer_phone=KK_PHONE, officer_language="kk"
    )
    message_id = primary.sent[-1].message_ids[0]
    assert await record_receipt(pool, "smpp", Receipt(message_id, "DELIVRD"))
    assert await answer_reply(pool, sending.routes, KK_PHONE, "2") == "declined"
    assert (await alert_row(pool, latest.assignment_id))["status"] == "declined"
    assert (await alert_row(pool, older.assignment_id))["status"] == "submitted"
    assert notices(primary, KK_PHONE) == ["Qorgau DEC2: бас тарту қабылданды."]


async def test_an_unknown_code_no_open_alert_or_garbage_get_a_helpful_answer_and_change_nothing(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    event = await alerted(pool, sending)
    assert await answer_reply(pool, sending.routes, PHONE, "1 ZZZZ") == "unknown_code"
    assert await answer_reply(pool, sending.routes, PHONE, "привет") == "not_understood"
    assert (await alert_row(pool, event.assignment_id))["status"] == "submitted"
    assert await answer_reply(pool, sending.routes, PHONE, "1") == "acknowledged"
    assert await answer_reply(pool, sending.routes, PHONE, "1") == "no_open_alert"
    assert [u.status for u in await updates(pool)] == ["submitted", "acknowledged"]
    assert notices(primary, PHONE) == [
        "Qorgau: код ZZZZ не найден. Ответ: 1 КОД или 2 КОД",
        "Qorgau: ответ не понят. Ответ: 1 принял, 2 не могу",
        "Qorgau K7Q2: принято, спасибо.",
        "Qorgau: у вас нет открытых вызовов.",
    ]


async def test_a_reply_from_a_stranger_changes_nothing_and_gets_no_answer(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    event = await alerted(pool, sending)
    assert await answer_reply(pool, sending.routes, "+77770000000", "1 K7Q2") == "stranger"
    assert (await alert_row(pool, event.assignment_id))["status"] == "submitted"
    assert [s.phone for s in primary.sent] == [PHONE]
