"""Rendering an alert into SMS text, and counting its segments. Pure functions.

Cyrillic and the Kazakh letters force UCS-2: 70 UTF-16 units in one SMS, 67 per part
of a concatenated one. An alert must fit in two parts; the address is what gets
shortened, never the code or the reply instructions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from qorgau_contracts import Language, Priority, RiskLevel

Encoding = Literal["gsm7", "ucs2"]

MAX_SEGMENTS = 2
_LIMITS: Mapping[Encoding, tuple[int, int]] = {"gsm7": (160, 153), "ucs2": (70, 67)}

# GSM 03.38 default alphabet (basic set) and the extension table, which costs two septets.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = frozenset("^{}\\[~]|€\f")

DISTRICT_NAMES: Mapping[Language, Mapping[str, str]] = {
    "ru": {
        "almaty": "Алматы",
        "baikonyr": "Байконыр",
        "yesil": "Есиль",
        "saryarka": "Сарыарка",
        "nura": "Нура",
        "saraishyk": "Сарайшык",
    },
    "kk": {
        "almaty": "Алматы",
        "baikonyr": "Байқоңыр",
        "yesil": "Есіл",
        "saryarka": "Сарыарқа",
        "nura": "Нұра",
        "saraishyk": "Сарайшық",
    },
}
_NO_DISTRICT: Mapping[Language, str] = {"ru": "район не определен", "kk": "аудан белгісіз"}
_RISK: Mapping[Language, Mapping[RiskLevel, str]] = {
    "ru": {"high": "ВЫСОКИЙ риск", "medium": "СРЕДНИЙ риск", "standard": "риск обычный"},
    "kk": {"high": "ЖОҒАРЫ қауіп", "medium": "ОРТАША қауіп", "standard": "қауіп қалыпты"},
}
_URGENT: Mapping[Language, str] = {"ru": "СРОЧНО ", "kk": "ШҰҒЫЛ "}
_EXERCISE: Mapping[Language, str] = {"ru": "УЧЕБНАЯ ", "kk": "ОҚУ "}
_REPLY: Mapping[Language, str] = {
    "ru": "Ответ: 1 {code} принял, 2 {code} не могу",
    "kk": "Жауап: 1 {code} қабылдадым, 2 {code} алмаймын",
}


@dataclass(frozen=True)
class AlertText:
    short_code: str
    priority: Priority
    risk_level: RiskLevel
    district: str | None
    address_line: str
    language: Language
    exercise: bool = False


def encoding_for(text: str) -> Encoding:
    return "gsm7" if all(ch in _GSM7_BASIC or ch in _GSM7_EXT for ch in text) else "ucs2"


def units(text: str, encoding: Encoding) -> int:
    """Length in the encoding's units: septets for GSM-7, UTF-16 code units for UCS-2."""
    if encoding == "gsm7":
        return sum(2 if ch in _GSM7_EXT else 1 for ch in text)
    return len(text.encode("utf-16-be", "replace")) // 2


def segment_count(text: str) -> int:
    encoding = encoding_for(text)
    single, multi = _LIMITS[encoding]
    n = units(text, encoding)
    return 1 if n <= single else -(-n // multi)


def part_count(text: str) -> int:
    """Parts as the encoder packs them: an escaped GSM-7 character or a surrogate pair is
    never split across parts, so this can exceed `segment_count` by one."""
    encoding = encoding_for(text)
    single, multi = _LIMITS[encoding]
    sizes = [units(ch, encoding) for ch in text]  # per character, in the encoding's units
    if sum(sizes) <= single:
        return 1
    parts, current = 1, 0
    for size in sizes:
        if current + size > multi:
            parts, current = parts + 1, 0
        current += size
    return parts


def render_alert(alert: AlertText) -> str:
    """The SMS an inspector reads, within two segments."""
    lang = alert.language
    head = (
        ("" if not alert.exercise else _EXERCISE[lang])
        + f"Qorgau {alert.short_code} "
        + (_URGENT[lang] if alert.priority == "danger_now" else "")
        + f"{_RISK[lang][alert.risk_level]}. "
    )
    district = (
        DISTRICT_NAMES[lang].get(alert.district, alert.district)
        if alert.district
        else _NO_DISTRICT[lang]
    )
    tail = ". " + _REPLY[lang].format(code=alert.short_code)
    address = " ".join(alert.address_line.split())
    text = f"{head}{district}, {address}{tail}"
    while part_count(text) > MAX_SEGMENTS and address:
        address = address[:-1]
        text = f"{head}{district}, {address.rstrip()}…{tail}"
    return text
