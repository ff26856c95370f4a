"""An operator's recent reports with their live status (no personal fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from console.db import filed
from console.db.users import User
from console.domain.progress import Shown, shown_status

from .live_feed import Snapshot


@dataclass(frozen=True)
class Recent:
    incident_id: str
    short_code: str
    filed_at: datetime
    status: Shown
    officer_id: str | None
    district: str | None
    ack_deadline: datetime | None


async def recent_reports(pool: asyncpg.Pool, user: User, snapshot: Snapshot) -> list[Recent]:
    board = {e.incident_id: e for e in snapshot.board}
    found = []
    for row in await filed.recent(pool, user.id):
        incident_id = str(row["incident_id"])
        entry, summary = board.get(incident_id), snapshot.incidents.get(incident_id)
        found.append(
            Recent(
                incident_id=incident_id,
                short_code=row["short_code"],
                filed_at=row["filed_at"],
                status=shown_status(summary, entry),
                officer_id=entry.officer_id if entry else None,
                district=(entry.district if entry else summary.district if summary else None),
                ack_deadline=entry.ack_deadline if entry and entry.status == "assigned" else None,
            )
        )
    return found
