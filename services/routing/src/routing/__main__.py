"""`python -m routing [serve|seed-demo]`."""

from __future__ import annotations

import argparse
import asyncio

from qorgau_common.http import serve
from qorgau_common.logging import configure_logging

from .config import RoutingSettings
from .handlers import SERVICE
from .main import create_app
from .seed import seed_demo


def main() -> None:
    parser = argparse.ArgumentParser(prog="routing", description="Qorgau routing service")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the service (default)")
    seed = sub.add_parser("seed-demo", help="load the demo roster with shifts covering now")
    seed.add_argument("--days", type=int, default=7, help="days of shifts from today")
    args = parser.parse_args()
    settings = RoutingSettings()
    configure_logging(SERVICE, settings.log_level, settings.log_format)
    if args.command == "seed-demo":
        count = asyncio.run(seed_demo(settings.database_url, args.days))
        print(f"demo roster loaded: {count} officers, shifts for {args.days} days")
        return
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
