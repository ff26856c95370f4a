from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Envelope shared by every event.

    Consumers ignore fields they do not know (``extra="ignore"``), so a producer may add
    optional fields within a version but never remove or rename one.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(
        default_factory=uuid.uuid4,
        description="Unique id of this event; consumers deduplicate on it (inbox).",
    )
    event_type: str = Field(description="Name of the event, e.g. `incident.reported`.")
    schema_version: int = Field(default=1, description="Major version of this event's schema.")
    occurred_at: AwareDatetime = Field(
        default_factory=_now, description="When the fact happened, UTC, timezone-aware."
    )
    producer: str = Field(description="Service that produced the event, e.g. `intake`.")
    correlation_id: uuid.UUID = Field(
        description="Id that follows one report through every service (the incident id at intake)."
    )
    exercise: bool = Field(
        default=False,
        description="True for drills and test traffic; such events must never reach a real phone.",
    )
