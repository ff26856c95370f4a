"""The audit trail: who submitted, viewed or changed what. Each service keeps its own."""

from __future__ import annotations

import functools
import json
import uuid
from typing import Any

from .db import Connection
from .unit_of_work import deferred

__all__ = ["audit"]

_Row = tuple[str, str, uuid.UUID | None, str]  # actor, action, incident id, detail (JSON)


async def audit(
    conn: Connection,
    schema: str,
    actor: str,
    action: str,
    incident_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append to the audit trail, in the caller's transaction. Never personal data in `detail`.

    In a consumer batch's shared transaction the row waits for the batch's end, and the
    batch's rows of one schema go in one statement, in the order they were audited."""
    row: _Row = (actor, action, incident_id, json.dumps(detail or {}))
    batch = deferred(f"audit:{schema}", functools.partial(_write_all, schema))
    if batch is not None:
        batch.append(row)
    else:
        await _write_all(schema, conn, [row])


async def _write_all(schema: str, conn: Connection, rows: list[_Row]) -> None:
    actors, actions, incidents, details = zip(*rows, strict=True)
    await conn.execute(
        f'INSERT INTO "{schema}".audit_log (actor, action, incident_id, detail)'
        " SELECT actor, action, incident_id, detail::jsonb"
        " FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[])"
        " WITH ORDINALITY AS r (actor, action, incident_id, detail, n) ORDER BY n",
        list(actors),
        list(actions),
        list(incidents),
        list(details),
    )
