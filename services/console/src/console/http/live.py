"""Server-sent events: a page learns that something changed and fetches its own part."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse

from console.usecases import login

from .deps import Deps, deps
from .security import LoginRequired, optional_session

router = APIRouter()
HEARTBEAT_S = 15.0


@router.get("/events")
async def events(
    request: Request,
    d: Annotated[Deps, Depends(deps)],
    session: Annotated[login.Session | None, Depends(optional_session)],
) -> Response:
    if session is None:
        raise LoginRequired
    feed = d.feed

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        async with feed.watching():
            version = (await feed.fresh()).version
            yield f"event: changed\ndata: {version}\n\n"
            while not feed.closing:
                newer = await feed.wait_newer(version, HEARTBEAT_S)
                if newer is None:
                    yield ": still here\n\n"
                    continue
                version = newer
                yield f"event: changed\ndata: {version}\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
