"""Which alert an officer's reply is for: never a guess. Pure.

A case alert takes replies while routing has not closed its assignment: `1`/`2` while it
is open, `3` also once accepted. Notices and drills that were never sent take none. A reply
with a code applies to the phone's alert with that code; a bare `1`/`2` only when exactly
one case is open for the phone and no other case reached it within `bare_window`;
otherwise the officer is asked for the code.

A reply that quotes a code depends only on the phone's alerts with that code, and the answer
to any reply on the phone's newest alert (its language, whether it is a drill): `needed_for`
says which of the phone's recent alerts the read must return, `narrowed` what that is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from .alert import Alert
from .replies import HelpAsked, Reply

ReplyState = Literal["open", "accepted", "closed"]
_SENT = frozenset({"submitted", "delivered", "acknowledged", "declined"})


def reply_state(alert: Alert) -> ReplyState:
    """What routing last said of the alert's assignment, as a reply sees it."""
    if alert.routing_state in (None, "open"):
        return "open"
    return "accepted" if alert.routing_state == "acknowledged" else "closed"


def is_case(alert: Alert) -> bool:
    """An assignment the officer actually received (a drill with no provider never was)."""
    return (
        alert.purpose == "assignment"
        and alert.status in _SENT
        and alert.provider not in (None, "none")
    )


def may_have_reached(alert: Alert) -> bool:
    """An assignment alert that may be on the officer's phone: its submit went out, even if
    notify has not yet recorded the answer (a reply can come back faster than that).
    Counted when deciding whether a bare 1/2 is ambiguous, so a race asks for the code."""
    return (
        alert.purpose == "assignment"
        and alert.provider != "none"
        and alert.status not in ("pending",)
    )


@dataclass(frozen=True)
class Needed:
    """Of the phone's recent alerts, those a reply's answer can depend on: every one (a bare
    `1`/`2`/`3`), or the newest and, if `code` is given, those with that code."""

    every: bool
    code: str | None = None


def needed_for(parsed: HelpAsked | Reply | None) -> Needed:
    if isinstance(parsed, Reply):
        if parsed.short_code is None:
            return Needed(every=True)
        return Needed(every=False, code=parsed.short_code)
    return Needed(every=False)  # a question or nothing understood: answered in a language


def narrowed(newest_first: Sequence[Alert], needed: Needed) -> list[Alert]:
    """The phone's alerts (newest first) that `needed` keeps, newest first."""
    if needed.every:
        return list(newest_first)
    return [a for n, a in enumerate(newest_first) if n == 0 or a.short_code == needed.code]


@dataclass(frozen=True)
class Matched:
    alert: Alert


@dataclass(frozen=True)
class AskForCode:
    codes: tuple[str, ...]  # the open codes, newest first


@dataclass(frozen=True)
class Gone:
    """The code names a case of this phone that routing closed: it moved on or ended."""

    alert: Alert


@dataclass(frozen=True)
class UnknownCode:
    code: str


@dataclass(frozen=True)
class NothingOpen:
    pass


Match = Matched | AskForCode | Gone | UnknownCode | NothingOpen


def _takes(alert: Alert, reply: Reply) -> bool:
    state = reply_state(alert)
    return state == "open" or (state == "accepted" and reply.answer != "decline")


def match_reply(
    reply: Reply, alerts: Sequence[Alert], now: datetime, bare_window: timedelta
) -> Match:
    """The one alert `reply` applies to, or why none; `alerts` are the phone's, any order."""

    def newest_first(chosen: Iterable[Alert]) -> list[Alert]:
        return sorted(chosen, key=lambda a: a.assigned_at or a.created_at or now, reverse=True)

    cases = newest_first(a for a in alerts if is_case(a))
    if reply.short_code is not None:
        # The officer quotes the code, so the SMS reached them, recorded or not yet.
        reached = newest_first(a for a in alerts if is_case(a) or may_have_reached(a))
        named = [a for a in reached if a.short_code == reply.short_code]
        if not named:
            return UnknownCode(reply.short_code)
        taking = [a for a in named if _takes(a, reply)]
        return Matched(taking[0]) if taking else Gone(named[0])
    # One case per incident: a case given back to the same officer is its newest alert.
    newest = {a.incident_id: a for a in reversed(cases)}
    open_cases = [a for a in cases if reply_state(a) == "open" and newest[a.incident_id] is a]
    if reply.answer == "resolve":
        live = [a for a in cases if reply_state(a) != "closed"]
        return (
            AskForCode(tuple(dict.fromkeys(a.short_code for a in live))) if live else NothingOpen()
        )
    recent = [
        a
        for a in alerts
        if may_have_reached(a) and (a.assigned_at or a.created_at or now) >= now - bare_window
    ]
    # A case still on its way to the phone (sent, not yet recorded) may be the one meant.
    arriving = [a for a in recent if reply_state(a) == "open" and not is_case(a)]
    if not open_cases:
        if arriving:
            return AskForCode(tuple(dict.fromkeys(a.short_code for a in newest_first(arriving))))
        return NothingOpen()
    (only, *others) = open_cases
    if others or any(a.incident_id != only.incident_id for a in recent):
        listed = newest_first([*open_cases, *arriving])
        return AskForCode(tuple(dict.fromkeys(a.short_code for a in listed)))
    return Matched(only)
