"""Two routing processes on different partitions share one roster without double-booking.

This is about the broker: two group members split the partitions, and the roster lock
(tested directly in the use-case tier) keeps loads exact across processes.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest
from qorgau_contracts import INCIDENT_ASSIGNED, IncidentAssigned
from qorgau_local.broker import free_port

from tests.harness import FAST_KAFKA, read_topic
from tests.routing.support import queue, report

pytestmark = pytest.mark.integration

CASES = 120


def work_done(logs: list[Path]) -> list[int]:
    return [log.read_text().count('"incident assigned"') for log in logs]


async def send_reports(kafka: str, district: str, count: int) -> None:
    await queue(
        kafka, [report(district=district, received_at=datetime.now(UTC)) for _ in range(count)]
    )


async def wait_until_both_consume(kafka: str, logs: list[Path], within_s: float = 40) -> int:
    """Probe reports (Nura) until both processes have assigned one; how many probes it took.

    A process that has assigned a case holds partitions in the group's current generation,
    so once both have, both are members and the partitions are split between them.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    sent = 0
    while loop.time() < deadline:
        await send_reports(kafka, "nura", 8)
        sent += 8
        while sum(work_done(logs)) < sent and loop.time() < deadline:
            await asyncio.sleep(0.1)
        if all(n > 0 for n in work_done(logs)):
            return sent
    raise AssertionError(f"the two processes never both consumed: work {work_done(logs)}")


@pytest.fixture
async def two_routers(
    live_pool: asyncpg.Pool, routing_database: str, kafka: str, tmp_path: Path
) -> AsyncIterator[list[Path]]:
    logs = [tmp_path / f"routing-{n}.log" for n in (1, 2)]
    procs = []
    ports = [free_port(), free_port()]
    for port, log in zip(ports, logs, strict=True):
        env = {
            **os.environ,
            "QORGAU_DATABASE_URL": routing_database,
            "QORGAU_KAFKA_BOOTSTRAP_SERVERS": kafka,
            "QORGAU_ROUTING_HTTP_PORT": str(port),
            **{f"QORGAU_{k.upper()}": str(v) for k, v in FAST_KAFKA.items()},
        }
        with log.open("wb") as out:
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "routing", "serve", env=env, stdout=out, stderr=out
                )
            )
    try:
        async with httpx.AsyncClient() as client:
            for port, log, proc in zip(ports, logs, procs, strict=True):
                for _ in range(300):
                    if proc.returncode is not None:
                        break
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/health/ready")).is_success:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError(
                        f"routing on {port} never became ready:\n{log.read_text()}"
                    )
        yield logs
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
        await asyncio.gather(*(proc.wait() for proc in procs))


async def test_loads_stay_even_and_no_count_is_lost(
    two_routers: list[Path], live_pool: asyncpg.Pool, kafka: str
) -> None:
    probes = await wait_until_both_consume(kafka, two_routers)
    before = work_done(two_routers)
    await send_reports(kafka, "yesil", CASES)
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, probes + CASES, within_s=60)
    assigned = [IncidentAssigned.model_validate_json(r.value) for r in records]
    yesil = [a for a in assigned if a.district == "yesil"]
    assert len(yesil) == CASES, f"{len(yesil)} of {CASES} cases were assigned"
    loads = Counter(a.officer_id for a in yesil)
    # Four Yesil inspectors are on shift at any hour: exactly a quarter each.
    assert sorted(loads.values()) == [CASES // 4] * 4, loads
    stored = await live_pool.fetchval(
        "SELECT count(*) FROM routing.assignments WHERE status = 'open' AND officer_id LIKE 'YSL-%'"
    )
    assert stored == CASES
    work = [after - b for after, b in zip(work_done(two_routers), before, strict=True)]
    assert all(n > 0 for n in work), f"one process did all the work: {work}"
    assert sum(work) == CASES
