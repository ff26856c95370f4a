"""Street names to districts: a pure normaliser and the checks a gazetteer file must pass."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from qorgau_common.text import invisible

# Kazakh letters folded to the Russian ones people type instead (Сығанақ = Сыганак).
_FOLD = str.maketrans({"ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у",
                       "ү": "у", "һ": "х", "і": "и"})  # fmt: skip
# Street-type words and abbreviations, Russian and Kazakh, as they look after folding.
_MULTI_WORD = re.compile(r"\b(?:шагын аудан|шагын ауданы|тас жолы|жилой массив|тупик)\b")
STREET_TYPES = frozenset(
    {
        "ул", "улица", "кош", "коше", "кошеси", "к-си", "пр", "пр-т", "пр-кт", "просп", "проспект",
        "дангылы", "данг", "д-лы", "мкр", "мкрн", "микрорайон", "шагынаудан", "ш", "шоссе",
        "бульвар", "б-р", "бул", "бульв", "пер", "переулок", "пл", "площадь", "аланы", "наб",
        "набережная", "жагалауы", "тракт", "аллея", "ж", "м", "жм", "ж/м", "массив",
    }
)  # fmt: skip
_PUNCTUATION = re.compile(r"[.,;:!?\"'«»„“”()\[\]{}№#]")
_DASHES = re.compile(r"[‐-―−]")


ASTANA = ZoneInfo("Asia/Almaty")  # Kazakhstan has been one UTC+5 zone since 1 March 2024.


def gazetteer_date(at: datetime) -> date:
    """The day whose gazetteer rows apply at `at`: the calendar day in Astana, not in UTC
    (from 00:00 to 05:00 in Astana it is still the previous day in UTC)."""
    return at.astimezone(ASTANA).date()


def normalise_street(raw: str) -> str:
    """A comparable key for a street name: `ул. Сығанақ` and `Сыганак улица` give `сыганак`.

    NFC first and invisible format characters out, so the key is the same however the
    name was typed or pasted."""
    raw = "".join(ch for ch in unicodedata.normalize("NFC", raw) if not invisible(ch))
    text = _DASHES.sub("-", raw.casefold().translate(_FOLD))
    text = _PUNCTUATION.sub(" ", text)
    text = _MULTI_WORD.sub(" ", text)
    words = [w.strip("-/") for w in text.split()]
    kept = [w for w in words if w and w not in STREET_TYPES]
    return " ".join(" ".join(kept).replace("-", " ").split())


@dataclass(frozen=True)
class GazetteerRow:
    line: int
    street: str
    street_key: str
    district: str
    valid_from: date
    valid_to: date | None


class GazetteerFileError(ValueError):
    """The whole file is rejected; `problems` names every bad row by its line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


COLUMNS = ("street", "district", "valid_from", "valid_to")


def _date(value: str, line: int, column: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"line {line}: {column} {value!r} is not a date (YYYY-MM-DD)")
        return None


def parse_gazetteer(text: str, districts: frozenset[str]) -> list[GazetteerRow]:
    """Check every row; any problem rejects the file. Lines starting with `#` are comments."""
    lines = [ln if not ln.lstrip().startswith("#") else "" for ln in text.splitlines()]
    reader = csv.reader(io.StringIO("\n".join(lines)))
    problems: list[str] = []
    rows: list[GazetteerRow] = []
    header: list[str] | None = None
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        cells = [cell.strip() for cell in record]
        if header is None:
            header = cells
            if tuple(header) != COLUMNS:
                raise GazetteerFileError([f"line {line}: the header must be {','.join(COLUMNS)}"])
            continue
        if len(cells) != len(COLUMNS):
            problems.append(f"line {line}: expected {len(COLUMNS)} columns, got {len(cells)}")
            continue
        street, district, valid_from_raw, valid_to_raw = cells
        key = normalise_street(street)
        if not key:
            problems.append(f"line {line}: street is empty after normalisation")
        if district not in districts:
            problems.append(f"line {line}: unknown district {district!r}")
        valid_from = _date(valid_from_raw, line, "valid_from", problems)
        valid_to = _date(valid_to_raw, line, "valid_to", problems) if valid_to_raw else None
        if valid_from and valid_to and valid_to <= valid_from:
            problems.append(f"line {line}: valid_to must be after valid_from")
        if key and district in districts and valid_from:
            rows.append(GazetteerRow(line, street, key, district, valid_from, valid_to))
    if header is None:
        problems.append("the file is empty")
    problems.extend(_overlaps(rows))
    if problems:
        raise GazetteerFileError(problems)
    return rows


def _overlaps(rows: list[GazetteerRow]) -> list[str]:
    """The same street in the same district twice over overlapping dates is a mistake."""
    problems: list[str] = []
    seen: dict[tuple[str, str], list[GazetteerRow]] = {}
    for row in rows:
        for other in seen.get((row.street_key, row.district), []):
            if _overlap(row, other):
                problems.append(
                    f"line {row.line}: {row.district} already has this street on line"
                    f" {other.line} for overlapping dates"
                )
        seen.setdefault((row.street_key, row.district), []).append(row)
    return problems


def _overlap(a: GazetteerRow, b: GazetteerRow) -> bool:
    a_end, b_end = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from < b_end and b.valid_from < a_end


@dataclass(frozen=True)
class Resolution:
    district: str | None
    reason: str | None  # why no district, when `district` is None


def resolve(street_key: str, matches: list[str]) -> Resolution:
    """Districts the gazetteer lists for the street today → one district, or a reason."""
    found = sorted(set(matches))
    if not street_key:
        return Resolution(None, "no street to look up")
    if not found:
        return Resolution(None, "street not in the gazetteer")
    if len(found) > 1:
        return Resolution(None, f"street spans several districts: {', '.join(found)}")
    return Resolution(found[0], None)
