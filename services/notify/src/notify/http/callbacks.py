"""HTTP gateway status callbacks, on notify's HTTP port: translate, then record the receipt."""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from notify.domain.receipt import Receipt
from notify.metrics import INBOUND
from notify.providers.http_gateway import parse_status_callback

# Outside /v1/: aggregators post form bodies, which the /v1 API body guard refuses.
CALLBACK_PATH = "/callbacks/http-gateway/status"

OnReceipt = Callable[[Receipt], Awaitable[bool]]


def _fields(request_body: bytes, content_type: str, query: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = dict(query)
    try:
        if "json" in content_type:
            body = json.loads(request_body or b"{}")
            if isinstance(body, dict):
                data = body.get("data")
                fields.update(data if isinstance(data, dict) else body)
        else:
            fields.update(parse_qsl(request_body.decode("utf-8", "replace")))
    except ValueError:
        pass
    return fields


def callback_router(token: str | None, on_receipt: OnReceipt) -> APIRouter:
    """The status callback route; with a `token`, callbacks must carry `?token=<it>`."""
    router = APIRouter(tags=["providers"])

    @router.api_route(
        CALLBACK_PATH,
        methods=["GET", "POST"],
        summary="Delivery status callback from the HTTP SMS gateway",
    )
    async def status_callback(request: Request) -> JSONResponse:
        query = dict(request.query_params)
        if token and not hmac.compare_digest(query.pop("token", ""), token):
            return JSONResponse(
                {"title": "Unauthorized", "status": 401, "detail": "wrong callback token"},
                status_code=401,
                media_type="application/problem+json",
            )
        query.pop("token", None)
        fields = _fields(await request.body(), request.headers.get("content-type", ""), query)
        receipt = parse_status_callback(fields)
        if receipt is None:
            INBOUND.labels("http", "garbage").inc()
            return JSONResponse({"accepted": False})
        INBOUND.labels("http", "receipt").inc()
        matched = await on_receipt(receipt)
        return JSONResponse({"accepted": True, "matched": matched})

    return router
