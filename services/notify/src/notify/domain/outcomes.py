"""The outcome codes an officer types to close a case ("3 K7Q2 ЗП"): the supervisor API's
outcomes, in Russian and Kazakh. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from qorgau_contracts import Language, Outcome

OUTCOME_CODES: Mapping[Language, Mapping[Outcome, str]] = {
    "ru": {
        "protective_order_issued": "ЗП",  # защитное предписание
        "referred_to_crisis_centre": "КЦ",  # кризисный центр
        "administrative_case": "АД",  # административное дело
        "criminal_case_opened": "УД",  # уголовное дело
        "no_grounds_found": "0",  # насилие не подтвердилось
        "duplicate": "ДБ",  # дубликат
    },
    "kk": {
        "protective_order_issued": "ҚН",  # қорғау нұсқамасы
        "referred_to_crisis_centre": "ДО",  # дағдарыс орталығы
        "administrative_case": "ӘІ",  # әкімшілік іс
        "criminal_case_opened": "ҚІ",  # қылмыстық іс
        "no_grounds_found": "0",  # зорлық расталмады
        "duplicate": "ҚТ",  # қайталама
    },
}


def outcome_code(outcome: Outcome, language: Language) -> str:
    return OUTCOME_CODES[language][outcome]


def codes_line(language: Language) -> str:
    """`ЗП КЦ АД УД 0 ДБ`: the codes in the officer's language, for help and for a typo."""
    return " ".join(OUTCOME_CODES[language].values())
