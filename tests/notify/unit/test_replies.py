from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify.domain.replies import Reply, parse_reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Reply("acknowledged", None)),
        (" 1 ", Reply("acknowledged", None)),
        ("1 K7Q2", Reply("acknowledged", "K7Q2")),
        ("1K7Q2", Reply("acknowledged", "K7Q2")),
        ("1  k7q2", Reply("acknowledged", "K7Q2")),
        ("1 К7Q2", Reply("acknowledged", "K7Q2")),  # Cyrillic К
        ("2", Reply("declined", None)),
        ("2 K7Q2.", Reply("declined", "K7Q2")),
        ("2, Н7РЕ", Reply("declined", "H7PE")),  # all-Cyrillic lookalikes
    ],
)
def test_accepted_replies(text: str, expected: Reply) -> None:
    assert parse_reply(text) == expected


@pytest.mark.parametrize("text", ["", "3", "12", "да", "1 K7Q", "1 K7Q2X", "ok 1", "1 2"])
def test_rejected_replies(text: str) -> None:
    assert parse_reply(text) is None


@given(st.text(max_size=40))
def test_parsing_never_raises(text: str) -> None:
    parse_reply(text)


CODES = st.text("ABCEHKMOPTXY0123456789", min_size=4, max_size=4)
CYRILLIC = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")
SPACE = st.text(" \t", max_size=3)


@given(
    st.sampled_from(["1", "2"]),
    CODES,
    SPACE,
    SPACE,
    SPACE,
    st.booleans(),
    st.booleans(),
)
def test_every_spelling_of_a_reply_is_accepted(
    answer: str, code: str, before: str, between: str, after: str, cyrillic: bool, lower: bool
) -> None:
    typed = code.translate(CYRILLIC) if cyrillic else code
    typed = typed.lower() if lower else typed
    expected = Reply("acknowledged" if answer == "1" else "declined", code)
    assert parse_reply(f"{before}{answer}{between}{typed}{after}") == expected
    assert parse_reply(f"{before}{answer}{after}") == Reply(expected.answer, None)


@given(st.text(max_size=12))
def test_anything_else_is_rejected(text: str) -> None:
    reply = parse_reply(text)
    if reply is not None:  # then it really was "1"/"2", optionally with a 4-character code
        stripped = "".join(text.split()).rstrip(".!")
        assert stripped[0] in "12"
        assert len(stripped.lstrip("12").lstrip(".,:;-")) in (0, 4)
