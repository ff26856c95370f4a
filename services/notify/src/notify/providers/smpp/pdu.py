"""SMPP short-message codec: encode and segment, decode and reassemble, read receipts. Pure.

UCS-2 parts carry 67 characters, GSM-7 parts 153 septets, behind an 8-bit-reference
concatenation UDH (IEI 0x00). Decoding also understands 16-bit references (IEI 0x08),
since an SMSC may use either for replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from notify.domain.receipt import MESSAGE_STATES, Receipt
from notify.domain.sms import encoding_for

__all__ = [
    "MESSAGE_STATES",
    "Encoded",
    "Part",
    "Reassembler",
    "Receipt",
    "decode_part",
    "decode_text",
    "encode",
    "parse_receipt",
]

DATA_CODING_DEFAULT = 0x00  # GSM 03.38, unpacked one septet per octet over SMPP
DATA_CODING_LATIN1 = 0x03
DATA_CODING_UCS2 = 0x08
ESM_UDHI = 0x40
ESM_RECEIPT = 0x04

_GSM7 = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_CODE = {ch: i for i, ch in enumerate(_GSM7) if ch != "\x1b"}
_GSM7_EXT = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_GSM7_EXT_CHAR = {v: k for k, v in _GSM7_EXT.items()}


@dataclass(frozen=True)
class Encoded:
    data_coding: int
    esm_class: int
    parts: tuple[bytes, ...]


def _gsm7_units(text: str) -> list[bytes]:
    return [
        bytes([0x1B, _GSM7_EXT[ch]]) if ch in _GSM7_EXT else bytes([_GSM7_CODE[ch]]) for ch in text
    ]


def _ucs2_units(text: str) -> list[bytes]:
    # A non-BMP char stays one unit (4 bytes); a lone surrogate becomes U+FFFD, not a crash.
    return [ch.encode("utf-16-be", "replace") for ch in text]


def _chunk(units: list[bytes], limit: int) -> list[bytes]:
    """Pack units into parts of at most `limit` bytes, never splitting a unit."""
    parts: list[bytes] = []
    current = b""
    for unit in units:
        if len(current) + len(unit) > limit:
            parts.append(current)
            current = b""
        current += unit
    parts.append(current)
    return parts


def encode(text: str, reference: int) -> Encoded:
    """Encode `text` as one short message, or UDH-concatenated parts with 8-bit `reference`."""
    if encoding_for(text) == "gsm7":
        data_coding, units, single, multi = DATA_CODING_DEFAULT, _gsm7_units(text), 160, 153
    else:
        data_coding, units, single, multi = DATA_CODING_UCS2, _ucs2_units(text), 140, 134
    whole = b"".join(units)
    if len(whole) <= single:
        return Encoded(data_coding, 0, (whole,))
    chunks = _chunk(units, multi)
    if len(chunks) > 255:
        raise ValueError("text too long for one concatenated SMS")
    ref = reference & 0xFF
    parts = tuple(
        bytes([5, 0x00, 3, ref, len(chunks), n]) + chunk for n, chunk in enumerate(chunks, start=1)
    )
    return Encoded(data_coding, ESM_UDHI, parts)


def decode_text(data: bytes, data_coding: int) -> str:
    if data_coding == DATA_CODING_UCS2:
        return data.decode("utf-16-be", errors="replace")
    if data_coding == DATA_CODING_LATIN1:
        return data.decode("latin-1")
    out: list[str] = []
    escaped = False
    for b in data:
        if escaped:
            out.append(_GSM7_EXT_CHAR.get(b, "?"))
            escaped = False
        elif b == 0x1B:
            escaped = True
        else:
            out.append(_GSM7[b & 0x7F])
    return "".join(out)


@dataclass(frozen=True)
class Part:
    """One decoded short message; `total` > 1 when it is a part of a concatenated one."""

    text: str
    reference: int = 0
    total: int = 1
    number: int = 1


def decode_part(short_message: bytes, data_coding: int, esm_class: int) -> Part:
    if not esm_class & ESM_UDHI or not short_message:
        return Part(decode_text(short_message, data_coding))
    header_len = short_message[0]
    header, payload = short_message[1 : 1 + header_len], short_message[1 + header_len :]
    reference, total, number = 0, 1, 1
    i = 0
    while i + 2 <= len(header):
        iei, length = header[i], header[i + 1]
        value = header[i + 2 : i + 2 + length]
        if iei == 0x00 and length == 3:
            reference, total, number = value[0], value[1], value[2]
        elif iei == 0x08 and length == 4:
            reference, total, number = int.from_bytes(value[:2], "big"), value[2], value[3]
        i += 2 + length
    return Part(decode_text(payload, data_coding), reference, total, number)


@dataclass
class Reassembler:
    """Joins concatenated parts per (sender, reference); parts may arrive in any order."""

    _pending: dict[tuple[str, int, int], dict[int, str]] = field(default_factory=dict)

    def add(self, sender: str, part: Part) -> str | None:
        """The whole text once every part has arrived, else None."""
        if part.total <= 1:
            return part.text
        key = (sender, part.reference, part.total)
        parts = self._pending.setdefault(key, {})
        parts[part.number] = part.text
        if len(parts) < part.total:
            return None
        del self._pending[key]
        return "".join(parts[n] for n in sorted(parts))


_RECEIPT_TEXT = re.compile(r"id:(?P<id>\S+).*?stat:(?P<stat>[A-Z]+)", re.DOTALL)


def parse_receipt(
    short_message: bytes, receipted_message_id: bytes | None, message_state: bytes | None
) -> Receipt | None:
    """A delivery receipt from its TLVs, else from its text form; None if it is garbage."""
    text = short_message.decode("latin-1", errors="replace")
    match = _RECEIPT_TEXT.search(text)
    message_id = (
        receipted_message_id.rstrip(b"\x00").decode("ascii", errors="replace")
        if receipted_message_id
        else (match.group("id") if match else None)
    )
    if message_state:
        state = MESSAGE_STATES.get(message_state[0], "UNKNOWN")
    else:
        state = match.group("stat") if match else "UNKNOWN"
    if not message_id:
        return None
    return Receipt(message_id, state)
