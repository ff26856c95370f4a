"""Intake's HTTP latency (POST /v1/reports, p50/p99) and how many reports/s one process takes.

One intake process (`python -m intake serve`, uvicorn) in a subprocess, on a fresh
database and its own broker, loaded from this process over HTTP:
- sequential: one report at a time, p50/p99 of the request (commit included);
- concurrent: N clients at once for a fixed number of reports, accepted reports per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from intake.domain.crypto import new_key_spec
from intake.domain.linking import new_link_key
from qorgau_common.auth import create_token
from qorgau_common.kafka import ensure_topics
from qorgau_local.broker import free_port, start_tansu
from qorgau_local.postgres import find_postgres
from qorgau_local.procs import stop_process
from qorgau_local.stack import migrate_all

TOKEN = "bench-operator"
STREETS = ["ул. Сыганак", "пр. Туран", "ул. Кенесары", "пр. Абая", "шоссе Алаш"]


def report(n: int) -> dict[str, Any]:
    return {
        "channel": "call_102",
        "call_id": f"bench-{uuid.uuid4().hex[:16]}",
        "caller_phone": f"+7701{n % 10_000_000:07d}",
        "victim": {"age_band": "30-44", "sex": "female"},
        "address": {"street": STREETS[n % len(STREETS)], "house": str(n % 200 + 1)},
        "district": "yesil",
        "checklist": {"weapon": n % 3 == 0, "children_present": n % 2 == 0},
        "narrative": "Сосед сообщает о криках и угрозах за стеной.",
    }


def summary(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)

    def pick(q: float) -> float:
        return ms[min(len(ms) - 1, round(q * (len(ms) - 1)))]

    return {
        "n": len(ms),
        "p50_ms": round(pick(0.5), 1),
        "p99_ms": round(pick(0.99), 1),
        "max_ms": round(ms[-1], 1),
    }


async def wait_ready(url: str, within_s: float = 60) -> None:
    async with httpx.AsyncClient() as client:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{url}/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError("intake did not become ready")


async def post(client: httpx.AsyncClient, n: int) -> float:
    t0 = time.perf_counter()
    response = await client.post("/v1/reports", json=report(n))
    elapsed = time.perf_counter() - t0
    if response.status_code != 201:
        raise RuntimeError(f"unexpected {response.status_code}: {response.text[:200]}")
    return elapsed


async def main(sequential: int, concurrent: int, clients: int) -> dict[str, Any]:
    state = Path(".qorgau/bench")
    state.mkdir(parents=True, exist_ok=True)
    pg = await find_postgres(os.environ.get("QORGAU_BENCH_SERVER_URL"), state / "pgdata")
    db = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
    database_url = await pg.create_database(db, fresh=True)
    kafka_port, http_port = free_port(), free_port()
    broker = start_tansu(kafka_port, state / "tansu-intake.log")
    bootstrap = f"127.0.0.1:{kafka_port}"
    intake: asyncio.subprocess.Process | None = None
    try:
        await ensure_topics(bootstrap)
        await migrate_all(database_url)
        conn = await asyncpg.connect(database_url)
        await create_token(conn, "intake", "bench", "operator", TOKEN)
        await conn.close()
        env = {
            **os.environ,
            "QORGAU_DATABASE_URL": database_url,
            "QORGAU_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "QORGAU_INTAKE_HTTP_PORT": str(http_port),
            "QORGAU_INTAKE_ENCRYPTION_KEYS": new_key_spec("bench"),
            "QORGAU_INTAKE_LINK_KEY": new_link_key(),
            "QORGAU_LOG_LEVEL": "WARNING",
        }
        intake = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "intake", "serve", env=env, stdout=asyncio.subprocess.DEVNULL
        )
        url = f"http://127.0.0.1:{http_port}"
        await wait_ready(url)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=30
        ) as client:
            for n in range(20):  # warm-up: connections, prepared statements
                await post(client, n)
            latencies = [await post(client, n) for n in range(sequential)]

            queue = iter(range(concurrent))

            async def worker() -> list[float]:
                return [await post(client, n) for n in queue]

            t0 = time.perf_counter()
            per_client = await asyncio.gather(*(worker() for _ in range(clients)))
            burst_s = time.perf_counter() - t0
        under_load = [v for part in per_client for v in part]
        conn = await asyncpg.connect(database_url)
        try:
            unpublished = await conn.fetchval(
                "SELECT count(*) FROM intake.outbox WHERE published_at IS NULL"
            )
        finally:
            await conn.close()
    finally:
        if intake is not None and intake.returncode is None:
            intake.terminate()
            await intake.wait()
        stop_process(broker, timeout=5)
        await pg.drop_database(db)
        pg.stop()
    return {
        "post_report_sequential": summary(latencies),
        "post_report_under_load": {**summary(under_load), "clients": clients},
        "throughput": {
            "reports": concurrent,
            "clients": clients,
            "reports_per_s": round(concurrent / burst_s, 1),
        },
        "outbox_unpublished_at_end": unpublished,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=200)
    parser.add_argument("--concurrent", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    result = asyncio.run(main(args.sequential, args.concurrent, args.clients))
    Path(".qorgau/bench/intake.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
