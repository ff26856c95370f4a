"""Meta's Instagram messaging and WhatsApp Cloud API change notifications → `InboundMessage`.

Pure. Echoes, delivery statuses, reactions and anything without content are ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field

from intake.domain.message import InboundMessage, clean_text

from .payloads import Payload


class IgId(Payload):
    id: str


class IgCoordinates(Payload):
    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)


class IgPayload(Payload):
    coordinates: IgCoordinates | None = None


class IgAttachment(Payload):
    type: str
    payload: IgPayload | None = None


class IgMessage(Payload):
    mid: str
    text: str | None = None
    is_echo: bool = False
    attachments: tuple[IgAttachment, ...] = ()


class IgMessaging(Payload):
    sender: IgId
    recipient: IgId
    timestamp: int
    message: IgMessage | None = None


class WaText(Payload):
    body: str


class WaLocation(Payload):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class WaMessage(Payload):
    sender: str = Field(alias="from")
    id: str
    timestamp: str = Field(pattern=r"^[0-9]{1,12}$", description="Unix seconds, as a string.")
    type: str
    text: WaText | None = None
    location: WaLocation | None = None


class WaProfile(Payload):
    name: str | None = None


class WaContact(Payload):
    wa_id: str
    profile: WaProfile | None = None


class WaValue(Payload):
    messaging_product: str | None = None
    contacts: tuple[WaContact, ...] = ()
    messages: tuple[WaMessage, ...] = ()


class WaChange(Payload):
    field: str
    value: WaValue


class MetaEntry(Payload):
    id: str
    time: int | None = None
    messaging: tuple[IgMessaging, ...] = ()
    changes: tuple[WaChange, ...] = ()


class MetaNotification(Payload):
    object: str
    entry: tuple[MetaEntry, ...] = ()


def _instagram(m: IgMessaging) -> InboundMessage | None:
    if m.message is None or m.message.is_echo:
        return None
    location = next(
        (
            (a.payload.coordinates.lat, a.payload.coordinates.long)
            for a in m.message.attachments
            if a.type == "location" and a.payload and a.payload.coordinates
        ),
        None,
    )
    return InboundMessage(
        platform="instagram",
        message_id=m.message.mid,
        sender_id=m.sender.id,
        sent_at=datetime.fromtimestamp(m.timestamp / 1000, UTC),
        text=clean_text(m.message.text),
        location=location,
    )


def _whatsapp(m: WaMessage, names: dict[str, str | None]) -> InboundMessage:
    return InboundMessage(
        platform="whatsapp",
        message_id=m.id,
        sender_id=m.sender,
        sent_at=datetime.fromtimestamp(int(m.timestamp), UTC),
        text=clean_text(m.text.body) if m.text else None,
        location=(m.location.latitude, m.location.longitude) if m.location else None,
        contact_phone=f"+{m.sender}" if m.sender.isdigit() else None,
        sender_name=names.get(m.sender),
    )


def meta_messages(notification: MetaNotification) -> list[InboundMessage]:
    found: list[InboundMessage] = []
    for entry in notification.entry:
        if notification.object == "instagram":
            found.extend(m for m in map(_instagram, entry.messaging) if m is not None)
        elif notification.object == "whatsapp_business_account":
            for change in entry.changes:
                if change.field != "messages":
                    continue
                names = {
                    c.wa_id: c.profile.name if c.profile else None for c in change.value.contacts
                }
                found.extend(_whatsapp(m, names) for m in change.value.messages)
    return [m for m in found if m.has_content]
