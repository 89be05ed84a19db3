from __future__ import annotations

from playwright.async_api import Page

from tests.browser.conftest import screenshot


async def test_smoke(page: Page, site: str) -> None:
    for tag in ("en", "fa-AF", "ps"):
        await page.goto(f"{site}/{tag}/")
        await page.wait_for_selector("#drop-zone:not([hidden])")
        await screenshot(page, f"smoke-form-{tag}")
