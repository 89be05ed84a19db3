"""The desk on a phone shows each file's content credentials and flags in plain words,
and its queue filters by them: the search and the next-submission form."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from aiohttp import FormData
from playwright.async_api import BrowserContext, Page, expect

from intake.web.keys import REPOSITORY, WORKER
from tests import media
from tests.browser.conftest import screenshot
from tests.c2pa_signing import SigningAuthority
from tests.desk_helpers import PASSWORD, desk_account

NEWSROOM = SigningAuthority.new("Newsroom Root", "Field Camera")


async def send(client: Any, filename: str, content: bytes, title: str) -> str:
    data = FormData()
    data.add_field("consent_terms", "true")
    data.add_field("title", title)
    data.add_field("files", io.BytesIO(content), filename=filename)
    response = await client.post("/api/v1/submissions", data=data)
    assert response.status == 201, await response.text()
    submission = await client.server.app[REPOSITORY].get_submission((await response.json())["id"])
    return str(submission.reference)


async def sign_in(page: Page, url: str) -> None:
    await page.goto(f"{url}/en/moderate/sign-in")
    await page.fill("#name", "amina")
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page.locator("h1")).to_have_text("Queue")


async def test_credentials_and_flags_on_the_desk(
    make_client: Any, phone: BrowserContext, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.pem"
    anchors.write_text(NEWSROOM.root_pem)
    client = await make_client(rate_submissions="0", rate_uploads="0",
                               verification_c2pa_trust_anchors=str(anchors))  # fmt: skip
    url = str(client.make_url("")).rstrip("/")
    signed = await send(client, "signed.jpg", NEWSROOM.sign(media.jpeg_with_exif(), "image/jpeg"),
                        "Signed at the market")  # fmt: skip
    screenshot_ref = await send(client, "screen.png", media.png_image(), "A screenshot")
    await client.server.app[WORKER].run_until_idle()
    await desk_account(client.server.app, "amina")
    page = await phone.new_page()
    await sign_in(page, url)

    await page.select_option("#credentials", "valid")
    await page.click("#search-form button[type=submit]")
    results = page.locator("#results")
    await expect(results).to_contain_text(signed)
    await expect(results).not_to_contain_text(screenshot_ref)
    assert "credentials=valid" in page.url

    await page.select_option("#credentials", "")
    await page.select_option("#flag", "no_camera_metadata")
    await page.click("#search-form button[type=submit]")
    await expect(results).to_contain_text(screenshot_ref)
    await expect(results).not_to_contain_text(signed)
    await page.click(f"text={screenshot_ref}")
    flag = page.locator("dd.flag").first
    await expect(flag).to_contain_text("No camera metadata: No camera metadata at all")

    await page.goto(f"{url}/en/moderate?credentials=valid")
    await page.click(f"text={signed}")
    facts = page.locator(".desk-file dl.facts")
    await expect(facts).to_contain_text("Content credentials")
    await expect(facts).to_contain_text(
        "Signature valid: Signed by Field Camera with Intake Test Camera 2.0."
    )
    await screenshot(page, "desk-credentials-en")

    await page.goto(f"{url}/en/moderate")
    await page.select_option("#next-credentials", "valid")
    await page.click("#next")
    await expect(page.locator("h1 .reference")).to_have_text(signed)


async def test_the_item_in_dari(make_client: Any, browser: Any, tmp_path: Path) -> None:
    client = await make_client(rate_submissions="0", rate_uploads="0")
    url = str(client.make_url("")).rstrip("/")
    reference = await send(client, "screen.png", media.png_image(), "A screenshot")
    await client.server.app[WORKER].run_until_idle()
    await desk_account(client.server.app, "amina")
    context = await browser.new_context(viewport={"width": 320, "height": 640}, locale="fa-AF")
    page = await context.new_page()
    await sign_in(page, url)
    await page.goto(f"{url}/fa-AF/moderate?flag=no_camera_metadata")
    await page.click(f"text={reference}")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.locator("dd.flag").first).to_contain_text("بدون فرادادهٔ کمره")
    await context.close()
