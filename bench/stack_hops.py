"""Where a report's time goes between its POST and its alert SMS, hop by hop, at a steady rate.

The process stack of `stack_bench.py` (same settings), warmed by closed-loop clients until
quiet, then sent reports at a steady rate (open loop). Each report's path is read back from
the stack's own PostgreSQL and the SMSC's record:

    POST (client) -> intake's transaction -> its outbox row published (relay)
      -> routing's consumer batch -> its assignment event published (relay)
      -> notify's alert row -> the SMS at the SMSC

Times in PostgreSQL are transaction starts (`now()`): a hop ends when the next stage's
transaction began. CPU per process over the steady window is printed too: a stage queues
when the machine has no core left for it.

    .venv/bin/python bench/stack_hops.py --rate 50 --seconds 30 --warm 2000
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from qorgau_local.process_stack import ProcessStack
from stack_bench import (  # bench/stack_bench.py
    BENCH_ENV,
    SMSC_BEHAVIOUR,
    closed_loop,
    cpu_snapshot,
    open_loop,
    pick,
    quiet,
    say,
    sms_for,
)

HOPS = (
    "POST -> intake's transaction",
    "-> intake's relay published",
    "-> routing's batch began",
    "-> routing's relay published",
    "-> notify's alert row",
    "-> SMS at the SMSC",
)

PATHS = """
WITH reported AS (
  SELECT (convert_from(payload, 'UTF8')::jsonb ->> 'incident_id')::uuid AS incident_id,
         (convert_from(payload, 'UTF8')::jsonb ->> 'event_id')::uuid AS event_id,
         published_at
  FROM intake.outbox
  WHERE convert_from(payload, 'UTF8')::jsonb ->> 'event_type' = 'incident.reported'
), assigned AS (
  SELECT DISTINCT ON (incident_id) incident_id, assignment_id, published_at FROM (
    SELECT (convert_from(payload, 'UTF8')::jsonb ->> 'incident_id')::uuid AS incident_id,
           (convert_from(payload, 'UTF8')::jsonb ->> 'assignment_id')::uuid AS assignment_id,
           published_at, id
    FROM routing.outbox
    WHERE convert_from(payload, 'UTF8')::jsonb ->> 'event_type' = 'incident.assigned'
  ) AS a ORDER BY incident_id, id
)
SELECT i.short_code,
       extract(epoch FROM i.created_at) AS intake_tx,
       extract(epoch FROM r.published_at) AS intake_published,
       extract(epoch FROM ri.received_at) AS routing_batch,
       extract(epoch FROM a.published_at) AS routing_published,
       extract(epoch FROM n.created_at) AS notify_alert
FROM intake.incidents i
JOIN reported r ON r.incident_id = i.id
JOIN routing.inbox ri ON ri.event_id = r.event_id
JOIN assigned a ON a.incident_id = i.id
JOIN notify.alerts n ON n.assignment_id = a.assignment_id
WHERE i.short_code = ANY($1)
"""


async def run(rate: float, seconds: float, warm: int, state: Path, env: dict[str, str]) -> None:
    stack = ProcessStack(
        state,
        env={**BENCH_ENV, **env},
        smsc_behaviour=SMSC_BEHAVIOUR,
        smsc_auto_reply="1",
        say=say,
    )
    await stack.start()
    try:
        say(f"warm-up: {warm} reports")
        await closed_loop(stack, "warm", warm, 64)
        await quiet(stack)
        say(f"steady: {rate:g} reports/s for {seconds:g} s")
        cpu0, t0 = cpu_snapshot(stack), time.time()
        records = await open_loop(stack, uuid.uuid4().hex[:6], rate, seconds, 64)
        arrived = await sms_for(stack, records, 300)
        cpu1, t1 = cpu_snapshot(stack), time.time()
        conn = await asyncpg.connect(stack.database_url)
        try:
            rows = await conn.fetch(PATHS, [r.short_code for r in records if r.short_code])
        finally:
            await conn.close()
    finally:
        await asyncio.to_thread(stack.stop)
    sent = {r.short_code: r.sent_at for r in records if r.short_code}
    hops: list[list[float]] = [[] for _ in HOPS]
    totals: list[float] = []
    for row in rows:
        code = row["short_code"]
        if code not in arrived:
            continue
        at: list[Any] = [sent[code], *(row[k] for k in list(row.keys())[1:]), arrived[code]]
        for n, (a, b) in enumerate(itertools.pairwise(at)):
            hops[n].append(float(b) - float(a))
        totals.append(arrived[code] - sent[code])
    window = t1 - t0
    print(f"{len(totals)} of {len(records)} reports traced; % of a core over {window:.1f} s:")
    print("  " + ", ".join(f"{k} {(cpu1[k] - v) / window * 100:.0f}" for k, v in cpu0.items()))
    for name, values in [*zip(HOPS, hops, strict=True), ("total", totals)]:
        p50, p90, p99 = (pick(values, q) for q in (0.5, 0.9, 0.99))
        if p50 is not None and p90 is not None and p99 is not None:
            print(
                f"  {name:<32} p50 {p50 * 1000:8.1f} ms  p90 {p90 * 1000:8.1f}"
                f"  p99 {p99 * 1000:8.1f}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warm", type=int, default=2000, help="closed-loop reports first")
    parser.add_argument("--state-dir", default=".qorgau/bench")
    parser.add_argument("--env", action="append", metavar="NAME=VALUE", help="a service setting")
    args = parser.parse_args()
    env = dict(v.split("=", 1) for v in args.env or [] if "=" in v)
    state = Path(args.state_dir) / time.strftime("hops-%Y%m%d-%H%M%S")
    asyncio.run(run(args.rate, args.seconds, args.warm, state, env))
    return 0


if __name__ == "__main__":
    sys.exit(main())
