"""Parsing an inspector's SMS reply: `1`, `1 K7Q2`, `2`, `2 K7Q2`. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .sms import ReplyAnswer

Answer = Literal["acknowledged", "declined"]

# Cyrillic letters that look like the Latin ones in short codes (phones type either).
_LOOKALIKES = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")
_REPLY = re.compile(r"^\s*([12])(?:[\s.,:;-]*([A-Z0-9]{4}))?[\s.!]*$")


@dataclass(frozen=True)
class Reply:
    answer: Answer
    short_code: str | None


def parse_reply(text: str) -> Reply | None:
    """The answer and optional code, or None if the text is not a reply we understand."""
    match = _REPLY.match(text.upper().translate(_LOOKALIKES))
    if match is None:
        return None
    answer: Answer = "acknowledged" if match.group(1) == "1" else "declined"
    return Reply(answer, match.group(2))


def reply_outcome(reply: Reply | None, *, matched: bool) -> ReplyAnswer:
    """What the inspector is told: their answer, or why it applied to nothing."""
    if reply is None:
        return "not_understood"
    if not matched:
        return "unknown_code" if reply.short_code else "no_open_alert"
    return reply.answer
