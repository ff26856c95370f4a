"""Composition root for routing."""

from __future__ import annotations

from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.runtime import ServiceRuntime

from .config import RoutingSettings
from .handlers import MIGRATIONS, SERVICE, register


def create_app(settings: RoutingSettings) -> FastAPI:
    runtime = ServiceRuntime(settings, service=SERVICE, migrations=MIGRATIONS, register=register)
    return service_app(runtime, "Qorgau routing")
