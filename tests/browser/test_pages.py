"""Each page in each language, as a phone shows it: direction and mirrored layout,
touch targets, width, weight, no third party, and an accessibility scan (axe-core)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import AXE, PHONE, Site, screenshot

LANGUAGES = {"en": "ltr", "fa-AF": "rtl", "ps": "rtl"}
PAGES = ("", "privacy", "status", "receipt/K7M4Q-X9TB2")
FIRST_LOAD_LIMIT = 150 * 1024
TOUCH_TARGETS = """() => [...document.querySelectorAll(
    'button, input:not([type=hidden]):not([type=checkbox]):not([type=file]), textarea,'
    + ' label.check, label.button, .languages a, footer a')]
  .filter((e) => e.offsetParent !== null && !e.closest('.hp'))
  .map((e) => { const r = e.getBoundingClientRect();
    return { what: e.outerHTML.slice(0, 60), width: r.width, height: r.height }; })
  .filter((r) => r.width < 44 || r.height < 44)"""


def edges(box: dict[str, float] | None) -> tuple[float, float]:
    assert box is not None
    return box["x"], box["x"] + box["width"]


@pytest.mark.parametrize("tag", LANGUAGES)
async def test_each_language_is_laid_out_in_its_direction(page: Page, site: Site, tag: str) -> None:
    complaints: list[str] = []
    page.on(
        "console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: complaints.append(str(error)))
    await page.goto(f"{site.url}/{tag}/")
    html = page.locator("html")
    await expect(html).to_have_attribute("lang", tag)
    await expect(html).to_have_attribute("dir", LANGUAGES[tag])
    await expect(page.locator("#choose-files")).to_be_visible()
    main_left, main_right = edges(await page.locator("#story-form").bounding_box())
    send_left, send_right = edges(await page.locator("#send").bounding_box())
    box_left, box_right = edges(await page.locator("#consent_terms").bounding_box())
    text_left, _ = edges(await page.locator("label[for=consent_terms] span").bounding_box())
    if LANGUAGES[tag] == "rtl":
        assert abs(send_right - main_right) < 2, "Send sits at the start (right) of the line"
        assert box_left > text_left, "the checkbox is right of its text"
    else:
        assert abs(send_left - main_left) < 2
        assert box_right < text_left
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    assert await page.evaluate(TOUCH_TARGETS) == []
    await screenshot(page, f"form-{tag}")
    for path in PAGES[1:]:
        await page.goto(f"{site.url}/{tag}/{path}")
        await expect(html).to_have_attribute("dir", LANGUAGES[tag])
        assert await page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert await page.evaluate(TOUCH_TARGETS) == [], path
        await screenshot(page, f"{path.split('/')[0]}-{tag}")
    assert complaints == [], "the browser complained (a script error, a blocked resource)"


async def test_the_root_follows_the_browsers_language(browser: Browser, site: Site) -> None:
    context = await browser.new_context(**PHONE, locale="ps-AF")
    page = await context.new_page()
    await page.goto(f"{site.url}/")
    await expect(page.locator("html")).to_have_attribute("lang", "ps")
    await page.click("nav.languages a[lang=fa-AF]")
    await expect(page).to_have_url(f"{site.url}/fa-AF/")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await context.close()


async def first_load(context: BrowserContext, url: str) -> tuple[int, list[str]]:
    """Bytes transferred to show ``url`` in a fresh browser (compressed, with headers),
    and every address asked for."""
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}
    urls: list[str] = []
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))  # fmt: skip
    page.on("request", lambda r: urls.append(r.url))
    await page.goto(url, wait_until="networkidle")
    await page.evaluate("document.fonts.ready.then(() => true)")
    await page.close()
    return sum(sizes.values()), urls


@pytest.mark.parametrize("tag", LANGUAGES)
async def test_the_first_load_is_small_and_asks_no_third_party(
    browser: Browser, site: Site, tag: str
) -> None:
    context = await browser.new_context(**PHONE)
    size, urls = await first_load(context, f"{site.url}/{tag}/")
    await context.close()
    assert size < FIRST_LOAD_LIMIT, f"{size} bytes"
    assert [u for u in urls if not u.startswith((site.url, "blob:", "data:"))] == []
    if tag != "en":
        assert any(u.endswith(".woff2") or ".woff2?" in u for u in urls), "the font is served"
    print(f"first load of /{tag}/: {size} bytes")


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("tag", LANGUAGES)
async def test_no_serious_accessibility_problem(browser: Browser, site: Site, tag: str) -> None:
    context = await browser.new_context(**PHONE, bypass_csp=True)  # to inject axe-core
    page = await context.new_page()
    found = {}
    for path in PAGES:
        await page.goto(f"{site.url}/{tag}/{path}")
        await page.wait_for_load_state("networkidle")
        found[path] = await axe_violations(page)
    await page.goto(f"{site.url}/{tag}/")
    await page.click("#send")
    await expect(page.locator("#error-summary")).to_be_visible()
    found["errors"] = await axe_violations(page)
    await context.close()
    assert {path: v for path, v in found.items() if v} == {}
