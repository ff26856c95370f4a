"""The demo roster: 48 inspectors over Astana's six districts plus two duty supervisors.

Each district has eight inspectors: four on the day shift (08:00–20:00 Astana time) and
four on the night shift (20:00–08:00), so every district is covered at any hour.
Names and phones are invented; +7 700 000 xx xx is not a real range in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ASTANA = ZoneInfo("Asia/Almaty")  # Kazakhstan has been one UTC+5 zone since 1 March 2024.
DISTRICTS = ("almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk")
_CODES = {
    "almaty": "ALM",
    "baikonyr": "BKN",
    "yesil": "YSL",
    "saryarka": "SAR",
    "nura": "NUR",
    "saraishyk": "SRS",
}
_SURNAMES = ("Ахметов", "Сериков", "Нурланов", "Жумабаев", "Касымов", "Омаров", "Бекова", "Исаева")
DAY_START, NIGHT_START = time(8), time(20)


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    phone: str
    home_district: str
    language: str
    role: str


@dataclass(frozen=True)
class Shift:
    officer_id: str
    starts_at: datetime
    ends_at: datetime


def demo_officers() -> list[Officer]:
    officers: list[Officer] = []
    for d, district in enumerate(DISTRICTS):
        for n in range(1, 9):
            officers.append(
                Officer(
                    id=f"{_CODES[district]}-{n:02d}",
                    name=f"{_SURNAMES[n - 1]} {chr(ord('А') + d)}.",
                    phone=f"+7700000{d + 1}{n:03d}",
                    home_district=district,
                    language="kk" if n % 2 == 0 else "ru",
                    role="inspector",
                )
            )
    for n, district in ((1, "baikonyr"), (2, "yesil")):
        officers.append(
            Officer(
                f"SUP-{n:02d}", f"Дежурный {n}", f"+770000099{n:02d}", district, "ru", "supervisor"
            )
        )
    return officers


def _shift(officer_id: str, day: date, start: time) -> Shift:
    begins = datetime.combine(day, start, ASTANA)
    return Shift(officer_id, begins, begins + timedelta(hours=12))


def demo_shifts(first_day: date, days: int) -> list[Shift]:
    """Day and night shifts from `first_day` (Astana date) for `days` days."""
    shifts: list[Shift] = []
    for officer in demo_officers():
        n = int(officer.id.rsplit("-", 1)[1])
        start = DAY_START if n % 2 == 1 else NIGHT_START
        if officer.role == "inspector":
            start = DAY_START if n <= 4 else NIGHT_START
        for i in range(days):
            shifts.append(_shift(officer.id, first_day + timedelta(days=i), start))
    return shifts
