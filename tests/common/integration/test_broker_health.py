"""Broker health is its own signal: `qorgau_broker_up` (QorgauBrokerUnreachable alerts on it).

Intake stays ready through a broker outage (issue 11), so readiness no longer says the
broker is gone; the link's gauge does.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY
from qorgau_common import broker_link
from qorgau_common.broker_link import BrokerLink
from qorgau_common.settings import ServiceSettings
from qorgau_local.broker import free_port, start_tansu
from qorgau_local.procs import stop_process

pytestmark = pytest.mark.integration


def broker_up(service: str) -> float | None:
    return REGISTRY.get_sample_value("qorgau_broker_up", {"service": service})


async def until_broker_up_is(service: str, value: float, within_s: float = 30) -> None:
    try:
        async with asyncio.timeout(within_s):
            while broker_up(service) != value:
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"qorgau_broker_up stayed {broker_up(service)}, not {value}") from None


async def test_broker_up_is_0_while_the_broker_is_away_and_1_once_it_is_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link's periodic check (every 30 s; made immediate here) sets the gauge from a
    ping: 1 once joined, 0 while the broker is stopped, 1 again after it restarts."""
    monkeypatch.setattr(broker_link, "_TOPIC_CHECK_S", 0.0)
    monkeypatch.setattr(broker_link, "_POSITION_CHECK_S", 0.1)
    service = f"test-{uuid.uuid4().hex[:8]}"
    port = free_port()
    bootstrap = f"127.0.0.1:{port}"
    proc = start_tansu(port, tmp_path / "tansu.log")
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, kafka_start_timeout_s=20)
    link = BrokerLink(settings, service, lambda: KafkaBroker(bootstrap, logger=None))
    keeping: asyncio.Task[None] | None = None
    try:
        assert broker_up(service) is None
        assert await link.join()
        assert broker_up(service) == 1
        keeping = asyncio.create_task(link.keep())
        stop_process(proc, timeout=5)
        await until_broker_up_is(service, 0)
        proc = start_tansu(port, tmp_path / "tansu.log")
        await until_broker_up_is(service, 1)
    finally:
        if keeping is not None:
            keeping.cancel()
            with pytest.raises(asyncio.CancelledError):
                await keeping
        await link.stop()
        stop_process(proc, timeout=5)


async def test_a_service_that_cannot_join_says_0_at_once() -> None:
    """Started while the broker is down: the gauge is 0 from the first try, so the alert
    fires for this pod too (it had no sample at all before)."""
    service = f"test-{uuid.uuid4().hex[:8]}"
    bootstrap = f"127.0.0.1:{free_port()}"  # nobody listens
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, kafka_start_timeout_s=1)
    link = BrokerLink(settings, service, lambda: KafkaBroker(bootstrap, logger=None))
    assert not await link.join()
    assert broker_up(service) == 0
