"""SQL for intake's write side: incidents, timeline, link keys and the outbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
from qorgau_common.db import Connection
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_REPORTED, Channel, Coordinates, IncidentReported

from .crypto import Sealed
from .reports import NewIncident, ReportAccepted

SCHEMA = "intake"

_ACCEPTED_COLUMNS = "id, short_code, status, district, priority, risk_level"


def _accepted(row: asyncpg.Record) -> ReportAccepted:
    return ReportAccepted(
        incident_id=row["id"],
        short_code=row["short_code"],
        status=row["status"],
        district=row["district"],
        priority=row["priority"],
        risk_level=row["risk_level"],
    )


async def find_existing(
    conn: Connection, channel: str, call_id: str, idempotency_key: str | None
) -> ReportAccepted | None:
    row = await conn.fetchrow(
        f"SELECT {_ACCEPTED_COLUMNS} FROM intake.incidents"
        " WHERE (channel = $1 AND call_id = $2) OR idempotency_key = $3 LIMIT 1",
        channel,
        call_id,
        idempotency_key,
    )
    return _accepted(row) if row else None


async def known_district(conn: Connection, district: str) -> bool:
    return bool(await conn.fetchval("SELECT true FROM intake.districts WHERE id = $1", district))


async def insert_incident(
    conn: Connection,
    incident: NewIncident,
    sealed: Sealed,
    *,
    channel: Channel,
    call_id: str | None,
    coordinates: Coordinates | None,
    language: str,
    exercise: bool,
    idempotency_key: str | None,
    actor: str,
) -> bool:
    """Insert the incident; False on a conflicting call id, idempotency key or short code."""
    inserted = await conn.fetchval(
        """
        INSERT INTO intake.incidents (
            id, short_code, channel, call_id, idempotency_key, received_at, status, district,
            district_unresolved_reason, address_line, lat, lon, priority, priority_reason,
            risk_level, risk_flags, language, exercise, personal, key_id, created_by,
            checklist, linked_incident_ids, gazetteer_version, district_source, urgent)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $23, $24, $25, $26)
        ON CONFLICT DO NOTHING RETURNING true
        """,
        incident.id,
        incident.short_code,
        channel,
        call_id,
        idempotency_key,
        incident.received_at,
        incident.status,
        incident.district,
        incident.district_unresolved_reason,
        incident.address_line,
        coordinates.lat if coordinates else None,
        coordinates.lon if coordinates else None,
        incident.priority,
        incident.priority_reason,
        incident.risk_level,
        list(incident.risk_flags),
        language,
        exercise,
        sealed.ciphertext,
        sealed.key_id,
        actor,
        incident.checklist.model_dump_json(),
        list(incident.linked_incident_ids),
        incident.gazetteer_version,
        incident.district_source,
        incident.urgent,
    )
    return bool(inserted)


async def add_timeline(
    conn: Connection, incident_id: uuid.UUID, status: str, detail: dict[str, Any]
) -> None:
    await conn.execute(
        "INSERT INTO intake.incident_timeline (incident_id, status, detail) VALUES ($1, $2, $3)",
        incident_id,
        status,
        json.dumps(detail),
    )


async def publish_reported(conn: Connection, event: IncidentReported) -> None:
    await enqueue(conn, SCHEMA, INCIDENT_REPORTED.name, str(event.incident_id), event)


async def earlier_incidents(
    conn: Connection, digests: Sequence[bytes], since: datetime, until: datetime
) -> tuple[uuid.UUID, ...]:
    """Incidents received in [since, until] that share any of `digests`, oldest first."""
    if not digests:
        return ()
    rows = await conn.fetch(
        "SELECT incident_id, min(received_at) AS first FROM intake.incident_link_keys"
        " WHERE digest = ANY($1) AND received_at BETWEEN $2 AND $3"
        " GROUP BY incident_id ORDER BY first, incident_id LIMIT 20",
        list(digests),
        since,
        until,
    )
    return tuple(r["incident_id"] for r in rows)


async def add_link_keys(
    conn: Connection,
    incident_id: uuid.UUID,
    keys: Sequence[tuple[str, bytes]],
    received_at: datetime,
) -> None:
    await conn.executemany(
        "INSERT INTO intake.incident_link_keys (incident_id, kind, digest, received_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        [(incident_id, kind, digest, received_at) for kind, digest in keys],
    )
