"""The roster page: officers by district, their status, and shifts today and tomorrow."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from console.clients.ports import RoutingApi
from console.domain.models import Officer, Shift
from console.domain.timefmt import astana


@dataclass
class DistrictRoster:
    district: str
    officers: list[Officer] = field(default_factory=list)
    shifts: dict[str, list[Shift]] = field(default_factory=dict)
    on_shift_now: set[str] = field(default_factory=set)


async def roster(routing: RoutingApi, now: datetime) -> list[DistrictRoster]:
    start = astana(now).replace(hour=0, minute=0, second=0, microsecond=0)
    officers = await routing.officers()
    shifts = await routing.shifts(start, start + timedelta(days=2))
    by_officer: dict[str, list[Shift]] = defaultdict(list)
    for shift in shifts:
        by_officer[shift.officer_id].append(shift)
    districts: dict[str, DistrictRoster] = {}
    for officer in sorted(officers, key=lambda o: (o.home_district, o.role, o.id)):
        entry = districts.setdefault(officer.home_district, DistrictRoster(officer.home_district))
        entry.officers.append(officer)
        entry.shifts[officer.id] = by_officer.get(officer.id, [])
        if any(s.starts_at <= now < s.ends_at for s in entry.shifts[officer.id]):
            entry.on_shift_now.add(officer.id)
    return [districts[d] for d in sorted(districts)]
