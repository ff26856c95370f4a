"""The raw limits of this machine, measured in the same run as the stack (issue 12).

- a raw Kafka hop: aiokafka produce → consume of N small messages on the bundled broker;
- raw PostgreSQL transactions shaped like one stage of ours (an insert and an outbox row,
  committed), on 1 connection and on 8.

`e2e SMS/s ÷ (PG tx/s on 8 connections ÷ 3)` is the share of the database's limit the whole
stack reaches (three stage transactions per report).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from qorgau_common.kafka import ensure_topics
from qorgau_local.broker import free_port, start_tansu
from qorgau_local.postgres import Postgres, find_postgres
from qorgau_local.procs import stop_process

_TABLES = """
CREATE TABLE IF NOT EXISTS raw_incident (id uuid PRIMARY KEY, body text NOT NULL);
CREATE TABLE IF NOT EXISTS raw_outbox (
    id bigserial PRIMARY KEY, topic text NOT NULL, key bytea, payload bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
"""


async def kafka_hop(messages: int, state: Path) -> dict[str, float]:
    port = free_port()
    broker = start_tansu(port, state / "raw-tansu.log")
    bootstrap = f"127.0.0.1:{port}"
    try:
        await ensure_topics(bootstrap, {"raw.hop": 6})
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        consumer = AIOKafkaConsumer(
            "raw.hop", bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
        )
        await producer.start()
        await consumer.start()
        try:
            payload = b"x" * 400
            t0 = time.perf_counter()
            futures = [
                await producer.send("raw.hop", payload, key=str(n).encode())
                for n in range(messages)
            ]
            await asyncio.gather(*futures)
            produced_s = time.perf_counter() - t0
            seen = 0
            async with asyncio.timeout(120):
                while seen < messages:
                    batch = await consumer.getmany(timeout_ms=200, max_records=5000)
                    seen += sum(len(v) for v in batch.values())
            hop_s = time.perf_counter() - t0
        finally:
            await consumer.stop()
            await producer.stop()
    finally:
        stop_process(broker, timeout=5)
    return {
        "messages": messages,
        "produce_per_s": round(messages / produced_s),
        "hop_per_s": round(messages / hop_s),
    }


async def pg_transactions(url: str, transactions: int, connections: int) -> float:
    pool = await asyncpg.create_pool(url, min_size=connections, max_size=connections)
    assert pool is not None
    try:
        per = transactions // connections

        async def worker() -> None:
            async with pool.acquire() as conn:
                for _ in range(per):
                    incident = uuid.uuid4()
                    async with conn.transaction():
                        await conn.execute(
                            "INSERT INTO raw_incident (id, body) VALUES ($1, $2)",
                            incident,
                            "x" * 200,
                        )
                        await conn.execute(
                            "INSERT INTO raw_outbox (topic, key, payload) VALUES ($1, $2, $3)",
                            "raw.hop",
                            incident.bytes,
                            b"x" * 400,
                        )

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return round(per * connections / (time.perf_counter() - t0))
    finally:
        await pool.close()


async def measure(pg: Postgres, state: Path, messages: int, transactions: int) -> dict[str, Any]:
    db = f"qorgau_raw_{uuid.uuid4().hex[:8]}"
    url = await pg.create_database(db, fresh=True)
    try:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(_TABLES)
        finally:
            await conn.close()
        one = await pg_transactions(url, transactions // 4, 1)
        eight = await pg_transactions(url, transactions, 8)
    finally:
        await pg.drop_database(db)
    return {
        "kafka": await kafka_hop(messages, state),
        "postgres_tx_per_s": {"1_connection": one, "8_connections": eight},
        "reports_per_s_the_database_allows": round(eight / 3),
    }


async def main(messages: int, transactions: int) -> dict[str, Any]:
    state = Path(".qorgau/bench")
    state.mkdir(parents=True, exist_ok=True)
    pg = await find_postgres(os.environ.get("QORGAU_BENCH_SERVER_URL"), state / "pgdata")
    try:
        return await measure(pg, state, messages, transactions)
    finally:
        pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--transactions", type=int, default=8_000)
    args = parser.parse_args()
    result = asyncio.run(main(args.messages, args.transactions))
    Path(".qorgau/bench/raw_limits.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
