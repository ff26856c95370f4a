from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ._envelope import Event
from ._types import (
    E164,
    AlertStatus,
    AssignmentPurpose,
    AssignmentState,
    Channel,
    DistrictId,
    FactChange,
    Language,
    Outcome,
    Priority,
    ReplyAnswer,
    ReplyChannel,
    ReplyVerdict,
    RiskLevel,
    ShortCode,
)


class Coordinates(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    lat: float = Field(ge=-90, le=90, description="Latitude, WGS 84.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS 84.")


class IncidentReported(Event):
    """Intake accepted a report. Carries no names, public phones or narrative."""

    event_type: Literal["incident.reported"] = "incident.reported"
    incident_id: uuid.UUID = Field(
        description="Incident id (NENA EIDO: incident tracking identifier)."
    )
    short_code: ShortCode
    channel: Channel = Field(description="Where the report came from.")
    received_at: AwareDatetime = Field(description="When the report was received, UTC.")
    district: DistrictId | None = Field(
        default=None, description="Resolved district, or none (see `district_unresolved_reason`)."
    )
    district_unresolved_reason: str | None = Field(
        default=None,
        description="Why no district was resolved; routing then goes to the supervisor.",
    )
    address_line: str = Field(
        max_length=200, description="Short address for the inspector's SMS, without names."
    )
    coordinates: Coordinates | None = Field(default=None, description="Location, if known.")
    priority: Priority = Field(description="Sets the acknowledgement deadline.")
    risk_level: RiskLevel = Field(description="Result of the risk checklist.")
    risk_flags: tuple[str, ...] = Field(
        default=(), description="Checklist items answered yes, e.g. `weapon`, `threats_to_kill`."
    )
    linked_incident_ids: tuple[uuid.UUID, ...] = Field(
        default=(), description="Earlier incidents at the same address or about the same person."
    )


class IncidentAssigned(Event):
    """Routing gave an incident to an officer (one attempt of possibly several)."""

    event_type: Literal["incident.assigned"] = "incident.assigned"
    assignment_id: uuid.UUID = Field(description="Id of this assignment; alerts are keyed by it.")
    incident_id: uuid.UUID = Field(description="Incident id (NENA EIDO incident tracking id).")
    short_code: ShortCode
    attempt: int = Field(ge=1, description="1 for the first officer, 2 for the next, and so on.")
    officer_id: str = Field(min_length=1, max_length=32, description="Roster id of the officer.")
    officer_phone: E164 = Field(description="The officer's work phone, E.164.")
    officer_language: Language = Field(default="ru", description="Language of the officer's SMS.")
    district: DistrictId | None = Field(description="Incident district, or none if unresolved.")
    priority: Priority
    risk_level: RiskLevel
    address_line: str = Field(max_length=200, description="Address line for the SMS.")
    ack_deadline: AwareDatetime = Field(description="Escalate if not acknowledged by then.")
    purpose: AssignmentPurpose = Field(
        default="assignment",
        description="`supervisor_notice`: the duty supervisor is told of a case that needed a"
        " second attempt or found nobody; it is not an assignment and is not escalated.",
    )


class AlertUpdated(Event):
    """Notify's view of one alert changed."""

    event_type: Literal["alert.updated"] = "alert.updated"
    alert_id: uuid.UUID = Field(description="Notify's alert id.")
    assignment_id: uuid.UUID = Field(description="The assignment this alert belongs to.")
    incident_id: uuid.UUID = Field(description="Incident id (NENA EIDO incident tracking id).")
    status: AlertStatus = Field(description="New status of the alert.")
    provider: str | None = Field(default=None, description="SMS provider used, e.g. `smpp`.")
    provider_message_ids: tuple[str, ...] = Field(
        default=(), description="Message ids the provider returned, one per segment."
    )
    reason: str | None = Field(default=None, description="Why, for `failed` and `declined`.")


class IncidentResolved(Event):
    """An officer or supervisor closed an assignment with an outcome; the officer is free."""

    event_type: Literal["incident.resolved"] = "incident.resolved"
    incident_id: uuid.UUID = Field(description="Incident id (NENA EIDO incident tracking id).")
    assignment_id: uuid.UUID = Field(description="The assignment that was resolved.")
    officer_id: str = Field(min_length=1, max_length=32, description="Who handled the case.")
    outcome: Outcome = Field(description="How the case ended.")
    resolved_by: str = Field(
        min_length=1, max_length=64, description="Token name of who recorded it."
    )


class DeadLetter(BaseModel):
    """A message a consumer could not process, parked on `<topic>.dlq` for ops."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: Literal["dead_letter"] = "dead_letter"
    schema_version: int = Field(default=1, description="Version of the dead-letter record.")
    topic: str = Field(description="Topic the message came from.")
    partition: int = Field(description="Partition it came from.")
    offset: int = Field(description="Its offset.")
    key_b64: str | None = Field(default=None, description="Original key, base64.")
    value_b64: str = Field(description="Original bytes, base64.")
    headers: tuple[tuple[str, str], ...] = Field(
        default=(), description="Original headers as (name, base64 value) pairs."
    )
    error: str = Field(description="Why it could not be processed.")
    service: str = Field(description="Consumer that gave up, e.g. `routing`.")
    attempts: int = Field(ge=1, description="How many times it was tried.")
    first_failed_at: AwareDatetime = Field(description="First failure, UTC.")
    last_failed_at: AwareDatetime = Field(description="Last failure, UTC.")


class ReplyReceived(Event):
    """An officer answered one assignment; notify matched the reply to it, routing decides.

    Routing answers every one with `assignment.updated.v1` carrying this `reply_id`, so the
    officer's confirmation says what routing accepted.
    """

    event_type: Literal["reply.received"] = "reply.received"
    reply_id: uuid.UUID = Field(description="Notify's id of the reply; routing's answer names it.")
    assignment_id: uuid.UUID = Field(description="The assignment the reply answers.")
    incident_id: uuid.UUID = Field(description="Incident id (NENA EIDO incident tracking id).")
    officer_id: str = Field(
        min_length=1, max_length=32, description="Roster id of the officer who replied."
    )
    answer: ReplyAnswer = Field(
        description="`acknowledge` (1), `decline` (2) or `resolve` (3 with an outcome)."
    )
    outcome: Outcome | None = Field(default=None, description="For `resolve`: how it ended.")
    channel: ReplyChannel = Field(default="sms", description="Where the officer answered.")


class AssignmentUpdated(Event):
    """Routing changed one assignment (or its case's facts), or answered a reply to it.

    Every close is published (acknowledged, declined, failed, expired, reassigned, resolved),
    so notify stops taking replies for it; `changed` lists facts learnt later that the
    officer must hear of (an update SMS).
    """

    event_type: Literal["assignment.updated"] = "assignment.updated"
    assignment_id: uuid.UUID = Field(description="The assignment.")
    incident_id: uuid.UUID = Field(description="Incident id (NENA EIDO incident tracking id).")
    short_code: ShortCode
    attempt: int = Field(ge=1, description="The assignment's attempt number.")
    officer_id: str = Field(min_length=1, max_length=32, description="Roster id of the officer.")
    purpose: AssignmentPurpose = Field(default="assignment", description="Assignment or notice.")
    state: AssignmentState = Field(
        description="`open` awaits 1/2; `acknowledged` is the officer's case (3 closes it);"
        " any other state takes no reply."
    )
    reason: str | None = Field(
        default=None, max_length=200, description="Why it moved on or closed, if it did."
    )
    outcome: Outcome | None = Field(default=None, description="For `resolved`: how it ended.")
    district: DistrictId | None = Field(default=None, description="The case's district now.")
    priority: Priority = Field(description="The case's priority now.")
    risk_level: RiskLevel = Field(description="The case's risk level now.")
    address_line: str = Field(max_length=200, description="Address line for the SMS, now.")
    ack_deadline: AwareDatetime | None = Field(
        default=None, description="The deadline of an open assignment (shortened on a rise)."
    )
    changed: tuple[FactChange, ...] = Field(
        default=(), description="Facts learnt since the officer was alerted: send an update SMS."
    )
    reply_id: uuid.UUID | None = Field(
        default=None, description="The reply (`reply.received.v1` or the API) this answers."
    )
    reply_answer: ReplyAnswer | None = Field(default=None, description="What that reply asked.")
    reply_verdict: ReplyVerdict | None = Field(
        default=None,
        description="What routing did with it: `applied`; `already` (nothing new); `moved_on`"
        " (the case went to someone else); `closed` (resolved); `not_yours`.",
    )


class IncidentUnassigned(Event):
    """Routing found nobody to take the incident: it waits on the supervisor's board."""

    event_type: Literal["incident.unassigned"] = "incident.unassigned"
    incident_id: uuid.UUID = Field(description="Incident id (NENA EIDO incident tracking id).")
    short_code: ShortCode
    attempts: int = Field(ge=0, description="Officers tried so far.")
    reason: str = Field(max_length=200, description="Why nobody can take it.")
    supervisor_told: bool = Field(description="Whether a duty supervisor was sent a notice.")
