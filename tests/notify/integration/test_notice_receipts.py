"""Over real SMPP: an alert asks the SMSC for a delivery receipt, a best-effort notice does not.

A notice (a reply's confirmation) is not recorded, so a receipt for it could match nothing: it
would only cost the SMSC a deliver_sm and notify a kept row and a transaction per part."""

from __future__ import annotations

import asyncio

import pytest
from notify.domain.receipt import Receipt
from notify.providers.base import Submitted
from notify.providers.smpp import SmppConfig, SmppProvider
from qorgau_local.smsc import DevSmsc

pytestmark = pytest.mark.integration

PHONE = "+77000003002"
NOTICE = "Принято: K7Q2, Есиль, ул. Сыганак 10 кв 5"
ALERT = "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5. Ответ: 1 K7Q2 принял"


async def test_a_notice_asks_for_no_receipt_and_gets_none(smsc: DevSmsc) -> None:
    receipts: list[str] = []

    async def on_receipt(receipt: Receipt) -> None:
        receipts.append(receipt.message_id)

    async def no_reply(_: str, __: str) -> None:
        return None

    config = SmppConfig("127.0.0.1", smsc.port, "qorgau", "qorgau", bind_wait_s=5)
    smpp = SmppProvider(config, on_receipt=on_receipt, on_reply=no_reply)
    await smpp.start()
    try:
        assert await smpp.wait_bound(10), "the SMPP bind did not come up"
        notice = await smpp.send(PHONE, NOTICE, receipt=False)
        alert = await smpp.send(PHONE, ALERT)
        assert isinstance(notice, Submitted)
        assert isinstance(alert, Submitted)
        async with asyncio.timeout(10):  # receipts go out in submit order, the notice's first
            while not set(alert.message_ids) <= set(receipts):
                await asyncio.sleep(0.02)
    finally:
        await smpp.stop()
    assert [(s.text, s.receipt_requested) for s in smsc.received] == [
        (NOTICE, False),
        (ALERT, True),
    ]
    assert not set(notice.message_ids) & set(receipts)
