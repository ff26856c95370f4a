"""Street suggestions and district resolution for the new-call form.

POST with a JSON body, not GET: what an operator types never goes into a URL or an access log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from qorgau_common.auth import Caller

from intake.usecases.look_up_streets import resolve_street, suggest_streets

from .deps import pool_of
from .reports import ANYONE

router = APIRouter(prefix="/v1/gazetteer", tags=["gazetteer"])


class StreetQuery(BaseModel):
    q: str = Field(min_length=1, max_length=100, description="What has been typed so far.")
    limit: int = Field(default=8, ge=1, le=50, description="Most suggestions to return.")


class StreetSuggestion(BaseModel):
    street: str = Field(description="The street as the gazetteer writes it.")
    district: str = Field(description="The district the gazetteer gives it today.")


class StreetSuggestions(BaseModel):
    items: list[StreetSuggestion]
    gazetteer_version: int | None = Field(description="Version the suggestions come from.")


class StreetToResolve(BaseModel):
    street: str = Field(min_length=1, max_length=200, description="A street name, as typed.")


class Resolved(BaseModel):
    district: str | None = Field(description="The district, or null with the reason.")
    reason: str | None = Field(description="Why no district: unknown street, several districts.")
    gazetteer_version: int | None


@router.post("/streets/search", summary="Streets whose name starts with what was typed")
async def search_streets(
    body: StreetQuery, request: Request, _: Annotated[Caller, Depends(ANYONE)]
) -> StreetSuggestions:
    found = await suggest_streets(pool_of(request), body.q, body.limit, datetime.now(UTC))
    return StreetSuggestions(
        items=[StreetSuggestion(street=s.street, district=s.district) for s in found.items],
        gazetteer_version=found.gazetteer_version,
    )


@router.post("/resolve", summary="The district the gazetteer gives a street today")
async def resolve_district(
    body: StreetToResolve, request: Request, _: Annotated[Caller, Depends(ANYONE)]
) -> Resolved:
    version, resolution = await resolve_street(pool_of(request), body.street, datetime.now(UTC))
    return Resolved(
        district=resolution.district, reason=resolution.reason, gazetteer_version=version
    )
