from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from .events import (
    AlertUpdated,
    AssignmentUpdated,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
    IncidentUnassigned,
    ReplyReceived,
)


@dataclass(frozen=True)
class Topic:
    name: str
    model: type[BaseModel]
    partitions: int

    @property
    def dlq(self) -> str:
        return dlq_name(self.name)


def dlq_name(topic: str) -> str:
    return f"{topic}.dlq"


INCIDENT_REPORTED = Topic("incident.reported.v1", IncidentReported, partitions=6)
INCIDENT_ASSIGNED = Topic("incident.assigned.v1", IncidentAssigned, partitions=6)
ALERT_UPDATED = Topic("alert.updated.v1", AlertUpdated, partitions=6)
INCIDENT_RESOLVED = Topic("incident.resolved.v1", IncidentResolved, partitions=6)
REPLY_RECEIVED = Topic("reply.received.v1", ReplyReceived, partitions=6)
ASSIGNMENT_UPDATED = Topic("assignment.updated.v1", AssignmentUpdated, partitions=6)
INCIDENT_UNASSIGNED = Topic("incident.unassigned.v1", IncidentUnassigned, partitions=6)

TOPICS: tuple[Topic, ...] = (
    INCIDENT_REPORTED,
    INCIDENT_ASSIGNED,
    ALERT_UPDATED,
    INCIDENT_RESOLVED,
    REPLY_RECEIVED,
    ASSIGNMENT_UPDATED,
    INCIDENT_UNASSIGNED,
)


def all_topic_names() -> list[str]:
    """Every topic the system uses, dead-letter topics included."""
    return [name for t in TOPICS for name in (t.name, t.dlq)]
