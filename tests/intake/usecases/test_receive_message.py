"""receive_message over real PostgreSQL, with messages read from the platforms' documented
payloads and an explicit clock: new incidents, follow-ups, redelivery, the window, linking."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from intake.domain.message import InboundMessage
from intake.http.meta import MetaNotification, meta_messages
from intake.http.telegram import TgUpdate, telegram_messages
from intake.usecases.receive_message import Outcome, receive_message
from intake.usecases.record_progress import record_resolved
from intake.usecases.view_incident import view_incident
from qorgau_common.auth import Caller
from qorgau_contracts import IncidentResolved

from tests.intake.support import cipher, counts, db_dump, link_key, outbox_events
from tests.intake.unit.test_webhooks import INSTAGRAM_TEXT, TELEGRAM_TEXT, WHATSAPP_TEXT

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=30)
SECRET_TEXT = "Помогите, муж бьёт"


def telegram(update_id: int, **message: Any) -> InboundMessage:
    update = copy.deepcopy(TELEGRAM_TEXT)
    update["update_id"] = update_id
    update["message"]["message_id"] = update_id
    if message:
        update["message"].pop("text")
        update["message"].update(message)
    [found] = telegram_messages(TgUpdate.model_validate(update))
    return found


async def receive(pool: asyncpg.Pool, message: InboundMessage, now: datetime = NOW) -> Outcome:
    return await receive_message(
        pool, cipher(), link_key(), message, follow_up_window=WINDOW, now=now
    )


async def test_a_telegram_message_becomes_an_urgent_incident_waiting_for_triage(
    pool: asyncpg.Pool, database_url: str
) -> None:
    assert await receive(pool, telegram(10001)) == "new"
    [event] = await outbox_events(database_url)
    assert (event.channel, event.district) == ("telegram", None)
    assert event.district_unresolved_reason == "message without a location"
    assert "urgent_words" in event.risk_flags
    raw = event.model_dump_json()
    for personal in ("Помогите", "Testusername", "Test Firstname", "1111111"):
        assert personal not in raw
    dump = await db_dump(database_url)
    for personal in ("Помогите", "Testusername", "Test Firstname"):
        assert personal not in dump

    as_operator = await view_incident(pool, cipher(), Caller("op", "operator"), event.incident_id)
    assert as_operator.incident.urgent
    assert as_operator.incident.status == "awaiting_triage"
    assert as_operator.messages[0].content is None
    as_supervisor = await view_incident(
        pool, cipher(), Caller("sv", "supervisor"), event.incident_id
    )
    content = as_supervisor.messages[0].content
    assert content is not None
    assert (content["text"], content["sender_handle"]) == (SECRET_TEXT, "Testusername")


async def test_redelivery_is_a_no_op_and_follow_ups_join_the_incident(
    pool: asyncpg.Pool, database_url: str
) -> None:
    assert await receive(pool, telegram(20001)) == "new"
    assert await receive(pool, telegram(20001)) == "duplicate"
    located = telegram(20002, location={"latitude": 51.121, "longitude": 71.425})
    assert await receive(pool, located, NOW + timedelta(minutes=1)) == "follow_up"
    contact = telegram(20003, contact={"phone_number": "+77012345678", "first_name": "T"})
    assert await receive(pool, contact, NOW + timedelta(minutes=2)) == "follow_up"

    assert await counts(database_url, "incidents", "source_messages") == {
        "incidents": 1,
        "source_messages": 3,
    }
    events = await outbox_events(database_url)
    # The location placed the waiting incident: routing hears about it again, with a district.
    assert [(e.district, e.coordinates is not None) for e in events] == [
        (None, False),
        ("yesil", True),
    ]
    assert events[0].incident_id == events[1].incident_id
    # The location is the address the officer now drives to: it replaces the placeholder.
    assert (events[0].address_line, events[1].address_line) == (
        "адрес не указан (Telegram)",
        "коорд. 51.12100, 71.42500 (Telegram)",
    )
    assert "7012345678" not in await db_dump(database_url)


async def test_a_later_message_outside_the_window_is_a_new_linked_incident(
    pool: asyncpg.Pool, database_url: str
) -> None:
    assert await receive(pool, telegram(30001)) == "new"
    assert await receive(pool, telegram(30002), NOW + WINDOW - timedelta(seconds=1)) == "follow_up"
    later = NOW + 2 * WINDOW
    assert await receive(pool, telegram(30003), later) == "new"
    first, second = await outbox_events(database_url)
    assert first.linked_incident_ids == ()
    assert second.linked_incident_ids == (first.incident_id,)
    assert "repeat" in second.risk_flags
    assert second.received_at == later


async def test_a_message_after_the_case_is_resolved_opens_a_new_incident(
    pool: asyncpg.Pool, database_url: str
) -> None:
    assert await receive(pool, telegram(40001)) == "new"
    [event] = await outbox_events(database_url)
    await record_resolved(
        pool,
        IncidentResolved(
            producer="routing",
            correlation_id=event.incident_id,
            incident_id=event.incident_id,
            assignment_id=event.event_id,
            officer_id="YSL-01",
            outcome="no_grounds_found",
            resolved_by="supervisor-1",
        ),
    )
    assert await receive(pool, telegram(40002), NOW + timedelta(minutes=1)) == "new"


async def test_meta_whatsapp_and_instagram(pool: asyncpg.Pool, database_url: str) -> None:
    for payload in (WHATSAPP_TEXT, INSTAGRAM_TEXT):
        [message] = meta_messages(MetaNotification.model_validate(payload))
        assert await receive(pool, message) == "new"
        assert await receive(pool, message) == "duplicate"
    located = copy.deepcopy(WHATSAPP_TEXT)
    located["entry"][0]["changes"][0]["value"]["messages"] = [
        {
            "from": "77770001122",
            "id": "wamid.LOCATED",
            "timestamp": "1700000100",
            "type": "location",
            "location": {"latitude": 51.19, "longitude": 71.39},
        }
    ]
    [message] = meta_messages(MetaNotification.model_validate(located))
    assert await receive(pool, message) == "new"
    events = await outbox_events(database_url)
    assert [(e.channel, e.district) for e in events] == [
        ("whatsapp", None),
        ("instagram", None),
        ("whatsapp", "saryarka"),
    ]
    assert events[2].district_unresolved_reason is None
    assert "77012345678" not in await db_dump(database_url)
