from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from routing.domain.roster import ASTANA
from routing.domain.roster_files import RowError, parse_officers, parse_shifts
from routing.seed import demo_shifts_csv, seed_officers_csv

DISTRICTS = frozenset({"almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk"})
OFFICERS, SEED_ERRORS = parse_officers(seed_officers_csv(), DISTRICTS)
IDS = frozenset(o.id for o in OFFICERS)
SHIFTS, SHIFT_ERRORS = parse_shifts(demo_shifts_csv(OFFICERS, date(2026, 11, 1), 30), IDS)
HEADER = "id,name,phone,home_district,covers,language,role,active\n"


def test_seed_roster_is_valid_48_inspectors_over_six_districts_and_two_supervisors() -> None:
    assert SEED_ERRORS == []
    assert SHIFT_ERRORS == []
    inspectors = [o for o in OFFICERS if o.role == "inspector"]
    assert len(inspectors) == 48
    assert Counter(o.home_district for o in inspectors) == {d: 8 for d in DISTRICTS}
    assert sum(o.role == "supervisor" for o in OFFICERS) == 2


def test_astana_is_utc_plus_five_all_year() -> None:
    assert datetime(2026, 1, 15, 12, tzinfo=ASTANA).utcoffset() == timedelta(hours=5)
    assert datetime(2026, 7, 15, 12, tzinfo=ASTANA).utcoffset() == timedelta(hours=5)


@given(st.datetimes(min_value=datetime(2026, 11, 2), max_value=datetime(2026, 11, 29)))
def test_every_district_and_a_supervisor_are_covered_at_any_hour(moment: datetime) -> None:
    now = moment.replace(tzinfo=ASTANA)
    on = {s.officer_id for s in SHIFTS if s.starts_at <= now < s.ends_at}
    roles = {o.id: o for o in OFFICERS}
    assert {roles[i].home_district for i in on if roles[i].role == "inspector"} == DISTRICTS
    assert any(roles[i].role == "supervisor" for i in on)


def test_night_shift_crosses_midnight() -> None:
    night = next(s for s in SHIFTS if s.officer_id == "YSL-05")
    assert night.starts_at.hour == 20
    assert (night.ends_at - night.starts_at) == timedelta(hours=12)
    assert night.ends_at.date() == night.starts_at.date() + timedelta(days=1)


def test_phones_are_normalised_and_covers_parsed() -> None:
    officers, errors = parse_officers(
        HEADER + "X-1,Ахмет,8 701 234 56 78,yesil,nura;almaty,kk,inspector,\n", DISTRICTS
    )
    assert errors == []
    assert officers[0].phone == "+77012345678"
    assert officers[0].covers == {"nura", "almaty"}
    assert officers[0].active


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_kept() -> None:
    text = HEADER + (
        "A-1,Ok,+77011111111,yesil,,ru,inspector,true\n"
        "A-2,Bad phone,12345,yesil,,ru,inspector,true\n"
        "A-3,Bad district,+77011111112,atlantis,,ru,inspector,true\n"
        "A-1,Twice,+77011111113,yesil,,xx,boss,maybe\n"
    )
    _, errors = parse_officers(text, DISTRICTS)
    assert [(e.line, e.message) for e in errors] == [
        (3, "phone is not a valid number"),
        (4, "unknown district 'atlantis'"),
        (5, "language must be ru or kk"),
        (5, "role must be inspector or supervisor"),
        (5, "active must be true or false"),
        (5, "id 'A-1' appears twice"),
    ]


def test_missing_or_unknown_columns_reject_the_file() -> None:
    assert parse_officers("id,name\nA,B\n", DISTRICTS)[1][0].message.startswith("missing columns")
    _, errors = parse_shifts("officer_id,starts_at,ends_at,extra\n", IDS)
    assert errors == [RowError("shifts.csv", 1, "unknown columns: extra")]


def test_bad_and_overlapping_shifts_are_reported() -> None:
    text = (
        "officer_id,starts_at,ends_at\n"
        "YSL-01,2026-11-22T08:00,2026-11-22T20:00\n"
        "YSL-01,2026-11-22T19:00,2026-11-23T07:00\n"
        "YSL-02,2026-11-22T20:00,2026-11-22T08:00\n"
        "NOBODY,2026-11-22T08:00,2026-11-22T20:00\n"
        "YSL-03,yesterday,2026-11-22T20:00\n"
        "YSL-04,2026-11-22T08:00,2026-11-24T08:00\n"
    )
    shifts, errors = parse_shifts(text, IDS)
    assert [(e.line, e.message) for e in errors] == [
        (3, "overlaps another shift of YSL-01"),
        (4, "ends_at must be after starts_at"),
        (5, "unknown officer 'NOBODY'"),
        (6, "starts_at and ends_at must be ISO 8601 times"),
        (7, "a shift may not be longer than 24 hours"),
    ]
    assert shifts[0].starts_at.utcoffset() == timedelta(hours=5)  # no offset: Astana time
