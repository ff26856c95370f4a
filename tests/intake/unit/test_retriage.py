from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from intake.domain.crypto import KeyConfigError
from intake.domain.linking import address_term, parse_link_key, phone_terms, sender_term
from intake.domain.message import InboundMessage, accept_message
from intake.domain.places import Centroid, nearest_district
from intake.domain.retriage import TriageState, now_reported, retriage
from intake.domain.triage import Checklist
from qorgau_common.errors import Conflict

CENTROIDS = [
    Centroid("saryarka", 51.19, 71.39),
    Centroid("yesil", 51.12, 71.42),
    Centroid("nura", 51.065, 71.40),
]
NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)

WAITING = TriageState(
    status="awaiting_triage",
    district=None,
    district_source=None,
    district_unresolved_reason="district not given",
    checklist=Checklist(),
    repeat=False,
    urgent=False,
    priority="standard",
    priority_reason=None,
    risk_level="standard",
    risk_flags=(),
)


def test_setting_the_district_reports_a_waiting_incident() -> None:
    after = retriage(WAITING, district="yesil")
    assert (after.status, after.district, after.district_source) == ("reported", "yesil", "triage")
    assert after.district_unresolved_reason is None
    assert now_reported(WAITING, after)


def test_a_rise_is_reported_whatever_the_status_and_a_fall_is_not() -> None:
    after = retriage(WAITING, checklist=Checklist(weapon=True))
    assert (after.status, after.risk_level, after.priority) == ("awaiting_triage", "high", "high")
    assert now_reported(WAITING, after)
    routed = replace(after, status="assigned", district="nura")
    assert not now_reported(routed, retriage(routed, checklist=Checklist()))
    assert not now_reported(routed, retriage(routed, checklist=Checklist(weapon=True)))
    found = retriage(replace(WAITING, status="assigned"), district="yesil")
    assert found.status == "assigned"
    assert now_reported(replace(WAITING, status="assigned"), found)


def test_a_repeat_keeps_raising_risk_and_an_operator_raise_survives() -> None:
    state = replace(WAITING, repeat=True, priority="danger_now", priority_reason="крики")
    after = retriage(state, checklist=Checklist(injuries=True))
    assert after.risk_level == "high"  # medium, raised by the repeat
    assert "repeat" in after.risk_flags
    assert after.priority == "danger_now"


def test_moving_a_routed_incident_is_routings_job() -> None:
    routed = replace(WAITING, status="assigned", district="nura")
    with pytest.raises(Conflict):
        retriage(routed, district="yesil")
    assert retriage(routed, district="nura").district == "nura"


def test_urgent_words_flag_and_stay_flagged() -> None:
    flagged = retriage(WAITING, urgent=True)
    assert flagged.urgent
    assert "urgent_words" in flagged.risk_flags
    again = retriage(flagged, checklist=Checklist(stalking=True))
    assert again.urgent
    assert "urgent_words" in again.risk_flags


def test_nearest_centroid_and_far_away_locations() -> None:
    assert nearest_district(51.20, 71.38, CENTROIDS) == "saryarka"
    assert nearest_district(51.06, 71.41, CENTROIDS) == "nura"
    assert nearest_district(43.24, 76.89, CENTROIDS) is None  # Almaty city
    assert nearest_district(51.1, 71.4, []) is None


def message(**changes: Any) -> InboundMessage:
    base = InboundMessage(platform="telegram", message_id="1", sender_id="42", sent_at=NOW)
    return replace(base, **{"text": "Здравствуйте", **changes})


def test_a_message_waits_for_triage_and_carries_no_names() -> None:
    incident = accept_message(
        message(sender_name="Айгерим", sender_handle="aigerim"), NOW, "K7Q2", centroids=CENTROIDS
    )
    assert (incident.status, incident.district) == ("awaiting_triage", None)
    assert incident.district_unresolved_reason == "message without a location"
    assert incident.address_line == "адрес не указан (Telegram)"
    assert not incident.urgent


def test_a_shared_location_places_a_message_approximately() -> None:
    incident = accept_message(
        message(location=(51.125, 71.43), text="нож"), NOW, "K7Q2", centroids=CENTROIDS
    )
    assert (incident.status, incident.district) == ("reported", "yesil")
    assert incident.district_source == "location_approximate"
    assert incident.urgent
    assert "urgent_words" in incident.risk_flags
    linked = accept_message(message(), NOW, "K7Q2", centroids=CENTROIDS, linked=(uuid.uuid4(),))
    assert linked.risk_level == "medium"
    assert "repeat" in linked.risk_flags


def test_link_terms_and_keys() -> None:
    key = parse_link_key("A" * 44)
    assert address_term("сыганак", "10", "5") == address_term("сыганак", " 10 ", "5")
    assert address_term("сыганак", None, "5") is None
    assert address_term("", "10", None) is None
    assert [t.kind for t in phone_terms("+77012345678", "+77012345678", None)] == ["phone"]
    a, b = sender_term("telegram", "1"), sender_term("instagram", "1")
    assert key.digest(a.kind, a.value) != key.digest(b.kind, b.value)
    assert key.digest("phone", "+77012345678") == key.digest("phone", "+77012345678")
    assert len(key.digest("phone", "x")) == 32


@pytest.mark.parametrize("spec", ["", "  ", "not base64!", "QUJD"])
def test_a_missing_or_weak_link_key_is_explained(spec: str) -> None:
    with pytest.raises(KeyConfigError, match="link key"):
        parse_link_key(spec)
