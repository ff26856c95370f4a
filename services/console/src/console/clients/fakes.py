"""In-memory intake and routing sharing one world: for tests and page-weight measurements.

They follow the real APIs' visible rules (personal fields only with the personal token,
resolved cases leave the board, a closed assignment cannot be answered), nothing more.
"""

from __future__ import annotations

import random
import string
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from console.domain.models import (
    Board,
    BoardEntry,
    FieldProblem,
    IncidentDetail,
    IncidentSummary,
    Officer,
    Point,
    ReportAccepted,
    Shift,
    StreetSuggestion,
    TimelineEntry,
)

from .errors import NotAvailableYet, Rejected
from .ports import OfficerStatus, Reply

STREETS = (
    StreetSuggestion(street="ул. Сыганак", district="yesil"),
    StreetSuggestion(street="ул. Кенесары", district="saryarka"),
    StreetSuggestion(street="пр. Абая", district="saryarka"),
    StreetSuggestion(street="ул. Әлихан Бөкейхан", district="yesil"),
    StreetSuggestion(street="ул. Жұбанов", district="almaty"),
)
OFFICERS = (
    Officer(id="YSL-01", name="Серикова А.", home_district="yesil"),
    Officer(id="YSL-02", name="Әлиев Қ.", home_district="yesil", language="kk"),
    Officer(id="ALM-01", name="Ахметов А.", home_district="almaty"),
    Officer(id="SUP-01", name="Дежурный 1", home_district="baikonyr", role="supervisor"),
)


@dataclass
class FakeCase:
    summary: IncidentSummary
    personal: dict[str, Any]
    status: str = "assigned"
    officer_id: str | None = None
    assignment_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    attempt: int = 1
    ack_deadline: datetime | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)


@dataclass
class FakeWorld:
    cases: dict[str, FakeCase] = field(default_factory=dict)
    officers: list[Officer] = field(default_factory=lambda: list(OFFICERS))
    personal_views: list[str] = field(default_factory=list)
    shifts: list[Shift] | None = None  # None: each officer on a 12-hour shift from now
    streets_available: bool = True
    replies_available: bool = True
    up: bool = True

    def add(
        self,
        district: str | None = "yesil",
        officer_id: str | None = "YSL-01",
        priority: str = "high",
        personal: dict[str, Any] | None = None,
        now: datetime | None = None,
        channel: str = "call_102",
    ) -> FakeCase:
        now = now or datetime.now(UTC)
        incident_id = str(uuid.uuid4())
        code = "".join(random.choices(string.ascii_uppercase, k=4))
        summary = IncidentSummary(
            incident_id=incident_id,
            short_code=code,
            channel=channel,
            received_at=now,
            status="assigned" if officer_id else "reported",
            district=district,
            address_line="Есиль, ул. Сыганак 10 кв 5",
            coordinates=Point(lat=51.128, lon=71.43),
            priority=priority,
            risk_level="high" if priority != "standard" else "standard",
            risk_flags=["weapon"],
        )
        case = FakeCase(
            summary,
            personal or {"victim_name": "Айгүл", "victim_phone": "+77011234567", "narrative": "…"},
            status="assigned" if officer_id else "routing",
            officer_id=officer_id,
            ack_deadline=now + timedelta(minutes=5),
        )
        case.timeline.append(TimelineEntry(at=now, status="reported"))
        if officer_id:
            case.timeline.append(self._assigned(case, now))
        self.cases[incident_id] = case
        return case

    def _assigned(self, case: FakeCase, now: datetime) -> TimelineEntry:
        detail = {"assignment_id": case.assignment_id, "officer_id": case.officer_id}
        return TimelineEntry(at=now, status="assigned", detail=detail)

    def set_status(self, incident_id: str, status: str) -> None:
        case = self.cases[incident_id]
        case.status = status
        intake_status = {"unassigned_escalated": "assigned"}.get(status, status)
        case.summary = case.summary.model_copy(update={"status": intake_status})
        case.timeline.append(TimelineEntry(at=datetime.now(UTC), status=intake_status))


class FakeIntake:
    def __init__(self, world: FakeWorld) -> None:
        self.world = world
        self.submitted: list[dict[str, Any]] = []

    async def submit_report(self, report: dict[str, Any]) -> ReportAccepted:
        if report.get("caller_phone", "").startswith("000"):
            raise Rejected(422, [])
        self.submitted.append(report)
        case = self.world.add(district=report.get("district"), priority="high")
        return ReportAccepted(
            incident_id=case.summary.incident_id,
            short_code=case.summary.short_code,
            status="reported",
            district=case.summary.district,
            priority="high",
            risk_level="high",
        )

    async def incidents(self, limit: int = 200) -> list[IncidentSummary]:
        found = [c.summary for c in self.world.cases.values()]
        return sorted(found, key=lambda s: s.received_at, reverse=True)[:limit]

    async def incident(self, incident_id: str, *, personal: bool) -> IncidentDetail | None:
        case = self.world.cases.get(incident_id)
        if case is None:
            return None
        if personal:
            self.world.personal_views.append(incident_id)
        return IncidentDetail(
            **case.summary.model_dump(),
            timeline=case.timeline,
            personal=dict(case.personal) if personal else None,
        )

    async def set_district(self, incident_id: str, district: str) -> IncidentDetail:
        case = self.world.cases[incident_id]
        case.summary = case.summary.model_copy(update={"district": district})
        detail = await self.incident(incident_id, personal=False)
        assert detail is not None
        return detail

    async def street_suggestions(self, prefix: str) -> Sequence[StreetSuggestion]:
        if not self.world.streets_available:
            raise NotAvailableYet("street suggestions")
        wanted = prefix.casefold()
        return [s for s in STREETS if wanted in s.street.casefold()]

    async def ready(self) -> bool:
        return self.world.up


class FakeRouting:
    def __init__(self, world: FakeWorld) -> None:
        self.world = world

    async def board(self) -> Board:
        now = datetime.now(UTC)
        entries = [
            BoardEntry(
                incident_id=c.summary.incident_id,
                short_code=c.summary.short_code,
                district=c.summary.district,
                priority=c.summary.priority,
                status=c.status,
                officer_id=c.officer_id,
                attempt=c.attempt,
                ack_deadline=c.ack_deadline if c.status == "assigned" else None,
                age_s=round((now - c.summary.received_at).total_seconds()),
            )
            for c in self.world.cases.values()
            if c.status != "resolved"
        ]
        return Board(generated_at=now, open=entries)

    async def officers(self) -> list[Officer]:
        return list(self.world.officers)

    async def shifts(self, since: datetime, until: datetime) -> list[Shift]:
        if self.world.shifts is None:
            start = since.replace(minute=0, second=0, microsecond=0)
            self.world.shifts = [
                Shift(id=n, officer_id=o.id, starts_at=start, ends_at=start + timedelta(hours=12))
                for n, o in enumerate(self.world.officers, start=1)
            ]
        return [s for s in self.world.shifts if s.ends_at > since and s.starts_at < until]

    # The roster API (RosterApi), with routing's refusals.
    async def set_status(self, officer_id: str, status: OfficerStatus) -> None:
        found = [n for n, o in enumerate(self.world.officers) if o.id == officer_id]
        if not found:
            raise Rejected(404, [FieldProblem(field="officer_id", reason="no such officer")])
        officer = self.world.officers[found[0]]
        self.world.officers[found[0]] = officer.model_copy(update={"status": status})

    async def add_shift(self, officer_id: str, starts_at: datetime, ends_at: datetime) -> int:
        shifts = self.world.shifts if self.world.shifts is not None else []
        if not any(o.id == officer_id for o in self.world.officers):
            raise Rejected(422, [FieldProblem(field="officer_id", reason="no such officer")])
        if any(
            s.officer_id == officer_id and s.starts_at < ends_at and starts_at < s.ends_at
            for s in shifts
        ):
            raise Rejected(409, [FieldProblem(field="starts_at", reason="overlaps")])
        shift_id = max((s.id for s in shifts), default=0) + 1
        shifts.append(
            Shift(id=shift_id, officer_id=officer_id, starts_at=starts_at, ends_at=ends_at)
        )
        self.world.shifts = shifts
        return shift_id

    async def remove_shift(self, shift_id: int) -> None:
        shifts = self.world.shifts or []
        if not any(s.id == shift_id for s in shifts):
            raise Rejected(404, [FieldProblem(field="shift_id", reason="no such shift")])
        self.world.shifts = [s for s in shifts if s.id != shift_id]

    def _by_assignment(self, assignment_id: str) -> FakeCase:
        for case in self.world.cases.values():
            if case.assignment_id == assignment_id:
                return case
        raise Rejected(404, [])

    async def reassign(self, incident_id: str, officer_id: str, reason: str) -> int:
        case = self.world.cases.get(incident_id)
        if case is None or case.status == "resolved":
            raise Rejected(409, [])
        case.officer_id, case.attempt = officer_id, case.attempt + 1
        case.assignment_id = str(uuid.uuid4())
        self.world.set_status(incident_id, "assigned")
        case.timeline.append(self.world._assigned(case, datetime.now(UTC)))
        return case.attempt

    async def resolve(self, assignment_id: str, outcome: str) -> None:
        case = self._by_assignment(assignment_id)
        if case.status not in ("assigned", "acknowledged"):
            raise Rejected(409, [])
        self.world.set_status(case.summary.incident_id, "resolved")

    async def reply(self, assignment_id: str, officer_id: str, reply: Reply) -> str:
        if not self.world.replies_available:
            raise NotAvailableYet("acknowledge and decline from the console")
        case = self._by_assignment(assignment_id)
        if case.officer_id != officer_id or case.status != "assigned":
            raise Rejected(409, [])
        if reply == "acknowledge":
            self.world.set_status(case.summary.incident_id, "acknowledged")
            return "acknowledged"
        self.world.set_status(case.summary.incident_id, "unassigned_escalated")
        case.officer_id = None
        return "declined"

    async def ready(self) -> bool:
        return self.world.up
