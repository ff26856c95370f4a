"""Notify keeps every SMPP receipt and reply in PostgreSQL before it acts on it.

smpp34 acknowledges a deliver_sm at once, so the SMSC will not send it again: a receipt or
an officer's "1" that met a database blip was gone (issue 11). The InboundKeeper's retries
are tested at the use-case tier (test_keep_inbound); this checks that the service's SMPP
callbacks go through it, by recording each row notify.inbound takes in.
"""

from __future__ import annotations

import asyncpg
import pytest
from notify.main import create_app
from qorgau_contracts import REPLY_RECEIVED, ReplyReceived
from qorgau_local.smsc import DevSmsc

from tests.factories import assigned
from tests.harness import read_topic, serving

from .support import query, send, settings, wait_update

pytestmark = pytest.mark.integration

# Test-only: a copy of every row notify.inbound takes in (it deletes a row once acted on).
RECORD_INBOUND = """
CREATE TABLE public.inbound_seen (kind text NOT NULL, provider text NOT NULL, body text);
CREATE FUNCTION public.record_inbound() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO public.inbound_seen VALUES (NEW.kind, NEW.provider, NEW.body::text);
  RETURN NEW;
END $$;
CREATE TRIGGER record_inbound AFTER INSERT ON notify.inbound
  FOR EACH ROW EXECUTE FUNCTION public.record_inbound();
"""


async def test_smpp_receipts_and_replies_are_kept_before_they_are_acted_on(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(RECORD_INBOUND)
    finally:
        await conn.close()
    alert = assigned()
    async with serving(create_app(settings(database_url, kafka, smsc.port))):
        await send(kafka, alert)
        sms = await smsc.wait_for(lambda s: s.destination == alert.officer_phone, 15)
        await wait_update(kafka, alert.assignment_id, "delivered")
        assert await smsc.send_reply(alert.officer_phone, "1 K7Q2") == 1
        (record,) = await read_topic(kafka, REPLY_RECEIVED.name, 1)
    reply = ReplyReceived.model_validate_json(record.value)
    assert (reply.assignment_id, reply.answer) == (alert.assignment_id, "acknowledge")
    seen = await query(database_url, "SELECT kind, provider, body FROM public.inbound_seen")
    receipts = [r for r in seen if r["kind"] == "receipt"]
    replies = [r for r in seen if r["kind"] == "reply"]
    assert {r["provider"] for r in seen} == {"smpp"}
    kept_ids = {m for m in sms.message_ids if any(m in r["body"] for r in receipts)}
    assert kept_ids == set(sms.message_ids)
    [kept_reply] = replies
    assert "1 K7Q2" in kept_reply["body"]
    # Each was acted on, and its kept row taken in the same transaction.
    assert await query(database_url, "SELECT id FROM notify.inbound") == []
