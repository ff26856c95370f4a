"""`python bench/notify_bench.py`: one notify process against the development SMSC.

Measures, over a real broker, PostgreSQL and SMPP (the usual 2-part UCS-2 alert):
- latency: incident.assigned.v1 published → whole SMS at the SMSC (every submit_sm
  answered), one alert at a time: p50/p99;
- throughput: alerts per second one notify sustains when a burst is waiting.
Numbers go to stdout and .qorgau/bench/notify.json. No pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from latency import summary  # bench/latency.py


def _to(phone: str, sms: Any) -> bool:
    """The SMS went to `phone`."""
    return bool(sms.destination == phone)


def event(n: int) -> Any:
    from qorgau_contracts import IncidentAssigned

    incident = uuid.uuid4()
    return IncidentAssigned(
        producer="bench",
        correlation_id=incident,
        incident_id=incident,
        assignment_id=uuid.uuid4(),
        short_code="K7Q2",
        attempt=1,
        officer_id="YSL-01",
        officer_phone=f"+7701{n:07d}",
        officer_language="ru" if n % 2 else "kk",
        district="yesil",
        priority="high",
        risk_level="high",
        address_line="ул. Сыганак 10 кв 5",
        ack_deadline=datetime.now(UTC) + timedelta(minutes=5),
    )


async def main(sequential: int, burst: int) -> dict[str, Any]:
    from aiokafka import AIOKafkaProducer
    from notify.config import NotifySettings
    from notify.main import create_app
    from qorgau_common.db import migrate
    from qorgau_common.kafka import ensure_topics
    from qorgau_common.logging import configure_logging
    from qorgau_contracts import INCIDENT_ASSIGNED
    from qorgau_local.broker import free_port, start_tansu
    from qorgau_local.postgres import find_postgres
    from qorgau_local.procs import stop_process
    from qorgau_local.smsc import DevSmsc, Sms
    from qorgau_local.stack import SCHEMAS

    configure_logging("notify", "WARNING", "console")
    arrived: dict[str, float] = {}

    def on_sms(sms: Sms) -> None:
        arrived.setdefault(sms.destination, time.perf_counter())

    work = Path(tempfile.mkdtemp(prefix="qorgau-bench-notify-"))
    pg = await find_postgres(None, work / "pg")
    database_url = await pg.create_database(f"qorgau_bench_{uuid.uuid4().hex[:8]}", fresh=True)
    for schema, packages in SCHEMAS.items():
        await migrate(database_url, schema, packages)
    port = free_port()
    tansu = start_tansu(port, work / "tansu.log")
    kafka = f"127.0.0.1:{port}"
    await ensure_topics(kafka)
    smsc = DevSmsc(port=free_port(), on_sms=on_sms)
    await smsc.start()
    settings = NotifySettings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka,
        smpp_port=smsc.port,
        smpp_rate_per_s=10_000,
        http_port=free_port(),
        kafka_session_timeout_ms=2000,
        kafka_heartbeat_interval_ms=500,
        log_level="WARNING",
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all", linger_ms=5)
    await producer.start()
    app = create_app(settings)
    results: dict[str, Any] = {}
    try:
        async with app.router.lifespan_context(app):
            # Warm up: the consumer group joins, the bind comes up.
            warm = event(9_999_999)
            await producer.send_and_wait(INCIDENT_ASSIGNED.name, warm.model_dump_json().encode())
            await smsc.wait_for(lambda s: s.destination == warm.officer_phone, within_s=60)
            latencies: list[float] = []
            for n in range(sequential):
                e = event(n)
                started = time.perf_counter()
                await producer.send_and_wait(
                    INCIDENT_ASSIGNED.name,
                    e.model_dump_json().encode(),
                    key=str(e.incident_id).encode(),
                )
                await smsc.wait_for(functools.partial(_to, e.officer_phone), 30)
                latencies.append(arrived[e.officer_phone] - started)
            results["assigned_to_submit"] = summary(latencies)
            events = [event(100_000 + n) for n in range(burst)]
            started = time.perf_counter()
            for e in events:
                await producer.send(
                    INCIDENT_ASSIGNED.name,
                    e.model_dump_json().encode(),
                    key=str(e.incident_id).encode(),
                )
            await producer.flush()
            wanted = {e.officer_phone for e in events}
            while not wanted <= arrived.keys():
                await asyncio.sleep(0.01)
            elapsed = max(arrived[p] for p in wanted) - started
            results["burst"] = {
                "alerts": burst,
                "seconds": round(elapsed, 2),
                "alerts_per_s": round(burst / elapsed, 1),
                "sms_received": len(smsc.received),
            }
    finally:
        await producer.stop()
        await smsc.stop()
        stop_process(tansu, timeout=5)
        await pg.drop_database(database_url.rsplit("/", 1)[-1].split("?")[0])
        pg.stop()
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sequential", type=int, default=100)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    numbers = asyncio.run(main(args.sequential, args.burst))
    print(json.dumps(numbers, indent=2))
    out = Path(".qorgau/bench")
    out.mkdir(parents=True, exist_ok=True)
    (out / "notify.json").write_text(json.dumps(numbers, indent=2))
