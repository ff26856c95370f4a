"""The one rule for an officer's answer, over every assignment state."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from qorgau_contracts import ReplyAnswer
from routing.domain.answers import OfficerAnswer, judge
from routing.domain.cases import Assignment, AssignmentStatus


def case(status: AssignmentStatus, purpose: str = "assignment") -> Assignment:
    return Assignment(
        id=uuid.uuid4(),
        incident_id=uuid.uuid4(),
        attempt=1,
        officer_id="YSL-01",
        purpose="assignment" if purpose == "assignment" else "supervisor_notice",
        status=status,
        created_at=datetime.now(UTC),
    )


@pytest.mark.parametrize(
    ("status", "answer", "verdict"),
    [
        ("open", "acknowledge", "applied"),
        ("open", "decline", "applied"),
        ("open", "resolve", "applied"),
        ("acknowledged", "acknowledge", "already"),
        ("acknowledged", "decline", "already"),
        ("acknowledged", "resolve", "applied"),
        ("expired", "acknowledge", "moved_on"),
        ("reassigned", "resolve", "moved_on"),
        ("declined", "acknowledge", "moved_on"),
        ("resolved", "resolve", "closed"),
    ],
)
def test_an_answer_applies_only_to_what_is_still_the_officers(
    status: AssignmentStatus, answer: ReplyAnswer, verdict: str
) -> None:
    given = OfficerAnswer("YSL-01", answer, "duplicate" if answer == "resolve" else None)
    assert judge(case(status), given) == verdict


def test_nobody_else_answers_and_a_notice_takes_no_answer() -> None:
    assert judge(case("open"), OfficerAnswer("YSL-02", "acknowledge")) == "not_yours"
    assert judge(case("notice", "notice"), OfficerAnswer("YSL-01", "acknowledge")) == "not_yours"
