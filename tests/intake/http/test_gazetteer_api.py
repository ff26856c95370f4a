"""Street suggestions and district resolution for the new-call form (console NEEDS 4 and 5)."""

from __future__ import annotations

import asyncpg
import httpx
from intake.usecases.load_gazetteer import load_gazetteer

from tests.intake.support import AUTH

STREETS = """street,district,valid_from,valid_to
ул. Сыганак,yesil,2018-01-01,
ул. Сыганак,nura,2018-01-01,
пр. Кабанбай батыра,yesil,2018-01-01,
ул. Кенесары,almaty,2018-01-01,
ул. Старая,almaty,2018-01-01,2019-01-01
"""


async def load(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await load_gazetteer(conn, STREETS, source="test", loaded_by="test")


async def test_suggestions_match_the_normalised_start_of_the_name(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await load(pool)
    for typed in ("сыга", "Сығанақ", "ул Сыганак", "  СЫГ"):
        response = await api.post("/v1/gazetteer/streets/search", json={"q": typed}, headers=AUTH)
        assert response.status_code == 200, typed
        body = response.json()
        assert {(i["street"], i["district"]) for i in body["items"]} == {
            ("ул. Сыганак", "yesil"),
            ("ул. Сыганак", "nura"),
        }, typed
        assert body["gazetteer_version"] == 1
    old = await api.post("/v1/gazetteer/streets/search", json={"q": "стар"}, headers=AUTH)
    assert old.json()["items"] == []  # no longer valid today


async def test_resolve_gives_one_district_or_the_reason(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await load(pool)
    one = await api.post("/v1/gazetteer/resolve", json={"street": "Кенесары"}, headers=AUTH)
    assert one.json() == {"district": "almaty", "reason": None, "gazetteer_version": 1}
    both = await api.post("/v1/gazetteer/resolve", json={"street": "Сыганак"}, headers=AUTH)
    assert both.json()["district"] is None
    assert "several districts" in both.json()["reason"]
    unknown = await api.post("/v1/gazetteer/resolve", json={"street": "Нет такой"}, headers=AUTH)
    assert unknown.json()["reason"] == "street not in the gazetteer"


async def test_the_lookups_need_a_token_and_sane_input(api: httpx.AsyncClient) -> None:
    assert (await api.post("/v1/gazetteer/streets/search", json={"q": "a"})).status_code == 401
    too_many = await api.post(
        "/v1/gazetteer/streets/search", json={"q": "a", "limit": 500}, headers=AUTH
    )
    assert too_many.status_code == 422
    empty = await api.post("/v1/gazetteer/streets/search", json={"q": ""}, headers=AUTH)
    assert empty.status_code == 422
