from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from routing.roster import ASTANA, DISTRICTS, demo_officers, demo_shifts


def test_demo_roster_has_48_inspectors_over_six_districts_and_two_supervisors() -> None:
    officers = demo_officers()
    inspectors = [o for o in officers if o.role == "inspector"]
    assert len(inspectors) == 48
    assert Counter(o.home_district for o in inspectors) == {d: 8 for d in DISTRICTS}
    assert sum(o.role == "supervisor" for o in officers) == 2
    assert len({o.phone for o in officers}) == len(officers)


def test_astana_is_utc_plus_five() -> None:
    assert datetime(2026, 1, 15, 12, tzinfo=ASTANA).utcoffset() == timedelta(hours=5)
    assert datetime(2026, 7, 15, 12, tzinfo=ASTANA).utcoffset() == timedelta(hours=5)


SHIFTS = demo_shifts(date(2026, 11, 1), 30)


@given(st.datetimes(min_value=datetime(2026, 11, 2), max_value=datetime(2026, 11, 29)))
def test_every_district_and_a_supervisor_are_covered_at_any_hour(moment: datetime) -> None:
    now = moment.replace(tzinfo=ASTANA)
    on = {s.officer_id for s in SHIFTS if s.starts_at <= now < s.ends_at}
    officers = {o.id: o for o in demo_officers()}
    assert {officers[i].home_district for i in on if officers[i].role == "inspector"} == set(
        DISTRICTS
    )
    assert any(officers[i].role == "supervisor" for i in on)


def test_night_shift_crosses_midnight() -> None:
    shifts = demo_shifts(date(2026, 11, 22), 1)
    night = next(s for s in shifts if s.officer_id == "YSL-05")
    assert night.starts_at.hour == 20
    assert night.ends_at.date() == date(2026, 11, 23)
