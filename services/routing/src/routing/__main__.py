"""`python -m routing [serve | seed-demo | import | token ...]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import asyncpg
from qorgau_common.db import migrate
from qorgau_common.http import serve
from qorgau_common.logging import configure_logging
from qorgau_common.tokens_cli import add_token_commands, run_token_command

from .config import RoutingSettings
from .consumers import MIGRATIONS, SERVICE
from .domain.roster_files import RosterRejected
from .main import create_app
from .seed import seed_demo
from .usecases.import_roster import import_roster


async def _import(dsn: str, officers: str | None, shifts: str | None) -> None:
    await migrate(dsn, SERVICE, MIGRATIONS)
    conn = await asyncpg.connect(dsn)
    try:
        imported = await import_roster(conn, officers, shifts)
    finally:
        await conn.close()
    print(f"imported {imported.officers} officers and {imported.shifts} shifts")


def main() -> None:
    parser = argparse.ArgumentParser(prog="routing", description="Qorgau routing service")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the service (default)")
    seed = sub.add_parser("seed-demo", help="load the demo roster with shifts covering now")
    seed.add_argument("--days", type=int, default=7, help="days of shifts from today")
    imp = sub.add_parser("import", help="import officers.csv and/or shifts.csv, all or nothing")
    imp.add_argument("--officers", type=Path, help="officers.csv")
    imp.add_argument("--shifts", type=Path, help="shifts.csv (times without offset: Astana)")
    add_token_commands(sub)
    args = parser.parse_args()
    settings = RoutingSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_format)
    if args.command == "seed-demo":
        count = asyncio.run(seed_demo(settings.database_url, args.days))
        print(f"demo roster loaded: {count} officers, shifts for {args.days} days")
    elif args.command == "import":
        if not (args.officers or args.shifts):
            parser.error("give --officers, --shifts or both")
        try:
            officers = args.officers.read_text("utf-8") if args.officers else None
            shifts = args.shifts.read_text("utf-8") if args.shifts else None
            asyncio.run(_import(settings.database_url, officers, shifts))
        except RosterRejected as exc:
            sys.exit(str(exc))
    elif args.command == "token":
        asyncio.run(run_token_command(settings.database_url, SERVICE, MIGRATIONS, args))
    else:
        serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
