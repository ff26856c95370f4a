"""`python -m intake [serve | token create|list|revoke | new-key]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

from qorgau_common.http import serve
from qorgau_common.logging import configure_logging
from qorgau_common.tokens_cli import add_token_commands, run_token_command

from .config import IntakeSettings
from .crypto import KeyConfigError, new_key_spec
from .handlers import MIGRATIONS, SERVICE
from .main import create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="intake", description="Qorgau intake service")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP API and the outbox relay (default)")
    sub.add_parser("new-key", help="print a new key spec for QORGAU_INTAKE_ENCRYPTION_KEYS")
    add_token_commands(sub)
    args = parser.parse_args()

    if args.command == "new-key":
        print(new_key_spec(f"k{uuid.uuid4().hex[:6]}"))
        return
    settings = IntakeSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_format)
    if args.command == "token":
        asyncio.run(run_token_command(settings.database_url, SERVICE, MIGRATIONS, args))
        return
    try:
        app = create_app(settings)
    except KeyConfigError as exc:
        sys.exit(f"intake: {exc} (set QORGAU_INTAKE_ENCRYPTION_KEYS; `python -m intake new-key`)")
    serve(app, settings)


if __name__ == "__main__":
    main()
