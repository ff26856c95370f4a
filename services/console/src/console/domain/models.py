"""What the console reads from intake and routing, as it uses it (unknown fields ignored)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field
from qorgau_contracts import Outcome

OUTCOMES: tuple[str, ...] = get_args(Outcome)


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Point(_Read):
    lat: float
    lon: float


class IncidentSummary(_Read):
    incident_id: str
    short_code: str
    channel: str
    received_at: datetime
    status: str
    district: str | None = None
    address_line: str = ""
    coordinates: Point | None = None
    priority: str = "standard"
    risk_level: str = "standard"
    risk_flags: list[str] = Field(default_factory=list)
    urgent: bool = False


class TimelineEntry(_Read):
    at: datetime
    status: str
    detail: dict[str, Any] = Field(default_factory=dict)


class IncidentDetail(IncidentSummary):
    timeline: list[TimelineEntry] = Field(default_factory=list)
    personal: dict[str, Any] | None = None


class ReportAccepted(_Read):
    incident_id: str
    short_code: str
    status: str
    district: str | None = None
    priority: str
    risk_level: str


class BoardEntry(_Read):
    incident_id: str
    short_code: str
    district: str | None = None
    priority: str = "standard"
    status: str
    reason: str | None = None
    age_s: int = 0
    officer_id: str | None = None
    attempt: int | None = None
    alert_status: str | None = None
    ack_deadline: datetime | None = None
    overdue: bool = False
    assignment_id: str | None = None  # asked for in NEEDS.md; the timeline has it meanwhile


class Board(_Read):
    generated_at: datetime
    open: list[BoardEntry] = Field(default_factory=list)


class Officer(_Read):
    id: str
    name: str
    home_district: str
    covers: list[str] = Field(default_factory=list)
    language: str = "ru"
    role: str = "inspector"
    active: bool = True
    status: str = "available"


class Shift(_Read):
    id: int
    officer_id: str
    starts_at: datetime
    ends_at: datetime


class StreetSuggestion(_Read):
    street: str
    district: str | None = None


class FieldProblem(_Read):
    field: str
    reason: str
