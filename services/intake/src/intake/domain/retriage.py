"""Completing triage later: a district, a checklist, or urgent words arrive after intake.

Pure: the use case loads the incident's triage state, applies `retriage`, stores the result
and publishes a new `incident.reported.v1` when `now_reported` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from qorgau_common.errors import Conflict
from qorgau_contracts import Priority, RiskLevel

from .incident import DistrictSource, Incident, Status
from .triage import Checklist, assess, raise_priority

URGENT_FLAG = "urgent_words"


@dataclass(frozen=True)
class TriageState:
    status: Status
    district: str | None
    district_source: DistrictSource | None
    district_unresolved_reason: str | None
    checklist: Checklist
    repeat: bool
    urgent: bool
    priority: Priority
    priority_reason: str | None
    risk_level: RiskLevel
    risk_flags: tuple[str, ...]


def triage_state(incident: Incident) -> TriageState:
    return TriageState(
        status=incident.status,
        district=incident.district,
        district_source=incident.district_source,
        district_unresolved_reason=incident.district_unresolved_reason,
        checklist=incident.checklist,
        repeat=bool(incident.linked_incident_ids),
        urgent=incident.urgent,
        priority=incident.priority,
        priority_reason=incident.priority_reason,
        risk_level=incident.risk_level,
        risk_flags=incident.risk_flags,
    )


def retriage(
    state: TriageState,
    *,
    district: str | None = None,
    district_source: DistrictSource = "triage",
    checklist: Checklist | None = None,
    urgent: bool = False,
) -> TriageState:
    """The state after a triage step; risk and priority recomputed from the checklist.

    A district can only be set while the incident waits for one: once routed, moving it is
    a reassignment, which is routing's job.
    """
    if district is not None and state.district is not None and district != state.district:
        raise Conflict("district", "the incident already has a district; reassign it in routing")
    new = state
    if district is not None and state.district is None:
        new = replace(
            new,
            district=district,
            district_source=district_source,
            district_unresolved_reason=None,
            status="reported" if state.status == "awaiting_triage" else state.status,
        )
    chosen = checklist if checklist is not None else state.checklist
    assessed = assess(chosen, repeat=state.repeat)
    is_urgent = state.urgent or urgent
    # An operator's raise (it has a reason) survives; the checklist may raise it further.
    kept = state.priority if state.priority_reason else None
    return replace(
        new,
        checklist=chosen,
        urgent=is_urgent,
        risk_level=assessed.risk_level,
        priority=raise_priority(assessed.priority, kept),
        risk_flags=(*assessed.flags, URGENT_FLAG) if is_urgent else assessed.flags,
    )


_PRIORITY_RANK: dict[Priority, int] = {"standard": 0, "high": 1, "danger_now": 2}
_RISK_RANK: dict[RiskLevel, int] = {"standard": 0, "medium": 1, "high": 2}


def now_reported(before: TriageState, after: TriageState) -> bool:
    """Routing must hear of it again, whatever the status: a district found, or a priority
    or risk rise (routing moves the case, shortens the deadline, tells the officer)."""
    return (
        (before.district is None and after.district is not None)
        or _PRIORITY_RANK[after.priority] > _PRIORITY_RANK[before.priority]
        or _RISK_RANK[after.risk_level] > _RISK_RANK[before.risk_level]
    )
