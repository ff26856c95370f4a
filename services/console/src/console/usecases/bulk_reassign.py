"""A supervisor gives several cases to one officer with one reason: each goes through
routing's own reassign endpoint (its rules, its audit), and each gets its own result."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from console.clients.ports import RoutingApi
from console.db import audit
from console.db.users import User
from console.domain.models import BoardEntry

from .case_actions import Result, reassign

MAX_CASES = 50


@dataclass(frozen=True)
class CaseResult:
    incident_id: str
    short_code: str
    result: Result


def _incident_id(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


async def bulk_reassign(
    pool: asyncpg.Pool,
    routing: RoutingApi,
    user: User,
    incident_ids: Sequence[str],
    officer_id: str,
    reason: str,
    board: Sequence[BoardEntry],
    now: datetime,
) -> list[CaseResult]:
    """One result per selected case, in the order chosen; a case that left the board
    meanwhile is still sent (routing decides), under its id."""
    codes = {e.incident_id: e.short_code for e in board}
    wanted = list(dict.fromkeys(i for i in map(_incident_id, incident_ids) if i))[:MAX_CASES]
    results: list[CaseResult] = []
    for incident_id in wanted:
        done = await reassign(routing, incident_id, officer_id, reason)
        await audit.action(
            pool,
            now,
            user.id,
            "incident.reassign",
            incident_id,
            {"officer_id": officer_id, "bulk": len(wanted)},
            done.result,
        )
        results.append(CaseResult(incident_id, codes.get(incident_id, "—"), done.result))
    return results
