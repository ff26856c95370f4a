"""SMPP specifics against the development SMSC: throttling retried with backoff, inbound
receipts and replies (garbage ignored), and a dropped connection losing no alert. No broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from notify.domain.receipt import Receipt
from notify.providers.routes import Routes
from notify.providers.smpp import SmppConfig, SmppProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.record_receipt import record_receipt
from notify.usecases.send_alert import Sending
from notify.usecases.send_window import SendWindow
from notify.usecases.sweep import sweep_once
from qorgau_local.smsc import DevSmsc

from tests.factories import assigned

pytestmark = pytest.mark.integration

PHONE = "+77000003001"


class Inbound:
    def __init__(self) -> None:
        self.receipts: asyncio.Queue[Receipt] = asyncio.Queue()
        self.replies: asyncio.Queue[tuple[str, str]] = asyncio.Queue()

    async def receipt(self, receipt: Receipt) -> None:
        await self.receipts.put(receipt)

    async def reply(self, phone: str, text: str) -> None:
        await self.replies.put((phone, text))


@pytest.fixture
async def inbound() -> Inbound:
    return Inbound()


@pytest.fixture
async def smpp(smsc: DevSmsc, inbound: Inbound) -> AsyncIterator[SmppProvider]:
    config = SmppConfig("127.0.0.1", smsc.port, "qorgau", "qorgau", bind_wait_s=2)
    provider = SmppProvider(config, on_receipt=inbound.receipt, on_reply=inbound.reply)
    await provider.start()
    assert await provider.wait_bound(10), "the SMPP bind did not come up"
    yield provider
    await provider.stop()


async def test_throttling_is_retried_with_backoff_and_sends_once(
    smsc: DevSmsc, smpp: SmppProvider
) -> None:
    smsc.behaviour.throttle_next = 2
    result = await smpp.send(PHONE, "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5")
    assert result.__class__.__name__ == "Submitted"
    (sms,) = smsc.received
    assert (sms.destination, sms.data_coding) == (PHONE, 0x08)


async def test_receipts_and_replies_come_in_and_garbage_is_ignored(
    smsc: DevSmsc, smpp: SmppProvider, inbound: Inbound
) -> None:
    await smsc.deliver_raw(b"\xff\x00garbage", esm_class=0x04)  # a receipt with no id
    await smsc.deliver_raw(b"\x05\x00\x03", esm_class=0x40, data_coding=0x08, source="x")
    await smpp.send(PHONE, "Qorgau K7Q2 1")
    receipt = await asyncio.wait_for(inbound.receipts.get(), 10)
    assert (receipt.message_id, receipt.delivered) == (smsc.received[0].message_ids[0], True)
    await smsc.send_reply(PHONE, "1 К7Q2")
    assert await asyncio.wait_for(inbound.replies.get(), 10) == (PHONE, "1 К7Q2")
    assert inbound.receipts.empty()
    assert inbound.replies.empty()


async def test_a_dropped_connection_mid_stream_loses_no_alert(
    pool: asyncpg.Pool, smsc: DevSmsc, smpp: SmppProvider
) -> None:
    events = [assigned(officer_phone=f"+7700000{n:04d}") for n in range(40)]
    smsc.behaviour.drop_after = 25  # the 25th submit_sm is never answered: the link goes
    window = SendWindow(Sending(pool, Routes.of(smpp)), window=8)
    for event in events:
        alert_id = await record_alert(pool, event)
        assert alert_id is not None
        await window.dispatch(alert_id)
    await window.drain()
    wanted = {e.officer_phone for e in events}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while not wanted <= {s.destination for s in smsc.received} and loop.time() < deadline:
        await sweep_once(window, pending_after_s=0.0, receipt_timeout_s=600)
        await window.drain()
        await asyncio.sleep(0.1)  # the bind comes back by itself
    got = {s.destination for s in smsc.received}
    assert wanted <= got, f"lost: {sorted(wanted - got)}"
    rows = await pool.fetch("SELECT status FROM notify.alerts")
    assert {r["status"] for r in rows} <= {"submitted", "delivered"}
    assert await record_receipt(pool, "smpp", Receipt("never-issued", "DELIVRD")) is False
