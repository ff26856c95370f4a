"""Routing's test support: a fixed clock inside the demo rota, the outbox read back as events."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from qorgau_common.db import Connection
from qorgau_contracts import (
    ASSIGNMENT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    INCIDENT_UNASSIGNED,
    AlertStatus,
    AlertUpdated,
    AssignmentUpdated,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
    IncidentUnassigned,
    Outcome,
    ReplyAnswer,
    ReplyReceived,
)
from routing.config import RoutingSettings
from routing.domain.escalation import EscalationPolicy
from routing.domain.roster import ASTANA
from routing.domain.roster_files import parse_officers
from routing.seed import demo_shifts_csv, seed_officers_csv
from routing.usecases.assign import assign_incident
from routing.usecases.import_roster import import_roster

from tests.factories import reported
from tests.harness import FAST_KAFKA

# 10:00 in Astana on a day of the demo rota: the day shift is on (the first half of each
# district's inspectors by id, e.g. NUR-01..04, and SUP-01), the night shift is off.
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ASTANA).astimezone(UTC)
FIRST_DAY = date(2026, 11, 21)
DAY_SHIFT = {f"{d}-0{n}" for d in ("ALM", "BKN", "SAR", "YSL", "NUR", "SRS") for n in (1, 2, 3, 4)}
POLICY = EscalationPolicy(max_attempts=3)
HIGH_DEADLINE = timedelta(minutes=5)
DISTRICTS = frozenset({"almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk"})


async def load_demo_rota(conn: Connection, first_day: date = FIRST_DAY) -> None:
    """The demo roster with three days of shifts from `first_day`, as `seed-demo` loads it."""
    officers_csv = seed_officers_csv()
    officers, _ = parse_officers(officers_csv, DISTRICTS)
    await import_roster(conn, officers_csv, demo_shifts_csv(officers, first_day, 3))


def report(**changes: Any) -> IncidentReported:
    """A high-priority report from Nura, received at NOW."""
    return reported(**{"received_at": NOW, **changes})


def alert(
    assigned: IncidentAssigned, status: AlertStatus, reason: str | None = None
) -> AlertUpdated:
    return AlertUpdated(
        producer="notify",
        correlation_id=assigned.correlation_id,
        alert_id=uuid.uuid4(),
        assignment_id=assigned.assignment_id,
        incident_id=assigned.incident_id,
        status=status,
        provider="smpp",
        reason=reason,
    )


async def assigned_events(conn: Connection) -> list[IncidentAssigned]:
    """Every incident.assigned.v1 in the outbox, in the order it was written."""
    rows = await conn.fetch(
        "SELECT payload, key FROM routing.outbox WHERE topic = $1 ORDER BY id",
        INCIDENT_ASSIGNED.name,
    )
    events = [IncidentAssigned.model_validate_json(r["payload"]) for r in rows]
    assert all(r["key"] == str(e.incident_id).encode() for r, e in zip(rows, events, strict=True))
    return events


async def resolved_events(conn: Connection) -> list[IncidentResolved]:
    rows = await conn.fetch(
        "SELECT payload FROM routing.outbox WHERE topic = $1 ORDER BY id", INCIDENT_RESOLVED.name
    )
    return [IncidentResolved.model_validate_json(r["payload"]) for r in rows]


def work(events: list[IncidentAssigned]) -> list[IncidentAssigned]:
    return [e for e in events if e.purpose == "assignment"]


def notices(events: list[IncidentAssigned]) -> list[IncidentAssigned]:
    return [e for e in events if e.purpose == "supervisor_notice"]


async def incident_row(conn: Connection, incident_id: uuid.UUID) -> dict[str, Any]:
    row = await conn.fetchrow("SELECT * FROM routing.incidents WHERE id = $1", incident_id)
    assert row is not None, "routing has no such incident"
    return dict(row)


async def assignment_rows(conn: Connection, incident_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT * FROM routing.assignments WHERE incident_id = $1 ORDER BY attempt, purpose",
        incident_id,
    )
    return [dict(r) for r in rows]


async def first_case(pool: asyncpg.Pool, **changes: Any) -> IncidentAssigned:
    """Report an incident at NOW; the assignment of its first officer."""
    event = report(**changes)
    await assign_incident(pool, event, POLICY, now=NOW)
    async with pool.acquire() as conn:
        (first,) = [a for a in await assigned_events(conn) if a.incident_id == event.incident_id]
    return first


async def queue(kafka: str, events: list[IncidentReported]) -> None:
    """Put reports on incident.reported.v1 (keyed by incident), as intake's relay would."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka, acks="all", linger_ms=5)
    await producer.start()
    try:
        for event in events:
            await producer.send(
                INCIDENT_REPORTED.name,
                event.model_dump_json().encode(),
                key=str(event.incident_id).encode(),
            )
        await producer.flush()
    finally:
        await producer.stop()


async def updated_events(conn: Connection) -> list[AssignmentUpdated]:
    """Every assignment.updated.v1 in the outbox, in order."""
    rows = await conn.fetch(
        "SELECT payload FROM routing.outbox WHERE topic = $1 ORDER BY id", ASSIGNMENT_UPDATED.name
    )
    return [AssignmentUpdated.model_validate_json(r["payload"]) for r in rows]


async def unassigned_events(conn: Connection) -> list[IncidentUnassigned]:
    rows = await conn.fetch(
        "SELECT payload FROM routing.outbox WHERE topic = $1 ORDER BY id", INCIDENT_UNASSIGNED.name
    )
    return [IncidentUnassigned.model_validate_json(r["payload"]) for r in rows]


def replied(
    assigned: IncidentAssigned,
    answer: ReplyAnswer,
    outcome: Outcome | None = None,
    officer_id: str | None = None,
) -> ReplyReceived:
    """The reply.received.v1 notify publishes for an SMS matched to `assigned`."""
    return ReplyReceived(
        producer="notify",
        correlation_id=assigned.correlation_id,
        reply_id=uuid.uuid4(),
        assignment_id=assigned.assignment_id,
        incident_id=assigned.incident_id,
        officer_id=officer_id or assigned.officer_id,
        answer=answer,
        outcome=outcome,
    )


def routing_settings(database_url: str, kafka: str, **changes: Any) -> RoutingSettings:
    """Routing's settings for a test of the served app: the test's database and broker, the
    fast consumer group timeouts, and `changes`."""
    return RoutingSettings(
        database_url=database_url, kafka_bootstrap_servers=kafka, **{**FAST_KAFKA, **changes}
    )
