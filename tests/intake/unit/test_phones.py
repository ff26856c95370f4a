from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from intake.domain.phones import InvalidPhone, normalise_phone

KZ_MOBILE_PREFIXES = [
    "700",
    "701",
    "702",
    "705",
    "707",
    "708",
    "747",
    "771",
    "775",
    "776",
    "777",
    "778",
]


@pytest.mark.parametrize(
    "raw",
    ["8 701 234 56 78", "+7 701 234 56 78", "87012345678", "+7 (701) 234-56-78", "7012345678"],
)
def test_kazakh_forms_normalise_to_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+77012345678"


def test_foreign_numbers_keep_their_country() -> None:
    assert normalise_phone("+49 30 901820") == "+4930901820"


@pytest.mark.parametrize("raw", ["", "abc", "123", "+7 000 000 00 00", "8 701 234"])
def test_impossible_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)


@given(
    st.sampled_from(KZ_MOBILE_PREFIXES),
    st.integers(0, 9_999_999),
    st.sampled_from(["8{p}{n}", "+7{p}{n}", "8 ({p}) {n}", "+7 {p} {n}"]),
)
def test_every_written_form_of_a_kazakh_mobile_gives_the_same_e164(
    prefix: str, number: int, form: str
) -> None:
    digits = f"{number:07d}"
    expected = f"+7{prefix}{digits}"
    assert normalise_phone(form.format(p=prefix, n=digits)) == expected


@given(st.text(max_size=30))
def test_normalisation_either_gives_e164_or_rejects(raw: str) -> None:
    try:
        result = normalise_phone(raw)
    except InvalidPhone:
        return
    assert result.startswith("+")
    assert result[1:].isdigit()
    assert normalise_phone(result) == result
