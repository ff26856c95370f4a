"""Message catalogues (gettext .po, read with Babel at startup); ru is the default."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any

from babel.messages.pofile import read_po

LANGUAGES = ("ru", "kk")
DEFAULT = "ru"

Gettext = Callable[..., str]


def load_catalogues() -> dict[str, dict[str, str]]:
    catalogues: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        path = resources.files("console").joinpath(f"locale/{language}/LC_MESSAGES/messages.po")
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        catalogues[language] = {
            str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy
        }
    return catalogues


def gettext_for(catalogue: dict[str, str]) -> Gettext:
    def gettext(msgid: str, **values: Any) -> str:
        text = catalogue.get(msgid, msgid)
        return text.format(**values) if values else text

    return gettext


def pick_language(wanted: str | None) -> str:
    return wanted if wanted in LANGUAGES else DEFAULT
