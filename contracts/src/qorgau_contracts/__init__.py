"""Qorgau event contracts, version 1."""

from ._envelope import Event
from ._types import (
    E164,
    AlertStatus,
    AssignmentPurpose,
    Channel,
    DistrictId,
    Language,
    Outcome,
    Priority,
    RiskLevel,
    ShortCode,
)
from .events import (
    AlertUpdated,
    Coordinates,
    DeadLetter,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
)
from .schemas import breaking_changes, committed_schema, current_schema
from .topics import (
    ALERT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    TOPICS,
    Topic,
    all_topic_names,
    dlq_name,
)

__all__ = [
    "ALERT_UPDATED",
    "E164",
    "INCIDENT_ASSIGNED",
    "INCIDENT_REPORTED",
    "INCIDENT_RESOLVED",
    "TOPICS",
    "AlertStatus",
    "AlertUpdated",
    "AssignmentPurpose",
    "Channel",
    "Coordinates",
    "DeadLetter",
    "DistrictId",
    "Event",
    "IncidentAssigned",
    "IncidentReported",
    "IncidentResolved",
    "Language",
    "Outcome",
    "Priority",
    "RiskLevel",
    "ShortCode",
    "Topic",
    "all_topic_names",
    "breaking_changes",
    "committed_schema",
    "current_schema",
    "dlq_name",
]
