from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from notify.domain.replies import HelpAsked, Reply, parse_reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", Reply("acknowledge", None)),
        (" 1 ", Reply("acknowledge", None)),
        ("1 K7Q2", Reply("acknowledge", "K7Q2")),
        ("1K7Q2", Reply("acknowledge", "K7Q2")),
        ("1  k7q2", Reply("acknowledge", "K7Q2")),
        ("1 К7Q2", Reply("acknowledge", "K7Q2")),  # Cyrillic К
        ("2", Reply("decline", None)),
        ("2 K7Q2.", Reply("decline", "K7Q2")),
        ("2, Н7РЕ", Reply("decline", "H7PE")),  # all-Cyrillic lookalikes
    ],
)
def test_accepted_replies(text: str, expected: Reply) -> None:
    assert parse_reply(text) == expected


@pytest.mark.parametrize(
    "text", ["", "12", "да", "1 K7Q", "1 K7Q2X", "ok 1", "1 2", "2 K7Q2 ЗП", "3 K7Q2 ЗП ЗП"]
)
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
    expected = Reply("acknowledge" if answer == "1" else "decline", code)
    assert parse_reply(f"{before}{answer}{between}{typed}{after}") == expected
    assert parse_reply(f"{before}{answer}{after}") == Reply(expected.answer, None)


@given(st.text(max_size=12))
def test_anything_else_is_rejected(text: str) -> None:
    reply = parse_reply(text)
    if isinstance(reply, Reply) and reply.answer != "resolve":
        # then it really was "1"/"2", optionally with a 4-character code
        stripped = "".join(text.split()).rstrip(".!")
        assert stripped[0] in "12"
        assert len(stripped.lstrip("12").lstrip(".,:;-")) in (0, 4)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("3 K7Q2 ЗП", "protective_order_issued"),
        ("3 k7q2 кц", "referred_to_crisis_centre"),
        ("3 K7Q2 0", "no_grounds_found"),
        ("3 K7Q2 ҚН", "protective_order_issued"),  # Kazakh
        ("3 K7Q2 ДО", "referred_to_crisis_centre"),
        ("3, K7Q2, УД.", "criminal_case_opened"),
    ],
)
def test_a_case_is_closed_with_an_outcome_code_in_either_language(text: str, outcome: str) -> None:
    assert parse_reply(text) == Reply("resolve", "K7Q2", outcome, parse_reply(text).outcome_text)  # type: ignore[arg-type,union-attr]


def test_an_unknown_outcome_or_a_question_is_recognised() -> None:
    unknown = parse_reply("3 K7Q2 ZZ")
    assert isinstance(unknown, Reply)
    assert (unknown.answer, unknown.outcome, unknown.needs_outcome) == ("resolve", None, True)
    assert parse_reply(" ? ") == HelpAsked()
    assert parse_reply("3") == Reply("resolve", None)
