"""`make bench`: the walking skeleton's latency and throughput on this machine.

Starts the stack with the same launcher as `make run` (fresh database, its own broker,
an SMPP peer owned by the benchmark), then measures:
- sequential: POST /v1/reports latency, and report → SMS at the SMSC latency;
- concurrent: reports accepted per second, and SMS delivered per second end to end.
Numbers go to stdout and to .qorgau/bench/skeleton.json. No pass/fail: goals are read
from the numbers, not asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from latency import summary  # bench/latency.py
from qorgau_local.broker import free_port
from qorgau_local.isolated import launched
from qorgau_local.postgres import find_postgres
from qorgau_local.smsc import DevSmsc, Sms

TOKEN = "qorgau-dev-operator"
DISTRICTS = ["almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk"]


def _naming(code: str, sms: Sms) -> bool:
    """The SMS names the case `code`."""
    return code in sms.text


def report(n: int) -> dict[str, Any]:
    return {
        "channel": "call_102",
        "call_id": f"bench-{uuid.uuid4().hex[:12]}",
        "caller_phone": "+7 701 234 56 78",
        "address": {"street": "ул. Сыганак", "house": str(n % 200 + 1)},
        "district": DISTRICTS[n % len(DISTRICTS)],
        "checklist": {"weapon": n % 3 == 0, "children_present": n % 2 == 0},
        "narrative": "Тестовый вызов для замера.",
    }


async def main(sequential: int, concurrent: int, concurrency: int) -> dict[str, Any]:
    state = Path(".qorgau/bench")
    state.mkdir(parents=True, exist_ok=True)
    pg = await find_postgres(os.environ.get("QORGAU_BENCH_SERVER_URL"), state / "pgdata")
    db = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
    database_url = await pg.create_database(db, fresh=True)
    arrived: dict[str, float] = {}

    def on_sms(sms: Sms) -> None:
        arrived[sms.text.split()[1]] = time.perf_counter()

    smsc = DevSmsc(port=free_port(), on_sms=on_sms)
    await smsc.start()
    started = time.perf_counter()
    try:
        async with launched(
            database_url, smsc.port, state / "stack", {"QORGAU_LOG_LEVEL": "WARNING"}
        ) as stack:
            ready_s = time.perf_counter() - started
            results = await measure(
                stack.intake_url, smsc, arrived, sequential, concurrent, concurrency
            )
    finally:
        await smsc.stop()
        await pg.drop_database(db)
        pg.stop()
    return {"machine": {"cpus": os.cpu_count()}, "stack_ready_s": round(ready_s, 2), **results}


async def measure(
    intake_url: str,
    smsc: DevSmsc,
    arrived: dict[str, float],
    sequential: int,
    concurrent: int,
    concurrency: int,
) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=intake_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
    ) as client:
        post, end_to_end = [], []
        for n in range(sequential):
            t0 = time.perf_counter()
            response = await client.post("/v1/reports", json=report(n))
            post.append(time.perf_counter() - t0)
            code = response.json()["short_code"]
            await smsc.wait_for(functools.partial(_naming, code), within_s=30)
            end_to_end.append(arrived[code] - t0)

        gate = asyncio.Semaphore(concurrency)
        codes: list[str] = []

        async def submit(n: int) -> None:
            async with gate:
                response = await client.post("/v1/reports", json=report(n))
                codes.append(response.json()["short_code"])

        t0 = time.perf_counter()
        await asyncio.gather(*(submit(n) for n in range(concurrent)))
        accepted_s = time.perf_counter() - t0
        while not all(c in arrived for c in codes):
            await asyncio.sleep(0.01)
        delivered_s = max(arrived[c] for c in codes) - t0
    return {
        "post_report_sequential": summary(post),
        "report_to_sms_sequential": summary(end_to_end),
        "concurrent": {
            "reports": concurrent,
            "concurrency": concurrency,
            "accepted_per_s": round(concurrent / accepted_s, 1),
            "sms_delivered_per_s": round(concurrent / delivered_s, 1),
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    result = asyncio.run(main(args.sequential, args.concurrent, args.concurrency))
    out = Path(".qorgau/bench/skeleton.json")
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
