"""Words in a message that put it at the top of the triage queue (Russian and Kazakh)."""

from __future__ import annotations

import re

# Word beginnings: "убива" covers убивает, убивают; "өлтір" covers өлтіреді, өлтіремін.
STEMS: tuple[str, ...] = (
    # Russian
    "убива", "убьет", "убью", "убил", "убить", "нож", "помогит", "помощь", "спасит",
    "избива", "избил", "бьет", "бьют", "избит", "душит", "задуш", "пистолет", "ружь",
    "топор", "кров", "угрожа", "насил", "изнасил", "горит", "поджог",
    # Kazakh
    "өлтір", "пышақ", "көмектес", "көмек", "құтқар", "ұрып", "соқты", "тұншықтыр",
    "қорқыт", "зорла", "мылтық", "балта",
)  # fmt: skip
# Short words matched whole, so that "қан" (blood) does not match "қандай" (which).
WORDS: frozenset[str] = frozenset({"қан", "sos", "сос"})
_WORD = re.compile(r"\w+")


def urgent(text: str | None) -> bool:
    if not text:
        return False
    for word in _WORD.findall(text.casefold().replace("ё", "е")):
        if word in WORDS or word.startswith(STEMS):
            return True
    return False
