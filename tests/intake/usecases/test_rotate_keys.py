"""Key rotation re-encrypts every incident and message under the active key."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from intake.domain.crypto import (
    FieldCipher,
    Sealed,
    message_aad,
    new_key_spec,
    parse_keys,
    quarantine_aad,
)
from intake.http.telegram import TgUpdate, telegram_messages
from intake.usecases.quarantine_update import quarantine_update
from intake.usecases.receive_message import receive_message
from intake.usecases.rotate_keys import rotate

from tests.intake.support import ENCRYPTION_KEYS, fetch, link_key, submit_directly
from tests.intake.unit.test_webhooks import TELEGRAM_TEXT


async def test_rotation_re_encrypts_every_record_under_the_active_key(
    pool: asyncpg.Pool, database_url: str
) -> None:
    old_spec = ENCRYPTION_KEYS  # what submit_directly seals with ("t1")
    await submit_directly(database_url, "102-k1")
    await submit_directly(database_url, "102-k2")
    [message] = telegram_messages(TgUpdate.model_validate(TELEGRAM_TEXT))
    await receive_message(
        pool,
        FieldCipher(parse_keys(old_spec)),
        link_key(),
        message,
        follow_up_window=timedelta(minutes=5),
    )
    await quarantine_update(
        pool, FieldCipher(parse_keys(old_spec)), "telegram", "malformed", "bad date", b'{"x": 1}'
    )
    new_spec = new_key_spec("t2")
    rotated_cipher = FieldCipher(parse_keys(f"{new_spec},{old_spec}"))
    done = await rotate(pool, rotated_cipher)
    assert (done.incidents, done.messages, done.quarantined) == (3, 1, 1)
    assert (await rotate(pool, rotated_cipher)).incidents == 0  # nothing left

    # Only the new key is needed from now on.
    only_new = FieldCipher(parse_keys(new_spec))
    rows = await fetch(database_url, "SELECT id, key_id, personal FROM intake.incidents")
    messages = await fetch(
        database_url, "SELECT platform, message_id, key_id, personal FROM intake.source_messages"
    )
    assert {r["key_id"] for r in rows} | {m["key_id"] for m in messages} == {"t2"}
    for r in rows:
        assert only_new.open(Sealed(r["key_id"], r["personal"]), r["id"].bytes)
    m = messages[0]
    text = only_new.open(
        Sealed(m["key_id"], m["personal"]), message_aad(m["platform"], m["message_id"])
    )
    assert "Помогите".encode() in text
    [q] = await fetch(database_url, "SELECT id, key_id, body FROM intake.webhook_quarantine")
    assert only_new.open(Sealed(q["key_id"], q["body"]), quarantine_aad(q["id"])) == b'{"x": 1}'
