"""SQL for the incident timeline: one line per thing that happened to an incident."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

from qorgau_common.db import Connection

from intake.domain.incident import TimelineLine


async def add(
    conn: Connection, incident_id: uuid.UUID, status: str, detail: Mapping[str, object]
) -> None:
    await conn.execute(
        "INSERT INTO intake.incident_timeline (incident_id, status, detail) VALUES ($1, $2, $3)",
        incident_id,
        status,
        json.dumps(detail),
    )


async def of(conn: Connection, incident_id: uuid.UUID) -> list[TimelineLine]:
    rows = await conn.fetch(
        "SELECT at, status, detail FROM intake.incident_timeline"
        " WHERE incident_id = $1 ORDER BY id",
        incident_id,
    )
    return [TimelineLine(r["at"], r["status"], json.loads(r["detail"])) for r in rows]
