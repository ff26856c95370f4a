from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from intake.domain.streets import GazetteerFileError, normalise_street, parse_gazetteer, resolve

DISTRICTS = frozenset({"almaty", "baikonyr", "saryarka", "yesil", "nura", "saraishyk"})
SAMPLE = Path(__file__).resolve().parents[3] / "services/intake/src/intake/gazetteer"


@pytest.mark.parametrize(
    "written",
    [
        "ул. Сыганак",
        "улица Сыганак",
        "Сыганак ул.",
        "УЛ.СЫГАНАК",
        "Сығанақ көшесі",
        "  ул.   Сыганак ,",
        "«Сыганак» улица",
    ],
)
def test_street_type_words_case_and_kazakh_letters_are_unified(written: str) -> None:
    assert normalise_street(written) == "сыганак"


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("пр. Кабанбай батыра", "кабанбай батыра"),
        ("проспект Кабанбай батыра", "кабанбай батыра"),
        ("Қабанбай батыр даңғылы", "кабанбай батыр"),
        ("пр-т Мангилик Ел", "мангилик ел"),
        ("Мәңгілік Ел даңғылы", "мангилик ел"),
        ("шоссе Алаш", "алаш"),
        ("Алаш тас жолы", "алаш"),
        ("мкр. Самал", "самал"),
        ("Самал шағын ауданы", "самал"),
        ("бульвар Нуржол", "нуржол"),
        ("Ё-мое ул.", "е мое"),
        ("ул. Жёлтая", "желтая"),
    ],
)
def test_russian_and_kazakh_street_types(written: str, key: str) -> None:
    assert normalise_street(written) == key


@given(st.text(max_size=60))
def test_normalising_is_idempotent(raw: str) -> None:
    once = normalise_street(raw)
    assert normalise_street(once) == once
    assert once == once.strip()
    assert "  " not in once


def test_the_sample_gazetteer_is_valid_and_labelled() -> None:
    text = (SAMPLE / "astana_sample.csv").read_text()
    assert "SAMPLE" in text.splitlines()[0]
    rows = parse_gazetteer(text, DISTRICTS)
    assert len(rows) >= 20
    assert {r.district for r in rows} == DISTRICTS


def test_every_bad_row_is_named_and_the_file_rejected() -> None:
    text = "\n".join(
        [
            "street,district,valid_from,valid_to",
            "ул. Сыганак,yesil,2020-01-01,",
            "ул. ,yesil,2020-01-01,",
            "ул. Достык,atlantis,2020-01-01,",
            "ул. Кунаева,yesil,01.01.2020,",
            "ул. Акмешит,yesil,2020-01-01,2019-01-01",
            "ул. Орынбор,yesil",
            "Сығанақ көшесі,yesil,2021-01-01,",
        ]
    )
    with pytest.raises(GazetteerFileError) as info:
        parse_gazetteer(text, DISTRICTS)
    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
        "line 7",
        "line 8",
    ]
    assert "unknown district 'atlantis'" in problems[1]
    assert "line 2" in problems[-1]  # the overlap names the earlier row too


def test_a_wrong_header_or_an_empty_file_is_rejected() -> None:
    with pytest.raises(GazetteerFileError, match="header"):
        parse_gazetteer("name,district\nx,yesil\n", DISTRICTS)
    with pytest.raises(GazetteerFileError, match="empty"):
        parse_gazetteer("# only a comment\n", DISTRICTS)


def test_a_street_may_change_district_over_time() -> None:
    text = (
        "street,district,valid_from,valid_to\n"
        "пр. Шакарима,almaty,2018-01-01,2024-01-01\n"
        "пр. Шакарима,saraishyk,2024-01-01,\n"
    )
    rows = parse_gazetteer(text, DISTRICTS)
    assert [(r.district, r.valid_to) for r in rows] == [
        ("almaty", date(2024, 1, 1)),
        ("saraishyk", None),
    ]


def test_resolution_never_guesses() -> None:
    assert resolve("сыганак", ["yesil"]).district == "yesil"
    assert resolve("сыганак", ["yesil", "yesil"]).district == "yesil"
    spans = resolve("республики", ["almaty", "saryarka"])
    assert spans.district is None
    assert spans.reason == "street spans several districts: almaty, saryarka"
    assert resolve("нет такой", []).reason == "street not in the gazetteer"
    assert resolve("", []).reason == "no street to look up"


@given(
    st.sampled_from(["Сыганак", "Кенесары", "Мангилик Ел", "Туран", "Бейбітшілік"]),
    st.sampled_from(
        ["ул. {}", "улица {}", "{} көшесі", "{} к-сі", "{} даңғылы", "{} д-лы", "{}", "УЛ. {}"]
    ),
    st.sampled_from(["", " ", "  "]),
    st.booleans(),
)
def test_how_a_street_is_written_does_not_change_its_key(
    name: str, form: str, padding: str, upper: bool
) -> None:
    written = padding + form.format(name.upper() if upper else name) + padding
    assert normalise_street(written) == normalise_street(name)
