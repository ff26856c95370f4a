"""Roster files: officers.csv and shifts.csv, parsed and checked whole. Pure.

Any bad row rejects the whole import, with every problem listed by file and line, so a
half-loaded roster can never route a case to the wrong person.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import phonenumbers

ASTANA = ZoneInfo("Asia/Almaty")  # Kazakhstan has been one UTC+5 zone since 1 March 2024.
LANGUAGES = frozenset({"ru", "kk"})
ROLES = frozenset({"inspector", "supervisor"})
MAX_SHIFT = timedelta(hours=24)
OFFICER_COLUMNS = ("id", "name", "phone", "home_district", "covers", "language", "role", "active")
SHIFT_COLUMNS = ("officer_id", "starts_at", "ends_at")


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    phone: str
    home_district: str
    language: str
    role: str
    covers: frozenset[str] = frozenset()
    active: bool = True


@dataclass(frozen=True)
class Shift:
    officer_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.message}"


@dataclass
class RosterRejected(Exception):
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        return "roster rejected, nothing imported:\n" + "\n".join(f"  {e}" for e in self.errors)


def _rows(
    text: str, file: str, columns: tuple[str, ...], required: int
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = tuple(reader.fieldnames or ())
    missing = [c for c in columns[:required] if c not in header]
    if missing:
        return [], [RowError(file, 1, f"missing columns: {', '.join(missing)}")]
    unknown = [c for c in header if c not in columns]
    if unknown:
        return [], [RowError(file, 1, f"unknown columns: {', '.join(unknown)}")]
    return [
        (n, {k: (v or "").strip() for k, v in row.items()}) for n, row in enumerate(reader, start=2)
    ], []


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
    if row.get("language") not in LANGUAGES:
        problems.append("language must be ru or kk")
    if row.get("role") not in ROLES:
        problems.append("role must be inspector or supervisor")
    active = (row.get("active") or "true").lower()
    if active not in ("true", "false", "1", "0", "yes", "no"):
        problems.append("active must be true or false")
    if problems:
        return problems
    return Officer(
        officer_id,
        row["name"],
        phone,
        home,
        row["language"],
        row["role"],
        covers,
        active in ("true", "1", "yes"),
    )


def parse_officers(text: str, districts: frozenset[str]) -> tuple[list[Officer], list[RowError]]:
    rows, errors = _rows(text, "officers.csv", OFFICER_COLUMNS, required=7)
    officers: list[Officer] = []
    seen: set[str] = set()
    for line, row in rows:
        checked = check_officer(row, districts)
        problems = checked if isinstance(checked, list) else []
        if row["id"] in seen:
            problems.append(f"id {row['id']!r} appears twice")
        seen.add(row["id"])
        errors += [RowError("officers.csv", line, p) for p in problems]
        if not problems and isinstance(checked, Officer):
            officers.append(checked)
    return officers, errors


def _moment(raw: str) -> datetime:
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=ASTANA)


def parse_shifts(text: str, officer_ids: frozenset[str]) -> tuple[list[Shift], list[RowError]]:
    """Times in ISO 8601; without an offset they are Astana local time."""
    rows, errors = _rows(text, "shifts.csv", SHIFT_COLUMNS, required=3)
    shifts: list[tuple[int, Shift]] = []
    for line, row in rows:
        problems: list[str] = []
        if row["officer_id"] not in officer_ids:
            problems.append(f"unknown officer {row['officer_id']!r}")
        try:
            starts, ends = _moment(row["starts_at"]), _moment(row["ends_at"])
        except ValueError:
            problems.append("starts_at and ends_at must be ISO 8601 times")
        else:
            if ends <= starts:
                problems.append("ends_at must be after starts_at")
            elif ends - starts > MAX_SHIFT:
                problems.append("a shift may not be longer than 24 hours")
        errors += [RowError("shifts.csv", line, p) for p in problems]
        if not problems:
            shifts.append((line, Shift(row["officer_id"], starts, ends)))
    by_officer: dict[str, list[tuple[int, Shift]]] = defaultdict(list)
    for line, shift in shifts:
        by_officer[shift.officer_id].append((line, shift))
    for officer_id, own in by_officer.items():
        own.sort(key=lambda item: item[1].starts_at)
        for (_, before), (line, after) in itertools.pairwise(own):
            if after.starts_at < before.ends_at:
                errors.append(
                    RowError("shifts.csv", line, f"overlaps another shift of {officer_id}")
                )
    return [s for _, s in shifts], sorted(errors, key=lambda e: (e.file, e.line))


DAY_START, NIGHT_START = time(8), time(20)


def seed_officers_csv() -> str:
    return resources.files(__package__).joinpath("seed", "officers.csv").read_text("utf-8")


def demo_shifts_csv(officers: list[Officer], first_day: date, days: int) -> str:
    """Twelve-hour shifts: the first half of each district's inspectors (by id) and the
    first supervisor by day (08:00-20:00 Astana), the rest by night."""
    by_group: dict[str, list[str]] = defaultdict(list)
    for o in officers:
        by_group[o.home_district if o.role == "inspector" else "supervisors"].append(o.id)
    out = io.StringIO()
    out.write(",".join(SHIFT_COLUMNS) + "\n")
    for ids in by_group.values():
        ordered = sorted(ids)
        for n, officer_id in enumerate(ordered):
            start = DAY_START if n < max(1, len(ordered) // 2) else NIGHT_START
            for i in range(days):
                begins = datetime.combine(first_day + timedelta(days=i), start)
                ends = begins + timedelta(hours=12)
                out.write(f"{officer_id},{begins.isoformat()},{ends.isoformat()}\n")
    return out.getvalue()
