"""What an operator sees of a report after filing it, and where an inspector's case stands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from .models import BoardEntry, IncidentSummary, TimelineEntry

Shown = Literal["reported", "assigned", "acknowledged", "escalated", "resolved", "unknown"]


_FROM_INTAKE: dict[str, Shown] = {
    "assigned": "assigned",
    "acknowledged": "acknowledged",
    "resolved": "resolved",
}


def shown_status(summary: IncidentSummary | None, entry: BoardEntry | None) -> Shown:
    """Routing knows escalation first; intake knows resolution (routing drops resolved cases)."""
    if entry is not None:
        if entry.status == "unassigned_escalated":
            return "escalated"
        if entry.status == "assigned":
            return "assigned"
        if entry.status == "acknowledged":
            return "acknowledged"
    if summary is None:
        return "unknown"
    return _FROM_INTAKE.get(summary.status, "reported")


def current_assignment(timeline: Iterable[TimelineEntry], officer_id: str | None) -> str | None:
    """The latest assignment (not a supervisor notice) given to `officer_id`."""
    found: str | None = None
    for entry in sorted(timeline, key=lambda e: e.at):
        detail = entry.detail
        if entry.status == "assigned" and (
            officer_id is None or detail.get("officer_id") == officer_id
        ):
            found = str(detail.get("assignment_id")) if detail.get("assignment_id") else found
    return found


def cases_of(entries: Iterable[BoardEntry], officer_id: str) -> list[BoardEntry]:
    """An inspector's own open cases: nobody else's is ever listed."""
    return [
        e
        for e in entries
        if e.officer_id == officer_id and e.status in ("assigned", "acknowledged")
    ]
