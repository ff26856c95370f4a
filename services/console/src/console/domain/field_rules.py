"""One form field checked by the rules intake applies to it, before intake is called.

Text goes through the shared layer (`qorgau_common.text`: NFC, controls refused, bidi and
zero-width characters removed from a line, a visible character where one is needed);
phones through `phonenumbers` with Kazakhstan as the default region, as intake does.
A problem is a message id (translated by the page); a good value comes back cleaned.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from qorgau_common.text import TextRejected, clean_line, clean_text, visible_length

from .messages import N_

LINE_MAX = 120
NARRATIVE_MAX = 10_000

TOO_LONG_LINE = N_("At most 120 characters.")
TOO_LONG_TEXT = N_("At most 10,000 characters.")
NO_CONTROLS_LINE = N_("Remove the invisible control characters (one line, no line breaks).")
NO_CONTROLS_TEXT = N_("Remove the invisible control characters.")
NOT_A_PHONE = N_("Enter a phone number, for example 8 701 234 56 78.")


@dataclass(frozen=True)
class Problem:
    message: str


def line(raw: str, *, required: str | None = None) -> str | Problem:
    """One line (a name, an address part, a reason); `required` is the message when empty."""
    try:
        value = clean_line(raw)
    except TextRejected:
        return Problem(NO_CONTROLS_LINE)
    if required is not None and visible_length(value) < 1:
        return Problem(required)
    if len(value) > LINE_MAX:
        return Problem(TOO_LONG_LINE)
    return value


def text(raw: str, *, required: str) -> str | Problem:
    """Free text (the narrative): newlines kept; it must say something."""
    try:
        value = clean_text(raw)
    except TextRejected:
        return Problem(NO_CONTROLS_TEXT)
    if visible_length(value) < 1:
        return Problem(required)
    if len(value) > NARRATIVE_MAX:
        return Problem(TOO_LONG_TEXT)
    return value


def phone(raw: str) -> str | Problem:
    """The phone as typed (intake normalises it to E.164), if it is a valid number."""
    value = raw.strip()
    try:
        number = phonenumbers.parse(value, "KZ")
    except phonenumbers.NumberParseException:
        return Problem(NOT_A_PHONE)
    if not phonenumbers.is_valid_number(number):
        return Problem(NOT_A_PHONE)
    return value
