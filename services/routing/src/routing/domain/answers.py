"""What an officer's answer (SMS reply or console) does to an assignment. Pure.

One rule for every channel: only the assigned officer answers; `1` accepts an open case,
`2` declines it, `3` closes an open or accepted case with its outcome. An answer to a case
that moved on, or closed, changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from qorgau_contracts import Outcome, ReplyAnswer, ReplyChannel, ReplyVerdict

from .cases import Assignment

_MOVED_ON = frozenset({"declined", "failed", "expired", "reassigned"})


@dataclass(frozen=True)
class OfficerAnswer:
    """An officer's answer to one assignment, from any channel."""

    officer_id: str
    answer: ReplyAnswer
    outcome: Outcome | None = None
    channel: ReplyChannel = "sms"
    reason: str | None = None


def judge(assignment: Assignment, answer: OfficerAnswer) -> ReplyVerdict:
    """Whether the answer applies to the assignment as routing holds it now."""
    if assignment.purpose != "assignment" or assignment.officer_id != answer.officer_id:
        return "not_yours"
    status = assignment.status
    if status in _MOVED_ON:
        return "moved_on"
    if status == "resolved":
        return "closed"
    if answer.answer == "acknowledge":
        return "applied" if status == "open" else "already"
    if answer.answer == "decline":
        # An accepted case is the officer's: handing it back is the supervisor's call.
        return "applied" if status == "open" else "already"
    return "applied" if answer.outcome is not None else "already"
