"""The incident as intake keeps it, and the rules every new incident shares."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from qorgau_contracts import Channel, Coordinates, Language, Priority, RiskLevel

from .triage import Checklist

Status = Literal[
    "awaiting_triage", "reported", "waiting_for_officer", "assigned", "acknowledged", "resolved"
]
DistrictSource = Literal["operator", "gazetteer", "location_approximate", "triage"]

SHORT_CODE_ALPHABET = "ACDEFHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B lookalikes
# Four characters from 25 give 390 625 codes: a clash is rare, eight in a row is a fault.
SHORT_CODE_TRIES = 8


@dataclass(frozen=True)
class Incident:
    id: uuid.UUID
    short_code: str
    channel: Channel
    received_at: datetime
    status: Status
    district: str | None
    district_unresolved_reason: str | None
    address_line: str
    priority: Priority
    priority_reason: str | None
    risk_level: RiskLevel
    risk_flags: tuple[str, ...]
    coordinates: Coordinates | None = None
    checklist: Checklist = field(default_factory=Checklist)
    linked_incident_ids: tuple[uuid.UUID, ...] = ()
    gazetteer_version: int | None = None
    district_source: DistrictSource | None = None
    urgent: bool = False
    language: Language = "ru"
    exercise: bool = False


@dataclass(frozen=True)
class Placement:
    """Where the district came from when the operator did not give one."""

    district: str | None
    reason: str | None
    gazetteer_version: int | None = None
    source: DistrictSource | None = None


def new_short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(4))


def opening_detail(incident: Incident) -> dict[str, object]:
    """The first timeline line's detail: how the incident came in and how it was placed."""
    detail: dict[str, object] = {"channel": incident.channel}
    if incident.district_source:
        detail["district_source"] = incident.district_source
    if incident.gazetteer_version is not None:
        detail["gazetteer_version"] = incident.gazetteer_version
    if incident.district_unresolved_reason:
        detail["reason"] = incident.district_unresolved_reason
    if incident.linked_incident_ids:
        detail["linked_incident_ids"] = [str(i) for i in incident.linked_incident_ids]
    return detail


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    status: str  # a status, or what happened: `triaged`, `message`, `alert_delivered`...
    detail: dict[str, object]
