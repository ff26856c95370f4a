"""Composition root for notify."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.runtime import ServiceRuntime

from . import repository as repo
from .alerts import on_receipt, on_reply, send_alert
from .config import NotifySettings
from .handlers import MIGRATIONS, SERVICE, registrar
from .pdu import Receipt
from .provider import SmsProvider
from .smpp import SmppConfig, SmppProvider

log = structlog.get_logger(__name__)


async def resend_pending(runtime: ServiceRuntime, provider: SmsProvider, every_s: float) -> None:
    """Send alerts left pending by a failed attempt or a crash before the claim."""
    while True:
        await asyncio.sleep(every_s)
        try:
            for alert_id in await repo.pending_alert_ids(runtime.pool, older_than_s=every_s):
                await send_alert(runtime.pool, provider, alert_id)
        except Exception as exc:  # keep sweeping; the next round retries
            log.warning("pending alert sweep failed", error=type(exc).__name__)


def create_app(settings: NotifySettings) -> FastAPI:
    runtime: ServiceRuntime

    async def receipt(r: Receipt) -> None:
        await on_receipt(runtime.pool, r.message_id, r.delivered, r.state)

    async def reply(phone: str, text: str) -> None:
        await on_reply(runtime.pool, phone, text)

    provider = SmppProvider(
        SmppConfig(
            host=settings.smpp_host,
            port=settings.smpp_port,
            system_id=settings.smpp_system_id,
            password=settings.smpp_password.get_secret_value(),
            source_addr=settings.smpp_source_addr,
        ),
        on_receipt=receipt,
        on_reply=reply,
    )
    runtime = ServiceRuntime(
        settings,
        service=SERVICE,
        migrations=MIGRATIONS,
        register=registrar(provider),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        await provider.start()
        sweeper = asyncio.create_task(
            resend_pending(runtime, provider, settings.resend_pending_after_s)
        )
        try:
            yield
        finally:
            await runtime.stop_consuming()
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await provider.stop()
            await runtime.close()

    return service_app(runtime, "Qorgau notify", lifespan=lifespan)
