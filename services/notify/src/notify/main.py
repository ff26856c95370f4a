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

from .callbacks import add_callback_route
from .config import NotifySettings
from .handlers import MIGRATIONS, PUBLISHED, ROUTES, SERVICE, NotifyDeps
from .http_gateway import HttpGatewayConfig, HttpGatewayProvider
from .inbound import on_receipt, on_reply
from .pdu import Receipt
from .provider import SmsProvider
from .sending import Sender, SendPolicy
from .smpp import SmppConfig, SmppProvider
from .sweeper import sweep_forever

log = structlog.get_logger(__name__)


def create_app(settings: NotifySettings) -> FastAPI:
    runtime: ServiceRuntime[NotifyDeps]

    async def smpp_receipt(receipt: Receipt) -> None:
        await on_receipt(runtime.pool, SmppProvider.name, receipt)

    async def http_receipt(receipt: Receipt) -> bool:
        return await on_receipt(runtime.pool, HttpGatewayProvider.name, receipt)

    async def reply(phone: str, text: str) -> None:
        await on_reply(runtime.pool, sender, phone, text)

    smpp = SmppProvider(
        SmppConfig(
            host=settings.smpp_host,
            port=settings.smpp_port,
            system_id=settings.smpp_system_id,
            password=settings.smpp_password.get_secret_value(),
            source_addr=settings.smpp_source_addr,
            submit_timeout_s=settings.smpp_submit_timeout_s,
            bind_wait_s=settings.smpp_bind_wait_s,
            window=settings.smpp_window,
            rate_per_s=settings.smpp_rate_per_s,
            throttle_retries=settings.smpp_throttle_retries,
        ),
        on_receipt=smpp_receipt,
        on_reply=reply,
    )
    gateway = (
        HttpGatewayProvider(
            HttpGatewayConfig(
                base_url=settings.http_gateway_url,
                api_key=settings.http_gateway_api_key.get_secret_value(),
                sender=settings.http_gateway_sender,
                timeout_s=settings.http_gateway_timeout_s,
                rate_per_s=settings.http_gateway_rate_per_s,
            )
        )
        if settings.http_gateway_url
        else None
    )
    providers: dict[str, SmsProvider] = {smpp.name: smpp}
    if gateway is not None:
        providers[gateway.name] = gateway
    sender = Sender(
        lambda: runtime.pool,
        providers,
        SendPolicy(
            routes=tuple(providers),
            exercise_provider=settings.exercise_provider,
            give_up_after_s=settings.give_up_after_s,
        ),
        window=settings.send_window,
    )
    runtime = ServiceRuntime(
        settings,
        service=SERVICE,
        migrations=MIGRATIONS,
        routes=ROUTES,
        deps=lambda rt: NotifyDeps(rt.pool, sender),
        published=PUBLISHED,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        await smpp.start()
        if gateway is not None:
            await gateway.start()
        sweeper = asyncio.create_task(
            sweep_forever(
                runtime.pool,
                sender,
                every_s=settings.resend_pending_after_s,
                receipt_timeout_s=settings.receipt_timeout_s,
                in_doubt_after_s=settings.in_doubt_after_s,
            )
        )
        try:
            yield
        finally:
            await runtime.stop_consuming()
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await sender.drain()
            await smpp.stop()
            if gateway is not None:
                await gateway.stop()
            await runtime.close()

    app = service_app(runtime, "Qorgau notify", lifespan=lifespan)
    token = settings.http_gateway_callback_token
    add_callback_route(app, token.get_secret_value() if token else None, http_receipt)
    return app
