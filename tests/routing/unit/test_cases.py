from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from qorgau_contracts import AlertStatus
from routing.domain.cases import (
    Assignment,
    AssignmentStatus,
    Incident,
    IncidentStatus,
    moved_on_reason,
    moves_on,
    only_shown,
)

NOW = datetime(2026, 11, 22, 5, tzinfo=UTC)


def assignment(status: AssignmentStatus, purpose: str = "assignment") -> Assignment:
    return Assignment(
        id=uuid.uuid4(),
        incident_id=uuid.uuid4(),
        attempt=1,
        officer_id="YSL-01",
        purpose="assignment" if purpose == "assignment" else "supervisor_notice",
        status=status,
        created_at=NOW,
    )


def incident(status: IncidentStatus) -> Incident:
    return Incident(
        id=uuid.uuid4(),
        correlation_id=uuid.uuid4(),
        short_code="K7Q2",
        district="yesil",
        priority="high",
        risk_level="high",
        address_line="ул. Сыганак 10",
        exercise=False,
        status=status,
        received_at=NOW,
    )


@pytest.mark.parametrize(
    ("status", "moved"),
    [
        ("declined", "declined"),
        ("failed", "failed"),
        ("acknowledged", None),
        ("delivered", None),
        ("submitted", None),
    ],
)
def test_only_a_decline_or_a_failure_moves_a_case_on(
    status: AlertStatus, moved: str | None
) -> None:
    assert moves_on(status) == moved


def test_the_reason_keeps_what_notify_said() -> None:
    assert moved_on_reason("declined", "on another call") == "declined: on another call"
    assert moved_on_reason("failed", None) == "failed"


def test_only_an_open_case_awaits_an_answer() -> None:
    assert assignment("open").awaits_answer
    assert not assignment("notice", "notice").awaits_answer
    assert not assignment("acknowledged").awaits_answer
    assert not assignment("expired").awaits_answer


def test_an_open_or_accepted_case_can_be_resolved_a_notice_never() -> None:
    assert assignment("open").resolvable
    assert assignment("acknowledged").resolvable
    assert not assignment("declined").resolvable
    assert not assignment("notice", "notice").resolvable


def test_accepted_or_resolved_incidents_are_settled() -> None:
    assert incident("acknowledged").settled
    assert incident("resolved").settled
    assert not incident("assigned").settled
    assert not incident("unassigned_escalated").settled


@pytest.mark.parametrize(
    ("status", "shown_only"),
    [
        ("submitted", True),
        ("delivered", True),
        ("failed", False),
        ("acknowledged", False),
        ("declined", False),
    ],
)
def test_only_submitted_and_delivered_leave_the_case_as_it_is(
    status: AlertStatus, shown_only: bool
) -> None:
    assert only_shown(status) is shown_only
    assert not (only_shown(status) and moves_on(status))  # never both
