"""What an officer reads after replying, and the short update SMS for facts learnt later.

Pure. Every text fits in two UCS-2 parts; the address is what gets shortened. Confirmations
name the code and the address line, and say what routing did, never what notify assumed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Literal

from qorgau_contracts import (
    FactChange,
    Language,
    Outcome,
    Priority,
    ReplyAnswer,
    ReplyVerdict,
    RiskLevel,
)

from .outcomes import codes_line, outcome_code
from .sms import DISTRICT_NAMES, MAX_SEGMENTS, part_count

ASTANA = timezone(timedelta(hours=5))

Notice = Literal[
    "ask_for_code", "ask_for_code_3", "unknown_code", "nothing_open", "not_understood",
    "unknown_outcome", "help",
]  # fmt: skip

_NOTICES: Mapping[Language, Mapping[Notice, str]] = {
    "ru": {
        "ask_for_code": "Qorgau: открыты {codes}. Укажите код: 1 КОД или 2 КОД",
        "ask_for_code_3": "Qorgau: ваши вызовы {codes}. Укажите код: 3 КОД ИТОГ",
        "unknown_code": "Qorgau: код {code} не найден. Ответ: 1 КОД или 2 КОД",
        "nothing_open": "Qorgau: у вас нет открытых вызовов.",
        "not_understood": "Qorgau: ответ не понят. Ответ: 1 принял, 2 не могу, ? помощь",
        "unknown_outcome": "Qorgau {code}: итог не понят. Ответ: 3 {code} ИТОГ, итоги: {codes}",
        "help": "Qorgau: 1 КОД принял, 2 КОД отказ, 3 КОД ИТОГ закрыть. ЗП-предписание"
        " КЦ-кризисный центр АД-адм.дело УД-уг.дело 0-нет насилия ДБ-дубль",
    },
    "kk": {
        "ask_for_code": "Qorgau: ашық {codes}. Кодты жазыңыз: 1 КОД не 2 КОД",
        "ask_for_code_3": "Qorgau: сіздің шақырулар {codes}. Кодты жазыңыз: 3 КОД НӘТИЖЕ",
        "unknown_code": "Qorgau: {code} коды табылмады. Жауап: 1 КОД не 2 КОД",
        "nothing_open": "Qorgau: ашық шақырулар жоқ.",
        "not_understood": "Qorgau: жауап түсініксіз. Жауап: 1 қабылдадым, 2 алмаймын, ? көмек",
        "unknown_outcome": "Qorgau {code}: нәтиже түсініксіз. Жауап: 3 {code} НӘТИЖЕ: {codes}",
        "help": "Qorgau: 1 КОД қабылдадым, 2 КОД алмаймын, 3 КОД НӘТИЖЕ жабу. ҚН-нұсқама"
        " ДО-дағдарыс орт. ӘІ-әкімш.іс ҚІ-қылм.іс 0-зорлық жоқ ҚТ-қайт.",
    },
}


def render_notice(
    notice: Notice, language: Language, code: str = "", codes: Sequence[str] = ()
) -> str:
    listed = ", ".join(codes) if notice != "unknown_outcome" else codes_line(language)
    return _NOTICES[language][notice].format(code=code, codes=listed)


def _place(language: Language, district: str | None, address_line: str) -> tuple[str, str]:
    name = DISTRICT_NAMES[language].get(district, district) if district else ""
    return (f"{name}, " if name else ""), " ".join(address_line.split())


def _fit(head: str, address: str, tail: str = "") -> str:
    """`head + address + tail` within two parts, shortening the address."""
    text = f"{head}{address}{tail}"
    while part_count(text) > MAX_SEGMENTS and address:
        address = address[:-1]
        text = f"{head}{address.rstrip()}…{tail}"
    return text


_APPLIED: Mapping[Language, Mapping[ReplyAnswer, str]] = {
    "ru": {
        "acknowledge": "Принято: {code}, ",
        "decline": "Отказ принят: {code}, передаем другому. ",
        "resolve": "Закрыто: {code}, итог {outcome}. Спасибо. ",
    },
    "kk": {
        "acknowledge": "Қабылданды: {code}, ",
        "decline": "Бас тарту қабылданды: {code}. ",
        "resolve": "Жабылды: {code}, нәтиже {outcome}. Рахмет. ",
    },
}
_REFUSED: Mapping[Language, Mapping[str, str]] = {
    "ru": {
        "already": "{code} уже принято вами. ",
        "already_decline": "{code} уже принято вами; передать может дежурный. ",
        "moved_on": "{code} передано другому сотруднику, ваш ответ не учтен. ",
        "closed": "{code} уже закрыто, ваш ответ не учтен. ",
    },
    "kk": {
        "already": "{code} сізде, бұрын қабылданған. ",
        "already_decline": "{code} қабылданған; тек кезекші бере алады. ",
        "moved_on": "{code} басқа қызметкерге берілді, жауабыңыз есептелмеді. ",
        "closed": "{code} жабылған, жауабыңыз есептелмеді. ",
    },
}


def render_verdict(
    verdict: ReplyVerdict,
    answer: ReplyAnswer,
    language: Language,
    code: str,
    district: str | None,
    address_line: str,
    outcome: Outcome | None = None,
) -> str:
    """What routing did with the officer's reply, naming the code and the address."""
    if verdict == "applied":
        head = _APPLIED[language][answer]
    elif verdict == "already":
        head = _REFUSED[language]["already_decline" if answer == "decline" else "already"]
    else:
        head = _REFUSED[language]["closed" if verdict == "closed" else "moved_on"]
    shown = outcome_code(outcome, language) if outcome else ""
    prefix, address = _place(language, district, address_line)
    return _fit(head.format(code=code, outcome=shown) + prefix, address)


_RISK: Mapping[Language, Mapping[RiskLevel, str]] = {
    "ru": {"high": "риск ВЫСОКИЙ", "medium": "риск СРЕДНИЙ", "standard": "риск обычный"},
    "kk": {"high": "қауіп ЖОҒАРЫ", "medium": "қауіп ОРТАША", "standard": "қауіп қалыпты"},
}
_URGENT: Mapping[Language, str] = {"ru": "СРОЧНО", "kk": "ШҰҒЫЛ"}
_DEADLINE: Mapping[Language, str] = {"ru": "ответ до {at}", "kk": "жауап {at} дейін"}
_ADDRESS: Mapping[Language, str] = {"ru": "адрес: ", "kk": "мекенжай: "}


def render_update(
    changed: Sequence[FactChange],
    language: Language,
    code: str,
    *,
    priority: Priority,
    risk_level: RiskLevel,
    district: str | None,
    address_line: str,
    ack_deadline: datetime | None,
) -> str | None:
    """`Qorgau K7Q2: риск ВЫСОКИЙ, СРОЧНО, ответ до 10:03`; None if nothing to tell."""
    parts: list[str] = []
    if "risk_level" in changed:
        parts.append(_RISK[language][risk_level])
    if "priority" in changed and priority == "danger_now":
        parts.append(_URGENT[language])
    if "ack_deadline" in changed and ack_deadline is not None:
        at = ack_deadline.astimezone(ASTANA).strftime("%H:%M")
        parts.append(_DEADLINE[language].format(at=at))
    place = "address_line" in changed or "district" in changed
    if not parts and not place:
        return None
    head = f"Qorgau {code}: " + ", ".join(parts)
    if not place:
        return head
    prefix, address = _place(language, district, address_line)
    return _fit(f"{head}{'. ' if parts else ''}{_ADDRESS[language]}{prefix}", address)
