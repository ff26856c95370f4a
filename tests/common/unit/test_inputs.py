"""The shared validation layer for text and time, and PATCH bodies without nulls. Pure."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, StringConstraints, ValidationError
from qorgau_common.patch import PatchBody
from qorgau_common.text import (
    TextRejected,
    clean_line,
    clean_text,
    multi_line,
    scrub_line,
    scrub_text,
    single_line,
    visible_length,
)
from qorgau_common.times import BoundedTime, EventTime, TimeRejected, event_time, from_epoch

NOW = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def test_a_line_loses_bidi_and_zero_width_characters_and_is_nfc() -> None:
    spoofed = f"ул. \u202eкanагыС\u202c 10{ZERO_WIDTH}"
    assert clean_line(spoofed) == "ул. кanагыС 10"
    for ch in BIDI + ZERO_WIDTH:
        assert clean_line(f"Сыганак{ch}10") == "Сыганак10"
    decomposed = unicodedata.normalize("NFD", "Кенесары, улица Жұбанова й")
    assert clean_line(decomposed) == "Кенесары, улица Жұбанова й"
    assert clean_line("  many   spaces\u00a0here ") == "many spaces here"


@pytest.mark.parametrize("bad", ["a\x00b", "a\nb", "a\tb", "a\x1bb", "a\x7fb", "a\x85b", "\ud800"])
def test_a_line_refuses_controls_and_lone_surrogates(bad: str) -> None:
    with pytest.raises(TextRejected):
        clean_line(bad)


def test_a_text_keeps_newlines_and_says_something() -> None:
    assert clean_text("Муж угрожает.\r\nДети дома.\r") == "Муж угрожает.\nДети дома."
    with pytest.raises(TextRejected):
        clean_text("a\x00b")
    with pytest.raises(TextRejected, match="visible"):
        clean_text("\u200b", min_visible=1)
    with pytest.raises(TextRejected, match="visible"):
        clean_line(" \u200b\u2066 ", min_visible=1)
    assert visible_length("\u200b a \u202e") == 1


def test_scrubbing_never_refuses() -> None:
    assert scrub_line("a\x00b\u202e c\ud800") == "a b c\ufffd"
    assert scrub_text("x\r\ny\x07z") == "x\ny z"


@given(st.text())
def test_a_cleaned_line_is_clean(raw: str) -> None:
    try:
        line = clean_line(raw)
    except TextRejected:
        line = scrub_line(raw)
    assert unicodedata.is_normalized("NFC", line)
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in line)
    assert line == line.strip()


class Form(BaseModel):
    street: Annotated[str, StringConstraints(max_length=10), single_line(max_length=10)]
    narrative: Annotated[str, multi_line()]


def test_the_annotated_types_name_the_field() -> None:
    assert Form(street="\u202eab ", narrative="x").street == "ab"
    with pytest.raises(ValidationError) as refused:
        Form(street="ok", narrative="\u200b")
    assert refused.value.errors()[0]["loc"] == ("narrative",)
    with pytest.raises(ValidationError):
        Form(street="x" * 11, narrative="x")


@pytest.mark.parametrize(
    "at",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        NOW + timedelta(days=1, seconds=1),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_event_times_outside_the_window_are_refused(at: datetime) -> None:
    with pytest.raises(TimeRejected):
        event_time(at, NOW)


def test_event_times_inside_the_window() -> None:
    assert event_time(NOW + timedelta(hours=23), NOW) == NOW + timedelta(hours=23)
    assert event_time(datetime(2000, 1, 1, tzinfo=UTC), NOW).year == 2000


@pytest.mark.parametrize(
    ("value", "unit_s"),
    [(10**13, 1.0), (-(10**12), 1.0), (999999999999, 1.0), (9.5e19, 1e-3), (float("nan"), 1.0)],
)
def test_epochs_outside_the_window_are_refused_before_converting(
    value: float, unit_s: float
) -> None:
    with pytest.raises(TimeRejected):
        from_epoch(value, unit_s=unit_s, now=NOW)


def test_epochs_in_seconds_and_milliseconds() -> None:
    assert from_epoch(NOW.timestamp(), now=NOW) == NOW
    assert from_epoch(NOW.timestamp() * 1000, unit_s=1e-3, now=NOW) == NOW


class Window(BaseModel):
    at: EventTime
    since: BoundedTime


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at", "0001-01-01T00:00:00+05:00"),
        ("at", "2999-01-01T00:00:00Z"),
        ("since", "0001-01-01T00:00:00+05:00"),
        ("since", "9999-12-31T23:59:59-05:00"),
        ("since", "2026-01-01T00:00:00"),
    ],
)
def test_the_time_types_refuse_out_of_range_values(field: str, value: str) -> None:
    good = {"at": "2026-01-01T00:00:00Z", "since": "2026-01-01T00:00:00Z"}
    with pytest.raises(ValidationError) as refused:
        Window.model_validate({**good, field: value})
    assert refused.value.errors()[0]["loc"] == (field,)


class Change(PatchBody):
    name: str | None = None
    covers: list[str] | None = None


def test_a_patch_body_refuses_nulls_and_does_not_offer_them() -> None:
    assert Change.model_validate({"name": "x"}).model_dump(exclude_unset=True) == {"name": "x"}
    for body in ({"name": None}, {"covers": None}):
        with pytest.raises(ValidationError) as refused:
            Change.model_validate(body)
        assert refused.value.errors()[0]["loc"] == (next(iter(body)),)
    schema = Change.model_json_schema()
    assert schema["properties"]["name"] == {"title": "Name", "type": "string"}
    assert "null" not in str(schema)
