"""Social-media webhooks. Authenticated by the platforms' own proofs, not bearer tokens."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel
from qorgau_common.problems import problem

from intake.domain.message import InboundMessage
from intake.usecases.receive_message import receive_message

from .deps import deps_of, pool_of
from .meta import MetaNotification, meta_messages
from .payloads import parse
from .proofs import SignatureError, verify_handshake, verify_meta, verify_telegram
from .telegram import TgUpdate, telegram_messages

webhooks = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

ERRORS: dict[int | str, dict[str, str]] = {
    400: {"description": "Malformed JSON."},
    401: {"description": "The platform's proof is missing."},
    403: {"description": "The proof does not match (or the webhook is not configured)."},
    422: {"description": "Not a payload of this platform."},
}


class WebhookReceipt(BaseModel):
    new: int = 0
    follow_up: int = 0
    duplicate: int = 0


async def _receive(request: Request, found: list[InboundMessage]) -> WebhookReceipt:
    deps = deps_of(request)
    outcomes: Counter[str] = Counter()
    for message in found:
        outcome = await receive_message(
            pool_of(request),
            deps.cipher,
            deps.link_key,
            message,
            follow_up_window=deps.follow_up_window,
        )
        outcomes[outcome] += 1
    return WebhookReceipt(
        new=outcomes["new"], follow_up=outcomes["follow_up"], duplicate=outcomes["duplicate"]
    )


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
    update = parse(TgUpdate, await request.body())
    return await _receive(request, telegram_messages(update))


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
    return await _receive(request, meta_messages(parse(MetaNotification, body)))


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
