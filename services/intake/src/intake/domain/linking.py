"""Repeat reports: keyed hashes of addresses, phones and senders, compared without the values."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from .crypto import KeyConfigError

LINK_WINDOW = timedelta(days=365)
_MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class LinkKey:
    """HMAC-SHA256 key; a digest reveals nothing without it, and equal inputs match."""

    secret: bytes

    def digest(self, kind: str, value: str) -> bytes:
        return hmac.new(self.secret, f"{kind}\x1f{value}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class LinkTerm:
    kind: str  # "address", "phone" or "sender"
    value: str


def parse_link_key(spec: str) -> LinkKey:
    if not spec.strip():
        raise KeyConfigError("no link key configured")
    try:
        secret = base64.b64decode(spec.strip(), validate=True)
    except binascii.Error as exc:
        raise KeyConfigError("the link key is not valid base64") from exc
    if len(secret) < _MIN_KEY_BYTES:
        raise KeyConfigError(f"the link key must be at least {_MIN_KEY_BYTES} bytes")
    return LinkKey(secret)


def new_link_key() -> str:
    return base64.b64encode(secrets.token_bytes(_MIN_KEY_BYTES)).decode()


def _compact(value: str | None) -> str:
    return "".join((value or "").casefold().split())


def address_term(street_key: str, house: str | None, apartment: str | None) -> LinkTerm | None:
    """The same normalised street, house and apartment; None without a house number."""
    if not street_key or not _compact(house):
        return None
    return LinkTerm("address", f"{street_key}|{_compact(house)}|{_compact(apartment)}")


def phone_terms(*phones: str | None) -> list[LinkTerm]:
    """Caller and victim phones share one kind: a caller may be an earlier report's victim."""
    return [LinkTerm("phone", p) for p in dict.fromkeys(p for p in phones if p)]


def sender_term(platform: str, sender_id: str) -> LinkTerm:
    return LinkTerm("sender", f"{platform}:{sender_id}")
