"""Telegram Bot API `Update` objects → `InboundMessage`. Pure; edits, bots and anything
without text, location or contact are ignored."""

from __future__ import annotations

from pydantic import Field
from qorgau_common.times import TimeRejected, from_epoch

from intake.domain.message import InboundMessage, clean_name, clean_text

from .payloads import BadMessage, Payload, Read, platform_id


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


def _message(update: TgUpdate, m: TgMessage) -> InboundMessage:
    name = " ".join(p for p in (m.sender.first_name, m.sender.last_name) if p) if m.sender else ""
    try:
        sent_at = from_epoch(m.date)
    except TimeRejected as exc:
        raise BadMessage(f"message date: {exc}") from exc
    return InboundMessage(
        platform="telegram",
        message_id=platform_id(update.update_id, "update_id"),
        sender_id=platform_id(m.sender.id if m.sender else m.chat.id, "sender id"),
        sent_at=sent_at,
        text=clean_text(m.text or m.caption),
        location=(m.location.latitude, m.location.longitude) if m.location else None,
        contact_phone=clean_name(m.contact.phone_number) if m.contact else None,
        sender_name=clean_name(name),
        sender_handle=clean_name(m.sender.username) if m.sender else None,
    )


def read_telegram(update: TgUpdate) -> Read:
    """The update's message, if it has one with content; why not, if it cannot be read."""
    m = update.message
    if m is None or (m.sender is not None and m.sender.is_bot):
        return Read()
    try:
        message = _message(update, m)
    except BadMessage as exc:
        return Read(problems=[str(exc)])
    return Read(messages=[message] if message.has_content else [])


def telegram_messages(update: TgUpdate) -> list[InboundMessage]:
    """`read_telegram`'s messages; a message that cannot be read raises `BadMessage`."""
    read = read_telegram(update)
    if read.problems:
        raise BadMessage(read.problems[0])
    return read.messages
