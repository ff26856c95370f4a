"""Notify killed (SIGKILL) and restarted while under load: no officer gets a second SMS.

Also measures the one window SMPP cannot close: alerts whose submit_sm was on the wire
when the process died are never resent; they are failed "in doubt" so routing escalates.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from notify.config import NotifySettings
from qorgau_local.broker import free_port
from qorgau_local.smsc import DevSmsc

from tests.factories import assigned

from .support import query, send

pytestmark = pytest.mark.integration

ALERTS = 150


async def start_notify(database_url: str, kafka: str, smsc_port: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "QORGAU_DATABASE_URL": database_url,
        "QORGAU_KAFKA_BOOTSTRAP_SERVERS": kafka,
        "QORGAU_KAFKA_SESSION_TIMEOUT_MS": "2000",
        "QORGAU_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
        "QORGAU_NOTIFY_SMPP_PORT": str(smsc_port),
        "QORGAU_NOTIFY_HTTP_PORT": str(free_port()),
        "QORGAU_NOTIFY_RESEND_PENDING_AFTER_S": "0.5",
        "QORGAU_NOTIFY_IN_DOUBT_AFTER_S": "2",
        "QORGAU_LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "notify",
        "serve",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def wait_until(predicate: Callable[[], Awaitable[bool]], within_s: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while loop.time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"not within {within_s} s: {predicate.__name__}")


async def test_kill_and_restart_under_load_sends_no_second_sms(
    database_url: str, kafka: str, smsc: DevSmsc
) -> None:
    smsc.behaviour.submit_delay_s = 0.02  # keep submits on the wire when the kill lands
    events = [assigned(officer_phone=f"+7700100{n:04d}") for n in range(ALERTS)]
    for event in events:
        await send(kafka, event)
    first = await start_notify(database_url, kafka, smsc.port)
    try:

        async def some_sent() -> bool:
            return len(smsc.received) >= ALERTS // 3

        await wait_until(some_sent, 60)
        first.send_signal(signal.SIGKILL)
        await first.wait()
    finally:
        if first.returncode is None:
            first.kill()
    killed_at = len(smsc.received)
    second = await start_notify(database_url, kafka, smsc.port)
    try:

        async def settled() -> bool:
            rows = await query(
                database_url,
                "SELECT count(*) AS n FROM notify.alerts WHERE status IN ('submitted','delivered')"
                " OR (status = 'failed' AND reason LIKE 'in doubt%')",
            )
            return bool(rows[0]["n"] == ALERTS)

        await wait_until(settled, 90)
        await asyncio.sleep(1.0)  # only to show that nothing more happens: no late resend
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    per_phone = Counter(s.destination for s in smsc.received)
    duplicates = {phone: n for phone, n in per_phone.items() if n > 1}
    in_doubt = await query(
        database_url,
        "SELECT phone FROM notify.alerts WHERE status = 'failed' AND reason LIKE 'in doubt%'",
    )
    doubtful = {r["phone"] for r in in_doubt}
    reached = len(doubtful & set(per_phone))
    print(
        f"\n[notify restart] alerts={ALERTS} sms_before_kill={killed_at}"
        f" in_doubt={len(doubtful)} (of which reached the SMSC: {reached})"
        f" duplicates={len(duplicates)}"
    )
    assert duplicates == {}
    # A message holds its window slot from its first part to its last part's answer, so no
    # more than the SMPP window (default 16) can be in doubt (17-21 were, when the window
    # held parts: a message with its first part out waited for a slot for its second).
    assert len(doubtful) <= NotifySettings().smpp_window
    wanted = {e.officer_phone for e in events}
    assert wanted - doubtful <= set(per_phone)
