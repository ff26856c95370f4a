"""When a repeated call id or Idempotency-Key is the same report, and when it is not. Pure.

A repeat is answered with the first incident only if it carries the same report; a key or
call id reused for a different report is refused and names the conflict, so no report is
ever silently dropped. Keys are scoped per API token (two callers cannot collide), call ids
per channel (the telephony system's id names one call).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Literal

from qorgau_common.errors import InvalidInput

from .incident import Incident

MAX_KEY = 128
_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY}}}")

Matched = Literal["call_id", "Idempotency-Key"]


class KeyRejected(InvalidInput):
    status = 400
    title = "Invalid Idempotency-Key"


class RepeatConflict(InvalidInput):
    title = "Conflicting repeat"


def check_key(raw: str | None) -> str | None:
    """The key, if one was sent: 1 to 128 visible ASCII characters (no blank key)."""
    if raw is None:
        return None
    if not _KEY.fullmatch(raw):
        raise KeyRejected(
            "Idempotency-Key", f"must be 1 to {MAX_KEY} visible ASCII characters, not blank"
        )
    return raw


@dataclass(frozen=True)
class Earlier:
    """The incident an earlier request with the same key or call id created."""

    incident: Incident
    request_digest: bytes | None  # None: stored before digests were kept
    matched: Matched


def repeat_of(earlier: Earlier, request_digest: bytes) -> Incident:
    """The earlier incident if this is the same report; refused otherwise."""
    if earlier.request_digest is not None and not hmac.compare_digest(
        earlier.request_digest, request_digest
    ):
        raise RepeatConflict(
            earlier.matched,
            "already used for a different report (nothing was stored); send a new one",
        )
    return earlier.incident
