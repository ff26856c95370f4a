"""One validation layer for text from outside (HTTP bodies, queries, webhooks). Pure.

Every text is NFC-normalised, so a street typed with a combining accent and one typed
precomposed are the same lookup key, and lone UTF-16 surrogates (which PostgreSQL cannot
store) are refused. Two kinds:

- a *line* (an address part, a name, a reason, an id): C0/C1 control characters, newlines
  included, are refused; invisible format characters (bidi embeddings, overrides and
  isolates, LRM/RLM/ALM, zero-width spaces and joiners, the BOM, soft hyphens: Unicode
  category Cf) are removed, because a line can reach an officer's SMS or a lookup key,
  where they reverse or hide what it says; runs of whitespace become one space;
- a *text* (a narrative): newlines and tabs are kept, other controls are refused, and the
  format characters stay (a joiner is part of an emoji), since a text never reaches an SMS.

Where a field must say something, `min_visible` counts what a reader can see: not
whitespace, controls or format characters (a narrative of one U+200B says nothing).

Data we do not control and must not refuse (a victim's message relayed by a platform) is
*scrubbed* instead (`scrub_line`, `scrub_text`): the same rules, but what would be refused
is replaced (controls by spaces, lone surrogates by U+FFFD).

Use them as pydantic metadata, one line per field:
`Street = Annotated[str, StringConstraints(max_length=120), single_line()]`.
"""

from __future__ import annotations

import unicodedata

from pydantic import AfterValidator

__all__ = [
    "TextRejected",
    "clean_line",
    "clean_text",
    "invisible",
    "multi_line",
    "scrub_line",
    "scrub_text",
    "single_line",
    "visible_length",
]

_TEXT_CONTROLS_ALLOWED = frozenset("\t\n\r")


class TextRejected(ValueError):
    """Text that no cleaning can make acceptable."""


def invisible(ch: str) -> bool:
    """A format character: bidi controls, zero-width characters, BOM, soft hyphen..."""
    return unicodedata.category(ch) == "Cf"


def _control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"  # C0, DEL and C1


def _surrogate(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"


def visible_length(value: str) -> int:
    """Characters a reader sees: not whitespace, not controls, not format characters."""
    return sum(
        1 for ch in value if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")
    )


def _common(value: str, allowed: frozenset[str]) -> str:
    if any(_surrogate(ch) for ch in value):
        raise TextRejected("must be valid Unicode (no lone surrogates)")
    if any(_control(ch) and ch not in allowed for ch in value):
        raise TextRejected("must not contain control characters")
    return unicodedata.normalize("NFC", value)


def clean_line(value: str, *, min_visible: int = 0) -> str:
    """One line: NFC, no controls, no invisible format characters, single spaces."""
    value = _common(value, frozenset())
    value = " ".join("".join(ch for ch in value if not invisible(ch)).split())
    if visible_length(value) < min_visible:
        raise TextRejected(_say_something(min_visible))
    return value


def clean_text(value: str, *, min_visible: int = 0) -> str:
    """Free text: NFC, newlines and tabs kept (CRLF and CR → LF), other controls refused."""
    value = _common(value, _TEXT_CONTROLS_ALLOWED).replace("\r\n", "\n").replace("\r", "\n")
    value = value.strip()
    if visible_length(value) < min_visible:
        raise TextRejected(_say_something(min_visible))
    return value


def _scrubbed(value: str, allowed: frozenset[str]) -> str:
    value = "".join(
        "\ufffd" if _surrogate(ch) else " " if _control(ch) and ch not in allowed else ch
        for ch in value
    )
    return unicodedata.normalize("NFC", value)


def scrub_line(value: str) -> str:
    """`clean_line` that never refuses: controls become spaces, lone surrogates U+FFFD."""
    return " ".join(
        "".join(ch for ch in _scrubbed(value, frozenset()) if not invisible(ch)).split()
    )


def scrub_text(value: str) -> str:
    """`clean_text` that never refuses: controls become spaces, lone surrogates U+FFFD."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _scrubbed(value, _TEXT_CONTROLS_ALLOWED).strip()


def _say_something(min_visible: int) -> str:
    if min_visible == 1:
        return "must have at least one visible character"
    return f"must have at least {min_visible} visible characters"


def single_line(*, min_visible: int = 1, max_length: int | None = None) -> AfterValidator:
    """Pydantic metadata: `clean_line`, then at most `max_length` characters."""

    def check(value: str) -> str:
        cleaned = clean_line(value, min_visible=min_visible)
        if max_length is not None and len(cleaned) > max_length:
            raise TextRejected(f"must be at most {max_length} characters")
        return cleaned

    return AfterValidator(check)


def multi_line(*, min_visible: int = 1, max_length: int | None = None) -> AfterValidator:
    """Pydantic metadata: `clean_text`, then at most `max_length` characters."""

    def check(value: str) -> str:
        cleaned = clean_text(value, min_visible=min_visible)
        if max_length is not None and len(cleaned) > max_length:
            raise TextRejected(f"must be at most {max_length} characters")
        return cleaned

    return AfterValidator(check)
