from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from intake.domain.triage import WEIGHTS, Checklist, assess, raise_priority
from qorgau_contracts import Priority

checklists = st.builds(Checklist, **{name: st.booleans() for name in WEIGHTS})
LEVEL_ORDER = ["standard", "medium", "high"]
PRIORITY_ORDER: list[Priority] = ["standard", "high", "danger_now"]


def test_empty_checklist_is_standard() -> None:
    assert assess(Checklist()).risk_level == "standard"
    assert assess(Checklist()).priority == "standard"


def test_danger_now_is_an_emergency() -> None:
    result = assess(Checklist(danger_now=True))
    assert (result.risk_level, result.priority) == ("high", "danger_now")


def test_one_high_harm_indicator_makes_risk_high() -> None:
    for name in ("weapon", "strangulation", "threats_to_kill", "protective_order_breached"):
        assert assess(Checklist(**{name: True})).risk_level == "high", name


def test_other_indicators_add_up() -> None:
    assert assess(Checklist(injuries=True)).risk_level == "medium"
    three = Checklist(injuries=True, stalking=True, children_present=True)
    assert assess(three).risk_level == "high"


@given(checklists)
def test_flags_are_exactly_the_yes_answers(checklist: Checklist) -> None:
    yes = {name for name, value in checklist.model_dump().items() if value}
    assert set(assess(checklist).flags) == yes


@given(checklists, st.sampled_from(list(WEIGHTS)))
def test_another_yes_never_lowers_risk_or_priority(checklist: Checklist, extra: str) -> None:
    before = assess(checklist)
    after = assess(checklist.model_copy(update={extra: True}))
    assert LEVEL_ORDER.index(after.risk_level) >= LEVEL_ORDER.index(before.risk_level)
    assert PRIORITY_ORDER.index(after.priority) >= PRIORITY_ORDER.index(before.priority)


@given(checklists)
def test_a_repeat_report_never_lowers_and_usually_raises_risk(checklist: Checklist) -> None:
    first, repeat = assess(checklist), assess(checklist, repeat=True)
    assert LEVEL_ORDER.index(repeat.risk_level) == min(LEVEL_ORDER.index(first.risk_level) + 1, 2)
    assert "repeat" in repeat.flags


@given(st.sampled_from(PRIORITY_ORDER), st.sampled_from([None, *PRIORITY_ORDER]))
def test_operators_may_raise_but_never_lower_priority(
    assessed: Priority, requested: Priority | None
) -> None:
    result = raise_priority(assessed, requested)
    assert PRIORITY_ORDER.index(result) >= PRIORITY_ORDER.index(assessed)
    if requested is not None:
        assert PRIORITY_ORDER.index(result) >= PRIORITY_ORDER.index(requested)
