"""`make bench`: routing's latency (incident.reported.v1 → incident.assigned.v1) and throughput.

One routing process, in this process, on a fresh database and its own broker.
- sequential: one report at a time, p50/p99 of report → assignment event;
- burst: N reports at once, assignments per second until the last is out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from latency import summary  # bench/latency.py
from qorgau_common.kafka import ensure_topics
from qorgau_contracts import INCIDENT_ASSIGNED, INCIDENT_REPORTED, IncidentReported
from qorgau_local.broker import free_port, start_tansu
from qorgau_local.postgres import find_postgres
from qorgau_local.procs import stop_process
from qorgau_local.stack import migrate_all
from routing.config import RoutingSettings
from routing.main import create_app
from routing.seed import seed_demo

DISTRICTS = ["almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk"]


def reported(n: int) -> IncidentReported:
    incident = uuid.uuid4()
    return IncidentReported(
        producer="bench",
        correlation_id=incident,
        incident_id=incident,
        short_code="BNCH",
        channel="call_102",
        received_at=datetime.now(UTC),
        district=DISTRICTS[n % 6],
        address_line="ул. Кенесары 1",
        priority="standard",
        risk_level="medium",
    )


async def main(sequential: int, burst: int) -> dict[str, Any]:
    state = Path(".qorgau/bench")
    state.mkdir(parents=True, exist_ok=True)
    pg = await find_postgres(os.environ.get("QORGAU_BENCH_SERVER_URL"), state / "pgdata")
    db = f"qorgau_bench_{uuid.uuid4().hex[:8]}"
    database_url = await pg.create_database(db, fresh=True)
    port = free_port()
    broker = start_tansu(port, state / "tansu-routing.log")
    bootstrap = f"127.0.0.1:{port}"
    seen: dict[uuid.UUID, float] = {}
    try:
        await ensure_topics(bootstrap)
        await migrate_all(database_url)
        await seed_demo(database_url, days=2)
        settings = RoutingSettings(
            database_url=database_url, kafka_bootstrap_servers=bootstrap, log_level="WARNING"
        )
        app = create_app(settings)
        consumer = AIOKafkaConsumer(
            INCIDENT_ASSIGNED.name,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset="latest",
            fetch_max_wait_ms=10,
        )
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        async with app.router.lifespan_context(app):
            await consumer.start()
            await producer.start()

            async def watch() -> None:
                async for record in consumer:
                    seen[uuid.UUID(json.loads(record.value)["incident_id"])] = time.perf_counter()

            watcher = asyncio.create_task(watch())
            await asyncio.sleep(1)

            async def send(event: IncidentReported) -> float:
                t0 = time.perf_counter()
                await producer.send_and_wait(
                    INCIDENT_REPORTED.name,
                    event.model_dump_json().encode(),
                    key=str(event.incident_id).encode(),
                )
                return t0

            latencies = []
            for n in range(sequential):
                event = reported(n)
                t0 = await send(event)
                while event.incident_id not in seen:
                    await asyncio.sleep(0.001)
                latencies.append(seen[event.incident_id] - t0)

            events = [reported(n) for n in range(burst)]
            t0 = time.perf_counter()
            await asyncio.gather(*(send(e) for e in events))
            while not all(e.incident_id in seen for e in events):
                await asyncio.sleep(0.005)
            burst_s = max(seen[e.incident_id] for e in events) - t0
            watcher.cancel()
            await producer.stop()
            await consumer.stop()
    finally:
        stop_process(broker, timeout=5)
        await pg.drop_database(db)
        pg.stop()
    return {
        "reported_to_assigned_sequential": summary(latencies),
        "burst": {"reports": burst, "assignments_per_s": round(burst / burst_s, 1)},
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    result = asyncio.run(main(args.sequential, args.burst))
    Path(".qorgau/bench/routing.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
