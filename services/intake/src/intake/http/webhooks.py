"""Social-media webhooks. Authenticated by the platforms' own proofs, not bearer tokens."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Annotated

import asyncpg
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field
from qorgau_common.errors import InvalidInput
from qorgau_common.problems import problem

from intake.usecases.quarantine_update import Kind, Source, quarantine_update
from intake.usecases.receive_message import receive_message

from .deps import deps_of, pool_of
from .meta import MetaNotification, read_meta
from .payloads import Read, parse
from .proofs import SignatureError, verify_handshake, verify_meta, verify_telegram
from .telegram import TgUpdate, read_telegram

webhooks = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

ERRORS: dict[int | str, dict[str, str]] = {
    200: {
        "description": "Taken in. An authentic update that cannot be processed (malformed,"
        " an id or time out of bounds) is acknowledged too, so that the platform stops"
        " retrying it, and kept in intake's quarantine (`quarantined: 1`)."
    },
    401: {"description": "The platform's proof is missing."},
    403: {"description": "The proof does not match (or the webhook is not configured)."},
}


class WebhookReceipt(BaseModel):
    new: int = 0
    follow_up: int = 0
    duplicate: int = 0
    quarantined: int = Field(default=0, description="1 if (part of) the update was set aside.")


async def _take_in(
    request: Request, source: Source, body: bytes, read: Callable[[bytes], Read]
) -> WebhookReceipt:
    """Receive what the verified update holds; set aside (never refuse) what it cannot."""
    deps = deps_of(request)

    async def set_aside(kind: Kind, reason: str) -> WebhookReceipt:
        await quarantine_update(pool_of(request), deps.cipher, source, kind, reason, body)
        return WebhookReceipt(quarantined=1)

    try:
        found = read(body)
    except InvalidInput as exc:  # malformed JSON, or not this platform's shape
        return await set_aside("malformed", str(exc))
    outcomes: Counter[str] = Counter()
    unstorable: list[str] = []
    for message in found.messages:
        try:
            outcome = await receive_message(
                pool_of(request),
                deps.cipher,
                deps.link_key,
                message,
                follow_up_window=deps.follow_up_window,
            )
        except asyncpg.DataError as exc:  # a value PostgreSQL refuses: not the database's fault
            unstorable.append(f"{message.platform} message: {type(exc).__name__}")
            continue
        outcomes[outcome] += 1
    receipt = WebhookReceipt(
        new=outcomes["new"], follow_up=outcomes["follow_up"], duplicate=outcomes["duplicate"]
    )
    if found.problems:
        receipt.quarantined = (await set_aside("unreadable_message", found.problems[0])).quarantined
    elif unstorable:
        receipt.quarantined = (await set_aside("unstorable", unstorable[0])).quarantined
    return receipt


def _read_telegram(body: bytes) -> Read:
    return read_telegram(parse(TgUpdate, body))


def _read_meta(body: bytes) -> Read:
    return read_meta(parse(MetaNotification, body))


@webhooks.post(
    "/telegram",
    response_model=WebhookReceipt,
    summary="Telegram Bot API updates (setWebhook with secret_token)",
    responses=ERRORS,
)
async def telegram_update(
    request: Request,
    secret_token: Annotated[
        str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token", include_in_schema=False)
    ] = None,
) -> WebhookReceipt:
    verify_telegram(deps_of(request).telegram_secret_token, secret_token)
    return await _take_in(request, "telegram", await request.body(), _read_telegram)


@webhooks.post(
    "/meta",
    response_model=WebhookReceipt,
    summary="Instagram messaging and WhatsApp Cloud API notifications",
    responses=ERRORS,
)
async def meta_notification(
    request: Request,
    signature: Annotated[
        str | None, Header(alias="X-Hub-Signature-256", include_in_schema=False)
    ] = None,
) -> WebhookReceipt:
    body = await request.body()
    verify_meta(deps_of(request).meta_app_secret, signature, body)
    return await _take_in(request, "meta", body, _read_meta)


@webhooks.get(
    "/meta",
    response_class=PlainTextResponse,
    summary="Meta's subscription handshake: echoes hub.challenge",
    responses={403: {"description": "Wrong mode or verify token."}},
)
async def meta_handshake(
    request: Request,
    mode: Annotated[str | None, Query(alias="hub.mode", max_length=32)] = None,
    verify_token: Annotated[str | None, Query(alias="hub.verify_token", max_length=256)] = None,
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)] = "",
) -> PlainTextResponse:
    if not verify_handshake(deps_of(request).meta_verify_token, mode, verify_token):
        raise SignatureError(403, "Wrong hub.mode or hub.verify_token.")
    return PlainTextResponse(challenge)


async def on_signature_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SignatureError)
    title = "Unauthorized" if exc.status == 401 else "Forbidden"
    return problem(exc.status, title, exc.detail)
