"""Facts learnt after routing: what changed, and how an open deadline shortens. Pure."""

from __future__ import annotations

from datetime import datetime

from qorgau_contracts import FactChange, Priority, RiskLevel

from .cases import Incident
from .escalation import EscalationPolicy

_PRIORITY_RANK: dict[Priority, int] = {"standard": 0, "high": 1, "danger_now": 2}
_RISK_RANK: dict[RiskLevel, int] = {"standard": 0, "medium": 1, "high": 2}


def changed_facts(
    known: Incident,
    district: str | None,
    priority: Priority,
    risk_level: RiskLevel,
    address_line: str,
) -> tuple[FactChange, ...]:
    """What the officer must hear of: a found district, a rise, a new address line.

    A lowered priority or risk is recorded but is no reason to text anyone."""
    changes: list[FactChange] = []
    if known.district is None and district is not None:
        changes.append("district")
    if _PRIORITY_RANK[priority] > _PRIORITY_RANK[known.priority]:
        changes.append("priority")
    if _RISK_RANK[risk_level] > _RISK_RANK[known.risk_level]:
        changes.append("risk_level")
    if address_line.strip() and address_line != known.address_line:
        changes.append("address_line")
    return tuple(changes)


def shortened_deadline(
    current: datetime, priority: Priority, policy: EscalationPolicy, now: datetime
) -> datetime:
    """A rise gives the officer the new priority's time from now, never more than before."""
    return min(current, policy.ack_deadline(priority, now))
