"""Two routing processes on different partitions share one roster without double-booking.

The end-to-end run shows loads stay exact under real concurrency; the lock test shows the
mechanism (a second decision waits for the first to commit) deterministically.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from qorgau_contracts import INCIDENT_ASSIGNED, INCIDENT_REPORTED, IncidentAssigned
from qorgau_local.broker import free_port
from routing.repository import lock_roster
from routing.seed import seed_demo

from tests.factories import reported
from tests.harness import FAST_KAFKA, publish, read_topic

pytestmark = pytest.mark.integration

CASES = 120


EVENTS = [reported(district="yesil") for _ in range(CASES)]


@pytest.fixture
async def two_routers(database_url: str, kafka: str, tmp_path: Path) -> AsyncIterator[list[Path]]:
    await seed_demo(database_url, days=2)
    logs = [tmp_path / f"routing-{n}.log" for n in (1, 2)]
    procs = []
    ports = [free_port(), free_port()]
    for port, log in zip(ports, logs, strict=True):
        env = {
            **os.environ,
            "QORGAU_DATABASE_URL": database_url,
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
            for port in ports:
                for _ in range(300):
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/health/ready")).is_success:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.1)
        await asyncio.sleep(4)  # both members have joined and the partitions are spread
        yield logs
    finally:
        for proc in procs:
            proc.terminate()
        await asyncio.gather(*(proc.wait() for proc in procs))


async def test_loads_stay_even_and_no_count_is_lost(
    two_routers: list[Path], database_url: str, kafka: str
) -> None:
    events = EVENTS
    await asyncio.gather(
        *(
            publish(
                kafka,
                INCIDENT_REPORTED.name,
                e.model_dump_json().encode(),
                str(e.incident_id).encode(),
            )
            for e in events
        )
    )
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, CASES, within_s=60)
    assigned = [IncidentAssigned.model_validate_json(r.value) for r in records]
    assert len(assigned) == CASES
    assert {a.incident_id for a in assigned} == {e.incident_id for e in events}
    loads = Counter(a.officer_id for a in assigned)
    # Four Yesil inspectors are on shift at any hour: exactly a quarter each.
    assert sorted(loads.values()) == [CASES // 4] * 4, loads
    conn = await asyncpg.connect(database_url)
    try:
        stored = await conn.fetchval(
            "SELECT count(*) FROM routing.assignments WHERE status = 'open'"
        )
    finally:
        await conn.close()
    assert stored == CASES
    work = [log.read_text().count('"incident assigned"') for log in two_routers]
    assert all(n > 0 for n in work), f"one process did all the work: {work}"
    assert sum(work) == CASES


async def test_a_second_decision_waits_for_the_first_to_commit(database_url: str) -> None:
    first, second = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:

        async def decide() -> None:
            async with second.transaction():
                await lock_roster(second)

        async with first.transaction():
            await lock_roster(first)
            waiting = asyncio.create_task(decide())
            await asyncio.sleep(0.5)
            assert not waiting.done(), "two routing decisions ran at the same time"
        await asyncio.wait_for(waiting, 5)
    finally:
        await first.close()
        await second.close()
