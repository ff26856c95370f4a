"""The HTTP gateway's API key travels in a header, never in the URL (issue 11).

URLs end up in proxies' access logs and, through httpx at INFO, in ours. The gateway itself
only checks the header, so a key also left in the query string would go unnoticed by the
contract tests: this test looks at where it travels.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from notify.providers.base import Submitted
from notify.providers.http_gateway import HttpGatewayConfig, HttpGatewayProvider

from .support import gateway

pytestmark = pytest.mark.integration

KEY = "gw-key-Q7x9-never-in-a-url"


async def test_the_api_key_is_sent_in_a_header_and_nowhere_else() -> None:
    async with gateway() as gw:
        gw.api_key = KEY
        provider = HttpGatewayProvider(HttpGatewayConfig(gw.url, KEY, rate_per_s=100))
        await provider.start()
        try:
            result = await provider.send("+77000003001", "Qorgau K7Q2")
        finally:
            await provider.stop()
    assert isinstance(result, Submitted), result
    [(url, headers, body)] = gw.requests
    assert headers["x-api-key"] == KEY
    assert KEY not in url
    query = dict(parse_qsl(urlsplit(url).query))
    assert not {name.lower() for name in query} & {"apikey", "api_key", "key"}, query
    assert KEY.encode() not in body
