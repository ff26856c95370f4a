"""Is an officer's phone one an SMS can reach? Pure.

The contract checks only the E.164 shape; `phonenumbers` knows which numbers exist.
"""

from __future__ import annotations

import phonenumbers


def phone_problem(phone: str) -> str | None:
    """Why `phone` cannot get an SMS, or None if it looks deliverable."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return "invalid officer phone: not a phone number"
    if not phonenumbers.is_valid_number(number):
        return "invalid officer phone: no such number"
    return None


def masked(phone: str) -> str:
    """A phone fit for logs: the country code and the last two digits only."""
    digits = phone.lstrip("+")
    return f"+{digits[:1]}…{digits[-2:]}" if len(digits) > 4 else "…"
