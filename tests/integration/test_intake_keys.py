"""`python -m intake keys rotate` re-encrypts every record under the active key, and the
gazetteer loader command checks the whole file."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from intake.crypto import FieldCipher, Sealed, new_key_spec, parse_keys
from intake.inbound import receive_message
from intake.linking import parse_link_key
from intake.rotation import rotate
from intake.webhooks import TgUpdate, telegram_messages
from qorgau_common.db import create_pool

from tests.integration.intake_support import LINK_KEY
from tests.integration.test_intake_timeline import submit_directly
from tests.unit.test_intake_webhooks import TELEGRAM_TEXT

pytestmark = pytest.mark.integration

SAMPLE = Path(__file__).resolve().parents[2] / "services/intake/src/intake/gazetteer"


async def run_intake(*args: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "intake",
        *args,
        env={**os.environ, "QORGAU_LOG_LEVEL": "WARNING", **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode()


async def test_rotation_re_encrypts_every_record_under_the_active_key(database_url: str) -> None:
    from tests.integration import intake_support

    old_spec = intake_support.ENCRYPTION_KEYS  # what submit_directly seals with ("t1")
    await submit_directly(database_url, "102-k1")
    await submit_directly(database_url, "102-k2")
    pool = await create_pool(database_url)
    try:
        [message] = telegram_messages(TgUpdate.model_validate(TELEGRAM_TEXT))
        await receive_message(
            pool,
            FieldCipher(parse_keys(old_spec)),
            parse_link_key(LINK_KEY),
            message,
            follow_up_window=timedelta(minutes=5),
        )
        new_spec = new_key_spec("t2")
        rotated_cipher = FieldCipher(parse_keys(f"{new_spec},{old_spec}"))
        done = await rotate(pool, rotated_cipher)
        assert (done.incidents, done.messages) == (3, 1)
        assert (await rotate(pool, rotated_cipher)).incidents == 0  # nothing left

        # Only the new key is needed from now on.
        only_new = FieldCipher(parse_keys(new_spec))
        conn = await asyncpg.connect(database_url)
        try:
            rows = await conn.fetch("SELECT id, key_id, personal FROM intake.incidents")
            messages = await conn.fetch(
                "SELECT platform, message_id, key_id, personal FROM intake.source_messages"
            )
        finally:
            await conn.close()
        assert {r["key_id"] for r in rows} | {m["key_id"] for m in messages} == {"t2"}
        for r in rows:
            assert only_new.open(Sealed(r["key_id"], r["personal"]), r["id"].bytes)
        m = messages[0]
        text = only_new.open(
            Sealed(m["key_id"], m["personal"]), f"{m['platform']}:{m['message_id']}".encode()
        )
        assert "Помогите".encode() in text
    finally:
        await pool.close()


async def test_the_cli_rotates_and_explains_missing_keys(database_url: str) -> None:
    from tests.integration import intake_support

    await submit_directly(database_url, "102-k3")
    env = {
        "QORGAU_DATABASE_URL": database_url,
        "QORGAU_INTAKE_ENCRYPTION_KEYS": f"{new_key_spec('t9')},{intake_support.ENCRYPTION_KEYS}",
        "QORGAU_INTAKE_LINK_KEY": LINK_KEY,
    }
    code, out = await run_intake("keys", "rotate", env=env)
    assert code == 0, out
    assert "re-encrypted 1 incident(s) and 0 message(s) under key t9" in out
    code, out = await run_intake(
        "serve", env={"QORGAU_DATABASE_URL": database_url, "QORGAU_INTAKE_LINK_KEY": ""}
    )
    assert code == 1
    assert "QORGAU_INTAKE_ENCRYPTION_KEYS" in out
    assert "Traceback" not in out
    code, out = await run_intake(
        "serve",
        env={
            "QORGAU_DATABASE_URL": database_url,
            "QORGAU_INTAKE_ENCRYPTION_KEYS": intake_support.ENCRYPTION_KEYS,
            "QORGAU_INTAKE_LINK_KEY": "",
        },
    )
    assert code == 1
    assert "no link key configured" in out
    assert "QORGAU_INTAKE_LINK_KEY" in out


async def test_the_gazetteer_loader_command(database_url: str, tmp_path: Path) -> None:
    env = {"QORGAU_DATABASE_URL": database_url}
    code, out = await run_intake("gazetteer", "load", str(SAMPLE / "astana_sample.csv"), env=env)
    assert code == 0, out
    assert "gazetteer version 1 loaded" in out
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "street,district,valid_from,valid_to\nул. А,yesil,2020-01-01,\nул. Б,mars,2020-01-01,\n"
    )
    code, out = await run_intake("gazetteer", "load", str(bad), env=env)
    assert code == 1
    assert "line 3: unknown district 'mars'" in out
    assert "nothing loaded" in out
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT max(version) FROM intake.gazetteer_versions") == 1
    finally:
        await conn.close()
