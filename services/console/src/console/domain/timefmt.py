"""Dates and times as the unit reads them: Astana time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

ASTANA = ZoneInfo("Asia/Almaty")  # Kazakhstan has been one UTC+5 zone since 1 March 2024.


def astana(moment: datetime) -> datetime:
    return moment.astimezone(ASTANA)


def clock(moment: datetime | None) -> str:
    return astana(moment).strftime("%H:%M") if moment else "—"


def stamp(moment: datetime | None) -> str:
    return astana(moment).strftime("%d.%m.%Y %H:%M") if moment else "—"


def countdown(seconds: float) -> str:
    """`4:05`, or `-0:30` once the deadline has passed."""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    return f"{sign}{whole // 60}:{whole % 60:02d}"
