"""Notify wired over a real broker, the development SMSC and a local HTTP gateway: events in
→ SMS out → `alert.updated.v1` out. One app start, one consumer group join."""

from __future__ import annotations

import httpx
import pytest
from notify.http.callbacks import CALLBACK_PATH
from notify.main import create_app
from qorgau_contracts import (
    ASSIGNMENT_UPDATED,
    INCIDENT_ASSIGNED,
    REPLY_RECEIVED,
    ReplyReceived,
    dlq_name,
)
from qorgau_local.smsc import DevSmsc

from tests import factories
from tests.factories import assigned
from tests.harness import publish, read_topic, serving

from .support import gateway, send, settings, wait_update

pytestmark = pytest.mark.integration


async def test_assignments_in_sms_out_updates_out_over_the_broker(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    first = assigned()
    later = assigned(officer_phone="+77000004001", short_code="GW01")
    async with gateway() as gw:
        config = settings(
            database_url,
            kafka,
            smsc.port,
            smpp_throttle_retries=0,
            http_gateway_url=gw.url,
            http_gateway_api_key=gw.api_key,
            http_gateway_callback_token="s3cret",
        )
        app = create_app(config)
        async with serving(app):
            await publish(
                kafka, INCIDENT_ASSIGNED.name, b'{"not": "an event"}', first.incident_id.bytes
            )
            await send(kafka, first)
            sms = await smsc.wait_for(lambda s: s.destination == first.officer_phone, 15)
            assert sms.text == (
                "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5."
                " Ответ: 1 K7Q2 принял, 2 K7Q2 не могу"
            )
            assert (sms.parts, sms.data_coding) == (2, 0x08)
            submitted = await wait_update(kafka, first.assignment_id, "submitted")
            assert (submitted.provider, submitted.provider_message_ids) == ("smpp", sms.message_ids)
            await wait_update(kafka, first.assignment_id, "delivered")
            assert await smsc.send_reply(first.officer_phone, "1 K7Q2") == 1
            # The reply goes to routing; the confirmation waits for routing's answer.
            (record,) = await read_topic(kafka, REPLY_RECEIVED.name, 1)
            reply = ReplyReceived.model_validate_json(record.value)
            assert (reply.assignment_id, reply.answer) == (first.assignment_id, "acknowledge")
            answer = factories.assignment_update(
                first,
                "acknowledged",
                reply_id=reply.reply_id,
                reply_answer="acknowledge",
                reply_verdict="applied",
            )
            key = first.incident_id.bytes
            await publish(kafka, ASSIGNMENT_UPDATED.name, answer.model_dump_json().encode(), key)
            await smsc.wait_for(lambda s: s.text.startswith("Принято: K7Q2, Есиль"), 10)

            smsc.behaviour.throttle_next = 1_000  # SMPP refuses: the gateway takes over
            await send(kafka, later)
            via_gateway = await wait_update(kafka, later.assignment_id, "submitted")
            assert via_gateway.provider == "http"
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
                callback = await client.post(
                    f"{CALLBACK_PATH}?token=s3cret",
                    data={"messageId": via_gateway.provider_message_ids[0], "status": "DELIVRD"},
                )
            assert callback.json() == {"accepted": True, "matched": True}
            await wait_update(kafka, later.assignment_id, "delivered")
        dead = await read_topic(kafka, dlq_name(INCIDENT_ASSIGNED.name), 1)
    assert len(dead) == 1
    alerts = [s.destination for s in smsc.received if s.text.startswith("Qorgau K7Q2 ")]
    assert alerts.count(first.officer_phone) == 1  # and the confirmation, besides
    assert gw.sent[0]["text"].startswith("Qorgau GW01")
