"""HTTP gateway provider: an adapter for a Kazakh SMS aggregator's HTTP API.

Shaped like Mobizon's `message/sendSMSMessage`: POST form fields `recipient`, `text`
and `from`, the API key in the `X-API-Key` header (never in the URL, which proxies log); the
answer is `{"code": 0, "data": {"messageId":
...}}`. Status callbacks (`messageId`, `status` such as DELIVRD) come in on notify's
HTTP port and are matched like SMPP receipts. Parsing is pure and defensive.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from notify.domain.receipt import MESSAGE_STATES, Receipt
from notify.metrics import PROVIDER_HEALTHY, SUBMITS

from .base import CLAIM_LOST, OnWire, Rejected, SendResult, Submitted, no_record
from .ratelimit import rate_limit

log = structlog.get_logger(__name__)

SEND_PATH = "/service/Message/SendSmsMessage"
_VALIDATION_ERROR = 1


@dataclass(frozen=True)
class HttpGatewayConfig:
    base_url: str
    api_key: str
    sender: str = "Qorgau"
    timeout_s: float = 5.0
    rate_per_s: float = 20.0


def parse_send_response(status_code: int, body: bytes) -> SendResult:
    """The aggregator's answer to one send, as a provider result."""
    if status_code == 429:
        return Rejected("HTTP gateway throttled (429)", "throttled")
    if status_code >= 500:
        return Rejected(f"HTTP gateway error {status_code}", "error")
    try:
        answer: Any = json.loads(body)
        code = answer["code"]
    except (ValueError, KeyError, TypeError):
        return Rejected(f"HTTP gateway sent an unreadable answer ({status_code})", "error")
    data = answer.get("data")
    if code == 0 and isinstance(data, Mapping) and data.get("messageId"):
        return Submitted((str(data["messageId"]),))
    if code == _VALIDATION_ERROR and isinstance(data, Mapping) and "recipient" in data:
        return Rejected("HTTP gateway rejected the recipient", "permanent")
    return Rejected(f"HTTP gateway refused the message (code {code})", "error")


_MAX_ID = 128
_NUMERIC_STATES = {str(k): v for k, v in MESSAGE_STATES.items()}


def parse_status_callback(fields: Mapping[str, Any]) -> Receipt | None:
    """A delivery status callback as a receipt; None if it is garbage."""
    message_id = fields.get("messageId") or fields.get("message_id") or fields.get("id")
    status = fields.get("status")
    if not isinstance(message_id, str | int) or not isinstance(status, str | int):
        return None
    state = str(status).strip().upper()
    state = _NUMERIC_STATES.get(state, state)
    if not state.isascii() or not state.isalpha() or len(state) > 16:
        return None
    # Ids are compared with what the gateway answered at submit: printable ASCII, bounded
    # (a NUL or a megabyte of id is garbage, and PostgreSQL cannot store a NUL).
    found = str(message_id).strip()
    if not 0 < len(found) <= _MAX_ID or not all(" " < ch < "\x7f" for ch in found):
        return None
    return Receipt(found, state)


class HttpGatewayProvider:
    name = "http"

    def __init__(self, config: HttpGatewayConfig) -> None:
        self._config = config
        self._client: httpx.AsyncClient | None = None
        self._rate = rate_limit(config.rate_per_s)
        self._healthy = True
        PROVIDER_HEALTHY.labels(self.name).set(1)

    @property
    def healthy(self) -> bool:
        return self._healthy

    async def start(self) -> None:
        self._client = httpx.AsyncClient(
            base_url=self._config.base_url.rstrip("/"), timeout=self._config.timeout_s
        )

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _set_health(self, healthy: bool) -> None:
        self._healthy = healthy
        PROVIDER_HEALTHY.labels(self.name).set(int(healthy))

    async def send(
        self, phone: str, text: str, on_wire: OnWire = no_record, *, receipt: bool = True
    ) -> SendResult:
        # `receipt` is not per message here: the gateway's status callbacks are per account.
        assert self._client is not None, "HTTP gateway not started"
        await self._rate.acquire()
        if not await on_wire():
            return CLAIM_LOST
        try:
            response = await self._client.post(
                SEND_PATH,
                params={"output": "json", "api": "v1"},
                # The key in a header, never in the URL (URLs end up in proxies' logs).
                headers={"X-API-Key": self._config.api_key},
                data={"recipient": phone.lstrip("+"), "text": text, "from": self._config.sender},
            )
        except httpx.HTTPError as exc:
            SUBMITS.labels(self.name, "error").inc()
            self._set_health(False)
            return Rejected(f"HTTP gateway unreachable: {type(exc).__name__}", "error")
        result = parse_send_response(response.status_code, response.content)
        SUBMITS.labels(self.name, str(response.status_code)).inc()
        self._set_health(isinstance(result, Submitted) or result.kind == "permanent")
        return result
