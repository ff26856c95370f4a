"""The operator's report (API input) and the pure rules that turn it into an incident."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from qorgau_common.problems import InvalidInput
from qorgau_contracts import Coordinates, DistrictId, Language, Priority, RiskLevel

from .phones import normalise_phone
from .triage import Checklist, assess, raise_priority

CLOCK_SKEW = timedelta(minutes=5)
SHORT_CODE_ALPHABET = "ACDEFHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B lookalikes

_CONTROL = frozenset(chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _plain_text(value: str) -> str:
    """No control characters (tab and newlines are fine) and no lone UTF-16 surrogates."""
    if any(ch in _CONTROL or "\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("must not contain control characters")
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_plain_text)
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
    AfterValidator(_plain_text),
]
Phone = Annotated[str, AfterValidator(normalise_phone)]


class Victim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText | None = Field(default=None, description="Optional; encrypted at rest.")
    phone: Phone | None = Field(
        default=None, description="Victim's phone, if known; encrypted at rest, used to link."
    )
    age_band: Literal["child", "18-29", "30-44", "45-59", "60+", "unknown"] = "unknown"
    sex: Literal["female", "male", "unknown"] = "unknown"


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: ShortText = Field(description="Street, e.g. `ул. Сыганак`.")
    house: ShortText | None = Field(default=None, description="House number.")
    apartment: ShortText | None = Field(default=None, description="Apartment.")
    landmark: ShortText | None = Field(default=None, description="Landmark, if no number.")


Relation = Literal[
    "spouse",
    "former_spouse",
    "partner",
    "former_partner",
    "parent",
    "child",
    "sibling",
    "other_relative",
    "other",
    "unknown",
]


class ReportIn(BaseModel):
    """A 102 or 111 call typed in by an operator."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "channel": "call_102",
                    "call_id": "102-2026-000123",
                    "caller_phone": "8 701 234 56 78",
                    "victim": {"age_band": "30-44", "sex": "female"},
                    "perpetrator_relation": "spouse",
                    "address": {"street": "ул. Сыганак", "house": "10", "apartment": "5"},
                    "district": "yesil",
                    "checklist": {"weapon": True, "children_present": True},
                    "narrative": "Муж угрожает ножом, дети дома.",
                    "language": "ru",
                }
            ]
        },
    )

    channel: Literal["call_102", "call_111"] = Field(description="Which line took the call.")
    call_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$")] = Field(
        description="The telephony system's call id; resending the same id creates nothing new."
    )
    received_at: AwareDatetime | None = Field(
        default=None,
        description="When the call was received, with timezone; defaults to now.",
    )
    caller_phone: Phone = Field(description="Callback phone; normalised to E.164.")
    victim: Victim = Field(default_factory=Victim)
    perpetrator_relation: Relation = "unknown"
    address: Address | None = Field(default=None, description="Address, or give coordinates.")
    coordinates: Coordinates | None = Field(default=None, description="Location, if known.")
    district: DistrictId | None = Field(
        default=None, description="District id; left out, the report waits for triage."
    )
    checklist: Checklist = Field(default_factory=Checklist)
    narrative: Annotated[Text, StringConstraints(max_length=10_000)] = Field(
        description="What the caller said, in Russian or Kazakh; encrypted at rest."
    )
    language: Language = "ru"
    priority: Priority | None = Field(
        default=None, description="Raise the computed priority; needs `priority_reason`."
    )
    priority_reason: ShortText | None = None
    exercise: bool = Field(default=False, description="Drill traffic; never reaches a real phone.")

    @model_validator(mode="after")
    def _place_and_reason(self) -> ReportIn:
        if self.address is None and self.coordinates is None:
            raise ValueError("give the address or the coordinates")
        if self.priority is not None and self.priority_reason is None:
            raise ValueError("raising the priority needs a priority_reason")
        return self


class ReportAccepted(BaseModel):
    incident_id: uuid.UUID
    short_code: str
    status: str
    district: str | None
    priority: Priority
    risk_level: RiskLevel


class ReportRejected(InvalidInput):
    title = "Invalid report"


@dataclass(frozen=True)
class NewIncident:
    id: uuid.UUID
    short_code: str
    received_at: datetime
    status: str
    district: str | None
    district_unresolved_reason: str | None
    address_line: str
    priority: Priority
    priority_reason: str | None
    risk_level: RiskLevel
    risk_flags: tuple[str, ...]
    checklist: Checklist = field(default_factory=Checklist)
    linked_incident_ids: tuple[uuid.UUID, ...] = ()
    gazetteer_version: int | None = None
    district_source: str | None = None
    urgent: bool = False


@dataclass(frozen=True)
class Placement:
    """Where the district came from when the operator did not give one."""

    district: str | None
    reason: str | None
    gazetteer_version: int | None = None
    source: str | None = None


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(4))


def address_line(report: ReportIn) -> str:
    if report.address is None:
        assert report.coordinates is not None
        return f"коорд. {report.coordinates.lat:.5f}, {report.coordinates.lon:.5f}"
    a = report.address
    parts = [a.street, a.house or "", f"кв {a.apartment}" if a.apartment else ""]
    line = " ".join(p for p in parts if p)
    return f"{line} ({a.landmark})" if a.landmark else line


def check_received_at(report: ReportIn, now: datetime) -> datetime:
    if report.received_at is not None and report.received_at > now + CLOCK_SKEW:
        raise ReportRejected("received_at", "is in the future")
    return report.received_at or now


def accept_report(
    report: ReportIn,
    now: datetime,
    short_code: str,
    *,
    placement: Placement | None = None,
    linked: tuple[uuid.UUID, ...] = (),
) -> NewIncident:
    """Decide status, district, priority and risk for a valid report.

    An operator's district wins; otherwise `placement` (the gazetteer's answer) decides,
    and without one the report waits for triage. Linked earlier reports raise the risk.
    """
    received_at = check_received_at(report, now)
    if report.district:
        placement = Placement(report.district, None, source="operator")
    elif placement is None:
        placement = Placement(None, "district not given")
    assessed = assess(report.checklist, repeat=bool(linked))
    return NewIncident(
        id=uuid.uuid4(),
        short_code=short_code,
        received_at=received_at,
        status="reported" if placement.district else "awaiting_triage",
        district=placement.district,
        district_unresolved_reason=placement.reason if not placement.district else None,
        address_line=address_line(report)[:200],
        priority=raise_priority(assessed.priority, report.priority),
        priority_reason=report.priority_reason,
        risk_level=assessed.risk_level,
        risk_flags=assessed.flags,
        checklist=report.checklist,
        linked_incident_ids=linked,
        gazetteer_version=placement.gazetteer_version,
        district_source=placement.source,
    )
