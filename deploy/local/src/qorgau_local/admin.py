"""`qorgau-admin`: dead letters, reconciliation, outbox backlog. For ops, in any environment.

Reads QORGAU_DATABASE_URL and QORGAU_KAFKA_BOOTSTRAP_SERVERS like the services do.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from intake.db import quarantine
from qorgau_common.settings import ServiceSettings
from qorgau_contracts import TOPICS, DeadLetter, dlq_name

SCHEMAS = ("intake", "routing", "notify")


@dataclass(frozen=True)
class Parked:
    dlq: str
    offset: int
    letter: DeadLetter


async def read_dead_letters(bootstrap: str, topics: list[str]) -> list[Parked]:
    """Every record on the given dead-letter topics, oldest first."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    parked: list[Parked] = []
    try:
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in (consumer.partitions_for_topic(t) or await _partitions(consumer, t))
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        remaining = {tp for tp in partitions if ends[tp] > 0}
        while remaining:
            batch = await consumer.getmany(*remaining, timeout_ms=1000)
            if not batch:
                break
            for tp, records in batch.items():
                for record in records:
                    parked.append(
                        Parked(
                            tp.topic, record.offset, DeadLetter.model_validate_json(record.value)
                        )
                    )
                    if record.offset + 1 >= ends[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
    return sorted(parked, key=lambda p: (p.letter.last_failed_at, p.dlq, p.offset))


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # aiokafka has no public call for this
    return consumer.partitions_for_topic(topic) or set()


async def replay(bootstrap: str, letters: list[Parked]) -> int:
    """Publish each parked message, bytes, key and headers as they were, to its topic."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for p in letters:
            letter = p.letter
            await producer.send_and_wait(
                letter.topic,
                base64.b64decode(letter.value_b64),
                key=base64.b64decode(letter.key_b64) if letter.key_b64 else None,
                headers=[(name, base64.b64decode(value)) for name, value in letter.headers]
                + [("replayed_from", f"{p.dlq}:{p.offset}".encode())],
            )
    finally:
        await producer.stop()
    return len(letters)


async def outbox_backlog(database_url: str) -> list[tuple[str, int, float | None, int]]:
    """(schema, unpublished rows, age of the oldest in seconds, parked rows) per service."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = []
        for schema in SCHEMAS:
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, min(created_at) AS oldest,"
                f" count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked"
                f' FROM "{schema}".outbox WHERE published_at IS NULL'
            )
            assert row is not None
            age = (datetime.now(UTC) - row["oldest"]).total_seconds() if row["oldest"] else None
            rows.append((schema, row["n"], age, row["parked"]))
        return rows
    finally:
        await conn.close()


async def parked_rows(database_url: str) -> list[asyncpg.Record]:
    """Outbox rows parked after repeated failures, every service, oldest first."""
    conn = await asyncpg.connect(database_url)
    try:
        rows: list[asyncpg.Record] = []
        for schema in SCHEMAS:
            rows += await conn.fetch(
                f"SELECT '{schema}' AS service, id, topic, key, attempts, last_error, parked_at"
                f' FROM "{schema}".outbox WHERE published_at IS NULL AND parked_at IS NOT NULL'
                " ORDER BY id"
            )
        return rows
    finally:
        await conn.close()


async def retry_parked(database_url: str, service: str, ids: list[int] | None) -> int:
    """Un-park rows (all of a service's, or the given ids): the relay tries them again."""
    if service not in SCHEMAS:
        sys.exit(f"unknown service {service!r}; one of: {', '.join(SCHEMAS)}")
    conn = await asyncpg.connect(database_url)
    try:
        status: str = await conn.execute(
            f'UPDATE "{service}".outbox SET parked_at = NULL, attempts = 0'
            " WHERE published_at IS NULL AND parked_at IS NOT NULL"
            " AND ($1::bigint[] IS NULL OR id = ANY($1))",
            ids,
        )
        await conn.execute("SELECT pg_notify($1, '')", f"{service}_outbox")
        return int(status.split()[-1])
    finally:
        await conn.close()


def _topics(selected: str | None) -> list[str]:
    names = [t.name for t in TOPICS]
    if selected and selected.removesuffix(".dlq") not in names:
        sys.exit(f"unknown topic {selected!r}; one of: {', '.join(names)}")
    return [dlq_name(selected.removesuffix(".dlq"))] if selected else [dlq_name(n) for n in names]


async def _run(args: argparse.Namespace) -> None:
    settings = ServiceSettings()
    bootstrap = settings.kafka_bootstrap_servers
    if args.command == "dlq":
        letters = await read_dead_letters(bootstrap, _topics(args.topic))
        if args.action == "list":
            for p in letters:
                print(
                    f"{p.dlq}@{p.offset}  {p.letter.last_failed_at:%Y-%m-%d %H:%M:%S}"
                    f"  {p.letter.service:<8} attempts={p.letter.attempts}  {p.letter.error}"
                )
            print(f"{len(letters)} dead letter(s)")
        elif args.action == "show":
            match = [p for p in letters if p.offset == args.offset]
            if not match:
                sys.exit(f"no dead letter at offset {args.offset}")
            body = base64.b64decode(match[0].letter.value_b64)
            print(json.dumps(match[0].letter.model_dump(mode="json"), indent=2))
            print("original message:")
            print(body.decode("utf-8", errors="replace"))
        else:
            chosen = letters if args.all else [p for p in letters if p.offset in args.offset]
            if not chosen:
                sys.exit("nothing to replay: give --offset N (repeatable) or --all")
            print(
                f"replayed {await replay(bootstrap, chosen)} message(s); consumers skip any"
                " they already processed"
            )
    elif args.command == "outbox" and args.action == "parked":
        parked = await parked_rows(settings.database_url)
        for r in parked:
            print(
                f"{r['service']:<8} id={r['id']}  {r['topic']}  key={(r['key'] or b'').decode()}"
                f"  attempts={r['attempts']}  parked {r['parked_at']:%Y-%m-%d %H:%M:%S}"
                f"  {r['last_error']}"
            )
        print(f"{len(parked)} parked row(s); retry with: qorgau-admin outbox retry SERVICE")
    elif args.command == "outbox" and args.action == "retry":
        ids = args.id or None
        print(f"{await retry_parked(settings.database_url, args.service, ids)} row(s) un-parked")
    elif args.command == "outbox":
        for schema, count, age, stuck in await outbox_backlog(settings.database_url):
            oldest = f", oldest {age:.0f}s" if age is not None else ""
            print(f"{schema:<8} {count} unpublished{oldest}, {stuck} parked")
    elif args.command == "quarantine":
        conn = await asyncpg.connect(settings.database_url)
        try:
            held = await quarantine.latest(conn, args.limit)
        finally:
            await conn.close()
        for quarantine_id, platform, reason, at in held:
            print(f"{at:%Y-%m-%d %H:%M:%S}  {platform:<9} {quarantine_id}  {reason}")
        print(f"{len(held)} quarantined webhook update(s) shown (bodies stay sealed)")
    elif args.command == "reconcile":
        incidents, assignments = await reconcile_all(settings.database_url, args.older_than)
        print(f"republished {incidents} incident(s) still without an assignment")
        print(f"republished {assignments} assignment(s) notify has not answered")


async def reconcile_all(database_url: str, older_than_s: float) -> tuple[int, int]:
    """Every hop's reconciliation, once, now: intake republishes the incidents routing has
    not answered, routing the assignments notify has not answered (both from their own
    tables, so this works after the broker lost everything)."""
    from intake.usecases.reconcile import reconcile
    from routing.usecases.reconcile import redeliver_unanswered

    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    assert pool is not None
    try:
        return await reconcile(pool, older_than_s), await redeliver_unanswered(pool, older_than_s)
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="qorgau-admin", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    dlq = sub.add_parser("dlq", help="dead letters: list, show, replay")
    actions = dlq.add_subparsers(dest="action", required=True)
    for name in ("list", "show", "replay"):
        action = actions.add_parser(name)
        action.add_argument("--topic", help="e.g. incident.reported.v1 (default: all)")
    actions.choices["show"].add_argument("offset", type=int)
    actions.choices["replay"].add_argument("--offset", type=int, action="append", default=[])
    actions.choices["replay"].add_argument("--all", action="store_true")
    outbox = sub.add_parser("outbox", help="outbox backlog per service; parked rows; retry")
    outbox_actions = outbox.add_subparsers(dest="action")
    outbox_actions.add_parser("parked", help="rows parked after repeated failures")
    retry = outbox_actions.add_parser("retry", help="try parked rows again")
    retry.add_argument("service", help="intake, routing or notify")
    retry.add_argument("--id", type=int, action="append", help="only this row (repeatable)")
    held = sub.add_parser("quarantine", help="webhook updates set aside, with the reason")
    held.add_argument("--limit", type=int, default=50)
    reconcile = sub.add_parser(
        "reconcile", help="republish incidents not assigned and assignments not answered"
    )
    reconcile.add_argument("--older-than", type=float, default=60.0, help="seconds")
    asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    main()
