from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from intake.domain.incident import SHORT_CODE_ALPHABET, Placement, new_short_code
from intake.domain.report import ReportRejected, accept_report, address_line
from intake.http.reports import ReportIn
from pydantic import ValidationError

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


def report(**changes: Any) -> ReportIn:
    body: dict[str, Any] = {
        "channel": "call_102",
        "call_id": "c-1",
        "caller_phone": "8 701 234 56 78",
        "address": {"street": "ул. Сыганак", "house": "10", "apartment": "5"},
        "district": "yesil",
        "narrative": "текст",
    }
    body.update(changes)
    return ReportIn.model_validate(body)


def test_phone_is_normalised() -> None:
    assert report().caller_phone == "+77012345678"


def test_a_report_with_a_district_is_reported() -> None:
    incident = accept_report(report(checklist={"weapon": True}), NOW, "K7Q2")
    assert (incident.status, incident.district, incident.priority) == ("reported", "yesil", "high")
    assert incident.received_at == NOW
    assert incident.address_line == "ул. Сыганак 10 кв 5"


def test_a_report_without_a_district_waits_for_triage() -> None:
    incident = accept_report(report(district=None), NOW, "K7Q2")
    assert incident.status == "awaiting_triage"
    assert incident.district is None
    assert incident.district_unresolved_reason


def test_coordinates_alone_are_a_place() -> None:
    r = report(address=None, coordinates={"lat": 51.128, "lon": 71.43})
    assert address_line(r).startswith("коорд. 51.12800")


def test_a_place_is_required() -> None:
    with pytest.raises(ValidationError, match="address or the coordinates"):
        report(address=None)


def test_received_time_in_the_future_is_rejected_beyond_skew() -> None:
    accept_report(report(received_at=(NOW + timedelta(minutes=4)).isoformat()), NOW, "K7Q2")
    with pytest.raises(ReportRejected, match="received_at"):
        accept_report(report(received_at=(NOW + timedelta(minutes=6)).isoformat()), NOW, "K7Q2")


def test_raising_priority_needs_a_reason() -> None:
    with pytest.raises(ValidationError, match="priority_reason"):
        report(priority="danger_now")
    incident = accept_report(report(priority="danger_now", priority_reason="крики"), NOW, "K7Q2")
    assert incident.priority == "danger_now"
    assert incident.priority_reason == "крики"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "telegram"}, "channel"),
        ({"caller_phone": "12"}, "caller_phone"),
        ({"narrative": ""}, "narrative"),
        ({"narrative": "x" * 10_001}, "narrative"),
        ({"narrative": "bad\x00byte"}, "narrative"),
        ({"narrative": "lone \ud800 surrogate"}, "narrative"),
        ({"district": "Yesil District"}, "district"),
        ({"surprise": 1}, "surprise"),
        ({"received_at": "2026-11-22T10:00:00"}, "received_at"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        report(**changes)
    assert field in {str(e["loc"][0]) for e in info.value.errors()}


def test_short_codes_avoid_lookalike_characters() -> None:
    codes = {new_short_code() for _ in range(200)}
    assert all(len(c) == 4 and set(c) <= set(SHORT_CODE_ALPHABET) for c in codes)
    assert not set("0O1I2Z5S8B") & set(SHORT_CODE_ALPHABET)


def test_the_operators_district_wins_over_the_gazetteer() -> None:
    placed = Placement("nura", None, gazetteer_version=3, source="gazetteer")
    incident = accept_report(report(), NOW, "K7Q2", placement=placed)
    assert (incident.district, incident.district_source) == ("yesil", "operator")
    assert incident.gazetteer_version is None


def test_the_gazetteer_places_or_explains() -> None:
    placed = accept_report(
        report(district=None), NOW, "K7Q2", placement=Placement("nura", None, 3, "gazetteer")
    )
    assert (placed.status, placed.district, placed.gazetteer_version) == ("reported", "nura", 3)
    unplaced = accept_report(
        report(district=None),
        NOW,
        "K7Q2",
        placement=Placement(None, "street not in the gazetteer", 3),
    )
    assert (unplaced.status, unplaced.district_unresolved_reason) == (
        "awaiting_triage",
        "street not in the gazetteer",
    )


def test_a_linked_report_is_a_repeat() -> None:
    earlier = uuid.uuid4()
    incident = accept_report(report(), NOW, "K7Q2", linked=(earlier,))
    assert incident.linked_incident_ids == (earlier,)
    assert incident.risk_level == "medium"
    assert "repeat" in incident.risk_flags


def test_a_victim_phone_is_normalised() -> None:
    assert report(victim={"phone": "8 705 111 22 33"}).victim.phone == "+77051112233"
    with pytest.raises(ValidationError):
        report(victim={"phone": "12"})
