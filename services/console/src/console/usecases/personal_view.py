"""Decrypted personal fields, shown only to whom the console's rules allow, each view audited
by the person (intake's own audit names only the console's token)."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from console.clients.ports import IntakeApi
from console.db import audit
from console.db.users import User
from console.domain.models import BoardEntry, IncidentDetail
from console.domain.roles import may_enter


class NotYours(Exception):
    """The incident is not open, or not assigned to this inspector: it is not shown."""


def owns(user: User, entry: BoardEntry | None) -> bool:
    return (
        entry is not None
        and user.officer_id is not None
        and entry.officer_id == user.officer_id
        and entry.status in ("assigned", "acknowledged")
    )


async def view_personal(
    pool: asyncpg.Pool,
    intake: IntakeApi,
    user: User,
    incident_id: str,
    entry: BoardEntry | None,
    now: datetime,
) -> IncidentDetail | None:
    """Supervisors and admins see any incident; an inspector only their own open case."""
    if user.role == "inspector":
        if not owns(user, entry):
            raise NotYours(incident_id)
    elif not may_enter(user.role, "supervisor"):
        raise NotYours(incident_id)
    await audit.view(pool, now, user.id, uuid.UUID(incident_id), f"{user.role}.detail")
    return await intake.incident(incident_id, personal=True)
