"""SQL for what a downstream event does to an incident: its status and its timeline line, in
one statement (one round trip per event)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping

from qorgau_common.db import Connection

from intake.domain.incident import Status


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
