"""The shared edge of both clients: one call, errors turned into values."""

from __future__ import annotations

from typing import Any

import httpx

from console.domain.models import FieldProblem

from .errors import ApiError, NotAvailableYet, Rejected


def route_missing(response: httpx.Response) -> bool:
    """A 404 for the path itself (no field named), not for a missing record."""
    if response.status_code != 404:
        return False
    try:
        body = response.json()
    except ValueError:
        return True
    return not (isinstance(body, dict) and body.get("errors"))


def problems(response: httpx.Response) -> list[FieldProblem]:
    try:
        body = response.json()
    except ValueError:
        return []
    found = body.get("errors") if isinstance(body, dict) else None
    return [FieldProblem.model_validate(p) for p in found or [] if isinstance(p, dict)]


async def call(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    *,
    token: str,
    needed: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """`needed` names an endpoint from NEEDS.md: its 404 means "not available yet"."""
    try:
        response = await client.request(
            method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
        )
    except httpx.HTTPError as exc:
        raise ApiError(503, type(exc).__name__) from exc
    if needed is not None and route_missing(response):
        raise NotAvailableYet(needed)
    if response.status_code in (400, 409, 422) or (
        response.status_code == 404 and problems(response)
    ):
        raise Rejected(response.status_code, problems(response))
    if response.status_code >= 400:
        raise ApiError(response.status_code, response.reason_phrase)
    return response


async def reachable(client: httpx.AsyncClient) -> bool:
    try:
        return (await client.get("/health/live")).status_code == 200
    except httpx.HTTPError:
        return False
