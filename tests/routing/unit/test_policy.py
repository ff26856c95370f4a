from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from routing.domain.escalation import EscalationPolicy
from routing.domain.policy import (
    Candidate,
    Chosen,
    Exhausted,
    NoOfficer,
    choose_officer,
    next_officer,
    supervisor_to_tell,
)

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)
DISTRICTS = ["almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk"]
NEIGHBOURS = {
    "almaty": ["baikonyr", "yesil", "saraishyk"],
    "baikonyr": ["almaty", "saryarka", "yesil"],
    "saryarka": ["baikonyr", "yesil", "nura"],
    "yesil": ["almaty", "baikonyr", "saryarka", "nura", "saraishyk"],
    "nura": ["saryarka", "yesil", "saraishyk"],
    "saraishyk": ["almaty", "yesil", "nura"],
}


def officer(officer_id: str, district: str = "yesil", **changes: Any) -> Candidate:
    candidate = Candidate(
        officer_id=officer_id,
        home_district=district,
        covers=frozenset(),
        role="inspector",
        on_shift=True,
        available=True,
        open_assignments=0,
        last_assigned_at=None,
    )
    return dataclasses.replace(candidate, **changes)


def test_fewest_open_assignments_wins() -> None:
    pool = [officer("A", open_assignments=2), officer("B", open_assignments=1)]
    assert choose_officer("yesil", pool, NEIGHBOURS) == Chosen("B", "district")


def test_tie_goes_to_the_longest_since_last_assignment() -> None:
    pool = [
        officer("A", last_assigned_at=NOW - timedelta(minutes=5)),
        officer("B", last_assigned_at=NOW - timedelta(hours=2)),
        officer("C", last_assigned_at=NOW - timedelta(minutes=1)),
    ]
    assert choose_officer("yesil", pool, NEIGHBOURS) == Chosen("B", "district")
    never = [*pool, officer("D")]
    assert choose_officer("yesil", never, NEIGHBOURS) == Chosen("D", "district")


def test_off_shift_unavailable_and_excluded_officers_are_skipped() -> None:
    pool = [
        officer("A", on_shift=False),
        officer("B", available=False),
        officer("C"),
        officer("D", open_assignments=0),
    ]
    assert choose_officer("yesil", pool, NEIGHBOURS, exclude=frozenset({"D"})) == Chosen(
        "C", "district"
    )


def test_then_covering_then_neighbour_then_supervisor() -> None:
    covering = officer("COV", "almaty", covers=frozenset({"nura"}))
    neighbour = officer("NEI", "yesil")
    boss = officer("SUP", "baikonyr", role="supervisor")
    far = officer("FAR", "almaty")
    assert choose_officer("nura", [covering, neighbour, boss, far], NEIGHBOURS) == Chosen(
        "COV", "covering"
    )
    assert choose_officer("nura", [neighbour, boss, far], NEIGHBOURS) == Chosen("NEI", "neighbour")
    assert choose_officer("nura", [boss, far], NEIGHBOURS) == Chosen("SUP", "supervisor")
    assert isinstance(choose_officer("nura", [far], NEIGHBOURS), NoOfficer)


def test_no_district_goes_to_the_supervisor() -> None:
    pool = [officer("A"), officer("SUP", role="supervisor")]
    assert choose_officer(None, pool, NEIGHBOURS) == Chosen("SUP", "supervisor")


def test_ack_deadlines_follow_priority() -> None:
    policy = EscalationPolicy()
    assert policy.ack_deadline("danger_now", NOW) - NOW == timedelta(minutes=2)
    assert policy.ack_deadline("high", NOW) - NOW == timedelta(minutes=5)
    assert policy.ack_deadline("standard", NOW) - NOW == timedelta(minutes=15)


candidates = st.lists(
    st.builds(
        Candidate,
        officer_id=st.text("ABCDEFGH", min_size=3, max_size=3),
        home_district=st.sampled_from(DISTRICTS),
        covers=st.frozensets(st.sampled_from(DISTRICTS), max_size=2),
        role=st.sampled_from(["inspector", "inspector", "supervisor"]),
        on_shift=st.booleans(),
        available=st.booleans(),
        open_assignments=st.integers(0, 5),
        last_assigned_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    ),
    max_size=12,
    unique_by=lambda c: c.officer_id,
)


def _reachable(c: Candidate, district: str | None) -> bool:
    if c.role == "supervisor":
        return True
    return district is not None and (
        c.home_district == district
        or district in c.covers
        or c.home_district in NEIGHBOURS[district]
    )


@given(candidates, st.sampled_from([None, *DISTRICTS]))
def test_never_an_ineligible_officer_and_nobody_only_when_nobody_fits(
    pool: list[Candidate], district: str | None
) -> None:
    decision = choose_officer(district, pool, NEIGHBOURS)
    eligible = [c for c in pool if c.on_shift and c.available and _reachable(c, district)]
    if isinstance(decision, Chosen):
        assert decision.officer_id in {c.officer_id for c in eligible}
    else:
        assert eligible == []


@given(candidates, st.sampled_from(DISTRICTS))
def test_the_supervisor_is_reached_when_no_inspector_fits(
    pool: list[Candidate], district: str
) -> None:
    inspectors = [
        c
        for c in pool
        if c.role == "inspector" and c.on_shift and c.available and _reachable(c, district)
    ]
    bosses = [c for c in pool if c.role == "supervisor" and c.on_shift and c.available]
    decision = choose_officer(district, pool, NEIGHBOURS)
    if not inspectors and bosses:
        assert isinstance(decision, Chosen)
        assert decision.route == "supervisor"


@given(candidates, st.sampled_from(DISTRICTS))
def test_the_district_inspector_chosen_carries_the_least_load(
    pool: list[Candidate], district: str
) -> None:
    decision = choose_officer(district, pool, NEIGHBOURS)
    local = [
        c
        for c in pool
        if c.on_shift and c.available and c.role == "inspector" and c.home_district == district
    ]
    if local:
        assert isinstance(decision, Chosen)
        assert decision.route == "district"
        chosen = next(c for c in local if c.officer_id == decision.officer_id)
        assert chosen.open_assignments == min(c.open_assignments for c in local)


@given(candidates, st.sampled_from(DISTRICTS))
def test_excluding_each_chosen_officer_in_turn_always_ends(
    pool: list[Candidate], district: str
) -> None:
    tried: set[str] = set()
    for _ in range(len(pool) + 1):
        decision = choose_officer(district, pool, NEIGHBOURS, exclude=frozenset(tried))
        if isinstance(decision, NoOfficer):
            return
        assert decision.officer_id not in tried
        tried.add(decision.officer_id)
    raise AssertionError("the escalation chain did not end")


@given(st.integers(1, 40), st.sampled_from(DISTRICTS))
def test_assigning_repeatedly_keeps_load_within_one(cases: int, district: str) -> None:
    pool = {f"O{n}": officer(f"O{n}", district) for n in range(4)}
    for step in range(cases):
        decision = choose_officer(district, list(pool.values()), NEIGHBOURS)
        assert isinstance(decision, Chosen)
        c = pool[decision.officer_id]
        pool[c.officer_id] = officer(
            c.officer_id,
            district,
            open_assignments=c.open_assignments + 1,
            last_assigned_at=NOW + timedelta(seconds=step),
        )
    loads = [c.open_assignments for c in pool.values()]
    assert max(loads) - min(loads) <= 1


@given(candidates, st.sampled_from([None, *DISTRICTS]), st.integers(1, 6))
def test_escalation_ends_within_the_maximum_and_tells_the_supervisor(
    pool: list[Candidate], district: str | None, max_attempts: int
) -> None:
    policy = EscalationPolicy(max_attempts=max_attempts)
    tried: set[str] = set()
    told_at: list[int] = []
    for attempt in range(1, max_attempts + 2):
        step = next_officer(district, pool, NEIGHBOURS, frozenset(tried), attempt, policy)
        if supervisor_to_tell(step, attempt, pool, policy) is not None:
            told_at.append(attempt)
        if isinstance(step, Exhausted):
            break
        assert step.officer_id not in tried
        tried.add(step.officer_id)
    else:
        raise AssertionError("escalation went past the maximum")
    assert attempt <= max_attempts + 1
    boss_on_shift = any(c.role == "supervisor" and c.on_shift for c in pool)
    if boss_on_shift:
        assert told_at[-1] == attempt  # told when it runs out
