"""The audit trail: who submitted, viewed or changed what. Each service keeps its own."""

from __future__ import annotations

import json
import uuid
from typing import Any

from .db import Connection

__all__ = ["audit"]


async def audit(
    conn: Connection,
    schema: str,
    actor: str,
    action: str,
    incident_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append to the audit trail, in the caller's transaction. Never personal data in `detail`."""
    await conn.execute(
        f'INSERT INTO "{schema}".audit_log (actor, action, incident_id, detail)'
        " VALUES ($1, $2, $3, $4)",
        actor,
        action,
        incident_id,
        json.dumps(detail or {}),
    )
