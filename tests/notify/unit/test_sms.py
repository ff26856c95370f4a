from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from notify.domain.sms import AlertText, encoding_for, render_alert, segment_count, units
from notify.providers.smpp.pdu import encode

DESIGN_EXAMPLE = AlertText("K7Q2", "high", "high", "yesil", "ул. Сыганак 10 кв 5", "ru")


def test_design_example_renders_as_in_design() -> None:
    assert render_alert(DESIGN_EXAMPLE) == (
        "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5. Ответ: 1 K7Q2 принял, 2 K7Q2 не могу"
    )
    assert segment_count(render_alert(DESIGN_EXAMPLE)) == 2


def test_the_reply_instructions_name_the_code_so_a_bare_1_is_never_invited() -> None:
    text = render_alert(AlertText("K7Q2", "danger_now", "high", "saraishyk", "ул. " * 40, "ru"))
    assert text.endswith(". Ответ: 1 K7Q2 принял, 2 K7Q2 не могу")
    assert segment_count(text) <= 2


def test_kazakh_officer_gets_kazakh_text() -> None:
    text = render_alert(AlertText("K7Q2", "danger_now", "high", "yesil", "Сығанақ 10", "kk"))
    assert text.startswith("Qorgau K7Q2 ШҰҒЫЛ ЖОҒАРЫ қауіп. Есіл")
    assert text.endswith("Жауап: 1 K7Q2 қабылдадым, 2 K7Q2 алмаймын")


def test_exercise_is_marked() -> None:
    assert render_alert(AlertText("K7Q2", "high", "high", "yesil", "x", "ru", True)).startswith(
        "УЧЕБНАЯ "
    )
    assert render_alert(AlertText("K7Q2", "high", "high", "yesil", "x", "kk", True)).startswith(
        "ОҚУ "
    )


def test_encoding_and_units() -> None:
    assert encoding_for("Qorgau K7Q2 1") == "gsm7"
    assert encoding_for("Есиль") == "ucs2"
    assert units("a{", "gsm7") == 3  # '{' costs an escape septet
    assert units("😀", "ucs2") == 2  # outside the BMP: a surrogate pair
    assert segment_count("a" * 160) == 1
    assert segment_count("a" * 161) == 2
    assert segment_count("ж" * 70) == 1
    assert segment_count("ж" * 71) == 2
    assert segment_count("ж" * 134) == 2
    assert segment_count("ж" * 135) == 3


alerts = st.builds(
    AlertText,
    short_code=st.text("ACDEFHJKLMNPQRTUVWXY34679", min_size=4, max_size=4),
    priority=st.sampled_from(["danger_now", "high", "standard"]),
    risk_level=st.sampled_from(["standard", "medium", "high"]),
    district=st.none()
    | st.sampled_from(
        ["almaty", "baikonyr", "yesil", "saryarka", "nura", "saraishyk", "unknown_x"]
    ),
    address_line=st.text(max_size=200),
    language=st.sampled_from(["ru", "kk"]),
    exercise=st.booleans(),
)


@given(alerts)
def test_every_alert_fits_two_segments_and_keeps_code_and_reply(alert: AlertText) -> None:
    text = render_alert(alert)
    assert segment_count(text) <= 2
    assert len(encode(text, 1).parts) <= 2
    assert f"Qorgau {alert.short_code}" in text
    code = alert.short_code
    assert text.endswith(f"2 {code} не могу" if alert.language == "ru" else f"2 {code} алмаймын")
