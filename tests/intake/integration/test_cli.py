"""`python -m intake` as ops run it (a real process over PostgreSQL; no broker needed):
key rotation, refusing to start without keys, and the gazetteer loader."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from intake.__main__ import SAMPLE_GAZETTEER
from intake.domain.crypto import new_key_spec

from tests.intake.support import ENCRYPTION_KEYS, LINK_KEY, fetch, submit_directly

pytestmark = pytest.mark.integration


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
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


async def test_the_cli_rotates_and_explains_missing_keys(database_url: str) -> None:
    await submit_directly(database_url, "102-k3")
    env = {
        "QORGAU_DATABASE_URL": database_url,
        "QORGAU_INTAKE_ENCRYPTION_KEYS": f"{new_key_spec('t9')},{ENCRYPTION_KEYS}",
        "QORGAU_INTAKE_LINK_KEY": LINK_KEY,
    }
    code, out = await run_intake("keys", "rotate", env=env)
    assert code == 0, out
    assert (
        "re-encrypted 1 incident(s), 0 message(s) and 0 quarantined update(s) under key t9" in out
    )
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
            "QORGAU_INTAKE_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
            "QORGAU_INTAKE_LINK_KEY": "",
        },
    )
    assert code == 1
    assert "no link key configured" in out
    assert "QORGAU_INTAKE_LINK_KEY" in out


async def test_the_gazetteer_loader_command(database_url: str, tmp_path: Path) -> None:
    env = {"QORGAU_DATABASE_URL": database_url}
    code, out = await run_intake("gazetteer", "load", str(SAMPLE_GAZETTEER), env=env)
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
    rows = await fetch(database_url, "SELECT max(version) AS v FROM intake.gazetteer_versions")
    assert rows[0]["v"] == 1
