"""Risk triage from the operator's checklist: a pure, table-driven mapping.

Modelled on the police DASH questions. Any "danger now" answer is an emergency; a
single high-harm indicator makes the risk high; the other indicators add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from qorgau_contracts import Priority, RiskLevel


class Checklist(BaseModel):
    """Yes/no answers; an unanswered question counts as no."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    danger_now: bool = Field(default=False, description="The caller is in danger right now.")
    weapon: bool = Field(default=False, description="A weapon was used or threatened.")
    strangulation: bool = Field(default=False, description="Strangulation or choking.")
    threats_to_kill: bool = Field(default=False, description="Threats to kill.")
    injuries: bool = Field(default=False, description="Visible or reported injuries.")
    children_present: bool = Field(default=False, description="Children in the home.")
    pregnancy: bool = Field(default=False, description="The victim is pregnant.")
    recent_separation: bool = Field(default=False, description="Separation in the last months.")
    stalking: bool = Field(default=False, description="Stalking or harassment.")
    earlier_reports: bool = Field(default=False, description="Earlier reports about this.")
    protective_order_breached: bool = Field(
        default=False, description="A protective order (защитное предписание) was breached."
    )


WEIGHTS: Mapping[str, int] = {
    "danger_now": 3,
    "weapon": 3,
    "strangulation": 3,
    "threats_to_kill": 3,
    "protective_order_breached": 3,
    "injuries": 1,
    "children_present": 1,
    "pregnancy": 1,
    "recent_separation": 1,
    "stalking": 1,
    "earlier_reports": 1,
}
# (minimum score, level), checked from the top.
LEVELS: tuple[tuple[int, RiskLevel], ...] = ((3, "high"), (1, "medium"), (0, "standard"))
PRIORITY_BY_LEVEL: Mapping[RiskLevel, Priority] = {
    "high": "high",
    "medium": "standard",
    "standard": "standard",
}
_ORDER: tuple[Priority, ...] = ("standard", "high", "danger_now")
_RISK_ORDER: tuple[RiskLevel, ...] = ("standard", "medium", "high")


@dataclass(frozen=True)
class Assessment:
    risk_level: RiskLevel
    priority: Priority
    flags: tuple[str, ...]


def assess(checklist: Checklist, *, repeat: bool = False) -> Assessment:
    """Risk level, priority and the flags answered yes. A repeat report raises the level."""
    answers = checklist.model_dump()
    flags = tuple(name for name in WEIGHTS if answers[name])
    score = sum(WEIGHTS[name] for name in flags)
    level = next(level for minimum, level in LEVELS if score >= minimum)
    if repeat:
        level = _RISK_ORDER[min(_RISK_ORDER.index(level) + 1, len(_RISK_ORDER) - 1)]
        flags = (*flags, "repeat")
    priority: Priority = "danger_now" if checklist.danger_now else PRIORITY_BY_LEVEL[level]
    return Assessment(risk_level=level, priority=priority, flags=flags)


def raise_priority(assessed: Priority, requested: Priority | None) -> Priority:
    """An operator may raise the priority, never lower it."""
    if requested is None:
        return assessed
    return max(assessed, requested, key=_ORDER.index)
