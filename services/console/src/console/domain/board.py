"""The supervisor's board: open incidents sorted into columns, filtered, most urgent first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from .models import BoardEntry, IncidentSummary

Column = Literal["unassigned", "waiting", "escalated", "unassignable", "acknowledged"]
COLUMNS: tuple[Column, ...] = ("unassigned", "waiting", "escalated", "unassignable", "acknowledged")
PRIORITY_RANK = {"danger_now": 0, "high": 1, "standard": 2}
_OPEN_IN_INTAKE = frozenset({"reported", "awaiting_triage"})


@dataclass(frozen=True)
class Filters:
    district: str | None = None
    priority: str | None = None
    channel: str | None = None

    def keeps(self, card: Card) -> bool:
        return (
            (not self.district or (card.district or "none") == self.district)
            and (not self.priority or card.priority == self.priority)
            and (not self.channel or card.channel == self.channel)
        )


@dataclass(frozen=True)
class Card:
    incident_id: str
    short_code: str
    column: Column
    district: str | None
    priority: str
    channel: str | None
    received_at: datetime | None
    address_line: str
    risk_level: str
    officer_id: str | None = None
    attempt: int | None = None
    ack_deadline: datetime | None = None
    overdue: bool = False
    reason: str | None = None


@dataclass
class BoardView:
    columns: dict[Column, list[Card]] = field(default_factory=lambda: {c: [] for c in COLUMNS})

    @property
    def total(self) -> int:
        return sum(len(cards) for cards in self.columns.values())


def column_of(entry: BoardEntry) -> Column:
    if entry.district is None:
        return "unassignable"
    if entry.status == "unassigned_escalated":
        return "escalated"
    if entry.status == "assigned":
        return "waiting"
    if entry.status == "acknowledged":
        return "acknowledged"
    return "unassigned"


def _card(entry: BoardEntry, summary: IncidentSummary | None) -> Card:
    return Card(
        incident_id=entry.incident_id,
        short_code=entry.short_code,
        column=column_of(entry),
        district=entry.district,
        priority=entry.priority,
        channel=summary.channel if summary else None,
        received_at=summary.received_at if summary else None,
        address_line=summary.address_line if summary else "",
        risk_level=summary.risk_level if summary else "standard",
        officer_id=entry.officer_id,
        attempt=entry.attempt,
        ack_deadline=entry.ack_deadline,
        overdue=entry.overdue,
        reason=entry.reason,
    )


def _not_yet_routed(summary: IncidentSummary) -> Card:
    return Card(
        incident_id=summary.incident_id,
        short_code=summary.short_code,
        column="unassigned" if summary.district else "unassignable",
        district=summary.district,
        priority=summary.priority,
        channel=summary.channel,
        received_at=summary.received_at,
        address_line=summary.address_line,
        risk_level=summary.risk_level,
    )


def _urgency(card: Card) -> tuple[int, float]:
    received = card.received_at.timestamp() if card.received_at else 0.0
    return PRIORITY_RANK.get(card.priority, 3), received


def build_board(
    entries: Iterable[BoardEntry],
    summaries: Mapping[str, IncidentSummary],
    filters: Filters = Filters(),
) -> BoardView:
    """Routing's open cases, plus intake's reports routing has not answered yet."""
    view = BoardView()
    seen: set[str] = set()
    cards: list[Card] = []
    for entry in entries:
        seen.add(entry.incident_id)
        cards.append(_card(entry, summaries.get(entry.incident_id)))
    for summary in summaries.values():
        if summary.incident_id not in seen and summary.status in _OPEN_IN_INTAKE:
            cards.append(_not_yet_routed(summary))
    for card in sorted(cards, key=_urgency):
        if filters.keeps(card):
            view.columns[card.column].append(card)
    return view
