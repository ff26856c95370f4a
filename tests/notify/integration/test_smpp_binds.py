"""Several SMPP binds against the development SMSC: submits spread over every bound session,
each SMS whole on one session, a dropped bind skipped while it reconnects by itself, receipts
and replies matched whichever bind they come on, and every bind unbound at stop. No broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from notify.domain.receipt import Receipt
from notify.providers.base import Rejected, Submitted
from notify.providers.fake import FakeProvider
from notify.providers.routes import Routes
from notify.providers.smpp import SmppConfig, SmppProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.record_receipt import apply_stranded_receipts, record_receipt
from notify.usecases.send_alert import Sending
from notify.usecases.send_window import SendWindow
from prometheus_client import REGISTRY
from qorgau_local.broker import free_port
from qorgau_local.smsc import DevSmsc

from tests.factories import assigned

pytestmark = pytest.mark.integration

BINDS = 3
# Two UCS-2 parts, like every alert.
ALERT = "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5. Ответ: 1 K7Q2 принял, 2 K7Q2 не могу"


def phone(n: int) -> str:
    return f"+7700000{n:04d}"


async def eventually(condition: Callable[[], bool], within_s: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.005)


async def ignore_receipt(_: Receipt) -> None:
    return None


async def ignore_reply(_: str, __: str) -> None:
    return None


def binds_up_metric() -> float | None:
    return REGISTRY.get_sample_value("qorgau_notify_smpp_binds_up")


@pytest.fixture
def replies() -> asyncio.Queue[tuple[str, str]]:
    return asyncio.Queue()


@pytest.fixture
async def make_smpp(
    smsc: DevSmsc,
) -> AsyncIterator[Callable[..., Awaitable[SmppProvider]]]:
    started: list[SmppProvider] = []

    async def make(
        on_receipt: Callable[[Receipt], Awaitable[None]] = ignore_receipt,
        on_reply: Callable[[str, str], Awaitable[None]] = ignore_reply,
        port: int | None = None,
        bind_wait_s: float = 2,
    ) -> SmppProvider:
        config = SmppConfig(
            "127.0.0.1",
            smsc.port if port is None else port,
            "qorgau",
            "qorgau",
            bind_wait_s=bind_wait_s,
            binds=BINDS,
        )
        provider = SmppProvider(config, on_receipt=on_receipt, on_reply=on_reply)
        await provider.start()
        started.append(provider)
        return provider

    yield make
    for provider in started:
        await provider.stop()


async def test_every_bind_is_bound_and_submits_spread_over_all_of_them(
    smsc: DevSmsc, make_smpp: Callable[..., Awaitable[SmppProvider]]
) -> None:
    smpp = await make_smpp()
    assert await smpp.wait_bound(10, binds=BINDS), "not every SMPP bind came up"
    await eventually(lambda: smsc.bound_sessions == BINDS)  # the SMSC has seen them all
    assert smpp.binds_up == BINDS
    assert binds_up_metric() == BINDS

    results = await asyncio.gather(*(smpp.send(phone(n), ALERT) for n in range(12)))
    assert all(isinstance(r, Submitted) and len(r.message_ids) == 2 for r in results)
    # The SMSC joins parts per session: an SMS split over two sessions would never be whole.
    assert len(smsc.received) == 12
    assert {s.parts for s in smsc.received} == {2}
    assert {s.session_id for s in smsc.received} == smsc.session_ids


async def test_a_dropped_bind_is_skipped_and_reconnects_by_itself(
    smsc: DevSmsc, make_smpp: Callable[..., Awaitable[SmppProvider]]
) -> None:
    smpp = await make_smpp()
    assert await smpp.wait_bound(10, binds=BINDS)
    await eventually(lambda: smsc.bound_sessions == BINDS)
    before = smsc.session_ids

    assert smsc.drop_connections(1) == 1
    await eventually(lambda: smpp.binds_up < BINDS)  # down for its backoff (≥ 0.2 s)
    await eventually(lambda: len(before & smsc.session_ids) == BINDS - 1)
    (dropped,) = before - smsc.session_ids
    assert smpp.healthy

    results = [await smpp.send(phone(n), ALERT) for n in range(6)]
    assert all(isinstance(r, Submitted) for r in results), results
    used = {s.session_id for s in smsc.received}
    assert dropped not in used
    assert len(used) >= BINDS - 1

    assert await smpp.wait_bound(10, binds=BINDS), "the dropped bind did not come back"
    await eventually(lambda: smsc.bound_sessions == BINDS)


async def test_receipts_and_replies_are_matched_whichever_bind_they_come_on(
    pool: asyncpg.Pool,
    smsc: DevSmsc,
    make_smpp: Callable[..., Awaitable[SmppProvider]],
    replies: asyncio.Queue[tuple[str, str]],
) -> None:
    smsc.behaviour.spread_deliveries = True

    async def on_receipt(receipt: Receipt) -> None:
        await record_receipt(pool, SmppProvider.name, receipt)

    async def on_reply(sender: str, text: str) -> None:
        await replies.put((sender, text))

    smpp = await make_smpp(on_receipt, on_reply)
    assert await smpp.wait_bound(10, binds=BINDS)
    await eventually(lambda: smsc.bound_sessions == BINDS)
    window = SendWindow(Sending(pool, Routes.of(smpp)), window=4)
    events = [assigned(officer_phone=phone(n)) for n in range(6)]
    for event in events:
        alert_id = await record_alert(pool, event)
        assert alert_id is not None
        await window.dispatch(alert_id)
    await window.drain()

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline:
        # As the service's sweep does: a receipt that came on another bind while its submit's
        # record was committing was parked after that record looked for it (CI saw this).
        await apply_stranded_receipts(pool)
        rows = await pool.fetch("SELECT status FROM notify.alerts")
        # The first part's receipt marks an alert delivered; the second part's may still be
        # on its way from the SMSC (CI saw its session missing): wait for every part's.
        sent = {m for sms in smsc.received for m in sms.message_ids}
        delivered = [r["status"] for r in rows] == ["delivered"] * len(events)
        if delivered and sent <= smsc.receipt_sessions.keys():
            break
        await asyncio.sleep(0.05)
    rows = await pool.fetch("SELECT status FROM notify.alerts")
    assert [r["status"] for r in rows] == ["delivered"] * len(events)
    for sms in smsc.received:
        for message_id in sms.message_ids:
            assert smsc.receipt_sessions[message_id] != sms.session_id

    long_reply = "3 K7Q2 ЗП " + "подробности " * 8  # two UCS-2 parts, on one session
    texts = ["1 K7Q2", "2 K7Q2", long_reply]
    for text in texts:
        assert await smsc.send_reply(phone(0), text) == 1  # one session each, in turn
    got = [await asyncio.wait_for(replies.get(), 10) for _ in texts]
    assert sorted(got) == sorted((phone(0), t) for t in texts)
    assert replies.empty()


async def test_with_every_bind_down_the_alert_fails_over_as_with_one(
    pool: asyncpg.Pool, make_smpp: Callable[..., Awaitable[SmppProvider]]
) -> None:
    smpp = await make_smpp(port=free_port(), bind_wait_s=0.2)
    result = await smpp.send(phone(1), ALERT)
    assert isinstance(result, Rejected)
    assert (result.kind, smpp.healthy, smpp.binds_up) == ("unavailable", False, 0)

    backup = FakeProvider("http")
    window = SendWindow(Sending(pool, Routes.of(smpp, backup)), window=1)
    alert_id = await record_alert(pool, assigned(officer_phone=phone(1)))
    assert alert_id is not None
    await window.dispatch(alert_id)
    await window.drain()
    assert [s.phone for s in backup.sent] == [phone(1)]
    attempts = await pool.fetch("SELECT provider, status FROM notify.attempts ORDER BY id")
    assert [(a["provider"], a["status"]) for a in attempts] == [("http", "submitted")]


async def test_stop_unbinds_every_bind(smsc: DevSmsc) -> None:
    config = SmppConfig("127.0.0.1", smsc.port, "qorgau", "qorgau", binds=BINDS)
    smpp = SmppProvider(config, on_receipt=ignore_receipt, on_reply=ignore_reply)
    await smpp.start()
    assert await smpp.wait_bound(10, binds=BINDS)
    await smpp.stop()
    assert (smpp.binds_up, smpp.healthy) == (0, False)
    await eventually(lambda: smsc.bound_sessions == 0)
