"""Telegram Bot API `Update` objects → `InboundMessage`. Pure; edits, bots and anything
without text, location or contact are ignored."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field

from intake.domain.message import InboundMessage, clean_text

from .payloads import Payload


class TgUser(Payload):
    id: int
    is_bot: bool = False
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None


class TgChat(Payload):
    id: int
    type: str


class TgLocation(Payload):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class TgContact(Payload):
    phone_number: str
    first_name: str | None = None
    user_id: int | None = None


class TgMessage(Payload):
    message_id: int
    date: int
    chat: TgChat
    sender: TgUser | None = Field(default=None, alias="from")
    text: str | None = None
    caption: str | None = None
    location: TgLocation | None = None
    contact: TgContact | None = None


class TgUpdate(Payload):
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
    return [message] if message.has_content else []
