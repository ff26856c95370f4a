"""`python -m notify [serve]`."""

from __future__ import annotations

import argparse

from qorgau_common.http import serve
from qorgau_common.logging import configure_logging

from .config import NotifySettings
from .consumers import SERVICE
from .main import create_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="notify", description="Qorgau notify service")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the service (default)")
    parser.parse_args()
    settings = NotifySettings()
    configure_logging(SERVICE, settings.log_level, settings.log_format)
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
