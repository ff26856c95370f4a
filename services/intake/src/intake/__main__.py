"""`python -m intake [serve | token ... | new-key | new-link-key | gazetteer load FILE |
keys rotate | reconcile]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from pathlib import Path

import asyncpg
from qorgau_common.db import create_pool, migrate
from qorgau_common.http import serve
from qorgau_common.logging import configure_logging
from qorgau_common.tokens_cli import add_token_commands, run_token_command

from .config import IntakeSettings
from .consumers import MIGRATIONS, SERVICE
from .domain.crypto import FieldCipher, KeyConfigError, new_key_spec, parse_keys
from .domain.linking import new_link_key
from .domain.streets import GazetteerFileError
from .main import create_app
from .usecases.load_gazetteer import load_gazetteer
from .usecases.reconcile import reconcile
from .usecases.rotate_keys import rotate

SAMPLE_GAZETTEER = Path(__file__).parent / "gazetteer" / "astana_sample.csv"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="intake", description="Qorgau intake service")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP API, consumers, outbox relay (default)")
    sub.add_parser("new-key", help="print a new key spec for QORGAU_INTAKE_ENCRYPTION_KEYS")
    sub.add_parser("new-link-key", help="print a new QORGAU_INTAKE_LINK_KEY")
    gazetteer = sub.add_parser("gazetteer", help="street → district gazetteer")
    gazetteer_actions = gazetteer.add_subparsers(dest="action", required=True)
    load = gazetteer_actions.add_parser(
        "load", help="check a CSV (street,district,valid_from,valid_to) and load it whole"
    )
    load.add_argument("file", type=Path, help=f"e.g. the sample {SAMPLE_GAZETTEER}")
    keys = sub.add_parser("keys", help="encryption keys")
    keys.add_subparsers(dest="action", required=True).add_parser(
        "rotate", help="re-encrypt every record under the active key"
    )
    again = sub.add_parser("reconcile", help="republish incidents routing has not answered")
    again.add_argument("--older-than", type=float, default=None, help="seconds; default setting")
    add_token_commands(sub)
    return parser


async def _load_gazetteer(settings: IntakeSettings, file: Path) -> tuple[int, int]:
    text = await asyncio.to_thread(file.read_text, "utf-8")
    await migrate(settings.database_url, SERVICE, MIGRATIONS)
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await load_gazetteer(conn, text, source=file.name, loaded_by="cli")
    finally:
        await conn.close()


async def _with_pool(settings: IntakeSettings, command: str, older_than: float | None) -> str:
    await migrate(settings.database_url, SERVICE, MIGRATIONS)
    pool = await create_pool(settings.database_url)
    try:
        if command == "reconcile":
            count = await reconcile(pool, older_than or settings.reconcile_after_s)
            return f"republished {count} incident(s)"
        cipher = FieldCipher(parse_keys(settings.encryption_keys), settings.encryption_active_key)
        done = await rotate(pool, cipher)
        return (
            f"re-encrypted {done.incidents} incident(s), {done.messages} message(s) and"
            f" {done.quarantined} quarantined update(s) under key {cipher.active_key_id}"
        )
    finally:
        await pool.close()


def main() -> None:
    args = _parser().parse_args()
    if args.command == "new-key":
        print(new_key_spec(f"k{uuid.uuid4().hex[:6]}"))
        return
    if args.command == "new-link-key":
        print(new_link_key())
        return
    settings = IntakeSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_format)
    try:
        if args.command == "token":
            asyncio.run(run_token_command(settings.database_url, SERVICE, MIGRATIONS, args))
        elif args.command == "gazetteer":
            version, rows = asyncio.run(_load_gazetteer(settings, args.file))
            print(f"gazetteer version {version} loaded: {rows} streets from {args.file.name}")
        elif args.command in ("keys", "reconcile"):
            print(
                asyncio.run(_with_pool(settings, args.command, getattr(args, "older_than", None)))
            )
        else:
            serve(create_app(settings), settings)
    except GazetteerFileError as exc:
        sys.exit("gazetteer file rejected, nothing loaded:\n  " + "\n  ".join(exc.problems))
    except KeyConfigError as exc:
        sys.exit(
            f"intake: {exc} (set QORGAU_INTAKE_ENCRYPTION_KEYS and QORGAU_INTAKE_LINK_KEY;"
            " `python -m intake new-key`, `python -m intake new-link-key`)"
        )


if __name__ == "__main__":
    main()
