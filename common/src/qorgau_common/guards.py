"""ASGI guard on request bodies, before any parsing."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import problem


class BodyGuard:
    """Rejects bodies over the limit (413) and non-JSON writes to the /v1 API (415)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send, 413)
            return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["path"].startswith("/v1/") and content_type != b"application/json":
            await self._reject(scope, receive, send, 415)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._reject(scope, receive, send, 413)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, status: int) -> None:
        detail = {
            413: ("Body too large", f"The body must be at most {self.max_bytes} bytes."),
            415: ("Unsupported media type", "Send the body as application/json."),
        }[status]
        await problem(status, *detail)(scope, receive, send)


class _TooLarge(Exception):
    pass
