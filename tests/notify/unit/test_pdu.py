from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st
from notify.domain.sms import segment_count
from notify.providers.smpp.pdu import (
    DATA_CODING_DEFAULT,
    DATA_CODING_UCS2,
    ESM_UDHI,
    Reassembler,
    decode_part,
    encode,
    parse_receipt,
)

EXAMPLE = "Qorgau K7Q2 ВЫСОКИЙ риск. Есиль, ул. Сыганак 10 кв 5. Ответ: 1 принял, 2 не могу"


def roundtrip(text: str, shuffle: bool = False) -> str | None:
    encoded = encode(text, reference=7)
    parts = [decode_part(p, encoded.data_coding, encoded.esm_class) for p in encoded.parts]
    if shuffle:
        random.Random(1).shuffle(parts)
    joiner = Reassembler()
    results = [joiner.add("+77010000000", part) for part in parts]
    return results[-1]


def test_cyrillic_goes_as_ucs2_with_udh_parts_of_at_most_140_bytes() -> None:
    encoded = encode(EXAMPLE, reference=300)
    assert encoded.data_coding == DATA_CODING_UCS2
    assert encoded.esm_class == ESM_UDHI
    assert len(encoded.parts) == 2 == segment_count(EXAMPLE)
    assert all(len(p) <= 140 for p in encoded.parts)
    assert encoded.parts[0][:6] == bytes([5, 0, 3, 300 & 0xFF, 2, 1])


def test_latin_text_goes_as_gsm7_in_one_part() -> None:
    encoded = encode("Qorgau K7Q2 1", reference=1)
    assert (encoded.data_coding, encoded.esm_class, len(encoded.parts)) == (
        DATA_CODING_DEFAULT,
        0,
        1,
    )


def test_sixteen_bit_references_decode() -> None:
    udh = bytes([6, 0x08, 4, 0x12, 0x34, 2, 1])
    part = decode_part(udh + "Ответ".encode("utf-16-be"), DATA_CODING_UCS2, ESM_UDHI)
    assert (part.reference, part.total, part.number, part.text) == (0x1234, 2, 1, "Ответ")


@given(st.text(max_size=400))
def test_segments_reassemble_to_the_exact_text(text: str) -> None:
    assert roundtrip(text) == text


@given(st.text(min_size=71, max_size=400))
def test_parts_in_any_order_reassemble(text: str) -> None:
    assert roundtrip(text, shuffle=True) == text


@given(
    st.text(
        alphabet=st.characters(max_codepoint=0xFFFF, exclude_characters="^{}\\[~]|€\f"),
        max_size=400,
    )
)
def test_part_count_is_the_segment_count(text: str) -> None:
    # Escaped GSM-7 characters and surrogate pairs are never split, which can cost one
    # more part; plain text packs exactly.
    assert len(encode(text, 1).parts) == max(segment_count(text), 1)


def test_receipt_from_tlvs() -> None:
    receipt = parse_receipt(b"", b"0000002a\x00", b"\x02")
    assert receipt is not None
    assert (receipt.message_id, receipt.delivered, receipt.final) == ("0000002a", True, True)


def test_receipt_from_text() -> None:
    text = (
        b"id:abc123 sub:001 dlvrd:000 submit date:2611220412 done date:2611220413"
        b" stat:UNDELIV err:001 text:"
    )
    receipt = parse_receipt(text, None, None)
    assert receipt is not None
    assert (receipt.message_id, receipt.state, receipt.delivered, receipt.final) == (
        "abc123",
        "UNDELIV",
        False,
        True,
    )


@given(st.binary(max_size=200))
def test_garbage_receipts_never_raise(data: bytes) -> None:
    parse_receipt(data, None, None)
