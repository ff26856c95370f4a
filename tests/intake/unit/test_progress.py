from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from intake.domain.incident import Status
from intake.domain.progress import (
    advance,
    moves_of,
    on_alert,
    on_assigned,
    on_resolved,
)
from qorgau_contracts import IncidentResolved

from tests import factories

STATUSES: list[Status] = ["awaiting_triage", "reported", "assigned", "acknowledged", "resolved"]
ALL_STATUSES: list[Status] = [*STATUSES, "waiting_for_officer"]


def test_an_assignment_moves_the_incident_on_and_a_notice_does_not() -> None:
    progress = on_assigned(factories.assigned())
    assert (progress.entry, progress.status) == ("assigned", "assigned")
    assert progress.detail["officer_id"] == "YSL-01"
    assert "officer_phone" not in progress.detail
    notice = on_assigned(factories.assigned(purpose="supervisor_notice"))
    assert (notice.entry, notice.status) == ("supervisor_notice", None)


@pytest.mark.parametrize(
    ("status", "proposed"),
    [
        ("submitted", None),
        ("delivered", None),
        ("failed", None),
        ("declined", None),
        ("acknowledged", None),  # the SMS reply is not the acknowledgement: routing's is
    ],
)
def test_alert_updates(status: str, proposed: str | None) -> None:
    progress = on_alert(factories.alert_update(factories.assigned(), status, reason="x"))
    assert (progress.entry, progress.status) == (f"alert_{status}", proposed)


def test_resolution() -> None:
    event = IncidentResolved(
        producer="routing",
        correlation_id=factories.assigned().incident_id,
        incident_id=factories.assigned().incident_id,
        assignment_id=factories.assigned().assignment_id,
        officer_id="YSL-01",
        outcome="protective_order_issued",
        resolved_by="supervisor-1",
        occurred_at=datetime.now(UTC),
    )
    progress = on_resolved(event)
    assert (progress.status, progress.detail["outcome"]) == ("resolved", "protective_order_issued")


@given(st.sampled_from(STATUSES), st.lists(st.sampled_from([*STATUSES, None]), max_size=6))
def test_a_status_never_moves_back_whatever_the_order(
    start: Status, proposals: list[Status | None]
) -> None:
    current = start
    for proposed in proposals:
        after = advance(current, proposed)
        assert STATUSES.index(after) >= min(STATUSES.index(current), 1) or after == current
        if current == "resolved":
            assert after == "resolved"
        current = after


def test_advance_examples() -> None:
    assert advance("reported", "assigned") == "assigned"
    assert advance("acknowledged", "assigned") == "acknowledged"  # a late assignment event
    assert advance("resolved", "acknowledged") == "resolved"
    assert advance("awaiting_triage", "assigned") == "assigned"
    assert advance("assigned", None) == "assigned"


@pytest.mark.parametrize("proposed", [*ALL_STATUSES, None])
def test_one_proposal_moves_exactly_the_statuses_it_advances(proposed: Status | None) -> None:
    moves = moves_of([proposed])
    for current in ALL_STATUSES:
        expected = proposed if current in moves else current
        assert advance(current, proposed) == expected
        assert moves.get(current, current) == expected


def test_moves_examples() -> None:
    assert moves_of([None]) == {}
    assert set(moves_of(["resolved"])) == {
        "awaiting_triage", "reported", "waiting_for_officer", "assigned", "acknowledged"
    }  # fmt: skip
    assert moves_of(["assigned"]) == {
        "awaiting_triage": "assigned", "reported": "assigned", "waiting_for_officer": "assigned"
    }  # fmt: skip


@given(st.lists(st.sampled_from([*ALL_STATUSES, None]), max_size=8))
def test_a_run_of_proposals_moves_each_status_where_one_by_one_would(
    proposals: list[Status | None],
) -> None:
    moves = moves_of(proposals)
    for current in ALL_STATUSES:
        one_by_one = current
        for proposed in proposals:
            one_by_one = advance(one_by_one, proposed)
        assert moves.get(current, current) == one_by_one
        assert current not in moves or moves[current] != current  # only real moves
