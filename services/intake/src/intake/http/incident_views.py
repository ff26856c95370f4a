"""What the incident routes take and return, and the keyset cursor of a page."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator
from qorgau_common.errors import InvalidInput
from qorgau_common.patch import PatchBody
from qorgau_common.times import bounded_time
from qorgau_contracts import Coordinates, DistrictId

from intake.domain.incident import Incident, TimelineLine
from intake.domain.triage import Checklist
from intake.usecases.view_incident import IncidentSeen, MessageSeen


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


class TriageIn(PatchBody):
    """Complete a report that arrived without a district or without the checklist."""

    district: DistrictId | None = None
    checklist: Checklist | None = None

    @model_validator(mode="after")
    def _something(self) -> TriageIn:
        if self.district is None and self.checklist is None:
            raise ValueError("give the district, the checklist or both")
        return self


def summary_fields(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "short_code": incident.short_code,
        "channel": incident.channel,
        "received_at": incident.received_at,
        "status": incident.status,
        "district": incident.district,
        "district_unresolved_reason": incident.district_unresolved_reason,
        "district_source": incident.district_source,
        "gazetteer_version": incident.gazetteer_version,
        "address_line": incident.address_line,
        "coordinates": incident.coordinates,
        "priority": incident.priority,
        "priority_reason": incident.priority_reason,
        "risk_level": incident.risk_level,
        "risk_flags": list(incident.risk_flags),
        "linked_incident_ids": list(incident.linked_incident_ids),
        "urgent": incident.urgent,
        "exercise": incident.exercise,
    }


def timeline_view(lines: list[TimelineLine]) -> list[TimelineEntry]:
    return [TimelineEntry(at=line.at, status=line.status, detail=line.detail) for line in lines]


def _message_view(seen: MessageSeen) -> SourceMessageView:
    m = seen.message
    return SourceMessageView(
        platform=m.platform, sent_at=m.sent_at, received_at=m.received_at, content=seen.content
    )


def incident_view(seen: IncidentSeen) -> IncidentView:
    return IncidentView(
        **summary_fields(seen.incident),
        timeline=timeline_view(seen.timeline),
        personal=seen.personal,
        messages=[_message_view(m) for m in seen.messages],
    )


def encode_cursor(received_at: datetime, incident_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{received_at.isoformat()}|{incident_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, _, incident_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return bounded_time(datetime.fromisoformat(at)), uuid.UUID(incident_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput("cursor", "not a cursor from a previous page") from exc
