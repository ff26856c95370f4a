"""SQL for reading incidents (detail, timeline, keyset pages) and storing triage steps."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection

from .retriage import TriageState
from .triage import Checklist

_INCIDENT_COLUMNS = """
    id, short_code, channel, received_at, status, district, district_unresolved_reason,
    district_source, gazetteer_version, address_line, lat, lon, priority, priority_reason,
    risk_level, risk_flags, linked_incident_ids, urgent, language, exercise, created_by,
    created_at, updated_at"""


async def incident(conn: Connection, incident_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {_INCIDENT_COLUMNS}, personal, key_id FROM intake.incidents WHERE id = $1",
        incident_id,
    )


async def timeline(conn: Connection, incident_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT at, status, detail FROM intake.incident_timeline"
        " WHERE incident_id = $1 ORDER BY id",
        incident_id,
    )


async def page(
    conn: Connection,
    *,
    status: str | None,
    district: str | None,
    since: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[asyncpg.Record]:
    """Newest first; `after` is the (received_at, id) of the last row of the previous page."""
    return await conn.fetch(
        f"SELECT {_INCIDENT_COLUMNS} FROM intake.incidents"
        " WHERE ($1::text IS NULL OR status = $1)"
        "   AND ($2::text IS NULL OR district = $2)"
        "   AND ($3::timestamptz IS NULL OR received_at >= $3)"
        "   AND ($4::timestamptz IS NULL OR (received_at, id) < ($4, $5::uuid))"
        " ORDER BY received_at DESC, id DESC LIMIT $6",
        status,
        district,
        since,
        after[0] if after else None,
        after[1] if after else None,
        limit,
    )


async def triage_state(conn: Connection, incident_id: uuid.UUID) -> TriageState | None:
    """The incident's triage state, locked for the rest of the transaction."""
    row = await conn.fetchrow(
        "SELECT status, district, district_source, district_unresolved_reason, checklist,"
        " linked_incident_ids, urgent, priority, priority_reason, risk_level, risk_flags"
        " FROM intake.incidents WHERE id = $1 FOR UPDATE",
        incident_id,
    )
    if row is None:
        return None
    return TriageState(
        status=row["status"],
        district=row["district"],
        district_source=row["district_source"],
        district_unresolved_reason=row["district_unresolved_reason"],
        checklist=Checklist.model_validate_json(row["checklist"]),
        repeat=bool(row["linked_incident_ids"]),
        urgent=row["urgent"],
        priority=row["priority"],
        priority_reason=row["priority_reason"],
        risk_level=row["risk_level"],
        risk_flags=tuple(row["risk_flags"]),
    )


async def save_triage(conn: Connection, incident_id: uuid.UUID, state: TriageState) -> None:
    await conn.execute(
        """
        UPDATE intake.incidents SET status = $2, district = $3, district_source = $4,
            district_unresolved_reason = $5, checklist = $6, urgent = $7, priority = $8,
            risk_level = $9, risk_flags = $10, updated_at = now()
        WHERE id = $1
        """,
        incident_id,
        state.status,
        state.district,
        state.district_source,
        state.district_unresolved_reason,
        state.checklist.model_dump_json(),
        state.urgent,
        state.priority,
        state.risk_level,
        list(state.risk_flags),
    )
