from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

from console.domain.districts import DISTRICTS, district_at
from console.domain.login_policy import LoginPolicy, after_failure, may_try
from console.domain.models import BoardEntry, TimelineEntry
from console.domain.progress import cases_of, current_assignment, shown_status
from console.domain.report_form import check_report, intake_field
from console.domain.sorting import collation_key
from console.domain.timefmt import clock, countdown

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD = {
    "channel": "call_111",
    "call_id": "111-1",
    "caller_phone": "8 701 234 56 78",
    "street": "ул. Сыганак",
    "house": "10",
    "narrative": "Крики за стеной",
    "weapon": "on",
    "victim_name": "Әйгерім",
}


def test_a_good_form_becomes_intakes_report() -> None:
    checked = check_report(GOOD, "kk")
    assert checked.errors == {}
    report = checked.report
    assert report is not None
    assert report["address"] == {"street": "ул. Сыганак", "house": "10"}
    assert report["checklist"]["weapon"] is True
    assert report["checklist"]["danger_now"] is False
    assert report["victim"]["name"] == "Әйгерім"
    assert report["language"] == "kk"
    assert "priority" not in report


def test_each_bad_field_gets_its_own_message() -> None:
    checked = check_report({"call_id": "bad id!", "caller_phone": "12", "priority": "high"}, "ru")
    assert checked.report is None
    assert set(checked.errors) == {
        "call_id",
        "caller_phone",
        "narrative",
        "street",
        "priority_reason",
    }


def test_fields_follow_intakes_text_rules() -> None:
    form = {
        **GOOD,
        "caller_name": "\u202eЖанар\u200b  Омарова",  # bidi override, zero-width, two spaces
        "street": "ул. Таи\u0306манова",  # и + combining breve: NFC makes it й
        "narrative": "Крики\r\nза стеной",
    }
    checked = check_report(form, "ru")
    assert checked.report is not None, checked.errors
    assert checked.report["caller"] == {"name": "Жанар Омарова"}
    assert checked.report["address"]["street"] == "ул. Тайманова"
    assert checked.report["narrative"] == "Крики\nза стеной"
    assert "caller" not in (check_report(GOOD, "ru").report or {})


def test_invisible_controls_and_overlong_text_are_refused_next_to_the_field() -> None:
    checked = check_report(
        {
            **GOOD,
            "caller_name": "Жанар\nОмарова",
            "victim_name": "x" * 121,
            "house": "10\x07",
            "narrative": "\u200b \u200d",
            "caller_phone": "8 701 234 56",
            "victim_phone": "+7 999 1",
        },
        "ru",
    )
    assert checked.report is None
    assert checked.errors == {
        "caller_name": "Remove the invisible control characters (one line, no line breaks).",
        "victim_name": "At most 120 characters.",
        "house": "Remove the invisible control characters (one line, no line breaks).",
        "narrative": "Write what the caller said.",
        "caller_phone": "Enter a phone number, for example 8 701 234 56 78.",
        "victim_phone": "Enter a phone number, for example 8 701 234 56 78.",
    }


def test_intake_problems_point_at_form_fields() -> None:
    assert intake_field("caller.name") == "caller_name"
    assert intake_field("victim.phone") == "victim_phone"
    assert intake_field("address.street") == "street"
    assert intake_field("caller_phone") == "caller_phone"


def test_login_lockout_after_repeated_failures() -> None:
    policy = LoginPolicy(max_failures=3, lockout=timedelta(minutes=15), ip_max_failures=10)
    failed, locked = 0, None
    for _ in range(3):
        failed, locked = after_failure(failed, NOW, policy)
    assert locked == NOW + timedelta(minutes=15)
    assert failed == 0
    assert may_try(locked, 0, NOW, policy) == "locked"
    assert may_try(locked, 0, NOW + timedelta(minutes=16), policy) == "try"
    assert may_try(None, 10, NOW, policy) == "throttled"


def test_approximate_outlines_place_known_points() -> None:
    path = resources.files("console").joinpath("static/districts.geojson")
    outlines = json.loads(path.read_text("utf-8"))
    assert {f["properties"]["id"] for f in outlines["features"]} == set(DISTRICTS)
    assert district_at(51.128, 71.43, outlines) == "yesil"
    assert district_at(40.0, 10.0, outlines) is None


def test_status_shown_to_the_operator() -> None:
    escalated = BoardEntry(incident_id="i", short_code="C", status="unassigned_escalated")
    assert shown_status(None, escalated) == "escalated"
    assert shown_status(None, None) == "unknown"


def test_the_latest_assignment_of_an_officer_and_only_their_cases() -> None:
    timeline = [
        TimelineEntry(at=NOW, status="assigned", detail={"assignment_id": "a1", "officer_id": "X"}),
        TimelineEntry(
            at=NOW + timedelta(seconds=1),
            status="assigned",
            detail={"assignment_id": "a2", "officer_id": "Y"},
        ),
    ]
    assert current_assignment(timeline, "X") == "a1"
    assert current_assignment(timeline, None) == "a2"
    mine = BoardEntry(incident_id="1", short_code="A", status="assigned", officer_id="X")
    theirs = BoardEntry(incident_id="2", short_code="B", status="assigned", officer_id="Y")
    assert cases_of([mine, theirs], "X") == [mine]


def test_kazakh_letters_sort_after_their_base_letters() -> None:
    names = ["Өмір", "Оразов", "Ұлан", "Уәли", "Әлия", "Бек", "Абай", "Іргебай", "Ысқақ"]
    assert sorted(names, key=collation_key) == [
        "Абай",
        "Әлия",
        "Бек",
        "Оразов",
        "Өмір",
        "Уәли",
        "Ұлан",
        "Ысқақ",
        "Іргебай",
    ]


def test_astana_time_and_countdown() -> None:
    assert clock(NOW) == "14:00"
    assert countdown(125) == "2:05"
    assert countdown(-30) == "-0:30"
