"""SQL for the incidents table: one column list, one row mapping, every read and write."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg
from qorgau_common.db import Connection
from qorgau_contracts import Coordinates

from intake.domain.crypto import Sealed
from intake.domain.idempotency import Earlier
from intake.domain.incident import Incident, Status
from intake.domain.retriage import TriageState
from intake.domain.triage import Checklist

# The incident's columns, in the order `_values` gives them; personal data is kept apart.
COLUMNS = (
    "id, short_code, channel, received_at, status, district, district_unresolved_reason,"
    " district_source, gazetteer_version, address_line, lat, lon, priority, priority_reason,"
    " risk_level, risk_flags, linked_incident_ids, urgent, language, exercise, checklist"
)


def _values(incident: Incident) -> tuple[Any, ...]:
    c = incident.coordinates
    return (
        incident.id,
        incident.short_code,
        incident.channel,
        incident.received_at,
        incident.status,
        incident.district,
        incident.district_unresolved_reason,
        incident.district_source,
        incident.gazetteer_version,
        incident.address_line,
        c.lat if c else None,
        c.lon if c else None,
        incident.priority,
        incident.priority_reason,
        incident.risk_level,
        list(incident.risk_flags),
        list(incident.linked_incident_ids),
        incident.urgent,
        incident.language,
        incident.exercise,
        incident.checklist.model_dump_json(),
    )


def from_row(row: asyncpg.Record) -> Incident:
    lat, lon = row["lat"], row["lon"]
    return Incident(
        id=row["id"],
        short_code=row["short_code"],
        channel=row["channel"],
        received_at=row["received_at"],
        status=row["status"],
        district=row["district"],
        district_unresolved_reason=row["district_unresolved_reason"],
        district_source=row["district_source"],
        gazetteer_version=row["gazetteer_version"],
        address_line=row["address_line"],
        coordinates=Coordinates(lat=lat, lon=lon) if lat is not None else None,
        priority=row["priority"],
        priority_reason=row["priority_reason"],
        risk_level=row["risk_level"],
        risk_flags=tuple(row["risk_flags"]),
        linked_incident_ids=tuple(row["linked_incident_ids"]),
        urgent=row["urgent"],
        language=row["language"],
        exercise=row["exercise"],
        checklist=Checklist.model_validate_json(row["checklist"]),
    )


# The foreign key that refuses a district `intake.districts` does not hold.
DISTRICT_KEY = "incidents_district_fkey"


def unknown_district(exc: asyncpg.ForeignKeyViolationError) -> bool:
    """The insert failed on a district that does not exist (a 4xx, not an outage)."""
    return getattr(exc, "constraint_name", None) == DISTRICT_KEY


async def insert(
    conn: Connection,
    incident: Incident,
    sealed: Sealed,
    *,
    call_id: str | None,
    idempotency_key: str | None,
    actor: str,
    idempotency_token: uuid.UUID | None = None,
    request_digest: bytes | None = None,
    link_keys: Sequence[tuple[str, bytes]],
    opening: Mapping[str, object],
) -> bool:
    """Insert the incident with its link keys and its first timeline line (its status and
    `opening`), in one statement; False on a conflicting call id, idempotency key or short code,
    and then nothing is written. A district that does not exist raises
    `ForeignKeyViolationError` (`unknown_district`)."""
    inserted = await conn.fetchval(
        f"""
        WITH inserted AS (
            INSERT INTO intake.incidents ({COLUMNS}, call_id, idempotency_key, personal,
                key_id, created_by, idempotency_token, request_digest)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)
            ON CONFLICT DO NOTHING RETURNING id, received_at, status
        ), linked AS (
            INSERT INTO intake.incident_link_keys (incident_id, kind, digest, received_at)
            SELECT i.id, k.kind, k.digest, i.received_at
            FROM inserted i, unnest($29::text[], $30::bytea[]) AS k(kind, digest)
            ON CONFLICT DO NOTHING
        ), opened AS (
            INSERT INTO intake.incident_timeline (incident_id, status, detail)
            SELECT id, status, $31::jsonb FROM inserted
        )
        SELECT true FROM inserted
        """,
        *_values(incident),
        call_id,
        idempotency_key,
        sealed.ciphertext,
        sealed.key_id,
        actor,
        idempotency_token,
        request_digest,
        [kind for kind, _ in link_keys],
        [digest for _, digest in link_keys],
        json.dumps(opening),
    )
    return bool(inserted)


_NO_TOKEN = uuid.UUID(int=0)  # the scope of keys stored without a token (see 0003)
# The key's scope exactly as the unique index `incidents_idempotency_key_per_token` spells it,
# a constant: with a parameter in its place a generic plan cannot match the index's first
# column and searches it by the key alone (PostgreSQL 18's skip scan over every scope).
_KEY_SCOPE = f"coalesce(idempotency_token, '{_NO_TOKEN}'::uuid)"


async def find_existing(
    conn: Connection,
    channel: str,
    call_id: str | None,
    idempotency_key: str | None,
    idempotency_token: uuid.UUID | None = None,
) -> Earlier | None:
    """The incident an earlier submission of the same call, or of the same idempotency key
    by the same token, created; a key match first (it is what the client meant)."""
    if call_id is None and idempotency_key is None:
        return None
    row = await conn.fetchrow(
        f"SELECT {COLUMNS}, request_digest,"
        f"   (idempotency_key = $3 AND {_KEY_SCOPE} = $4) AS by_key"
        " FROM intake.incidents"
        " WHERE (channel = $1 AND call_id = $2)"
        f"    OR (idempotency_key = $3 AND {_KEY_SCOPE} = $4)"
        " ORDER BY by_key DESC NULLS LAST LIMIT 1",
        channel,
        call_id,
        idempotency_key,
        idempotency_token or _NO_TOKEN,
    )
    if row is None:
        return None
    return Earlier(
        from_row(row),
        bytes(row["request_digest"]) if row["request_digest"] is not None else None,
        "Idempotency-Key" if row["by_key"] else "call_id",
    )


async def get(conn: Connection, incident_id: uuid.UUID, *, lock: bool = False) -> Incident | None:
    """The incident; with `lock`, locked for the rest of the transaction."""
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM intake.incidents WHERE id = $1" + (" FOR UPDATE" if lock else ""),
        incident_id,
    )
    return from_row(row) if row else None


async def get_with_personal(
    conn: Connection, incident_id: uuid.UUID
) -> tuple[Incident, Sealed] | None:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS}, personal, key_id FROM intake.incidents WHERE id = $1", incident_id
    )
    return (from_row(row), Sealed(row["key_id"], row["personal"])) if row else None


async def page(
    conn: Connection,
    *,
    status: Status | None,
    district: str | None,
    since: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Incident]:
    """Newest first; `after` is the (received_at, id) of the last row of the previous page."""
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM intake.incidents"
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
    return [from_row(r) for r in rows]


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


async def set_location_if_missing(
    conn: Connection, incident_id: uuid.UUID, lat: float, lon: float
) -> None:
    await conn.execute(
        "UPDATE intake.incidents SET lat = $2, lon = $3, updated_at = now()"
        " WHERE id = $1 AND lat IS NULL",
        incident_id,
        lat,
        lon,
    )


async def set_address_line(conn: Connection, incident_id: uuid.UUID, address_line: str) -> bool:
    """A new address line for the officer's SMS; whether it changed."""
    changed = await conn.fetchval(
        "UPDATE intake.incidents SET address_line = $2, updated_at = now()"
        " WHERE id = $1 AND address_line IS DISTINCT FROM $2 RETURNING true",
        incident_id,
        address_line,
    )
    return bool(changed)
