"""An inspector's answers from the console, and a supervisor's reassign and resolve.

Acknowledge and decline go to routing's own reply path (the one SMS replies take), never a
second set of rules here; see NEEDS.md.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Literal

from console.clients.errors import ApiError, NotAvailableYet, Rejected
from console.clients.ports import IntakeApi, Reply, RoutingApi
from console.db.users import User
from console.domain.models import BoardEntry
from console.domain.progress import current_assignment

from .personal_view import NotYours, owns

Result = Literal["done", "conflict", "not_available", "unreachable", "no_assignment"]


@dataclass(frozen=True)
class Outcome:
    result: Result
    detail: str = ""


async def assignment_of(intake: IntakeApi, entry: BoardEntry, officer_id: str | None) -> str | None:
    if entry.assignment_id:
        return entry.assignment_id
    detail = await intake.incident(entry.incident_id, personal=False)
    return current_assignment(detail.timeline, officer_id) if detail else None


async def _guarded(step: Awaitable[object]) -> Outcome:
    try:
        await step
    except NotAvailableYet as exc:
        return Outcome("not_available", exc.what)
    except Rejected:
        return Outcome("conflict")
    except ApiError:
        return Outcome("unreachable")
    return Outcome("done")


async def answer(
    intake: IntakeApi,
    routing: RoutingApi,
    user: User,
    entry: BoardEntry | None,
    action: Reply | Literal["resolve"],
    outcome: str | None = None,
) -> Outcome:
    if not owns(user, entry) or user.officer_id is None:
        raise NotYours(entry.incident_id if entry else "")
    assert entry is not None
    assignment = await assignment_of(intake, entry, user.officer_id)
    if assignment is None:
        return Outcome("no_assignment")
    if action == "resolve":
        return await _guarded(routing.resolve(assignment, outcome or "no_grounds_found"))
    return await _guarded(routing.reply(assignment, user.officer_id, action))


async def reassign(routing: RoutingApi, incident_id: str, officer_id: str, reason: str) -> Outcome:
    return await _guarded(routing.reassign(incident_id, officer_id, reason))


async def resolve_as_supervisor(
    intake: IntakeApi, routing: RoutingApi, entry: BoardEntry, outcome: str
) -> Outcome:
    assignment = await assignment_of(intake, entry, entry.officer_id)
    if assignment is None:
        return Outcome("no_assignment")
    return await _guarded(routing.resolve(assignment, outcome))


async def set_district(intake: IntakeApi, incident_id: str, district: str) -> Outcome:
    return await _guarded(intake.set_district(incident_id, district))
