"""The platforms' proofs that a webhook came from them, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


class SignatureError(Exception):
    """`status` 401 when the proof is missing, 403 when it is wrong."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def verify_telegram(secret: str, header: str | None) -> None:
    if not secret:
        raise SignatureError(403, "The Telegram webhook is not configured.")
    if not header:
        raise SignatureError(401, "X-Telegram-Bot-Api-Secret-Token is required.")
    if not hmac.compare_digest(header.encode(), secret.encode()):
        raise SignatureError(403, "The secret token does not match.")


def meta_signature(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_meta(app_secret: str, header: str | None, body: bytes) -> None:
    if not app_secret:
        raise SignatureError(403, "The Meta webhook is not configured.")
    if not header:
        raise SignatureError(401, "X-Hub-Signature-256 is required.")
    if not hmac.compare_digest(header.strip().encode(), meta_signature(app_secret, body).encode()):
        raise SignatureError(403, "The signature does not match the body.")


def verify_handshake(verify_token: str, mode: str | None, token: str | None) -> bool:
    return (
        bool(verify_token)
        and mode == "subscribe"
        and token is not None
        and hmac.compare_digest(token.encode(), verify_token.encode())
    )
