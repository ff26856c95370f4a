"""What the console needs from intake and routing; real clients and fakes implement these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from console.domain.models import (
    Board,
    IncidentDetail,
    IncidentSummary,
    Officer,
    ReportAccepted,
    Shift,
    StreetSuggestion,
)

Reply = Literal["acknowledge", "decline"]
OfficerStatus = Literal["available", "busy", "off"]


class IntakeApi(Protocol):
    async def submit_report(self, report: dict[str, Any]) -> ReportAccepted:
        """201/200 → accepted; 4xx with field problems → `Rejected`."""
        ...

    async def incidents(self, limit: int = 200) -> list[IncidentSummary]: ...

    async def incident(self, incident_id: str, *, personal: bool) -> IncidentDetail | None:
        """`personal=True` uses the supervisor token: intake decrypts and audits the view."""
        ...

    async def set_district(self, incident_id: str, district: str) -> IncidentDetail: ...

    async def street_suggestions(self, prefix: str) -> Sequence[StreetSuggestion]:
        """intake `POST /v1/gazetteer/streets/search` (what is typed stays out of URLs)."""
        ...

    async def ready(self) -> bool: ...


class RosterApi(Protocol):
    """routing's roster API (`routing/http/roster.py`), as a supervisor changes it."""

    async def set_status(self, officer_id: str, status: OfficerStatus) -> None:
        """`PUT /v1/officers/{id}/status`; `Rejected` (404) for an unknown officer."""
        ...

    async def add_shift(self, officer_id: str, starts_at: datetime, ends_at: datetime) -> int:
        """`POST /v1/shifts`: the new shift's id; `Rejected` (409) when it overlaps another."""
        ...

    async def remove_shift(self, shift_id: int) -> None:
        """`DELETE /v1/shifts/{id}`; `Rejected` (404) when it is gone already."""
        ...


class RoutingApi(Protocol):
    async def board(self) -> Board: ...

    async def officers(self) -> list[Officer]: ...

    async def shifts(self, since: datetime, until: datetime) -> list[Shift]: ...

    async def reassign(self, incident_id: str, officer_id: str, reason: str) -> int: ...

    async def resolve(self, assignment_id: str, outcome: str) -> None: ...

    async def reply(self, assignment_id: str, officer_id: str, reply: Reply) -> str:
        """NEEDS.md: POST /v1/assignments/{id}/reply, routing's SMS-reply rules; the new
        assignment status. `NotAvailableYet` on 404 of the path."""
        ...

    async def ready(self) -> bool: ...
