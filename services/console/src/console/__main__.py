"""`python -m console [serve | migrate | user create|disable|reset]`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from qorgau_common.db import create_pool, migrate
from qorgau_common.logging import configure_logging

from .config import ConsoleSettings
from .db import MIGRATIONS, SCHEMA
from .domain.roles import ROLES
from .main import SERVICE, create_app, serve
from .usecases import accounts


def _password(args: argparse.Namespace) -> str:
    """From QORGAU_CONSOLE_PASSWORD (scripts) or asked twice; never a command-line argument."""
    given = os.environ.get("QORGAU_CONSOLE_PASSWORD")
    if given:
        return given
    first = getpass.getpass(f"password for {args.username}: ")
    if first != getpass.getpass("again: "):
        sys.exit("the passwords differ")
    return first


async def _user(settings: ConsoleSettings, args: argparse.Namespace) -> str:
    await migrate(settings.database_url, SCHEMA, MIGRATIONS)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        if args.action == "create":
            await accounts.create_user(
                pool,
                args.username,
                args.role,
                _password(args),
                display_name=args.name,
                officer_id=args.officer_id,
                language=args.language,
            )
            return f"created {args.role} {args.username}"
        if args.action == "disable":
            await accounts.disable_user(pool, args.username)
            return f"disabled {args.username}; their sessions ended"
        await accounts.reset_password(pool, args.username, _password(args))
        return f"new password set for {args.username}; unlocked, sessions ended"
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="console", description="Qorgau console")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the console (default)")
    sub.add_parser("migrate", help="apply the console's migrations")
    user = sub.add_parser("user", help="manage console accounts")
    actions = user.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new account (password asked, or from env)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--name", help="name shown in the console")
    create.add_argument("--officer-id", help="roster officer id (inspectors)")
    create.add_argument("--language", default="ru", choices=("ru", "kk"))
    for name, text in (("disable", "disable an account"), ("reset", "set a new password")):
        actions.add_parser(name, help=text).add_argument("username")
    args = parser.parse_args()
    settings = ConsoleSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_format)
    if args.command == "user":
        try:
            print(asyncio.run(_user(settings, args)))
        except accounts.AccountError as exc:
            sys.exit(str(exc))
    elif args.command == "migrate":
        asyncio.run(migrate(settings.database_url, SCHEMA, MIGRATIONS))
    else:
        serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
