"""A message from Telegram, Instagram or WhatsApp → a new incident waiting for triage. Pure."""

from __future__ import annotations

import uuid
from datetime import datetime

from .places import Centroid, nearest_district
from .reports import NewIncident
from .retriage import URGENT_FLAG
from .triage import Checklist, assess
from .urgency import urgent
from .webhooks import InboundMessage

PLATFORM_NAMES = {"telegram": "Telegram", "instagram": "Instagram", "whatsapp": "WhatsApp"}


def message_address_line(message: InboundMessage) -> str:
    """No names or handles: the platform, and the shared location if there is one."""
    if message.location is not None:
        lat, lon = message.location
        return f"коорд. {lat:.5f}, {lon:.5f} ({PLATFORM_NAMES[message.platform]})"
    return f"адрес не указан ({PLATFORM_NAMES[message.platform]})"


def accept_message(
    message: InboundMessage,
    now: datetime,
    short_code: str,
    *,
    centroids: list[Centroid],
    linked: tuple[uuid.UUID, ...] = (),
) -> NewIncident:
    """Status `awaiting_triage` unless a shared location gives an (approximate) district."""
    district = nearest_district(*message.location, centroids) if message.location else None
    if district is not None:
        reason = None
    elif message.location is not None:
        reason = "shared location is outside every district"
    else:
        reason = "message without a location"
    is_urgent = urgent(message.text)
    assessed = assess(Checklist(), repeat=bool(linked))
    flags = (*assessed.flags, URGENT_FLAG) if is_urgent else assessed.flags
    return NewIncident(
        id=uuid.uuid4(),
        short_code=short_code,
        received_at=now,
        status="reported" if district else "awaiting_triage",
        district=district,
        district_unresolved_reason=reason,
        address_line=message_address_line(message)[:200],
        priority=assessed.priority,
        priority_reason=None,
        risk_level=assessed.risk_level,
        risk_flags=flags,
        linked_incident_ids=linked,
        district_source="location_approximate" if district else None,
        urgent=is_urgent,
    )
