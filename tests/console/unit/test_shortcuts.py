"""The "?" overlay lists every shortcut console.js answers to, and nothing it does not."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

PACKAGE = Path(str(resources.files("console")))


def test_every_shortcut_is_on_the_overlay() -> None:
    script = (PACKAGE / "static" / "console.js").read_text("utf-8")
    overlay = (PACKAGE / "templates" / "base.html").read_text("utf-8")
    handled = set(re.findall(r"\bKey([A-Z])\b", script))
    listed = set(re.findall(r"<kbd>([A-Z])</kbd>", overlay))
    assert handled >= {"J", "K", "O", "F", "X", "B", "N", "A", "R", "C"}
    assert handled == listed
    for key in ("?", "Tab", "Enter", "Space", "Esc"):
        assert f"<kbd>{key}</kbd>" in overlay, key
    assert 'e.key === "?"' in script
    assert "e.key.toLowerCase()" not in script  # layouts: shortcuts go by e.code
