"""Notify over real PostgreSQL, a real broker and real SMPP to the development SMSC."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from notify.config import NotifySettings
from notify.main import create_app
from qorgau_contracts import ALERT_UPDATED, INCIDENT_ASSIGNED, AlertUpdated, IncidentAssigned
from qorgau_local.smsc import DevSmsc

from tests.factories import assigned
from tests.harness import FAST_KAFKA, publish, read_topic, serving

pytestmark = pytest.mark.integration

OFFICER_PHONE = "+77000003001"


@pytest.fixture
async def notify(database_url: str, kafka: str, smsc: DevSmsc) -> AsyncIterator[str]:
    settings = NotifySettings(
        database_url=database_url, kafka_bootstrap_servers=kafka, smpp_port=smsc.port, **FAST_KAFKA
    )
    async with serving(create_app(settings)):
        yield database_url


async def send(kafka: str, event: IncidentAssigned) -> None:
    await publish(
        kafka,
        INCIDENT_ASSIGNED.name,
        event.model_dump_json().encode(),
        str(event.incident_id).encode(),
    )


async def updates(kafka: str, count: int) -> list[AlertUpdated]:
    records = await read_topic(kafka, ALERT_UPDATED.name, count)
    return [AlertUpdated.model_validate_json(r.value) for r in records]


async def alert_status(database_url: str, assignment_id: uuid.UUID) -> str:
    conn = await asyncpg.connect(database_url)
    try:
        status: str = await conn.fetchval(
            "SELECT status FROM notify.alerts WHERE assignment_id = $1", assignment_id
        )
        return status
    finally:
        await conn.close()


async def test_the_officer_gets_a_segmented_ucs2_sms_and_the_receipt_is_matched(
    notify: str, kafka: str, smsc: DevSmsc
) -> None:
    event = assigned()
    await send(kafka, event)
    sms = await smsc.wait_for(lambda s: s.destination == OFFICER_PHONE, within_s=15)
    assert sms.text == (
        "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5. Ответ: 1 принял, 2 не могу"
    )
    assert (sms.parts, sms.data_coding) == (2, 0x08)
    submitted, delivered = await updates(kafka, 2)
    assert (submitted.status, delivered.status) == ("submitted", "delivered")
    assert submitted.assignment_id == event.assignment_id
    assert submitted.provider_message_ids == sms.message_ids
    assert await alert_status(notify, event.assignment_id) == "delivered"


async def test_a_redelivered_assignment_never_sends_a_second_sms(
    notify: str, kafka: str, smsc: DevSmsc
) -> None:
    event = assigned()
    await send(kafka, event)
    await send(kafka, event)
    marker = assigned(officer_phone="+77000004001", short_code="MRKR")
    await send(kafka, marker)
    await smsc.wait_for(lambda s: s.destination == "+77000004001", within_s=15)
    await asyncio.sleep(0.5)
    assert [s.destination for s in smsc.received].count(OFFICER_PHONE) == 1


async def test_a_reply_acknowledges_or_declines(notify: str, kafka: str, smsc: DevSmsc) -> None:
    first, second = (
        assigned(short_code="ACK1"),
        assigned(short_code="DEC2", officer_phone="+77000005002"),
    )
    await send(kafka, first)
    await send(kafka, second)
    await smsc.wait_for(lambda s: "ACK1" in s.text, within_s=15)
    await smsc.wait_for(lambda s: "DEC2" in s.text, within_s=15)
    await asyncio.sleep(0.3)  # receipts land first
    assert await smsc.send_reply(OFFICER_PHONE, "1 АСК1") == 1  # Cyrillic lookalikes
    assert await smsc.send_reply("+77000005002", "2") == 1
    seen = await updates(kafka, 6)
    answers = {(u.assignment_id, u.status) for u in seen}
    assert (first.assignment_id, "acknowledged") in answers
    assert (second.assignment_id, "declined") in answers


async def test_a_reply_from_a_stranger_changes_nothing(
    notify: str, kafka: str, smsc: DevSmsc
) -> None:
    event = assigned()
    await send(kafka, event)
    await smsc.wait_for(lambda s: s.destination == OFFICER_PHONE, within_s=15)
    await smsc.send_reply("+77770000000", "1 K7Q2")
    await asyncio.sleep(0.5)
    assert await alert_status(notify, event.assignment_id) in {"submitted", "delivered"}


async def test_a_permanent_rejection_fails_the_alert(
    notify: str, kafka: str, smsc: DevSmsc
) -> None:
    smsc.behaviour.reject_destinations = frozenset({"+77000009999"})
    event = assigned(officer_phone="+77000009999")
    await send(kafka, event)
    (failed,) = await updates(kafka, 1)
    assert failed.status == "failed"
    assert failed.reason is not None
    assert "0x0000000b" in failed.reason
    assert await alert_status(notify, event.assignment_id) == "failed"
