from __future__ import annotations

from datetime import UTC, datetime, timedelta

from console.domain.board import Filters, build_board, column_of
from console.domain.models import BoardEntry, IncidentSummary

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def entry(
    n: int, status: str, district: str | None = "yesil", priority: str = "high"
) -> BoardEntry:
    return BoardEntry(
        incident_id=f"id-{n}",
        short_code=f"C{n:03d}",
        district=district,
        priority=priority,
        status=status,
        officer_id="YSL-01" if status == "assigned" else None,
    )


def summary(
    n: int, channel: str = "call_102", status: str = "assigned", **kw: object
) -> IncidentSummary:
    return IncidentSummary.model_validate(
        {
            "incident_id": f"id-{n}",
            "short_code": f"C{n:03d}",
            "channel": channel,
            "received_at": NOW - timedelta(minutes=n),
            "status": status,
            "district": "yesil",
            **kw,
        }
    )


def test_columns_follow_routing_status_and_a_missing_district() -> None:
    assert column_of(entry(1, "assigned")) == "waiting"
    assert column_of(entry(1, "unassigned_escalated")) == "escalated"
    assert column_of(entry(1, "assigned", district=None)) == "unassignable"
    assert column_of(entry(1, "acknowledged", district=None)) == "unassignable"
    assert column_of(entry(1, "acknowledged")) == "acknowledged"
    assert column_of(entry(1, "routing")) == "unassigned"


def test_reports_routing_has_not_answered_yet_are_on_the_board() -> None:
    view = build_board(
        [], {"id-1": summary(1, status="reported"), "id-2": summary(2, status="resolved")}
    )
    assert [c.short_code for c in view.columns["unassigned"]] == ["C001"]
    assert view.total == 1


def test_most_urgent_first_then_oldest() -> None:
    entries = [
        entry(1, "assigned", priority="standard"),
        entry(2, "assigned"),
        entry(3, "assigned"),
        entry(4, "assigned", priority="danger_now"),
    ]
    view = build_board(entries, {f"id-{n}": summary(n) for n in range(1, 5)})
    assert [c.short_code for c in view.columns["waiting"]] == ["C004", "C003", "C002", "C001"]


def test_filters_by_district_priority_and_channel() -> None:
    entries = [
        entry(1, "assigned"),
        entry(2, "assigned", district="nura"),
        entry(3, "assigned", district=None),
    ]
    summaries = {"id-1": summary(1), "id-2": summary(2, channel="call_111"), "id-3": summary(3)}
    assert build_board(entries, summaries, Filters(district="nura")).total == 1
    assert build_board(entries, summaries, Filters(district="none")).total == 1
    assert build_board(entries, summaries, Filters(channel="call_111")).total == 1
    assert build_board(entries, summaries, Filters(priority="standard")).total == 0
