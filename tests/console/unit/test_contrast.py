"""WCAG AA contrast of every colour pair the console's stylesheet uses (WCAG 2.1 relative
luminance): text 4.5:1 (3:1 when large), form controls' borders and the focus ring 3:1.

The stylesheet is parsed as it is written (flat rules, custom properties on `:root`, hex and
rgba colours). A rule that sets both a colour and a background is checked as that pair; a
colour set alone may stand on any light surface the stylesheet declares (or, under the dark
header, on the header); a dark background set alone carries white text.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

STATIC = Path(str(resources.files("console").joinpath("static")))
RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|rgba?\([^)]*\)")
WHITE = (1.0, 1.0, 1.0)
# Not text surfaces: marker dots (checked as markers), the modal's dimmed backdrop.
NOT_TEXT = (".dot", "::backdrop")
CONTROLS = ("input", "select", "textarea", "button", ".button", "[aria-invalid", ".toggle")

Rgb = tuple[float, float, float]


def stylesheet() -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(STATIC.glob("*.css")))


def rules(css: str) -> list[tuple[str, dict[str, str]]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for selector, body in RULE.findall(css):
        decls = {}
        for decl in body.split(";"):
            name, _, value = decl.partition(":")
            if value.strip():
                decls[name.strip()] = value.strip()
        found.append((" ".join(selector.split()), decls))
    return found


def variables(css: str) -> dict[str, str]:
    return {k: v for sel, d in rules(css) if sel == ":root" for k, v in d.items()}


def colour(value: str, names: dict[str, str]) -> Rgb | None:
    """The first colour in a declaration (var() resolved; alpha composited on white)."""
    value = re.sub(r"var\((--[\w-]+)\)", lambda m: names[m.group(1)], value)
    if value.split()[0] in ("none", "transparent", "inherit", "currentColor"):
        return None
    found = COLOUR.search(value)
    if found is None:
        return WHITE if re.search(r"\bwhite\b", value) else None
    text = found.group(0)
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) in (3, 4):
            digits = "".join(ch * 2 for ch in digits)
        return (int(digits[0:2], 16) / 255, int(digits[2:4], 16) / 255, int(digits[4:6], 16) / 255)
    parts = [float(p) for p in re.findall(r"[\d.]+", text)]
    r, g, b = (p / 255 for p in parts[:3])
    alpha = parts[3] if len(parts) > 3 else 1.0
    return (r * alpha + 1 - alpha, g * alpha + 1 - alpha, b * alpha + 1 - alpha)


def luminance(rgb: Rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: Rgb, b: Rgb) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def large(decls: dict[str, str]) -> bool:
    """24px, or 18.7px bold (the page's root is 16px)."""
    size = re.match(r"([\d.]+)rem", decls.get("font-size", ""))
    rem = float(size.group(1)) if size else 1.0
    bold = decls.get("font-weight", "") in ("600", "700", "bold")
    return rem >= 1.5 or (bold and rem >= 1.17)


class Sheet:
    def __init__(self, css: str) -> None:
        self.names = variables(css)
        self.rules = rules(css)
        self.backgrounds = [
            (sel, bg)
            for sel, d in self.rules
            if not any(n in sel for n in NOT_TEXT)
            for bg in [self.of(d, "background", "background-color")]
            if bg is not None
        ]
        header = next(bg for sel, bg in self.backgrounds if sel == ".top")
        self.light = [(s, bg) for s, bg in self.backgrounds if luminance(bg) > 0.4]
        self.dark = [(s, bg) for s, bg in self.backgrounds if luminance(bg) <= 0.4]
        self.header = header

    def of(self, decls: dict[str, str], *names: str) -> Rgb | None:
        for name in names:
            if name in decls:
                return colour(decls[name], self.names)
        return None

    def text_pairs(self) -> list[tuple[str, Rgb, Rgb, float]]:
        pairs = []
        for sel, d in self.rules:
            if any(n in sel for n in NOT_TEXT):
                continue
            fg = self.of(d, "color")
            bg = self.of(d, "background", "background-color")
            need = 3.0 if large(d) else 4.5
            if fg is not None and bg is not None:
                pairs.append((sel, fg, bg, need))
            elif fg is not None:
                under = [self.header] if sel.startswith(".top") else [b for _, b in self.light]
                pairs += [(sel, fg, b, need) for b in under]
            elif bg is not None and luminance(bg) <= 0.4:
                pairs.append((sel, WHITE, bg, need))
        return pairs


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return Sheet(stylesheet())


def test_the_parser_sees_the_stylesheet(sheet: Sheet) -> None:
    assert "--ink" in sheet.names
    assert len(sheet.text_pairs()) > 100
    assert len(sheet.light) > 8
    assert len(sheet.dark) >= 4


def test_text_meets_aa_on_every_background_it_can_stand_on(sheet: Sheet) -> None:
    failing = [
        f"{sel}: {ratio(fg, bg):.2f} < {need}"
        for sel, fg, bg, need in sheet.text_pairs()
        if ratio(fg, bg) < need
    ]
    assert not failing, failing


def test_form_controls_borders_stand_out_from_their_surfaces(sheet: Sheet) -> None:
    surfaces = [colour("var(--bg)", sheet.names), colour("var(--card)", sheet.names)]
    failing = []
    for sel, d in sheet.rules:
        border = sheet.of(d, "border-color", "border")
        if border is None or not any(c in sel for c in CONTROLS) or "link" in sel:
            continue
        for surface in surfaces:
            assert surface is not None
            if ratio(border, surface) < 3.0:
                failing.append(f"{sel}: {ratio(border, surface):.2f}")
    assert not failing, failing


def test_the_focus_ring_shows_on_light_pages_and_under_the_dark_header(sheet: Sheet) -> None:
    [decls] = [d for sel, d in sheet.rules if sel == ":focus-visible"]
    ring = [c for c in (sheet.of(decls, "outline"), sheet.of(decls, "box-shadow")) if c]
    for _, bg in [*sheet.light, (".top", sheet.header)]:
        assert max(ratio(c, bg) for c in ring) >= 3.0, bg


def test_priority_markers_stand_out_from_white(sheet: Sheet) -> None:
    for sel, d in sheet.rules:
        if sel.startswith(".dot.") or sel.startswith(".card-item.p-"):
            marker = sheet.of(d, "background", "border-left-color")
            assert marker is not None, sel
            assert ratio(marker, WHITE) >= 3.0, sel
