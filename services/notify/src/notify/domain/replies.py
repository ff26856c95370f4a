"""Parsing an inspector's SMS reply. Pure.

`1` accepts, `2` declines, each with an optional code (`1 K7Q2`); `3 K7Q2 ЗП` closes a case
with an outcome code (Russian or Kazakh, `domain.outcomes`); `?` asks for the help. Any
spacing, any case, Latin or Cyrillic lookalikes in the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qorgau_contracts import Outcome, ReplyAnswer

from .outcomes import OUTCOME_CODES

# Cyrillic letters that look like the Latin ones in short codes (phones type either).
_LOOKALIKES = str.maketrans("АВСЕНКМОРТХУ", "ABCEHKMOPTXY")
_SEP = r"[\s.,:;-]"
_OUTCOME_WORD = r"[^\s.,:;!?]{1,8}"
_REPLY = re.compile(rf"^\s*([123])(?:{_SEP}*([A-Z0-9]{{4}}))?(?:{_SEP}+({_OUTCOME_WORD}))?[\s.!]*$")
_HELP = re.compile(r"^\s*\?+\s*$")
_ANSWERS: dict[str, ReplyAnswer] = {"1": "acknowledge", "2": "decline", "3": "resolve"}

# Outcome codes as they read after the lookalike folding (`КЦ` → `KЦ`), in both languages.
_OUTCOMES: dict[str, Outcome] = {
    code.upper().translate(_LOOKALIKES): outcome
    for codes in OUTCOME_CODES.values()
    for outcome, code in codes.items()
}


@dataclass(frozen=True)
class Reply:
    """An answer to a case: `outcome_text` is what followed `3 CODE`, `outcome` its meaning."""

    answer: ReplyAnswer
    short_code: str | None
    outcome: Outcome | None = None
    outcome_text: str | None = None

    @property
    def needs_outcome(self) -> bool:
        return self.answer == "resolve" and self.outcome is None


@dataclass(frozen=True)
class HelpAsked:
    pass


Parsed = Reply | HelpAsked


def parse_reply(text: str) -> Parsed | None:
    """The reply, a request for help, or None if the text is not a reply we understand."""
    if _HELP.match(text):
        return HelpAsked()
    match = _REPLY.match(text.upper().translate(_LOOKALIKES))
    if match is None:
        return None
    answer = _ANSWERS[match.group(1)]
    code, extra = match.group(2), match.group(3)
    if answer != "resolve":
        return None if extra else Reply(answer, code)
    return Reply(answer, code, _OUTCOMES.get(extra or ""), extra)
