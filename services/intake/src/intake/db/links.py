"""SQL for the keyed digests that link repeat reports (never the values themselves)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from qorgau_common.db import Connection


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
