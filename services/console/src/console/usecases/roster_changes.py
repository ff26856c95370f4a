"""A supervisor changes the roster through routing's roster API: an officer's status, a
shift added for today or tomorrow, a shift removed. Each attempt is audited in the
console's own `action_audit`, by the person, with its result."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from console.clients.errors import ApiError, Rejected
from console.clients.ports import OfficerStatus, RosterApi
from console.db import audit
from console.db.users import User
from console.domain.field_rules import Problem
from console.domain.messages import N_
from console.domain.roster_form import shift_window

Result = Literal["done", "refused", "unreachable"]
STATUSES: dict[str, OfficerStatus] = {"available": "available", "busy": "busy", "off": "off"}


@dataclass(frozen=True)
class Change:
    result: Result
    message: str = ""  # a message id, shown next to the officer's row


def _refusal(exc: Rejected) -> str:
    fields = {p.field for p in exc.problems}
    if exc.status == 409 or "starts_at" in fields:
        return N_("This shift overlaps another shift of the officer.")
    if exc.status == 404:
        return N_("routing does not know this officer or shift (any more). Look again.")
    return N_("routing did not accept this change.")


async def _attempt(
    pool: asyncpg.Pool,
    user: User,
    now: datetime,
    action: str,
    subject: str,
    detail: dict[str, Any],
    step: Awaitable[object],
) -> Change:
    try:
        await step
        change = Change("done")
    except Rejected as exc:
        change = Change("refused", _refusal(exc))
    except ApiError:
        change = Change("unreachable", N_("Not done: the service is not answering. Try again."))
    await audit.action(pool, now, user.id, action, subject, detail, change.result)
    return change


async def set_status(
    pool: asyncpg.Pool, roster: RosterApi, user: User, officer_id: str, status: str, now: datetime
) -> Change:
    wanted = STATUSES.get(status)
    if wanted is None:
        return Change("refused", N_("Choose available, busy or off."))
    return await _attempt(
        pool,
        user,
        now,
        "officer.status",
        officer_id,
        {"status": wanted},
        roster.set_status(officer_id, wanted),
    )


async def add_shift(
    pool: asyncpg.Pool,
    roster: RosterApi,
    user: User,
    officer_id: str,
    form: dict[str, str],
    now: datetime,
) -> Change:
    window = shift_window(form.get("day", ""), form.get("starts", ""), form.get("ends", ""), now)
    if isinstance(window, Problem):
        return Change("refused", window.message)
    starts_at, ends_at = window
    detail = {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}
    return await _attempt(
        pool,
        user,
        now,
        "shift.create",
        officer_id,
        detail,
        roster.add_shift(officer_id, starts_at, ends_at),
    )


async def remove_shift(
    pool: asyncpg.Pool, roster: RosterApi, user: User, officer_id: str, shift_id: int, now: datetime
) -> Change:
    return await _attempt(
        pool,
        user,
        now,
        "shift.delete",
        officer_id,
        {"shift_id": shift_id},
        roster.remove_shift(shift_id),
    )
