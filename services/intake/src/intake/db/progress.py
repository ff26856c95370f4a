"""SQL for what a downstream event does to an incident: its status and its timeline line, in
one statement (one round trip per event), or for a whole consumer batch's events in one."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from qorgau_common.db import Connection

from intake.domain.incident import Status
from intake.domain.progress import moves_of


async def record(
    conn: Connection,
    incident_id: uuid.UUID,
    entry: str,
    detail: Mapping[str, object],
    *,
    overtaken: Collection[Status],
    status: Status | None,
    routed: bool,
) -> bool:
    """Lock the incident, move its status to `status` if it is one of `overtaken`
    (`domain.progress.overtaken_by`), mark it routed if `routed`, and add the line once per
    fact (said again, under a new event id, it adds none: the unique `fact`). False if intake
    does not know the incident (nothing written)."""
    known: int = await conn.fetchval(
        """
        WITH moved AS (
            UPDATE intake.incidents
            SET status = CASE WHEN status = ANY($4::text[]) THEN $5::text ELSE status END,
                updated_at = now(),
                routed_at = CASE WHEN $6 THEN coalesce(routed_at, now()) ELSE routed_at END
            WHERE id = $1
            RETURNING id
        ), line AS (
            INSERT INTO intake.incident_timeline (incident_id, status, detail, fact)
            SELECT id, $2, $3::jsonb, md5($2 || ':' || $3::jsonb::text) FROM moved
            ON CONFLICT (incident_id, fact) WHERE fact IS NOT NULL DO NOTHING
        )
        SELECT count(*) FROM moved
        """,
        incident_id,
        entry,
        json.dumps(detail),
        list(overtaken),
        status,
        routed,
    )
    return known > 0


@dataclass(frozen=True)
class Noted:
    """One event's progress, left to be recorded with the rest of its batch."""

    incident_id: uuid.UUID
    entry: str
    detail: Mapping[str, object]
    status: Status | None
    routed: bool


async def record_all(conn: Connection, noted: Sequence[Noted]) -> set[uuid.UUID]:
    """`record` for a batch's events in one statement: each incident moved once, to where
    its events in turn take it (`domain.progress.moves_of`), and every line in order, once
    per fact. The incidents intake knows (the others' events write nothing)."""
    by_incident: dict[uuid.UUID, list[Noted]] = {}
    for one in noted:
        by_incident.setdefault(one.incident_id, []).append(one)
    ids = list(by_incident)
    moves = [json.dumps(moves_of(n.status for n in run)) for run in by_incident.values()]
    routed = [any(n.routed for n in run) for run in by_incident.values()]
    known: list[uuid.UUID] = await conn.fetchval(
        """
        WITH moved AS (
            UPDATE intake.incidents AS i
            SET status = coalesce(m.moves ->> i.status, i.status),
                updated_at = now(),
                routed_at = CASE WHEN m.routed THEN coalesce(routed_at, now()) ELSE routed_at END
            FROM unnest($1::uuid[], $2::jsonb[], $3::bool[]) AS m (id, moves, routed)
            WHERE i.id = m.id
            RETURNING i.id
        ), line AS (
            INSERT INTO intake.incident_timeline (incident_id, status, detail, fact)
            SELECT l.incident_id, l.entry, l.detail::jsonb,
                   md5(l.entry || ':' || l.detail::jsonb::text)
            FROM unnest($4::uuid[], $5::text[], $6::text[]) WITH ORDINALITY
                AS l (incident_id, entry, detail, n)
            WHERE l.incident_id IN (SELECT id FROM moved)
            ORDER BY l.n
            ON CONFLICT (incident_id, fact) WHERE fact IS NOT NULL DO NOTHING
        )
        SELECT coalesce(array_agg(id), '{}') FROM moved
        """,
        ids,
        moves,
        routed,
        [n.incident_id for n in noted],
        [n.entry for n in noted],
        [json.dumps(n.detail) for n in noted],
    )
    return set(known)
