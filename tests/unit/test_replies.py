from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify.replies import Reply, parse_reply


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
