"""A reply applies to at most one case, and only to an open assignment of that phone.

Hypothesis drives interleavings of alerts (cases, notices, drills never sent), deliveries,
routing's closes and acceptances (deadlines, declines, reassignments, resolutions) and
replies, and checks every reply's match against the model it was made in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from notify.domain.alert import Alert
from notify.domain.replies import HelpAsked, Reply
from notify.domain.reply_match import (
    AskForCode,
    Gone,
    Matched,
    Needed,
    NothingOpen,
    UnknownCode,
    is_case,
    match_reply,
    may_have_reached,
    narrowed,
    needed_for,
    reply_state,
)

from tests import factories

T0 = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
CODES = ["K7Q2", "LPQL", "AC34"]


def an_alert(**changes: Any) -> Alert:
    return factories.alert(**{"assigned_at": T0, "created_at": T0, **changes})


ALERTED = st.tuples(
    st.just("alert"),
    st.sampled_from(CODES),
    st.sampled_from(["assignment", "assignment", "supervisor_notice"]),
    st.sampled_from([(False, "smpp"), (False, "http"), (True, "none"), (True, "smpp")]),
)
ROUTED = st.tuples(
    st.just("routing"),
    st.integers(0, 20),
    st.sampled_from(["acknowledged", "expired", "declined", "reassigned", "resolved", "failed"]),
)
REPLIED = st.tuples(
    st.just("reply"),
    st.sampled_from(["acknowledge", "decline", "resolve"]),
    st.sampled_from([None, *CODES, "ZZZZ"]),
)
WAITED = st.tuples(st.just("wait"), st.integers(0, 20))


@given(st.lists(st.one_of(ALERTED, ROUTED, REPLIED, WAITED), max_size=30))
def test_a_reply_applies_to_at_most_one_open_case_of_the_phone(
    steps: list[tuple[Any, ...]],
) -> None:
    alerts: list[Alert] = []
    now = T0
    for step in steps:
        if step[0] == "alert":
            _, code, purpose, (exercise, provider) = step
            alerts.append(
                an_alert(
                    short_code=code,
                    purpose=purpose,
                    exercise=exercise,
                    provider=provider,
                    assigned_at=now,
                    created_at=now,
                )
            )
        elif step[0] == "wait":
            now += timedelta(minutes=step[1])
        elif step[0] == "routing" and alerts:
            index = step[1] % len(alerts)
            alerts[index] = replace(alerts[index], routing_state=step[2])
        elif step[0] == "reply":
            _, answer, code = step
            reply = Reply(answer, code, "duplicate" if answer == "resolve" else None)
            check(reply, alerts, now)


def check(reply: Reply, alerts: list[Alert], now: datetime) -> None:
    match = match_reply(reply, alerts, now, WINDOW)
    # What the phone's read returns for this reply matches it the same (and its newest alert,
    # whose language and drill flag the answer takes, is still first).
    newest_first = sorted(alerts, key=lambda a: a.created_at or now, reverse=True)
    kept = narrowed(newest_first, needed_for(reply))
    assert match_reply(reply, kept, now, WINDOW) == match
    assert kept[:1] == newest_first[:1]
    cases = [a for a in alerts if is_case(a)]
    newest = {a.incident_id: a for a in sorted(cases, key=lambda a: a.assigned_at or now)}
    open_cases = [a for a in cases if reply_state(a) == "open" and newest[a.incident_id] is a]
    if isinstance(match, Matched):
        assert match.alert in alerts  # this phone's, and one alert only
        # Never a notice or a drill that was never sent.
        assert is_case(match.alert) or may_have_reached(match.alert)
        state = reply_state(match.alert)
        assert state == "open" or (state == "accepted" and reply.answer != "decline")
        if reply.short_code is None:
            # A bare answer: exactly one open case, and nothing else reached it recently.
            assert open_cases == [match.alert]
            others = [a for a in cases if a.incident_id != match.alert.incident_id]
            assert all((a.assigned_at or now) < now - WINDOW for a in others)
        else:
            assert match.alert.short_code == reply.short_code
    elif isinstance(match, Gone):
        assert reply.short_code == match.alert.short_code
        assert all(
            not (reply_state(a) == "open" or reply_state(a) == "accepted")
            or (reply.answer == "decline" and reply_state(a) == "accepted")
            for a in cases
            if a.short_code == reply.short_code
        )
    elif isinstance(match, UnknownCode):
        assert all(a.short_code != reply.short_code for a in cases)
    elif isinstance(match, AskForCode):
        assert reply.short_code is None
    else:
        assert isinstance(match, NothingOpen)
        assert reply.short_code is None


def test_a_drill_never_sent_and_a_notice_do_not_make_a_bare_reply_ambiguous() -> None:
    real = an_alert(short_code="K7Q2")
    drill = an_alert(short_code="LPQL", exercise=True, provider="none")
    notice = an_alert(short_code="AC34", purpose="supervisor_notice")
    bare = Reply("acknowledge", None)
    assert match_reply(bare, [drill, notice, real], T0, WINDOW) == Matched(real)


def test_a_bare_reply_with_another_case_alerted_recently_asks_for_the_code() -> None:
    moved = an_alert(short_code="K7Q2", routing_state="expired")
    new = an_alert(short_code="LPQL", assigned_at=T0 + timedelta(minutes=3))
    later = T0 + timedelta(minutes=4)
    assert match_reply(Reply("acknowledge", None), [moved, new], later, WINDOW) == AskForCode(
        ("LPQL",)
    )
    past_window = T0 + timedelta(minutes=16)
    assert match_reply(Reply("acknowledge", None), [moved, new], past_window, WINDOW) == Matched(
        new
    )
    assert match_reply(Reply("acknowledge", "K7Q2"), [moved, new], later, WINDOW) == Gone(moved)


def test_a_case_whose_submit_is_not_yet_recorded_still_makes_a_bare_reply_ambiguous() -> None:
    """The SMS can reach the phone, and the reply come back, before notify records the
    submit's answer (seen under load): that case must still count."""
    first = an_alert(short_code="K7Q2")
    on_the_wire = an_alert(
        short_code="LPQL", status="sending", provider=None, assigned_at=T0 + timedelta(seconds=30)
    )
    later = T0 + timedelta(minutes=1)
    # Both are listed: the one on its way may be the one the officer means.
    assert match_reply(Reply("acknowledge", None), [first, on_the_wire], later, WINDOW) == (
        AskForCode(("LPQL", "K7Q2"))
    )
    # Its code, quoted from the SMS, finds it although its submit is not recorded yet.
    assert match_reply(Reply("acknowledge", "LPQL"), [first, on_the_wire], later, WINDOW) == (
        Matched(on_the_wire)
    )
    # The only case may be the one on its way: asked, never "nothing open".
    assert match_reply(Reply("acknowledge", None), [on_the_wire], later, WINDOW) == (
        AskForCode(("LPQL",))
    )
    not_sent_yet = an_alert(short_code="LPQL", status="pending", provider=None)
    assert match_reply(Reply("acknowledge", None), [first, not_sent_yet], later, WINDOW) == (
        Matched(first)
    )


def test_a_reply_quoting_a_code_needs_the_newest_alert_and_those_with_its_code() -> None:
    assert needed_for(Reply("acknowledge", "K7Q2")) == Needed(every=False, code="K7Q2")
    assert needed_for(Reply("acknowledge", None)) == Needed(every=True)
    assert needed_for(HelpAsked()) == Needed(every=False)  # only the language to answer in
    assert needed_for(None) == Needed(every=False)
    newest, named, other = (an_alert(short_code=c) for c in ("AC34", "K7Q2", "LPQL"))
    assert narrowed([newest, other, named], Needed(every=False, code="K7Q2")) == [newest, named]
    assert narrowed([newest, other, named], Needed(every=False)) == [newest]
    assert narrowed([newest, other, named], Needed(every=True)) == [newest, other, named]
    assert narrowed([], Needed(every=False, code="K7Q2")) == []
