"""An operator's report of a 102/111 call, and the rules that turn it into an incident."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from qorgau_common.errors import InvalidInput
from qorgau_common.text import multi_line, single_line
from qorgau_common.times import EventTime
from qorgau_contracts import Coordinates, DistrictId, Language, Priority

from .incident import Incident, Placement
from .linking import LinkTerm, address_term, phone_terms
from .phones import normalise_phone
from .streets import normalise_street
from .triage import Checklist, assess, raise_priority

CLOCK_SKEW = timedelta(minutes=5)

# One line that can reach an officer's SMS or a lookup key: cleaned by the shared layer
# (NFC, no controls, bidi and zero-width characters removed, at least one visible character).
ShortText = Annotated[str, StringConstraints(max_length=120), single_line(max_length=120)]
# What the caller said: newlines kept; it must say something.
Narrative = Annotated[str, StringConstraints(max_length=10_000), multi_line(max_length=10_000)]
Phone = Annotated[str, AfterValidator(normalise_phone)]


class Victim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText | None = Field(default=None, description="Optional; encrypted at rest.")
    phone: Phone | None = Field(
        default=None, description="Victim's phone, if known; encrypted at rest, used to link."
    )
    age_band: Literal["child", "18-29", "30-44", "45-59", "60+", "unknown"] = "unknown"
    sex: Literal["female", "male", "unknown"] = "unknown"


class CallerDetails(BaseModel):
    """Who called, when the operator asks (personal: sealed with the rest, never in events)."""

    model_config = ConfigDict(extra="forbid")

    name: ShortText | None = Field(default=None, description="Optional; encrypted at rest.")


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


class Report(BaseModel):
    """A 102 or 111 call typed in by an operator: the command `submit_report` carries out."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["call_102", "call_111"] = Field(description="Which line took the call.")
    call_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:-]{1,64}$")] = Field(
        description="The telephony system's call id; resending the same id creates nothing new."
    )
    received_at: EventTime | None = Field(
        default=None,
        description="When the call was received, with timezone (from 2000-01-01 to a few"
        " minutes from now); defaults to now.",
    )
    caller_phone: Phone = Field(description="Callback phone; normalised to E.164.")
    caller: CallerDetails | None = Field(
        default=None, description="The caller's name, if given; encrypted at rest."
    )
    victim: Victim = Field(default_factory=Victim)
    perpetrator_relation: Relation = "unknown"
    address: Address | None = Field(default=None, description="Address, or give coordinates.")
    coordinates: Coordinates | None = Field(default=None, description="Location, if known.")
    district: DistrictId | None = Field(
        default=None, description="District id; left out, the report waits for triage."
    )
    checklist: Checklist = Field(default_factory=Checklist)
    narrative: Narrative = Field(
        description="What the caller said, in Russian or Kazakh; encrypted at rest."
    )
    language: Language = "ru"
    priority: Priority | None = Field(
        default=None, description="Raise the computed priority; needs `priority_reason`."
    )
    priority_reason: ShortText | None = None
    exercise: bool = Field(default=False, description="Drill traffic; never reaches a real phone.")

    @model_validator(mode="after")
    def _place_and_reason(self) -> Report:
        if self.address is None and self.coordinates is None:
            raise ValueError("give the address or the coordinates")
        if self.priority is not None and self.priority_reason is None:
            raise ValueError("raising the priority needs a priority_reason")
        return self


class ReportRejected(InvalidInput):
    title = "Invalid report"


def address_line(report: Report) -> str:
    if report.address is None:
        assert report.coordinates is not None
        return f"коорд. {report.coordinates.lat:.5f}, {report.coordinates.lon:.5f}"
    a = report.address
    parts = [a.street, a.house or "", f"кв {a.apartment}" if a.apartment else ""]
    line = " ".join(p for p in parts if p)
    return f"{line} ({a.landmark})" if a.landmark else line


def check_received_at(report: Report, now: datetime) -> datetime:
    if report.received_at is not None and report.received_at > now + CLOCK_SKEW:
        raise ReportRejected("received_at", "is in the future")
    return report.received_at or now


def personal_record(report: Report) -> bytes:
    """What is sealed with the incident: the people in it and what the caller said."""
    return json.dumps(
        {
            "caller_phone": report.caller_phone,
            "caller_name": report.caller.name if report.caller else None,
            "victim_name": report.victim.name,
            "victim_phone": report.victim.phone,
            "narrative": report.narrative,
        },
        ensure_ascii=False,
    ).encode()


def link_terms(report: Report) -> list[LinkTerm]:
    terms = phone_terms(report.caller_phone, report.victim.phone)
    if report.address is not None:
        street_key = normalise_street(report.address.street)
        term = address_term(street_key, report.address.house, report.address.apartment)
        if term is not None:
            terms.append(term)
    return terms


def accept_report(
    report: Report,
    now: datetime,
    short_code: str,
    *,
    placement: Placement | None = None,
    linked: tuple[uuid.UUID, ...] = (),
) -> Incident:
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
    return Incident(
        id=uuid.uuid4(),
        short_code=short_code,
        channel=report.channel,
        received_at=received_at,
        status="reported" if placement.district else "awaiting_triage",
        district=placement.district,
        district_unresolved_reason=placement.reason if not placement.district else None,
        address_line=address_line(report)[:200],
        priority=raise_priority(assessed.priority, report.priority),
        priority_reason=report.priority_reason,
        risk_level=assessed.risk_level,
        risk_flags=assessed.flags,
        coordinates=report.coordinates,
        checklist=report.checklist,
        linked_incident_ids=linked,
        gazetteer_version=placement.gazetteer_version,
        district_source=placement.source,
        language=report.language,
        exercise=report.exercise,
    )
