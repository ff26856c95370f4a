"""The three journeys of the console in Chromium, against the stack as `make run` starts it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect
from qorgau_local.console_demo import demo_password
from qorgau_local.isolated import Isolated
from qorgau_local.smsc import DevSmsc

pytestmark = pytest.mark.e2e
WIDE: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
OPERATOR_TOKEN = {"Authorization": "Bearer qorgau-dev-operator"}


async def until(what: str, check: Callable[[], Awaitable[Any]], within_s: float = 20) -> Any:
    """Polls `check` until it returns something truthy; fails with `what` after the bound."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if found := await check():
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {within_s}s: {what}")


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=WIDE, locale="ru-RU")
    found = await context.new_page()
    found.set_default_timeout(15_000)
    yield found
    await context.close()


async def log_in(page: Page, base: str, username: str, password: str | None = None) -> None:
    await page.goto(f"{base}/login")
    await page.fill("#username", username)
    await page.fill("#password", password or demo_password(username))
    await page.press("#password", "Enter")
    await expect(page.locator("header .who")).to_be_visible()


async def shot(page: Page, shots: Path | None, name: str) -> None:
    if shots is not None:
        await page.screenshot(path=str(shots / f"{name}.png"), full_page=False)


async def file_directly(stack: Isolated, call_id: str, **extra: Any) -> dict[str, Any]:
    report = {
        "channel": "call_102",
        "call_id": call_id,
        "caller_phone": "+7 701 555 11 22",
        "victim": {"name": "Сәуле Нұрланқызы", "phone": "+7 702 333 44 55"},
        "address": {"street": "ул. Сыганак", "house": "10"},
        "district": "yesil",
        "checklist": {"weapon": True},
        "narrative": "Бывший муж угрожает, стучит в дверь.",
        **extra,
    }
    async with httpx.AsyncClient(base_url=stack.intake_url) as client:
        response = await client.post("/v1/reports", json=report, headers=OPERATOR_TOKEN)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def board_entry(stack: Isolated, incident_id: str) -> dict[str, Any] | None:
    token = (stack.state_dir / "console-routing-token").read_text().strip()  # type: ignore[attr-defined]
    routing = f"http://127.0.0.1:{stack.ports['routing']}"
    async with httpx.AsyncClient(base_url=routing) as client:
        board = (await client.get("/v1/board", headers={"Authorization": f"Bearer {token}"})).json()
    return next(
        (e for e in board["open"] if e["incident_id"] == incident_id and e["officer_id"]), None
    )


async def test_an_operator_files_a_call_with_the_keyboard_and_sees_it_acknowledged(
    stack: Isolated, page: Page, module_smsc: DevSmsc, shots: Path | None
) -> None:
    module_smsc.behaviour.auto_reply = "1"
    base = stack.console_url
    await log_in(page, base, "operator")
    await expect(page).to_have_url(f"{base}/operator/new")
    # Keyboard only from here: no mouse, no programmatic focus.
    await expect(page.locator("#channel")).to_be_focused()
    await page.keyboard.press("ArrowDown")  # 111
    typed = ("111-browser-0001", None, "8 701 234 56 78", "Жанар", "Айгүл Серікқызы", "8 702 111")
    for text in typed:
        await page.keyboard.press("Tab")
        if text:
            await page.keyboard.type(text)
    await page.keyboard.press("Tab")  # leaving the field checks it, before intake is called
    error = page.locator("#victim_phone-error")
    await expect(error).to_have_text("Введите номер телефона, например 8 701 234 56 78.")
    await expect(page.locator("#victim_phone")).to_have_attribute("aria-invalid", "true")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("End")  # coming back selects the whole value
    await page.keyboard.type(" 22 33")
    await page.keyboard.press("Tab")
    await expect(error).to_be_hidden()
    await page.keyboard.press("Alt+a")
    await expect(page.locator("#street")).to_be_focused()
    await page.keyboard.type("ул. Сыганак")
    await page.keyboard.press("Enter")  # moves on, never sends
    await expect(page.locator("#house")).to_be_focused()
    await page.keyboard.type("10")
    await page.keyboard.press("Alt+r")
    await page.keyboard.press("Tab")  # danger now → weapon
    await page.keyboard.press("Space")
    await page.keyboard.press("Alt+n")
    await page.keyboard.type("Муж угрожает ножом, дети дома.")
    await page.keyboard.press("Shift+Tab")  # out of the narrative, where "?" is typed
    await page.keyboard.press("?")  # the overlay of shortcuts; Escape closes it
    await expect(page.locator("#help")).to_be_visible()
    await shot(page, shots, "operator-shortcuts")
    await page.keyboard.press("Escape")
    await expect(page.locator("#help")).to_be_hidden()
    await page.evaluate("window.scrollTo(0, 0)")
    await shot(page, shots, "operator-new-call")
    await page.reload()  # the draft survives a reload
    await expect(page.locator("#narrative")).to_have_value("Муж угрожает ножом, дети дома.")
    await expect(page.locator("#q-weapon")).to_be_checked()
    await expect(page.locator("#caller_name")).to_have_value("Жанар")
    await page.keyboard.press("Control+Enter")
    code = page.locator("#short-code")
    await expect(code).to_be_visible()
    short_code = (await code.text_content() or "").strip()
    assert len(short_code) >= 4
    # The draft is gone: nothing personal is left in the browser.
    storage = await page.evaluate("JSON.stringify(Object.entries(sessionStorage))")
    assert "qorgau-draft" not in storage
    assert "Айгүл" not in storage
    assert "Айгүл" not in await page.content()
    await shot(page, shots, "operator-filed")
    await page.click("text=Мои последние сообщения")
    row = page.locator(f"tr:has(td.code:text-is('{short_code}')) [data-status]")
    await expect(row).to_have_attribute("data-status", "acknowledged", timeout=20_000)
    await shot(page, shots, "operator-recent")
    module_smsc.behaviour.auto_reply = None


async def test_a_supervisor_reassigns_and_resolves_a_district_less_case(
    stack: Isolated, page: Page, shots: Path | None
) -> None:
    accepted = await file_directly(
        stack,
        "102-browser-nodistrict",
        district=None,
        address={"street": "ул. Неизвестная", "house": "1"},
    )
    base = stack.console_url
    await log_in(page, base, "supervisor")
    await expect(page).to_have_url(f"{base}/board")
    card = page.locator(f".c-unassignable [data-incident='{accepted['incident_id']}']")
    await expect(card).to_be_visible(timeout=20_000)  # arrives live, no reload
    await shot(page, shots, "supervisor-board")
    await card.locator("a").click()
    await expect(page.locator("#personal-h")).to_be_visible()
    await expect(page.locator("#victim-name")).to_have_text("Сәуле Нұрланқызы")
    await page.select_option("#officer_id", "YSL-02")
    await page.fill("#reason", "Адрес уточнён: Есиль")
    await page.click("form[action$='/reassign'] button")
    await expect(page.locator("#result")).to_have_text("Готово.")
    await until(
        "routing gave it to YSL-02", lambda: _officer_is(stack, accepted["incident_id"], "YSL-02")
    )
    await shot(page, shots, "supervisor-incident")
    await page.select_option("#outcome", "referred_to_crisis_centre")
    await page.click("form[action$='/resolve'] button")
    await expect(page.locator("#result")).to_have_text("Готово.")
    await _bulk_reassign(stack, page, shots)
    await _roster_through_routing(page, base, shots)
    await page.goto(base + "/map")
    await shot(page, shots, "supervisor-map")
    await expect(page.locator(".leaflet-interactive").first).to_be_visible()


async def _bulk_reassign(stack: Isolated, page: Page, shots: Path | None) -> None:
    """Two cards selected with X (the selection survives live refreshes), one reason."""
    filed = [await file_directly(stack, f"102-browser-bulk-{n}") for n in (1, 2)]
    await page.goto(stack.console_url + "/board")
    for accepted in filed:
        link = page.locator(f"[data-incident='{accepted['incident_id']}'] a.card-link")
        await expect(link).to_be_visible(timeout=20_000)
        await link.focus()
        await page.keyboard.press("x")
        box = page.locator(f"[data-incident='{accepted['incident_id']}'] input.pick-card")
        await expect(box).to_be_checked()
    await expect(page.locator("#bulk-count")).to_have_text("2")
    await page.keyboard.press("b")
    await expect(page.locator("#bulk-officer")).to_be_focused()
    await page.select_option("#bulk-officer", "YSL-03")
    await page.fill("#bulk-reason", "Перераспределение нагрузки")
    await shot(page, shots, "supervisor-board-bulk")
    await page.press("#bulk-reason", "Enter")
    results = page.locator("#bulk-results tbody tr")
    await expect(results).to_have_count(2)
    for accepted in filed:
        row = page.locator(f"#bulk-results tr[data-incident='{accepted['incident_id']}']")
        await expect(row).to_have_attribute("data-result", "done")


async def _roster_through_routing(page: Page, base: str, shots: Path | None) -> None:
    """ALM-01 works days (demo roster): a night shift tomorrow is added and removed, a day
    shift is refused next to the officer as overlapping, the status is set, all via routing."""
    await page.goto(base + "/roster")
    row = page.locator("#officer-ALM-01")
    await row.locator("form[action$='/status'] button").click()
    await expect(row.locator(".ok-text")).to_have_text("Готово.")

    async def add(starts: str, ends: str) -> None:
        await row.locator("summary").click()
        await page.select_option("#day-ALM-01", "tomorrow")
        await page.fill("#starts-ALM-01", starts)
        await page.fill("#ends-ALM-01", ends)
        await row.locator("form[action$='/shifts'] button").click()

    await add("21:00", "22:00")
    await expect(row.locator("li", has_text="21:00–22:00")).to_have_count(1)
    await add("09:00", "10:00")
    await expect(row.locator("#problem-ALM-01")).to_contain_text("пересекается")
    await shot(page, shots, "supervisor-roster")
    await row.locator("li", has_text="21:00–22:00").locator("button").click()
    await expect(row.locator("li", has_text="21:00–22:00")).to_have_count(0)
    await expect(row.locator(".ok-text")).to_have_text("Готово.")


async def _officer_is(stack: Isolated, incident_id: str, officer: str) -> bool:
    entry = await board_entry(stack, incident_id)
    return bool(entry and entry["officer_id"] == officer)


async def test_an_inspector_on_a_phone_opens_their_case_and_resolves_it(
    stack: Isolated, browser: Browser, shots: Path | None
) -> None:
    accepted = await file_directly(stack, "102-browser-inspector")
    entry = await until(
        "routing assigned the case", lambda: board_entry(stack, accepted["incident_id"])
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "console",
            "user",
            "create",
            "inspector-e2e",
            "--role",
            "inspector",
            "--officer-id",
            entry["officer_id"],
        ],
        env={
            **os.environ,
            "QORGAU_DATABASE_URL": _database_url(stack),
            "QORGAU_CONSOLE_PASSWORD": "inspector-e2e-pass",
        },
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = await browser.new_context(viewport=PHONE)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    try:
        await log_in(page, stack.console_url, "inspector-e2e", "inspector-e2e-pass")
        await page.click(f"a[href='/cases/{accepted['incident_id']}']")
        await expect(page.locator("#victim-phone")).to_contain_text("+77023334455")
        await expect(page.locator("#narrative-text")).to_contain_text("стучит в дверь")
        await shot(page, shots, "inspector-case")
        await page.select_option("#outcome", "protective_order_issued")
        await page.click("form[action$='/resolve'] button")
        await expect(page.locator("#result")).to_have_text("Готово.")
        await expect(page.locator(f"a[href='/cases/{accepted['incident_id']}']")).to_have_count(0)
        # Another officer's case is not theirs to open.
        await page.goto(f"{stack.console_url}/board")
        await expect(page.locator("h1")).to_have_text("Вам нельзя открыть эту страницу.")
    finally:
        await context.close()


def _database_url(stack: Isolated) -> str:
    return str(stack.database_url)  # type: ignore[attr-defined]


async def test_roles_are_refused_and_the_language_switches(stack: Isolated, page: Page) -> None:
    base = stack.console_url
    await log_in(page, base, "operator")
    for path in ("/board", "/roster", "/cases"):
        response = await page.goto(base + path)
        assert response is not None, path
        assert response.status == 403, path
    await page.goto(f"{base}/operator/new")
    await page.click("button[lang='kk']")
    await expect(page.locator("h1")).to_have_text("Жаңа қоңырау")
    await page.goto(f"{base}/operator/recent")  # remembered on the account
    await expect(page.locator("h1")).to_have_text("Менің соңғы хабарламаларым")
    await page.click("button[lang='ru']")
    await expect(page.locator("h1")).to_have_text("Мои последние сообщения")
