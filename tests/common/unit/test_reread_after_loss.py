"""After a lost log the link reads every partition again on each check for a while: a rejoin or
an in-flight batch can still set a position from the old log past records never read."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from qorgau_common import broker_link
from qorgau_common.broker_link import BrokerLink
from qorgau_common.settings import ServiceSettings


@dataclass
class FakeSubscriber:
    consumer: object = field(default_factory=object)


@dataclass
class FakeBroker:
    subscribers: list[FakeSubscriber] = field(default_factory=lambda: [FakeSubscriber()])

    async def ping(self, timeout: float) -> bool:
        return True


async def test_every_check_reads_everything_again_for_a_while_after_a_loss(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checks: list[str] = []
    losses = iter([["lost"]])  # the first check finds the loss, later ones nothing

    async def past_log_end(*_: Any) -> list[str]:
        checks.append("checked")
        return next(losses, [])

    async def reread(*_: Any) -> list[str]:
        checks.append("reread")
        return []

    monkeypatch.setattr(broker_link, "rewind_past_log_end", past_log_end)
    monkeypatch.setattr(broker_link, "rewind_all", reread)
    monkeypatch.setattr(broker_link, "AFTER_LOSS_S", 1.0)
    monkeypatch.setattr(broker_link, "_POSITION_CHECK_S", 0.01)
    monkeypatch.setattr(broker_link, "_TOPIC_CHECK_S", 3600.0)
    link = BrokerLink(ServiceSettings(), "test", lambda: None)  # type: ignore[arg-type, return-value]
    link.broker = FakeBroker()  # type: ignore[assignment]
    loop = asyncio.get_running_loop()
    started = loop.time()

    def quiet_after_the_window() -> bool:
        """The window is over and at least three checks since found nothing to read again."""
        if "reread" not in checks or loop.time() < started + 1.0:
            return False
        last = len(checks) - 1 - checks[::-1].index("reread")
        return checks[last + 1 :].count("checked") >= 3

    keeping = asyncio.create_task(link.keep())
    try:
        async with asyncio.timeout(20):
            while not quiet_after_the_window():
                await asyncio.sleep(0.01)
    finally:
        keeping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await keeping
    assert link.log_lost.is_set()
    assert checks[0] == "checked"  # the loss is found first
    assert checks.count("reread") >= 3, checks  # then every check reads everything again
