"""AES-GCM encryption of personal fields, with key ids so keys can rotate.

Here, not in an adapter: it does no I/O, and what each record is bound to (its associated
data) is a rule of the domain: a sealed record moved to another row does not open.
"""

from __future__ import annotations

import base64
import binascii
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE_BYTES = 12


class KeyConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Sealed:
    key_id: str
    ciphertext: bytes


def parse_keys(spec: str) -> dict[str, bytes]:
    """Parse `id1:base64key,id2:base64key`; each key is 32 bytes (AES-256)."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise KeyConfigError("each key must be written as <id>:<base64 of 32 bytes>")
        try:
            key = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise KeyConfigError(f"key {key_id!r} is not valid base64") from exc
        if len(key) != 32:
            raise KeyConfigError(f"key {key_id!r} must be 32 bytes, got {len(key)}")
        keys[key_id] = key
    if not keys:
        raise KeyConfigError("no encryption key configured")
    return keys


def new_key_spec(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def incident_aad(incident_id: uuid.UUID) -> bytes:
    return incident_id.bytes


def message_aad(platform: str, message_id: str) -> bytes:
    return f"{platform}:{message_id}".encode()


def quarantine_aad(quarantine_id: uuid.UUID) -> bytes:
    return f"quarantine:{quarantine_id}".encode()


class FieldCipher:
    """Seals with the active key; opens with whichever key a record names."""

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str | None = None) -> None:
        if not keys:
            raise KeyConfigError("no encryption key configured")
        self._keys = {k: AESGCM(v) for k, v in keys.items()}
        self.active_key_id = active_key_id or next(iter(keys))
        if self.active_key_id not in self._keys:
            raise KeyConfigError(f"active key {self.active_key_id!r} is not among the keys")

    def seal(self, plaintext: bytes, associated: bytes) -> Sealed:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self.active_key_id].encrypt(nonce, plaintext, associated)
        return Sealed(self.active_key_id, nonce + sealed)

    def open(self, sealed: Sealed, associated: bytes) -> bytes:
        aead = self._keys.get(sealed.key_id)
        if aead is None:
            raise KeyConfigError(f"record is sealed with unknown key {sealed.key_id!r}")
        nonce, body = sealed.ciphertext[:_NONCE_BYTES], sealed.ciphertext[_NONCE_BYTES:]
        return aead.decrypt(nonce, body, associated)
