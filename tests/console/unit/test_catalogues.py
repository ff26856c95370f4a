"""Every message id used by a page or a rule has a Russian and a Kazakh translation."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from console.http.i18n import LANGUAGES, gettext_for, load_catalogues

PACKAGE = Path(str(resources.files("console")))
MSGID = re.compile(r"""\bN?_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
KAZAKH_ONLY = set("әғқңөұүһі")


def used_msgids() -> set[str]:
    found: set[str] = set()
    for path in [*PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.py")]:
        for match in MSGID.finditer(path.read_text("utf-8")):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    return found


def test_every_msgid_has_both_translations() -> None:
    catalogues = load_catalogues()
    used = used_msgids()
    assert len(used) > 150
    for language in LANGUAGES:
        missing = sorted(m for m in used if not catalogues[language].get(m))
        assert not missing, f"{language} lacks {missing}"


def test_no_translation_is_left_over_or_has_lost_a_placeholder() -> None:
    catalogues = load_catalogues()
    used = used_msgids()
    for language in LANGUAGES:
        assert set(catalogues[language]) <= used, sorted(set(catalogues[language]) - used)
        for msgid, text in catalogues[language].items():
            assert re.findall(r"{\w+}", msgid) == re.findall(r"{\w+}", text), msgid


def test_kazakh_catalogue_is_kazakh_and_formats() -> None:
    kk = load_catalogues()["kk"]
    assert any(KAZAKH_ONLY & set(text) for text in kk.values())
    assert gettext_for(kk)("{n} open", n=3) == "Ашық: 3"
