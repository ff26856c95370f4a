"""Meta's Instagram messaging and WhatsApp Cloud API change notifications → `InboundMessage`.

Pure. Echoes, delivery statuses, reactions and anything without content are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from pydantic import Field
from qorgau_common.times import TimeRejected, from_epoch

from intake.domain.message import InboundMessage, clean_name, clean_text

from .payloads import BadMessage, Payload, Read, platform_id


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


def _sent_at(value: int, unit_s: float, what: str) -> datetime:
    try:
        return from_epoch(value, unit_s=unit_s)
    except TimeRejected as exc:
        raise BadMessage(f"{what}: {exc}") from exc


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
        message_id=platform_id(m.message.mid, "mid"),
        sender_id=platform_id(m.sender.id, "sender id"),
        sent_at=_sent_at(m.timestamp, 1e-3, "timestamp"),
        text=clean_text(m.message.text),
        location=location,
    )


def _whatsapp(m: WaMessage, names: dict[str, str | None]) -> InboundMessage:
    sender = platform_id(m.sender, "from")
    return InboundMessage(
        platform="whatsapp",
        message_id=platform_id(m.id, "id"),
        sender_id=sender,
        sent_at=_sent_at(int(m.timestamp), 1.0, "timestamp"),
        text=clean_text(m.text.body) if m.text else None,
        location=(m.location.latitude, m.location.longitude) if m.location else None,
        contact_phone=f"+{sender}" if sender.isascii() and sender.isdigit() else None,
        sender_name=clean_name(names.get(m.sender)),
    )


def _take(read: Read, convert: Callable[[], InboundMessage | None]) -> None:
    try:
        message = convert()
    except BadMessage as exc:
        read.problems.append(str(exc))
        return
    if message is not None and message.has_content:
        read.messages.append(message)


def read_meta(notification: MetaNotification) -> Read:
    """The notification's messages with content; why any other could not be read."""
    read = Read()
    for entry in notification.entry:
        if notification.object == "instagram":
            for messaging in entry.messaging:
                _take(read, partial(_instagram, messaging))
        elif notification.object == "whatsapp_business_account":
            for change in entry.changes:
                if change.field != "messages":
                    continue
                names = {
                    c.wa_id: c.profile.name if c.profile else None for c in change.value.contacts
                }
                for message in change.value.messages:
                    _take(read, partial(_whatsapp, message, names))
    return read


def meta_messages(notification: MetaNotification) -> list[InboundMessage]:
    """`read_meta`'s messages; a message that cannot be read raises `BadMessage`."""
    read = read_meta(notification)
    if read.problems:
        raise BadMessage(read.problems[0])
    return read.messages
