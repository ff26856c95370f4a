"""Routing restarted under a backlog consumes again within a bound.

In a load run, routing restarted after a 10,000-report backlog was still not ready 180 s
later. One consumer (one group member) per process is the fix; this restarts routing in
the same consumer group with BACKLOG reports queued while it was down, and times it.
If it stalls, the failure carries every task's stack, to say where it hung.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import asyncpg
import pytest
from routing.main import create_app

from tests.harness import serving
from tests.routing.support import queue, report, routing_settings

pytestmark = pytest.mark.integration

BACKLOG = 2000
SUSTAINED = 200  # consumed after the restart before the test is satisfied (and stops routing)
FIRST_WITHIN_S = 30.0
SUSTAINED_WITHIN_S = 45.0
DISTRICTS = ("almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk")


def task_stacks() -> str:
    """Every task's stack in this loop: where a stalled consumer waits."""
    lines: list[str] = []
    for task in asyncio.all_tasks():
        lines.append(f"--- {task.get_name()}: {task.get_coro()!r}")
        lines += [
            f"    {f.f_code.co_filename}:{f.f_lineno} {f.f_code.co_name}" for f in task.get_stack()
        ]
    return "\n".join(lines)


async def incidents(pool: asyncpg.Pool) -> int:
    count: int = await pool.fetchval("SELECT count(*) FROM routing.incidents")
    return count


async def wait_for_incidents(pool: asyncpg.Pool, count: int, since: float, what: str) -> float:
    """Seconds from `since` until routing holds `count` incidents; fails with the task stacks."""
    while (held := await incidents(pool)) < count:
        if time.monotonic() - since > (FIRST_WITHIN_S if count <= 2 else SUSTAINED_WITHIN_S):
            raise AssertionError(
                f"{what}: {held} of {count} incidents after {time.monotonic() - since:.0f} s;"
                f" tasks:\n{task_stacks()}"
            )
        await asyncio.sleep(0.1)
    return time.monotonic() - since


async def test_routing_restarted_under_a_backlog_consumes_again(
    live_pool: asyncpg.Pool, routing_database: str, kafka: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = routing_settings(routing_database, kafka, log_level="WARNING")
    began = time.monotonic()
    async with serving(create_app(settings)):
        first_up = time.monotonic() - began
        await queue(kafka, [report(received_at=datetime.now(UTC))])
        await wait_for_incidents(live_pool, 1, time.monotonic(), "the first start consumed nothing")
    await queue(
        kafka,
        [
            report(district=DISTRICTS[n % 6], priority="standard", received_at=datetime.now(UTC))
            for n in range(BACKLOG)
        ],
    )
    restarted = time.monotonic()
    async with serving(create_app(settings)):
        up = time.monotonic() - restarted
        first = await wait_for_incidents(live_pool, 2, restarted, "no progress after the restart")
        sustained = await wait_for_incidents(
            live_pool, 1 + SUSTAINED, restarted, "consumption did not keep up after the restart"
        )
        stopping = time.monotonic()
    stopped = time.monotonic() - stopping
    held = await incidents(live_pool)
    assigned = await live_pool.fetchval(
        "SELECT count(*) FROM routing.assignments WHERE purpose = 'assignment'"
    )
    assert assigned == held  # every incident consumed was assigned, in the same transaction
    rate = (SUSTAINED - 1) / (sustained - first)
    with capsys.disabled():
        print(
            f"\nfirst start up in {first_up:.1f} s; restart under a backlog of {BACKLOG}:"
            f" lifespan up in {up:.1f} s, first assignment"
            f" after {first:.1f} s, {SUSTAINED} after {sustained:.1f} s ({rate:.0f}/s),"
            f" stopped in {stopped:.2f} s with {held - 1} consumed"
        )
