"""Reading the platforms' JSON: a lenient base for their payload models, precise problems
(malformed, not this platform's shape) that never echo the body, and the checks a message's
id and time must pass before they are stored. An authentic update that fails any of them is
quarantined (see `webhooks`), not refused."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from qorgau_common.errors import InvalidInput

from intake.domain.message import InboundMessage

MAX_ID = 256


class Payload(BaseModel):
    """Fields a platform adds later are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class BadPayload(InvalidInput):
    title = "Invalid webhook payload"


class MalformedPayload(InvalidInput):
    status = 400
    title = "Malformed JSON"


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], body: bytes) -> M:
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise MalformedPayload("body", "not valid JSON") from exc
        field = ".".join(str(p) for p in errors[0]["loc"]) or "body"
        raise BadPayload(field, errors[0]["msg"]) from exc


class BadMessage(ValueError):
    """One message of an update that cannot be taken in; says why, never what."""


def platform_id(raw: str | int, what: str) -> str:
    """A platform's id (message, sender) as stored and compared: 1 to 256 characters, no
    control characters or lone surrogates (PostgreSQL cannot store a NUL)."""
    value = str(raw)
    if not value or len(value) > MAX_ID:
        raise BadMessage(f"{what} is empty or longer than {MAX_ID} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise BadMessage(f"{what} has control characters")
    return value


@dataclass
class Read:
    """What an update gave: its messages, and why any other message in it was left out."""

    messages: list[InboundMessage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
