"""Assignment policy: who takes a case, who is next, and when the supervisor is told.

Among on-shift, available inspectors of the incident's district pick the one with the
fewest open assignments, then the longest since their last assignment. Failing that,
an officer covering the district, then an on-shift inspector of a neighbouring
district, then the on-shift supervisor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .cases import Route
from .escalation import EscalationPolicy
from .roster import Role


@dataclass(frozen=True)
class Candidate:
    """An active officer as routing sees them at one moment."""

    officer_id: str
    home_district: str
    covers: frozenset[str]
    role: Role
    on_shift: bool
    available: bool
    open_assignments: int
    last_assigned_at: datetime | None


@dataclass(frozen=True)
class Chosen:
    officer_id: str
    route: Route


@dataclass(frozen=True)
class NoOfficer:
    reason: str


_NEVER = datetime.min.replace(tzinfo=UTC)


def _rank(c: Candidate) -> tuple[int, bool, datetime, str]:
    # Never assigned counts as the longest since the last assignment.
    last = c.last_assigned_at
    return (c.open_assignments, last is not None, last or _NEVER, c.officer_id)


def _least_loaded(pool: Iterable[Candidate]) -> Candidate | None:
    return min(pool, key=_rank, default=None)


def choose_officer(
    district: str | None,
    candidates: Sequence[Candidate],
    neighbours: Mapping[str, Sequence[str]],
    exclude: frozenset[str] = frozenset(),
) -> Chosen | NoOfficer:
    """Pick the officer for an incident; `exclude` holds officers already tried."""
    ready = [c for c in candidates if c.on_shift and c.available and c.officer_id not in exclude]
    inspectors = [c for c in ready if c.role == "inspector"]
    if district is not None:
        tiers: list[tuple[Route, list[Candidate]]] = [
            ("district", [c for c in inspectors if c.home_district == district]),
            ("covering", [c for c in inspectors if district in c.covers]),
            (
                "neighbour",
                [c for c in inspectors if c.home_district in set(neighbours.get(district, ()))],
            ),
        ]
        for route, pool in tiers:
            if (best := _least_loaded(pool)) is not None:
                return Chosen(best.officer_id, route)
    if (boss := _least_loaded(c for c in ready if c.role == "supervisor")) is not None:
        return Chosen(boss.officer_id, "supervisor")
    return NoOfficer("no officer or supervisor is on shift")


@dataclass(frozen=True)
class Exhausted:
    """Nobody left to try: the case goes to the supervisor's board as escalated."""

    reason: str


def next_officer(
    district: str | None,
    candidates: Sequence[Candidate],
    neighbours: Mapping[str, Sequence[str]],
    tried: frozenset[str],
    attempt: int,
    policy: EscalationPolicy,
) -> Chosen | Exhausted:
    """The officer for `attempt`, never one already tried; Exhausted past the maximum."""
    if attempt > policy.max_attempts:
        return Exhausted(f"no acknowledgement after {policy.max_attempts} attempts")
    decision = choose_officer(district, candidates, neighbours, exclude=tried)
    if isinstance(decision, NoOfficer):
        return Exhausted(decision.reason)
    return decision


def supervisor_to_tell(
    outcome: Chosen | Exhausted,
    attempt: int,
    candidates: Sequence[Candidate],
    policy: EscalationPolicy,
) -> str | None:
    """The on-shift supervisor to notify, if this step calls for it.

    The supervisor is told once a case reaches the second attempt, and whenever it runs out
    of officers, unless the supervisor is the one being assigned.
    """
    due = isinstance(outcome, Exhausted) or attempt == policy.supervisor_told_at_attempt
    if not due or (isinstance(outcome, Chosen) and outcome.route == "supervisor"):
        return None
    boss = _least_loaded(c for c in candidates if c.role == "supervisor" and c.on_shift)
    return boss.officer_id if boss else None
