"""What a downstream event means for an incident's status: pure, order-tolerant rules.

Events may arrive late or twice, so a status only ever moves forward; every event still
leaves a line on the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from qorgau_contracts import (
    AlertUpdated,
    AssignmentUpdated,
    IncidentAssigned,
    IncidentResolved,
    IncidentUnassigned,
)

from .incident import Status

_RANK: dict[Status, int] = {
    "awaiting_triage": 0,
    "reported": 0,
    "waiting_for_officer": 1,
    "assigned": 1,
    "acknowledged": 2,
    "resolved": 3,
}


_ONE_STEP: frozenset[Status] = frozenset({"waiting_for_officer", "assigned"})


@dataclass(frozen=True)
class Progress:
    entry: str  # the timeline line
    status: Status | None  # the status it proposes, or None to leave it
    detail: dict[str, Any] = field(default_factory=dict)


def advance(current: Status, proposed: Status | None) -> Status:
    """The later of the two statuses; an unknown current status is kept. Waiting for an
    officer and assigned are one step: the latest of the two is shown."""
    if proposed is None or current not in _RANK:
        return current
    if {proposed, current} <= _ONE_STEP:
        return proposed
    return proposed if _RANK[proposed] > _RANK[current] else current


def moves_of(proposals: Iterable[Status | None]) -> dict[Status, Status]:
    """Where a run of proposals, applied in turn by `advance`, takes each status it moves (a
    status left out stays), so the statement that locks the incident can apply the rule to
    one event or to a batch's."""
    run = list(proposals)
    moves: dict[Status, Status] = {}
    for start in _RANK:
        status = start
        for proposed in run:
            status = advance(status, proposed)
        if status != start:
            moves[start] = status
    return moves


def on_assigned(event: IncidentAssigned) -> Progress:
    detail = {
        "assignment_id": str(event.assignment_id),
        "attempt": event.attempt,
        "officer_id": event.officer_id,
    }
    if event.purpose == "supervisor_notice":
        return Progress("supervisor_notice", None, detail)
    return Progress("assigned", "assigned", detail)


def on_alert(event: AlertUpdated) -> Progress:
    detail: dict[str, Any] = {"assignment_id": str(event.assignment_id), "provider": event.provider}
    if event.reason:
        detail["reason"] = event.reason[:200]
    # The SMS reply is not the acknowledgement: routing's `assignment.updated.v1` is.
    return Progress(f"alert_{event.status}", None, detail)


def on_assignment_updated(event: AssignmentUpdated) -> Progress:
    """Each attempt's end (or acceptance) with its officer, its outcome and why it moved on."""
    detail: dict[str, Any] = {
        "assignment_id": str(event.assignment_id),
        "attempt": event.attempt,
        "officer_id": event.officer_id,
    }
    if event.reason:
        detail["reason"] = event.reason[:200]
    if event.outcome:
        detail["outcome"] = event.outcome
    if event.changed:
        detail["changed"] = list(event.changed)
    if event.reply_verdict and event.reply_answer:
        detail["reply"] = {"answer": event.reply_answer, "verdict": event.reply_verdict}
    status: Status | None = (
        "acknowledged" if event.state == "acknowledged" and event.purpose == "assignment" else None
    )
    entry = (
        "assignment_updated"
        if event.changed and not event.reply_id
        else f"assignment_{event.state}"
    )
    return Progress(entry, status, detail)


def on_unassigned(event: IncidentUnassigned) -> Progress:
    detail = {
        "reason": event.reason,
        "attempts": event.attempts,
        "supervisor_told": event.supervisor_told,
    }
    return Progress("waiting_for_officer", "waiting_for_officer", detail)


def on_resolved(event: IncidentResolved) -> Progress:
    detail = {
        "assignment_id": str(event.assignment_id),
        "officer_id": event.officer_id,
        "outcome": event.outcome,
    }
    return Progress("resolved", "resolved", detail)
