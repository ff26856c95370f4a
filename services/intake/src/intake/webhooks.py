"""Social-media webhooks: verifying them and reading their messages. Pure; no I/O.

Telegram Bot API `Update` objects, and Meta's Instagram messaging and WhatsApp Cloud API
change notifications, reduced to one `InboundMessage` shape. Anything else (edits, echoes,
delivery statuses, reactions) is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Platform = Literal["telegram", "instagram", "whatsapp"]
MAX_TEXT = 10_000
_CONTROL = {c: " " for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}


class SignatureError(Exception):
    """`status` 401 when the proof is missing, 403 when it is wrong."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def verify_telegram(secret: str, header: str | None) -> None:
    if not secret:
        raise SignatureError(403, "The Telegram webhook is not configured.")
    if not header:
        raise SignatureError(401, "X-Telegram-Bot-Api-Secret-Token is required.")
    if not hmac.compare_digest(header.encode(), secret.encode()):
        raise SignatureError(403, "The secret token does not match.")


def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_meta(app_secret: str, header: str | None, body: bytes) -> None:
    if not app_secret:
        raise SignatureError(403, "The Meta webhook is not configured.")
    if not header:
        raise SignatureError(401, "X-Hub-Signature-256 is required.")
    if not hmac.compare_digest(header.strip().encode(), meta_signature(app_secret, body).encode()):
        raise SignatureError(403, "The signature does not match the body.")


def verify_handshake(verify_token: str, mode: str | None, token: str | None) -> bool:
    return (
        bool(verify_token)
        and mode == "subscribe"
        and token is not None
        and hmac.compare_digest(token.encode(), verify_token.encode())
    )


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


def clean_text(raw: str | None) -> str | None:
    """Control characters become spaces; blank text is no text. Kept as plain text."""
    if raw is None:
        return None
    text = raw.translate(_CONTROL).strip()[:MAX_TEXT]
    return text or None


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


# --- Telegram Bot API ---------------------------------------------------------------------


class TgUser(_Model):
    id: int
    is_bot: bool = False
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None


class TgChat(_Model):
    id: int
    type: str


class TgLocation(_Model):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class TgContact(_Model):
    phone_number: str
    first_name: str | None = None
    user_id: int | None = None


class TgMessage(_Model):
    message_id: int
    date: int
    chat: TgChat
    sender: TgUser | None = Field(default=None, alias="from")
    text: str | None = None
    caption: str | None = None
    location: TgLocation | None = None
    contact: TgContact | None = None


class TgUpdate(_Model):
    update_id: int
    message: TgMessage | None = None


def telegram_messages(update: TgUpdate) -> list[InboundMessage]:
    m = update.message
    if m is None or (m.sender is not None and m.sender.is_bot):
        return []
    name = " ".join(p for p in (m.sender.first_name, m.sender.last_name) if p) if m.sender else ""
    message = InboundMessage(
        platform="telegram",
        message_id=str(update.update_id),
        sender_id=str(m.sender.id if m.sender else m.chat.id),
        sent_at=datetime.fromtimestamp(m.date, UTC),
        text=clean_text(m.text or m.caption),
        location=(m.location.latitude, m.location.longitude) if m.location else None,
        contact_phone=m.contact.phone_number if m.contact else None,
        sender_name=name or None,
        sender_handle=m.sender.username if m.sender else None,
    )
    return [message] if _has_content(message) else []


# --- Meta: Instagram messaging and WhatsApp Cloud API --------------------------------------


class IgId(_Model):
    id: str


class IgCoordinates(_Model):
    lat: float = Field(ge=-90, le=90)
    long: float = Field(ge=-180, le=180)


class IgPayload(_Model):
    coordinates: IgCoordinates | None = None


class IgAttachment(_Model):
    type: str
    payload: IgPayload | None = None


class IgMessage(_Model):
    mid: str
    text: str | None = None
    is_echo: bool = False
    attachments: tuple[IgAttachment, ...] = ()


class IgMessaging(_Model):
    sender: IgId
    recipient: IgId
    timestamp: int
    message: IgMessage | None = None


class WaText(_Model):
    body: str


class WaLocation(_Model):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class WaMessage(_Model):
    sender: str = Field(alias="from")
    id: str
    timestamp: str = Field(pattern=r"^[0-9]{1,12}$", description="Unix seconds, as a string.")
    type: str
    text: WaText | None = None
    location: WaLocation | None = None


class WaProfile(_Model):
    name: str | None = None


class WaContact(_Model):
    wa_id: str
    profile: WaProfile | None = None


class WaValue(_Model):
    messaging_product: str | None = None
    contacts: tuple[WaContact, ...] = ()
    messages: tuple[WaMessage, ...] = ()


class WaChange(_Model):
    field: str
    value: WaValue


class MetaEntry(_Model):
    id: str
    time: int | None = None
    messaging: tuple[IgMessaging, ...] = ()
    changes: tuple[WaChange, ...] = ()


class MetaNotification(_Model):
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
    return [m for m in found if _has_content(m)]


def _has_content(message: InboundMessage) -> bool:
    return bool(message.text or message.location or message.contact_phone)
