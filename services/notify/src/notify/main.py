"""Composition root for notify: settings → providers → runtime → app and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from fastapi import FastAPI
from qorgau_common.http import service_app
from qorgau_common.periodic import periodically
from qorgau_common.runtime import ServiceRuntime

from .config import NotifySettings
from .consumers import MIGRATIONS, PUBLISHED, ROUTES, SERVICE, NotifyDeps
from .db.inbound import Inbound
from .domain.receipt import Receipt
from .http.callbacks import callback_router
from .providers.base import SmsProvider
from .providers.http_gateway import HttpGatewayConfig, HttpGatewayProvider
from .providers.routes import Routes
from .providers.smpp import SmppConfig, SmppProvider
from .usecases.answer_reply import answer_reply
from .usecases.keep_inbound import InboundKeeper
from .usecases.record_receipt import record_receipt
from .usecases.send_alert import Sending
from .usecases.send_window import SendWindow
from .usecases.sweep import heartbeat, sweep_once

log = structlog.get_logger(__name__)

INBOUND_SWEEP_S = 5.0  # kept receipts and replies not acted on are looked for this often


def smpp_config(settings: NotifySettings) -> SmppConfig:
    return SmppConfig(
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
        binds=settings.smpp_binds,
    )


def gateway_config(settings: NotifySettings) -> HttpGatewayConfig | None:
    if not settings.http_gateway_url:
        return None
    return HttpGatewayConfig(
        base_url=settings.http_gateway_url,
        api_key=settings.http_gateway_api_key.get_secret_value(),
        sender=settings.http_gateway_sender,
        timeout_s=settings.http_gateway_timeout_s,
        rate_per_s=settings.http_gateway_rate_per_s,
    )


def create_app(settings: NotifySettings) -> FastAPI:
    runtime: ServiceRuntime[NotifyDeps]

    async def http_receipt(receipt: Receipt) -> bool:
        return await record_receipt(runtime.pool, HttpGatewayProvider.name, receipt)

    bare_window = timedelta(seconds=settings.bare_reply_window_s)

    async def act_on_receipt(row: Inbound) -> None:
        receipt = Receipt(row.body["message_id"], row.body["state"])
        await record_receipt(runtime.pool, row.provider, receipt, inbound_id=row.id)

    async def act_on_reply(row: Inbound) -> None:
        phone, text = row.body["phone"], row.body["text"]
        await answer_reply(
            runtime.pool,
            routes,
            phone,
            text,
            now=row.received_at,
            bare_window=bare_window,
            inbound_id=row.id,
            start=runtime.deps().window.start_notice,
        )

    # SMPP's inbound is acknowledged by smpp34 at once: it is kept before it is acted on.
    keeper = InboundKeeper(lambda: runtime.pool, {"receipt": act_on_receipt, "reply": act_on_reply})

    async def smpp_receipt(receipt: Receipt) -> None:
        body = {"message_id": receipt.message_id, "state": receipt.state}
        await keeper.receive("receipt", SmppProvider.name, body)

    async def reply(phone: str, text: str) -> None:
        await keeper.receive("reply", SmppProvider.name, {"phone": phone, "text": text})

    smpp = SmppProvider(smpp_config(settings), on_receipt=smpp_receipt, on_reply=reply)
    http = gateway_config(settings)
    gateway = HttpGatewayProvider(http) if http is not None else None
    providers: list[SmsProvider] = [smpp] if gateway is None else [smpp, gateway]
    routes = Routes.of(*providers, exercise_provider=settings.exercise_provider)

    def deps(rt: ServiceRuntime[NotifyDeps]) -> NotifyDeps:
        sending = Sending(rt.pool, routes, give_up_after_s=settings.give_up_after_s)
        return NotifyDeps(rt.pool, SendWindow(sending, window=settings.send_window))

    runtime = ServiceRuntime(
        settings,
        service=SERVICE,
        migrations=MIGRATIONS,
        routes=ROUTES,
        deps=deps,
        published=PUBLISHED,
    )

    async def sweep() -> None:
        await sweep_once(
            runtime.deps().window,
            pending_after_s=settings.resend_pending_after_s,
            receipt_timeout_s=settings.receipt_timeout_s,
            in_doubt_after_s=settings.in_doubt_after_s,
        )

    async def beat() -> None:
        await heartbeat(runtime.deps().window.sending)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        await smpp.start()
        if gateway is not None:
            await gateway.start()
        every_s = min(settings.resend_pending_after_s, settings.receipt_timeout_s)
        # Beats well inside `in_doubt_after_s`: another replica's sweep leaves our claims be.
        beat_every_s = max(0.1, min(5.0, settings.in_doubt_after_s / 4))
        try:
            async with (
                periodically("notify-heartbeat", beat_every_s, beat),
                periodically("notify-sweep", every_s, sweep),
                periodically("notify-inbound", INBOUND_SWEEP_S, keeper.sweep),
            ):
                yield
                await runtime.stop_consuming()
        finally:
            # Every step runs even if one fails (a database that restarted meanwhile must
            # not keep notify from draining its sends and unbinding SMPP).
            async def stop_keeping() -> None:
                keeper.stop()

            # The window is drained again after the keeper stops: a reply acted on meanwhile
            # may have handed it a notice, which must be off the wire before SMPP unbinds.
            window = runtime.deps().window
            steps = [runtime.stop_consuming, window.drain, stop_keeping, window.drain, smpp.stop]
            steps += [gateway.stop] if gateway is not None else []
            for step in [*steps, runtime.close]:
                try:
                    await step()
                except Exception as exc:
                    log.error("shutdown step failed", step=step.__qualname__, error=repr(exc))

    app = service_app(runtime, "Qorgau notify", lifespan=lifespan)
    token = settings.http_gateway_callback_token
    app.include_router(callback_router(token.get_secret_value() if token else None, http_receipt))
    return app
