"""A message from Telegram, Instagram or WhatsApp, and the incident it opens. Pure."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from qorgau_common.text import scrub_line, scrub_text, visible_length
from qorgau_contracts import Coordinates

from .crypto import Sealed
from .incident import Incident
from .linking import LinkTerm, phone_terms, sender_term
from .phones import InvalidPhone, normalise_phone
from .places import Centroid, nearest_district
from .retriage import URGENT_FLAG
from .triage import Checklist, assess
from .urgency import urgent

Platform = Literal["telegram", "instagram", "whatsapp"]
PLATFORM_NAMES: dict[Platform, str] = {
    "telegram": "Telegram",
    "instagram": "Instagram",
    "whatsapp": "WhatsApp",
}
MAX_TEXT = 10_000
MAX_NAME = 200


@dataclass(frozen=True)
class InboundMessage:
    platform: Platform
    message_id: str  # Telegram update_id, Meta mid or wamid: redelivery is a no-op
    sender_id: str
    sent_at: datetime
    text: str | None = None
    location: tuple[float, float] | None = None
    contact_phone: str | None = None
    sender_name: str | None = None
    sender_handle: str | None = None

    @property
    def has_content(self) -> bool:
        return bool(self.text or self.location or self.contact_phone)

    @property
    def coordinates(self) -> Coordinates | None:
        return Coordinates(lat=self.location[0], lon=self.location[1]) if self.location else None


def clean_text(raw: str | None) -> str | None:
    """Scrubbed by the shared layer (NFC; controls become spaces, lone surrogates U+FFFD);
    blank text (only spaces or invisible characters) is no text. Kept as plain text."""
    if raw is None:
        return None
    text = scrub_text(raw)[:MAX_TEXT]
    return text if visible_length(text) else None


def clean_name(raw: str | None) -> str | None:
    """A sender's name, handle or shared phone: one scrubbed line, or nothing."""
    if raw is None:
        return None
    line = scrub_line(raw)[:MAX_NAME]
    return line or None


def message_record(message: InboundMessage) -> bytes:
    """What is sealed for a message: who sent it and what it says."""
    return json.dumps(
        {
            "sender_id": message.sender_id,
            "sender_name": message.sender_name,
            "sender_handle": message.sender_handle,
            "contact_phone": message.contact_phone,
            "text": message.text,
            "location": message.location,
        },
        ensure_ascii=False,
    ).encode()


def _phone(raw: str | None) -> str | None:
    try:
        return normalise_phone(raw) if raw else None
    except InvalidPhone:
        return None


def message_link_terms(message: InboundMessage) -> list[LinkTerm]:
    return [
        *phone_terms(_phone(message.contact_phone)),
        sender_term(message.platform, message.sender_id),
    ]


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
) -> Incident:
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
    return Incident(
        id=uuid.uuid4(),
        short_code=short_code,
        channel=message.platform,
        received_at=now,
        status="reported" if district else "awaiting_triage",
        district=district,
        district_unresolved_reason=reason,
        address_line=message_address_line(message)[:200],
        priority=assessed.priority,
        priority_reason=None,
        risk_level=assessed.risk_level,
        risk_flags=flags,
        coordinates=message.coordinates,
        linked_incident_ids=linked,
        district_source="location_approximate" if district else None,
        urgent=is_urgent,
    )


@dataclass(frozen=True)
class StoredMessage:
    platform: Platform
    message_id: str
    sent_at: datetime
    received_at: datetime
    sealed: Sealed
