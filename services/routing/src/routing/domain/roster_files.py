"""Roster files: officers.csv and shifts.csv, parsed and checked whole.

Any bad row rejects the whole import, with every problem listed by file and line, so a
half-loaded roster can never route a case to the wrong person.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from .roster import ASTANA, Officer, Shift, check_officer, shift_problem

OFFICER_COLUMNS = ("id", "name", "phone", "home_district", "covers", "language", "role", "active")
SHIFT_COLUMNS = ("officer_id", "starts_at", "ends_at")


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
            if (problem := shift_problem(starts, ends)) is not None:
                problems.append(problem)
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
