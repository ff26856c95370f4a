"""Gateway status callbacks at their edge (issue 11): ids PostgreSQL cannot store or that no
gateway sends are garbage (acknowledged, counted), never a 500."""

from __future__ import annotations

import httpx
import pytest
from notify.http.callbacks import CALLBACK_PATH

from tests.notify.usecases.test_http_callbacks import client  # noqa: F401


@pytest.mark.parametrize(
    "fields",
    [
        {"messageId": "abc\x00def", "status": "DELIVRD"},
        {"messageId": "x" * 10_000, "status": "DELIVRD"},
        {"messageId": "\u202eabc", "status": "DELIVRD"},
        {"messageId": "abc", "status": "DELIVRD\x00"},
        {"messageId": "abc", "status": "ДОСТАВЛЕНО"},
    ],
)
async def test_unstorable_ids_are_garbage_not_a_500(
    client: httpx.AsyncClient,  # noqa: F811
    fields: dict[str, str],
) -> None:
    as_json = await client.post(f"{CALLBACK_PATH}?token=s3cret", json=fields)
    as_form = await client.post(f"{CALLBACK_PATH}?token=s3cret", data=fields)
    as_query = await client.get(CALLBACK_PATH, params={"token": "s3cret", **fields})
    for response in (as_json, as_form, as_query):
        assert (response.status_code, response.json()) == (200, {"accepted": False})
