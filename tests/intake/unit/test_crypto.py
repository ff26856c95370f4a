from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from intake.domain.crypto import FieldCipher, KeyConfigError, Sealed, new_key_spec, parse_keys


def test_seal_and_open_round_trip_without_plaintext_in_ciphertext() -> None:
    cipher = FieldCipher(parse_keys(new_key_spec("k1")))
    sealed = cipher.seal("Айгуль +77012345678".encode(), b"incident-1")
    assert sealed.key_id == "k1"
    assert b"+77012345678" not in sealed.ciphertext
    assert cipher.open(sealed, b"incident-1").decode() == "Айгуль +77012345678"


def test_ciphertext_is_bound_to_its_record() -> None:
    cipher = FieldCipher(parse_keys(new_key_spec("k1")))
    sealed = cipher.seal(b"secret", b"incident-1")
    with pytest.raises(InvalidTag):
        cipher.open(sealed, b"incident-2")


def test_old_records_open_after_rotation() -> None:
    old_spec, new_spec = new_key_spec("k1"), new_key_spec("k2")
    old = FieldCipher(parse_keys(old_spec))
    sealed = old.seal(b"secret", b"r")
    rotated = FieldCipher(parse_keys(f"{new_spec},{old_spec}"))
    assert rotated.active_key_id == "k2"
    assert rotated.open(sealed, b"r") == b"secret"


@pytest.mark.parametrize("spec", ["", "k1", "k1:notbase64!", "k1:AAAA"])
def test_bad_key_configuration_is_explained(spec: str) -> None:
    with pytest.raises(KeyConfigError):
        parse_keys(spec)


def test_unknown_key_id_is_explained() -> None:
    cipher = FieldCipher(parse_keys(new_key_spec("k1")))
    with pytest.raises(KeyConfigError, match="unknown key"):
        cipher.open(Sealed("k9", b"x" * 40), b"r")
