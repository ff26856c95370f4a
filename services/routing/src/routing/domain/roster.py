"""The roster: officers and their shifts, and the rules an officer's record must meet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import phonenumbers
from qorgau_contracts import Language

ASTANA = ZoneInfo("Asia/Almaty")  # Kazakhstan has been one UTC+5 zone since 1 March 2024.
MAX_SHIFT = timedelta(hours=24)

Role = Literal["inspector", "supervisor"]
OfficerStatus = Literal["available", "busy", "off"]

LANGUAGES: dict[str, Language] = {"ru": "ru", "kk": "kk"}
ROLES: dict[str, Role] = {"inspector": "inspector", "supervisor": "supervisor"}
_YES, _NO = ("true", "1", "yes"), ("false", "0", "no")


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    phone: str
    home_district: str
    language: Language
    role: Role
    covers: frozenset[str] = frozenset()
    active: bool = True


@dataclass(frozen=True)
class Shift:
    officer_id: str
    starts_at: datetime
    ends_at: datetime


def shift_problem(starts_at: datetime, ends_at: datetime) -> str | None:
    """What is wrong with a shift's times, if anything."""
    if ends_at <= starts_at:
        return "ends_at must be after starts_at"
    if ends_at - starts_at > MAX_SHIFT:
        return "a shift may not be longer than 24 hours"
    return None


def _phone(raw: str) -> str:
    number = phonenumbers.parse(raw, "KZ")
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_officer(row: dict[str, str], districts: frozenset[str]) -> Officer | list[str]:
    """One officer from text fields, or what is wrong with them."""
    problems: list[str] = []
    officer_id = row.get("id", "")
    if not officer_id or len(officer_id) > 32:
        problems.append("id must be 1 to 32 characters")
    if not row.get("name"):
        problems.append("name is empty")
    try:
        phone = _phone(row.get("phone", ""))
    except (ValueError, phonenumbers.NumberParseException):
        problems.append("phone is not a valid number")
        phone = ""
    home = row.get("home_district", "")
    covers = frozenset(d for d in row.get("covers", "").replace("|", ";").split(";") if d)
    for district in sorted({home, *covers} - districts):
        problems.append(f"unknown district {district!r}")
    language = LANGUAGES.get(row.get("language", ""))
    if language is None:
        problems.append("language must be ru or kk")
    role = ROLES.get(row.get("role", ""))
    if role is None:
        problems.append("role must be inspector or supervisor")
    active = (row.get("active") or "true").lower()
    if active not in (*_YES, *_NO):
        problems.append("active must be true or false")
    if problems or language is None or role is None:
        return problems
    return Officer(officer_id, row["name"], phone, home, language, role, covers, active in _YES)
