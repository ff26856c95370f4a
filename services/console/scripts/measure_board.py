"""Page weight and first render of the board with N open incidents (fake intake/routing),
and the time from a routing change to its card on an open board. Sizes are given as the
body (what was sent before the console compressed its answers) and on the wire (gzip).

    .venv/bin/python services/console/scripts/measure_board.py [N]
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvicorn
from console.usecases.accounts import create_user
from playwright.async_api import Response, async_playwright

from tests import harness
from tests.console.browser.conftest import CHROMIUM, FLAGS
from tests.console.support import PASSWORD, console


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def main(count: int) -> None:
    pg = await harness.find_test_postgres(Path(tempfile.mkdtemp()))
    url = await harness.fresh_database(pg)
    try:
        async with console(url, poll_interval_s=1.0) as c:
            await create_user(c.pool, "sup", "supervisor", PASSWORD)
            districts = ("yesil", "almaty", "nura", "saryarka", "baikonyr", "saraishyk", None)
            for n in range(count):
                c.world.add(
                    district=districts[n % 7],
                    officer_id=None if n % 5 == 0 else f"YSL-{n % 9:02d}",
                    priority=("danger_now", "high", "standard")[n % 3],
                )
            port = _port()
            server = uvicorn.Server(
                uvicorn.Config(c.app, port=port, log_level="warning", lifespan="off")
            )
            serving = asyncio.create_task(server.serve())
            while not server.started:  # noqa: ASYNC110 - uvicorn offers no event for it
                await asyncio.sleep(0.05)
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                page = await browser.new_page(viewport={"width": 1280, "height": 800})
                # A first visit: every asset fetched, none from the login page's cache.
                cdp = await page.context.new_cdp_session(page)
                await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                await page.goto(f"http://127.0.0.1:{port}/login")
                await page.fill("#username", "sup")
                await page.fill("#password", PASSWORD)
                sizes: dict[str, tuple[int, int]] = {}  # name → (body, on the wire)

                async def on_response(response: Response) -> None:
                    if response.status >= 300 or "/events" in response.url:
                        return
                    body = await response.body()
                    sizes[response.url.split("/", 3)[-1]] = (len(body), 0)

                page.on("response", on_response)
                await page.press("#password", "Enter")
                await page.wait_for_selector(".card-item")
                timing = await page.evaluate(
                    "JSON.stringify({fcp: performance.getEntriesByName("
                    "'first-contentful-paint')[0]?.startTime, dcl: performance.timing"
                    ".domContentLoadedEventEnd - performance.timing.navigationStart})"
                )
                page.remove_listener("response", on_response)  # live refreshes are not the page
                cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", cookies=cookies
                ) as client:
                    for name, (size, _) in list(sizes.items()):
                        answer = await client.get(f"/{name}", headers={"Accept-Encoding": "gzip"})
                        assert answer.status_code == 200, (name, answer.status_code)
                        sizes[name] = (size, answer.num_bytes_downloaded)
                await page.wait_for_timeout(1500)
                case = c.world.add(district="nura", officer_id="YSL-02", priority="danger_now")
                started = time.monotonic()
                await page.wait_for_selector(
                    f"[data-incident='{case.summary.incident_id}']", timeout=15000
                )
                live = time.monotonic() - started
                print(f"open incidents: {count + 1}")
                for name, (size, wire) in sorted(sizes.items()):
                    print(f"  {size:>8} B  {wire:>8} B on the wire  /{name}")
                print(
                    f"  total {sum(s for s, _ in sizes.values())} B uncompressed,"
                    f" {sum(w for _, w in sizes.values())} B on the wire (gzip)"
                )
                print(f"  first render: {timing}")
                print(
                    f"  change to card on the open board: {live * 1000:.0f} ms (poll every 1.0 s)"
                )
                await browser.close()
            server.should_exit = True
            await serving
    finally:
        await harness.drop_database(pg, url)
        pg.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
