"""What the incident API returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg
from pydantic import BaseModel, ConfigDict, Field, model_validator
from qorgau_contracts import Coordinates, DistrictId

from .triage import Checklist


class TimelineEntry(BaseModel):
    at: datetime
    status: str = Field(description="e.g. `reported`, `assigned`, `alert_delivered`, `resolved`.")
    detail: dict[str, Any] = Field(default_factory=dict)


class SourceMessageView(BaseModel):
    platform: str
    sent_at: datetime
    received_at: datetime
    content: dict[str, Any] | None = Field(
        default=None, description="Sender and text; only for supervisors and admins."
    )


class IncidentSummary(BaseModel):
    incident_id: uuid.UUID
    short_code: str
    channel: str
    received_at: datetime
    status: str
    district: str | None
    district_unresolved_reason: str | None
    district_source: str | None = Field(
        description="`operator`, `gazetteer`, `location_approximate` or `triage`."
    )
    gazetteer_version: int | None
    address_line: str
    coordinates: Coordinates | None
    priority: str
    priority_reason: str | None
    risk_level: str
    risk_flags: list[str]
    linked_incident_ids: list[uuid.UUID]
    urgent: bool = Field(description="A message had urgent words: top of the triage queue.")
    exercise: bool


class IncidentView(IncidentSummary):
    timeline: list[TimelineEntry]
    personal: dict[str, Any] | None = Field(
        default=None,
        description="Decrypted phones, names and narrative; only for supervisors and admins.",
    )
    messages: list[SourceMessageView] = Field(default_factory=list)


class IncidentPage(BaseModel):
    items: list[IncidentSummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class TriageIn(BaseModel):
    """Complete a report that arrived without a district or without the checklist."""

    model_config = ConfigDict(extra="forbid")

    district: DistrictId | None = None
    checklist: Checklist | None = None

    @model_validator(mode="after")
    def _something(self) -> TriageIn:
        if self.district is None and self.checklist is None:
            raise ValueError("give the district, the checklist or both")
        return self


def summary(row: asyncpg.Record) -> IncidentSummary:
    coordinates = Coordinates(lat=row["lat"], lon=row["lon"]) if row["lat"] is not None else None
    return IncidentSummary(
        incident_id=row["id"],
        short_code=row["short_code"],
        channel=row["channel"],
        received_at=row["received_at"],
        status=row["status"],
        district=row["district"],
        district_unresolved_reason=row["district_unresolved_reason"],
        district_source=row["district_source"],
        gazetteer_version=row["gazetteer_version"],
        address_line=row["address_line"],
        coordinates=coordinates,
        priority=row["priority"],
        priority_reason=row["priority_reason"],
        risk_level=row["risk_level"],
        risk_flags=list(row["risk_flags"]),
        linked_incident_ids=list(row["linked_incident_ids"]),
        urgent=row["urgent"],
        exercise=row["exercise"],
    )
