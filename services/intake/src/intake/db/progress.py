"""SQL for what downstream events do to their incidents: the status and the timeline lines,
in one statement for one event or for a whole consumer batch's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qorgau_common.db import Connection

from intake.domain.incident import Status
from intake.domain.progress import moves_of


@dataclass(frozen=True)
class Noted:
    """One event's progress, left to be recorded with the rest of its batch."""

    incident_id: uuid.UUID
    entry: str
    detail: Mapping[str, object]
    status: Status | None
    routed: bool


async def record(conn: Connection, noted: Sequence[Noted]) -> set[uuid.UUID]:
    """Events' progress in one statement, one event's or a whole batch's: each incident
    locked and moved once, to where its events in turn take it (`domain.progress.moves_of`),
    marked routed if any of them says so, and every line added in order, once per fact (said
    again, under a new event id, it adds none: the unique `fact`). The incidents intake knows
    (the others' events write nothing)."""
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
