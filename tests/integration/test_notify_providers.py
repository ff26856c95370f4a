"""Notify against an SMSC simulator and an HTTP gateway the test controls, over real TCP."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from notify.callbacks import CALLBACK_PATH
from notify.main import create_app
from qorgau_contracts import INCIDENT_ASSIGNED, dlq_name
from qorgau_local.smsc import DevSmsc

from tests.factories import assigned
from tests.harness import publish, read_topic, serving

from .notify_support import gateway, query, send, settings, wait_update

pytestmark = pytest.mark.integration

PHONE = "+77000003001"


async def test_throttling_is_retried_with_backoff_and_sends_once(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    smsc.behaviour.throttle_next = 2
    event = assigned()
    async with serving(create_app(settings(database_url, kafka, smsc.port))):
        await send(kafka, event)
        sms = await smsc.wait_for(lambda s: s.destination == PHONE, within_s=15)
        update = await wait_update(kafka, event.assignment_id, "submitted")
    assert update.provider == "smpp"
    assert sms.parts == 2
    assert [s.destination for s in smsc.received].count(PHONE) == 1


async def test_throttled_past_its_budget_fails_over_to_the_http_gateway(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    smsc.behaviour.throttle_next = 1_000
    event = assigned()
    async with gateway() as gw:
        config = settings(
            database_url,
            kafka,
            smsc.port,
            smpp_throttle_retries=1,
            http_gateway_url=gw.url,
            http_gateway_api_key=gw.api_key,
        )
        async with serving(create_app(config)):
            await send(kafka, event)
            update = await wait_update(kafka, event.assignment_id, "submitted")
    assert update.provider == "http"
    assert update.provider_message_ids == ("gw-1",)
    assert len(gw.sent) == 1
    assert gw.sent[0]["recipient"] == PHONE.lstrip("+")
    assert gw.sent[0]["text"].startswith("Qorgau K7Q2")
    assert smsc.received == []
    attempts = await query(
        database_url,
        "SELECT provider, status FROM notify.attempts ORDER BY id",
    )
    assert [(a["provider"], a["status"]) for a in attempts] == [
        ("smpp", "rejected"),
        ("http", "submitted"),
    ]


async def test_a_down_bind_fails_over_and_the_gateway_callback_delivers(
    database_url: str, kafka: str
) -> None:
    from qorgau_local.broker import free_port

    event = assigned()
    async with gateway() as gw:
        config = settings(
            database_url,
            kafka,
            free_port(),  # nothing listens: the bind never comes up
            smpp_bind_wait_s=0.2,
            http_gateway_url=gw.url,
            http_gateway_api_key=gw.api_key,
            http_gateway_callback_token="s3cret",
        )
        app = create_app(config)
        async with serving(app):
            await send(kafka, event)
            submitted = await wait_update(kafka, event.assignment_id, "submitted")
            assert submitted.provider == "http"
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
                denied = await client.post(CALLBACK_PATH, data={"messageId": "gw-1"})
                garbage = await client.post(f"{CALLBACK_PATH}?token=s3cret", json=[1, 2])
                ok = await client.post(
                    f"{CALLBACK_PATH}?token=s3cret",
                    data={"messageId": "gw-1", "status": "DELIVRD"},
                )
            await wait_update(kafka, event.assignment_id, "delivered")
    assert denied.status_code == 401
    assert garbage.json() == {"accepted": False}
    assert ok.json() == {"accepted": True, "matched": True}


async def test_no_receipt_in_time_resends_through_the_gateway(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    smsc.behaviour.receipts = False
    event = assigned()
    async with gateway() as gw:
        config = settings(
            database_url,
            kafka,
            smsc.port,
            receipt_timeout_s=0.5,
            resend_pending_after_s=0.3,
            http_gateway_url=gw.url,
            http_gateway_api_key=gw.api_key,
        )
        async with serving(create_app(config)):
            await send(kafka, event)
            first = await wait_update(kafka, event.assignment_id, "submitted")
            for _ in range(100):
                if gw.sent:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # later sweeps must not resend again
    assert first.provider == "smpp"
    assert len(gw.sent) == 1
    assert len(smsc.received) == 1


async def test_an_invalid_officer_phone_fails_the_alert_with_a_reason(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    bad = assigned(officer_phone="+70000000000")
    good = assigned(officer_phone="+77000004001", short_code="GOOD")
    async with serving(create_app(settings(database_url, kafka, smsc.port))):
        await send(kafka, bad)
        await send(kafka, good)
        failed = await wait_update(kafka, bad.assignment_id, "failed")
        await smsc.wait_for(lambda s: "GOOD" in s.text, within_s=15)
    assert failed.reason is not None
    assert "invalid officer phone" in failed.reason
    assert all(s.destination != "+70000000000" for s in smsc.received)


async def test_a_malformed_event_goes_to_the_dlq_and_the_next_one_is_sent(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    event = assigned()
    async with serving(create_app(settings(database_url, kafka, smsc.port))):
        await publish(
            kafka, INCIDENT_ASSIGNED.name, b'{"not": "an event"}', event.incident_id.bytes
        )
        await send(kafka, event)
        await smsc.wait_for(lambda s: s.destination == PHONE, within_s=15)
        dead = await read_topic(kafka, dlq_name(INCIDENT_ASSIGNED.name), 1)
    assert len(dead) == 1


async def test_replies_are_confirmed_and_strangers_and_garbage_change_nothing(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    first = assigned(short_code="ACK1")
    second = assigned(short_code="DEC2", officer_phone="+77000005002", officer_language="kk")
    async with serving(create_app(settings(database_url, kafka, smsc.port))):
        await send(kafka, first)
        await send(kafka, second)
        await smsc.wait_for(lambda s: "ACK1" in s.text, within_s=15)
        await smsc.wait_for(lambda s: "DEC2" in s.text, within_s=15)
        await wait_update(kafka, first.assignment_id, "delivered")
        await wait_update(kafka, second.assignment_id, "delivered")
        # Garbage first: a receipt with no id, an undecodable MO, a stranger's reply.
        await smsc.deliver_raw(b"\xff\x00garbage", esm_class=0x04)
        await smsc.deliver_raw(b"\x05\x00\x03", esm_class=0x40, data_coding=0x08, source="x")
        await smsc.send_reply("+77770000000", "1 ACK1")
        await smsc.send_reply(PHONE, "1 ZZZZ")  # unknown code: a helpful answer
        await smsc.send_reply(PHONE, " 1  асk1 ")  # Cyrillic lookalikes, odd spacing
        await smsc.send_reply("+77000005002", "2")  # bare: the phone's latest open alert
        await wait_update(kafka, first.assignment_id, "acknowledged")
        await wait_update(kafka, second.assignment_id, "declined")
        await smsc.wait_for(lambda s: "принято" in s.text, within_s=10)
        await smsc.wait_for(lambda s: "бас тарту" in s.text, within_s=10)
        await smsc.wait_for(lambda s: "ZZZZ" in s.text, within_s=10)
    assert not any(s.destination == "+77770000000" for s in smsc.received)


async def test_a_dropped_connection_mid_stream_loses_no_alert(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    events = [assigned(officer_phone=f"+7700000{n:04d}") for n in range(40)]
    smsc.behaviour.drop_after = 25  # the 25th submit_sm is never answered: the link goes
    config = settings(database_url, kafka, smsc.port, resend_pending_after_s=0.5)
    async with serving(create_app(config)):
        for event in events:
            await send(kafka, event)
        wanted = {e.officer_phone for e in events}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline:
            if wanted <= {s.destination for s in smsc.received}:
                break
            await asyncio.sleep(0.1)
    got = {s.destination for s in smsc.received}
    assert wanted <= got, f"lost: {sorted(wanted - got)}"
    rows = await query(database_url, "SELECT status FROM notify.alerts")
    assert {r["status"] for r in rows} <= {"submitted", "delivered"}
