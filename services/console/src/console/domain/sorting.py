"""Sorting names as a Kazakh reader expects: ә after а, ғ after г, і after ы, and so on.

Python's default order puts every Kazakh letter after я.
"""

from __future__ import annotations

ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {letter: n for n, letter in enumerate(ALPHABET)}


def collation_key(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, _RANK[c], c) if c in _RANK else (1, ord(c), c) for c in text.casefold())
