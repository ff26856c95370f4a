"""SQL for routing's schema: roster reads, incidents, assignments, inbox and outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from qorgau_common.db import Connection
from qorgau_common.inbox import claim_event
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_ASSIGNED, IncidentAssigned, IncidentReported

from .domain import Candidate, Chosen
from .roster import Officer, Shift

SCHEMA = "routing"


async def claim(conn: Connection, event_id: uuid.UUID, topic: str) -> bool:
    return await claim_event(conn, SCHEMA, event_id, topic)


async def lock_roster(conn: Connection) -> None:
    """Serialise assignment decisions across routing processes for this transaction.

    Load counts are read and changed under the lock, so two processes never both see
    the same officer as the least loaded.
    """
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('routing:assign'))")


async def candidates(conn: Connection, now: datetime) -> list[Candidate]:
    rows = await conn.fetch(
        """
        SELECT o.id, o.home_district, o.covers, o.role, o.status, o.last_assigned_at,
               EXISTS (SELECT 1 FROM routing.shifts s
                       WHERE s.officer_id = o.id AND s.starts_at <= $1 AND s.ends_at > $1)
                   AS on_shift,
               (SELECT count(*) FROM routing.assignments a
                WHERE a.officer_id = o.id AND a.status = 'open') AS open_assignments
        FROM routing.officers o
        WHERE o.active
        """,
        now,
    )
    return [
        Candidate(
            officer_id=r["id"],
            home_district=r["home_district"],
            covers=frozenset(r["covers"]),
            role=r["role"],
            on_shift=r["on_shift"],
            available=r["status"] == "available",
            open_assignments=r["open_assignments"],
            last_assigned_at=r["last_assigned_at"],
        )
        for r in rows
    ]


async def neighbours(conn: Connection) -> dict[str, Sequence[str]]:
    rows = await conn.fetch("SELECT id, neighbours FROM routing.districts")
    return {r["id"]: tuple(r["neighbours"]) for r in rows}


async def known_district(conn: Connection, district: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM routing.districts WHERE id = $1", district))


async def save_incident(
    conn: Connection, event: IncidentReported, status: str, reason: str | None
) -> bool:
    """Insert the incident; False if routing already knows it."""
    inserted = await conn.fetchval(
        """
        INSERT INTO routing.incidents (id, short_code, district, priority, risk_level,
                                       address_line, exercise, status, status_reason, reported_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (id) DO NOTHING RETURNING true
        """,
        event.incident_id,
        event.short_code,
        event.district,
        event.priority,
        event.risk_level,
        event.address_line,
        event.exercise,
        status,
        reason,
        event.received_at,
    )
    return bool(inserted)


async def mark_incident(
    conn: Connection, incident_id: uuid.UUID, status: str, reason: str | None
) -> None:
    await conn.execute(
        "UPDATE routing.incidents SET status = $2, status_reason = $3, updated_at = now()"
        " WHERE id = $1",
        incident_id,
        status,
        reason,
    )


async def create_assignment(
    conn: Connection,
    event: IncidentReported,
    district: str | None,
    chosen: Chosen,
    attempt: int,
    ack_deadline: datetime,
    now: datetime,
) -> IncidentAssigned:
    officer = await conn.fetchrow(
        "UPDATE routing.officers SET last_assigned_at = $2 WHERE id = $1 RETURNING phone, language",
        chosen.officer_id,
        now,
    )
    assert officer is not None
    assigned = IncidentAssigned(
        producer=SCHEMA,
        correlation_id=event.correlation_id,
        exercise=event.exercise,
        assignment_id=uuid.uuid4(),
        incident_id=event.incident_id,
        short_code=event.short_code,
        attempt=attempt,
        officer_id=chosen.officer_id,
        officer_phone=officer["phone"],
        officer_language=officer["language"],
        district=district,
        priority=event.priority,
        risk_level=event.risk_level,
        address_line=event.address_line,
        ack_deadline=ack_deadline,
    )
    await conn.execute(
        "INSERT INTO routing.assignments"
        " (id, incident_id, attempt, officer_id, route, ack_deadline)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        assigned.assignment_id,
        event.incident_id,
        attempt,
        chosen.officer_id,
        chosen.route,
        ack_deadline,
    )
    await enqueue(conn, SCHEMA, INCIDENT_ASSIGNED.name, str(event.incident_id), assigned)
    return assigned


async def seed_roster(
    conn: Connection, officers: Sequence[Officer], shifts: Sequence[Shift]
) -> None:
    """Upsert officers and replace their shifts from the first seeded one on, atomically."""
    async with conn.transaction():
        await conn.executemany(
            """
            INSERT INTO routing.officers (id, name, phone, home_district, language, role)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, phone = EXCLUDED.phone,
                home_district = EXCLUDED.home_district, language = EXCLUDED.language,
                role = EXCLUDED.role
            """,
            [(o.id, o.name, o.phone, o.home_district, o.language, o.role) for o in officers],
        )
        if shifts:
            await conn.execute(
                "DELETE FROM routing.shifts WHERE officer_id = ANY($1) AND ends_at > $2",
                [o.id for o in officers],
                min(s.starts_at for s in shifts),
            )
            await conn.executemany(
                "INSERT INTO routing.shifts (officer_id, starts_at, ends_at) VALUES ($1, $2, $3)",
                [(s.officer_id, s.starts_at, s.ends_at) for s in shifts],
            )
