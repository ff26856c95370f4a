"""The HTTP gateway's status callbacks, over HTTP, against a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from notify.domain.receipt import Receipt
from notify.http.callbacks import CALLBACK_PATH, callback_router
from notify.providers.fake import FakeProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.record_receipt import record_receipt
from notify.usecases.send_alert import Sending, send_alert

from tests.factories import assigned
from tests.notify.conftest import alert_row


@pytest.fixture
async def client(pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    async def on_receipt(receipt: Receipt) -> bool:
        return await record_receipt(pool, "http", receipt)

    app = FastAPI()
    app.include_router(callback_router("s3cret", on_receipt))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
        yield client


async def test_a_gateway_callback_delivers_its_alert_and_garbage_or_a_wrong_token_do_not(
    pool: asyncpg.Pool,
    sending: Sending,
    primary: FakeProvider,
    backup: FakeProvider,
    client: httpx.AsyncClient,
) -> None:
    primary.refuse("SMPP bind is down", "unavailable")
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    (message_id,) = backup.sent[0].message_ids
    denied = await client.post(CALLBACK_PATH, data={"messageId": message_id, "status": "DELIVRD"})
    garbage = await client.post(f"{CALLBACK_PATH}?token=s3cret", json=[1, 2])
    unknown = await client.get(f"{CALLBACK_PATH}?token=s3cret&messageId=x&status=DELIVRD")
    assert (denied.status_code, garbage.json()) == (401, {"accepted": False})
    assert unknown.json() == {"accepted": True, "matched": False}
    assert (await alert_row(pool, event.assignment_id))["status"] == "submitted"
    ok = await client.post(
        f"{CALLBACK_PATH}?token=s3cret",
        json={"data": {"messageId": message_id, "status": 2}},  # SMPP's numeric DELIVRD
    )
    assert ok.json() == {"accepted": True, "matched": True}
    assert (await alert_row(pool, event.assignment_id))["status"] == "delivered"
