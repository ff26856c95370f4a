"""Composition root for intake."""

from __future__ import annotations

from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.runtime import ServiceRuntime

from .api import IntakeDeps, router
from .config import IntakeSettings
from .crypto import FieldCipher, parse_keys
from .handlers import MIGRATIONS, SERVICE, register

DESCRIPTION = """\
Call-centre operators submit 102 and 111 calls here. Every endpoint except the probes
and metrics needs `Authorization: Bearer <token>` (create one with
`python -m intake token create`). Errors are RFC 9457 `application/problem+json`
and name the field at fault; they never echo what was sent.
"""


def create_app(settings: IntakeSettings) -> FastAPI:
    # Fail at start, not at the first report, when the keys are missing or malformed.
    cipher = FieldCipher(parse_keys(settings.encryption_keys), settings.encryption_active_key)
    runtime = ServiceRuntime(settings, service=SERVICE, migrations=MIGRATIONS, register=register)

    app = service_app(runtime, "Qorgau intake", description=DESCRIPTION)
    app.state.deps = IntakeDeps(cipher=cipher)
    app.include_router(router)
    return app
