"""Use case: the supervisor's board of what is open, unacknowledged and escalated."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import asyncpg

from routing.db import incidents as incidents_db


async def board(pool: asyncpg.Pool, now: datetime | None = None) -> dict[str, Any]:
    """Counts by district and status, and every incident still open, oldest first."""
    now = now or datetime.now(UTC)
    rows = await incidents_db.board_rows(pool)
    counts: Counter[tuple[str, str]] = Counter((r["district"] or "none", r["status"]) for r in rows)
    by_district: dict[str, dict[str, int]] = {}
    for (district, status), n in sorted(counts.items()):
        by_district.setdefault(district, {})[status] = n
    incidents = [
        {
            "incident_id": str(r["id"]),
            "short_code": r["short_code"],
            "district": r["district"],
            "priority": r["priority"],
            "status": r["status"],
            "reason": r["status_reason"],
            "age_s": round((now - r["received_at"]).total_seconds()),
            "assignment_id": str(r["assignment_id"]) if r["assignment_id"] else None,
            "assignment_status": r["assignment_status"],
            "unassignable": r["status"] == "unassigned_escalated",
            "officer_id": r["officer_id"],
            "attempt": r["attempt"],
            "alert_status": r["alert_status"],
            "ack_deadline": r["ack_deadline"].isoformat() if r["ack_deadline"] else None,
            "overdue": bool(
                r["assignment_status"] == "open" and r["ack_deadline"] and r["ack_deadline"] < now
            ),
        }
        for r in rows
    ]
    return {
        "generated_at": now.isoformat(),
        "counts": by_district,
        "unacknowledged": [i for i in incidents if i["status"] == "assigned"],
        "escalated": [i for i in incidents if i["status"] == "unassigned_escalated"],
        "open": incidents,
    }


async def officer_cases(
    pool: asyncpg.Pool, officer_id: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The board's open entries whose current assignment is this officer's."""
    entries: list[dict[str, Any]] = (await board(pool, now))["open"]
    return [
        e
        for e in entries
        if e["officer_id"] == officer_id and e["assignment_status"] in ("open", "acknowledged")
    ]
