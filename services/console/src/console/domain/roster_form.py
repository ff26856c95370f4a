"""A supervisor's roster changes as typed: a shift today or tomorrow, in Astana time."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Literal, get_args

from .field_rules import Problem
from .messages import N_
from .timefmt import astana

Day = Literal["today", "tomorrow"]
DAYS: tuple[Day, ...] = get_args(Day)
STATUSES = ("available", "busy", "off")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _clock(value: str) -> time | None:
    found = _CLOCK.match(value.strip())
    return time(int(found.group(1)), int(found.group(2))) if found else None


def shift_window(
    day: str, start: str, end: str, now: datetime
) -> tuple[datetime, datetime] | Problem:
    """The shift from `start` on `day` to `end` (the next morning when `end` is earlier):
    a night shift 20:00–08:00 is one shift, as the unit writes it."""
    if day not in DAYS:
        return Problem(N_("Choose today or tomorrow."))
    starts, ends = _clock(start), _clock(end)
    if starts is None or ends is None:
        return Problem(N_("Write the times as hours and minutes, for example 08:00."))
    if starts == ends:
        return Problem(N_("The shift must end after it starts."))
    midnight = astana(now).replace(hour=0, minute=0, second=0, microsecond=0)
    date = midnight + timedelta(days=DAYS.index(day))
    starts_at = date.replace(hour=starts.hour, minute=starts.minute)
    ends_at = date.replace(hour=ends.hour, minute=ends.minute)
    if ends_at <= starts_at:
        ends_at += timedelta(days=1)
    return starts_at, ends_at
