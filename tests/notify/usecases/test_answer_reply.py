"""An officer's reply: matched to one case (never a guess), passed to routing, and confirmed
with what routing did; everything else is answered at once in the officer's language."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from notify.consumers import NotifyDeps, on_assignment_updated
from notify.db.alerts import alerts_for_phone
from notify.domain.reply_match import Needed, narrowed
from notify.providers.fake import FakeProvider
from notify.usecases.answer_reply import answer_reply
from notify.usecases.follow_assignment import follow_assignment
from notify.usecases.record_alert import record_alert
from notify.usecases.send_alert import Sending, send_alert
from notify.usecases.send_window import SendWindow
from qorgau_common.consumer import EventConsumer, SharedBatches
from qorgau_common.unit_of_work import shared_transaction
from qorgau_contracts import ASSIGNMENT_UPDATED, AssignmentUpdated, IncidentAssigned, ReplyReceived

from tests.batches import FakeBroker, FakeMessage, FakeRecord
from tests.factories import assigned
from tests.notify.conftest import alert_row, replies_sent

PHONE = "+77000003001"
KK_PHONE = "+77000005002"


async def alerted(pool: asyncpg.Pool, sending: Sending, **changes: object) -> IncidentAssigned:
    event = assigned(**changes)
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    return event


def notices(provider: FakeProvider, phone: str) -> list[str]:
    """What `phone` got besides its alerts (which always end with the reply instructions)."""
    alert = (" не могу", " алмаймын")
    return [s.text for s in provider.sent if s.phone == phone and not s.text.endswith(alert)]


def routing_says(
    case: IncidentAssigned, state: str, reply: ReplyReceived | None = None, **changes: Any
) -> AssignmentUpdated:
    values: dict[str, Any] = {
        "producer": "routing",
        "correlation_id": case.correlation_id,
        "assignment_id": case.assignment_id,
        "incident_id": case.incident_id,
        "short_code": case.short_code,
        "attempt": case.attempt,
        "officer_id": case.officer_id,
        "purpose": case.purpose,
        "state": state,
        "district": case.district,
        "priority": case.priority,
        "risk_level": case.risk_level,
        "address_line": case.address_line,
    }
    if reply is not None:
        values |= {"reply_id": reply.reply_id, "reply_answer": reply.answer}
        values["reply_verdict"] = "applied"
    values.update(changes)
    return AssignmentUpdated(**values)


async def test_a_coded_reply_goes_to_routing_and_is_confirmed_with_what_routing_did(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    case = await alerted(pool, sending, short_code="ACK1")
    assert await answer_reply(pool, sending.routes, PHONE, " 1  АСк1 ") == "forwarded"
    (reply,) = await replies_sent(pool)
    assert (reply.assignment_id, reply.answer, reply.officer_id) == (
        case.assignment_id,
        "acknowledge",
        case.officer_id,
    )
    assert notices(primary, PHONE) == []  # nothing is confirmed before routing answers
    await follow_assignment(pool, sending.routes, routing_says(case, "acknowledged", reply))
    assert notices(primary, PHONE) == ["Принято: ACK1, Есиль, ул. Сыганак 10 кв 5"]
    assert [sms.receipt for sms in primary.sent] == [True, False]  # the alert asks, not the notice
    row = await alert_row(pool, case.assignment_id)
    assert (row["routing_state"], row["status"]) == ("acknowledged", "acknowledged")


async def test_a_bare_reply_with_two_cases_open_asks_for_the_code(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    await alerted(pool, sending, short_code="AAA1")
    await alerted(pool, sending, short_code="BBB2")
    assert await answer_reply(pool, sending.routes, PHONE, "1") == "ask_for_code"
    assert await replies_sent(pool) == []
    assert notices(primary, PHONE) == ["Qorgau: открыты BBB2, AAA1. Укажите код: 1 КОД или 2 КОД"]


async def test_a_bare_reply_after_the_first_case_moved_on_still_asks(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    # A misses S's deadline, S moves on; A is given N and replies "1" meaning S.
    moved = await alerted(pool, sending, short_code="SSS1")
    await follow_assignment(pool, sending.routes, routing_says(moved, "expired"))
    await alerted(pool, sending, short_code="NNN2")
    assert await answer_reply(pool, sending.routes, PHONE, "1") == "ask_for_code"
    assert await answer_reply(pool, sending.routes, PHONE, "1 SSS1") == "moved_on"
    assert await replies_sent(pool) == []
    assert notices(primary, PHONE) == [
        "Qorgau: открыты NNN2. Укажите код: 1 КОД или 2 КОД",
        "SSS1 передано другому сотруднику, ваш ответ не учтен. Есиль, ул. Сыганак 10 кв 5",
    ]
    now = datetime.now(UTC) + timedelta(minutes=16)
    assert await answer_reply(pool, None, PHONE, "1", now=now) == "forwarded"


async def test_a_late_reply_routing_refuses_gets_an_honest_answer(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    case = await alerted(pool, sending, short_code="LATE", officer_phone=KK_PHONE,
                         officer_language="kk")  # fmt: skip
    assert await answer_reply(pool, sending.routes, KK_PHONE, "1") == "forwarded"
    (reply,) = await replies_sent(pool)
    refused = routing_says(case, "reassigned", reply, reply_verdict="moved_on")
    await follow_assignment(pool, sending.routes, refused)
    await follow_assignment(pool, sending.routes, refused)  # redelivered: told once
    assert notices(primary, KK_PHONE) == [
        "LATE басқа қызметкерге берілді, жауабыңыз есептелмеді. Есіл, ул. Сыганак 10 кв 5"
    ]
    assert await answer_reply(pool, sending.routes, KK_PHONE, "2") == "nothing_open"


async def test_notices_and_drills_never_take_a_reply_meant_for_a_case(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    await alerted(pool, sending, short_code="NOTE", purpose="supervisor_notice")
    await alerted(pool, sending, short_code="DRIL", exercise=True)  # no provider: never sent
    case = await alerted(pool, sending, short_code="REAL")
    assert await answer_reply(pool, sending.routes, PHONE, "1") == "forwarded"
    assert [r.assignment_id for r in await replies_sent(pool)] == [case.assignment_id]
    assert await answer_reply(pool, sending.routes, PHONE, "1 NOTE") == "unknown_code"


async def test_closing_a_case_by_sms_and_the_help(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    case = await alerted(pool, sending, short_code="K7Q2")
    await follow_assignment(pool, sending.routes, routing_says(case, "acknowledged"))
    assert await answer_reply(pool, sending.routes, PHONE, "3 K7Q2 ZZ") == "unknown_outcome"
    assert await answer_reply(pool, sending.routes, PHONE, "3 K7Q2 ЗП") == "forwarded"
    (reply,) = await replies_sent(pool)
    assert (reply.answer, reply.outcome) == ("resolve", "protective_order_issued")
    done = routing_says(case, "resolved", reply, outcome="protective_order_issued")
    await follow_assignment(pool, sending.routes, done)
    assert await answer_reply(pool, sending.routes, PHONE, "?") == "help"
    sent = notices(primary, PHONE)
    assert sent[0] == "Qorgau K7Q2: итог не понят. Ответ: 3 K7Q2 ИТОГ, итоги: ЗП КЦ АД УД 0 ДБ"
    assert sent[1] == "Закрыто: K7Q2, итог ЗП. Спасибо. Есиль, ул. Сыганак 10 кв 5"
    assert sent[2].startswith("Qorgau: 1 КОД принял, 2 КОД отказ, 3 КОД ИТОГ закрыть.")


async def test_facts_learnt_later_reach_the_officer_in_a_short_update(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    case = await alerted(pool, sending, short_code="K7Q2", risk_level="standard")
    deadline = datetime(2026, 11, 22, 5, 3, tzinfo=UTC)
    rise = routing_says(
        case,
        "open",
        risk_level="high",
        priority="danger_now",
        ack_deadline=deadline,
        changed=("priority", "risk_level", "ack_deadline"),
    )
    await follow_assignment(pool, sending.routes, rise)
    moved = routing_says(
        case, "open", risk_level="high", address_line="ул. Кенесары 40", changed=("address_line",)
    )
    await follow_assignment(pool, sending.routes, moved)
    assert notices(primary, PHONE) == [
        "Qorgau K7Q2: риск ВЫСОКИЙ, СРОЧНО, ответ до 10:03",
        "Qorgau K7Q2: адрес: Есиль, ул. Кенесары 40",
    ]
    row = await alert_row(pool, case.assignment_id)
    assert (row["risk_level"], row["address_line"]) == ("high", "ул. Кенесары 40")


async def test_a_reply_from_a_stranger_changes_nothing_and_gets_no_answer(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    await alerted(pool, sending)
    assert await answer_reply(pool, sending.routes, "+77770000000", "1 K7Q2") == "stranger"
    assert await replies_sent(pool) == []
    assert [s.phone for s in primary.sent] == [PHONE]


async def test_an_update_for_an_unknown_assignment_is_ignored(
    pool: asyncpg.Pool, sending: Sending
) -> None:
    stray = routing_says(assigned(assignment_id=uuid.uuid4()), "expired")
    assert await follow_assignment(pool, sending.routes, stray) == []


async def test_routings_word_reaches_the_alert_in_one_statement(
    pool: asyncpg.Pool, sending: Sending
) -> None:
    """The alert is changed and read back together (its claim in the inbox aside)."""
    case = await alerted(pool, sending, officer_phone=PHONE)
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        await follow_assignment(pool, sending.routes, routing_says(case, "acknowledged"))
    assert len([s for s in statements if "notify.alerts" in s]) == 1
    row = await pool.fetchrow(
        "SELECT routing_state, status FROM notify.alerts WHERE assignment_id = $1",
        case.assignment_id,
    )
    assert row is not None
    assert tuple(row) == ("acknowledged", "acknowledged")


async def test_a_verdict_and_routings_word_are_one_statement_and_confirm_once(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    """The reply's verdict goes with the alert's change; a redelivered verdict (another
    event naming the same reply) confirms nothing twice."""
    case = await alerted(pool, sending, officer_phone=PHONE, short_code="ACK2")
    assert await answer_reply(pool, sending.routes, PHONE, "1 ACK2") == "forwarded"
    (reply,) = await replies_sent(pool)
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        first = await follow_assignment(
            pool, sending.routes, routing_says(case, "acknowledged", reply)
        )
    assert len(first) == 1
    assert len([s for s in statements if "notify.replies" in s or "notify.alerts" in s]) == 1
    again = routing_says(case, "acknowledged", reply, event_id=uuid.uuid4())
    assert await follow_assignment(pool, sending.routes, again) == []
    assert notices(primary, PHONE) == ["Принято: ACK2, Есиль, ул. Сыганак 10 кв 5"]
    row = await pool.fetchrow("SELECT verdict FROM notify.replies WHERE id = $1", reply.reply_id)
    assert row is not None
    assert row["verdict"] == "applied"


async def test_a_reply_reads_only_the_phones_alerts_its_answer_depends_on(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    """A coded reply gets the phone's newest alert and those with its code, as
    `reply_match.narrowed` says, and is matched as it would be against every alert."""
    cases = [
        await alerted(pool, sending, short_code=code)
        for code in ("OLD1", "AAA1", "BBB2", "AAA1", "CCC3")
    ]
    async with pool.acquire() as conn, conn.transaction():
        every = await alerts_for_phone(conn, PHONE)
        assert [a.short_code for a in every] == ["CCC3", "AAA1", "BBB2", "AAA1", "OLD1"]
        for needed in (
            Needed(every=False, code="AAA1"),
            Needed(every=False, code="ZZZ9"),
            Needed(every=False, code="CCC3"),
            Needed(every=False),
            Needed(every=True),
        ):
            read = await alerts_for_phone(conn, PHONE, needed)
            assert [a.id for a in read] == [a.id for a in narrowed(every, needed)], needed
    assert await answer_reply(pool, sending.routes, PHONE, "1 OLD1") == "forwarded"
    (reply,) = await replies_sent(pool)
    assert reply.assignment_id == cases[0].assignment_id
    assert await answer_reply(pool, sending.routes, PHONE, "1 ZZZ9") == "unknown_code"
    assert notices(primary, PHONE)[-1].startswith("Qorgau: код ZZZ9 не найден")


async def test_a_confirmation_on_the_wire_does_not_hold_the_consumer(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    """The batch is committed and acknowledged while its confirmation is still being sent
    (the send window holds it): the next poll, and the alerts in it, never wait for an SMSC's
    answer. Shutdown's drain of the window waits for it."""
    case = await alerted(pool, sending, officer_phone=PHONE, short_code="ACK3")
    assert await answer_reply(pool, sending.routes, PHONE, "1 ACK3") == "forwarded"
    (reply,) = await replies_sent(pool)
    window = SendWindow(sending, window=4)
    deps = NotifyDeps(pool, window)
    consumer = EventConsumer(FakeBroker(), "notify", max_attempts=2, backoff_max_s=0.0)  # type: ignore[arg-type]
    event = routing_says(case, "acknowledged", reply)
    message = FakeMessage(
        (FakeRecord(ASSIGNMENT_UPDATED.name, 0, 0, None, event.model_dump_json().encode()),)
    )
    shared = SharedBatches(lambda: pool, frozenset({ASSIGNMENT_UPDATED.name}), inbox="notify")

    async def apply(updated: AssignmentUpdated) -> None:
        await on_assignment_updated(updated, deps)

    primary.hold()
    try:
        await asyncio.wait_for(
            consumer.consume_batch(message, lambda _: (AssignmentUpdated, apply), shared=shared),  # type: ignore[arg-type]
            5,
        )
        assert message.acks == [1]
        await primary.wait_on_wire(2)  # the alert, then the confirmation, held
        assert notices(primary, PHONE) == []
    finally:
        primary.release()
    await asyncio.wait_for(window.drain(), 5)
    assert notices(primary, PHONE) == ["Принято: ACK3, Есиль, ул. Сыганак 10 кв 5"]


async def test_a_reply_answered_on_the_wire_does_not_hold_the_inbound_group(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    """A reply answered by notice (here a bare "1" with two cases open) is acted on in the
    inbound keeper's shared transaction: through the send window, the group ends while the
    notice is still on the wire, so the receipts kept behind it never wait for an SMSC."""
    await alerted(pool, sending, short_code="AAA1")
    await alerted(pool, sending, short_code="BBB2")
    window = SendWindow(sending, window=4)
    primary.hold()
    try:

        async def group() -> None:
            async with shared_transaction(pool):
                outcome = await answer_reply(
                    pool, sending.routes, PHONE, "1", start=window.start_notice
                )
                assert outcome == "ask_for_code"

        await asyncio.wait_for(group(), 5)
        await primary.wait_on_wire(3)  # the two alerts, then the notice, held on the wire
        assert notices(primary, PHONE) == []
    finally:
        primary.release()
    await asyncio.wait_for(window.drain(), 5)
    assert notices(primary, PHONE) == ["Qorgau: открыты BBB2, AAA1. Укажите код: 1 КОД или 2 КОД"]
