"""The form as a reader uses it: checks before sending, previews, Dari text, the reader's
time, no JavaScript at all, and the way back to a story through the private link."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, Request, expect

from intake.web.keys import REPOSITORY
from tests.browser.conftest import PHONE, Site, screenshot
from tests.media import jpeg_with_exif, minimal_pdf, mp4_h264, png_image

CHECKED = "Received. Your files are being checked."
DARI = "خانه\u200cهای ما زیر آب رفت"
"""'Our houses went under water': the ZWNJ keeps خانه and های apart yet one word."""


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


async def receipt_reference(page: Page) -> str:
    await expect(page.locator("#receipt")).to_be_visible(timeout=60_000)
    return (await page.locator("#receipt [data-slot=reference]").text_content() or "").strip()


async def test_a_pdf_and_an_eleventh_file_are_refused_before_a_byte_is_sent(
    page: Page, site: Site, tmp_path: Path
) -> None:
    sent: list[str] = []

    def watch(request: Request) -> None:
        if request.method != "GET":
            sent.append(f"{request.method} {request.url}")

    page.on("request", watch)
    await page.goto(f"{site.url}/en/")
    await expect(page.locator("#choose-files")).to_be_visible()
    pdf = write(tmp_path / "scan.pdf", minimal_pdf())
    await page.set_input_files("#files", str(pdf))
    summary = page.locator("#error-summary")
    await expect(summary).to_be_visible()
    await expect(summary).to_contain_text("\u2068scan.pdf\u2069 is not a photo or video we accept")
    await expect(page.locator("#file-list li")).to_have_count(0)
    photos = [write(tmp_path / f"photo-{i:02}.png", png_image() + bytes([i])) for i in range(11)]
    await page.set_input_files("#files", [str(p) for p in photos])
    await expect(page.locator("#file-list li")).to_have_count(10)
    await expect(summary).to_contain_text(
        "You can send up to \u206810\u2069 files; \u2068photo-10.png\u2069 was not added"
    )
    await screenshot(page, "refused-en")
    await page.locator("#file-list li button").first.click()
    await expect(page.locator("#file-list li")).to_have_count(9)
    assert sent == [], "something was sent"


async def test_previews_show_the_photo_and_the_videos_length(
    page: Page, site: Site, tmp_path: Path
) -> None:
    photo = write(tmp_path / "photo.jpg", jpeg_with_exif())
    video = write(tmp_path / "street.mp4", mp4_h264())
    await page.goto(f"{site.url}/ps/")
    await page.set_input_files("#files", [str(photo), str(video)])
    items = page.locator("#file-list li")
    await expect(items).to_have_count(2)
    await expect(items.nth(0).locator("img.preview")).to_have_js_property("complete", True)
    assert await items.nth(0).locator("img.preview").evaluate("i => i.naturalWidth") > 0
    await expect(items.nth(1).locator(".meta")).to_contain_text("ویډیو، \u2068۰:۰۱\u2069")
    await expect(items.nth(1).locator(".meta")).to_contain_text("kB")
    await screenshot(page, "previews-ps")


async def test_dari_text_and_the_readers_time_arrive_as_written(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    context = await browser.new_context(**PHONE, locale="fa-AF", timezone_id="Asia/Kabul")
    page = await context.new_page()
    await page.goto(f"{site.url}/")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.locator("#story").press_sequentially(DARI)
    await page.fill("#title", DARI)
    await page.fill("#occurred_at", "2026-11-28T06:00")
    await page.set_input_files("#files", str(write(tmp_path / "عکس.jpg", jpeg_with_exif())))
    await page.check("#consent_terms")
    await page.click("#send")
    reference = await receipt_reference(page)
    await screenshot(page, "receipt-fa-AF")
    stored = await site.app[REPOSITORY].get_by_reference(reference)
    assert stored is not None
    assert stored.details.story == DARI and stored.details.title == DARI
    assert stored.details.locale == "fa-AF"
    assert stored.details.occurred_at == dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)
    [file] = await site.app[REPOSITORY].files_of(stored.id)
    assert file.original_filename == "عکس.jpg"
    await context.close()


async def test_the_form_works_without_javascript(
    browser: Browser, site: Site, tmp_path: Path
) -> None:
    context = await browser.new_context(**PHONE, java_script_enabled=False)
    page = await context.new_page()
    photo = write(tmp_path / "photo.jpg", jpeg_with_exif())
    await page.goto(f"{site.url}/fa-AF/")
    await page.fill("#story", DARI)
    await page.set_input_files("#files", str(photo))
    await page.click("#send")
    await expect(page.locator(".error-summary")).to_be_hidden()  # the browser asks for consent
    await page.check("#consent_terms")
    await page.click("#send")
    await expect(page.locator("h1")).to_have_text("تشکر. روایت شما به ما رسید.")
    await screenshot(page, "receipt-nojs-fa-AF")
    reference = (await page.locator("p.reference").text_content() or "").strip()
    key = (await page.locator("p.key").text_content() or "").strip()
    assert key and key not in page.url
    stored = await site.stored(reference, tmp_path)
    assert stored == {"photo.jpg": hashlib.sha256(photo.read_bytes()).digest()}
    submission = await site.app[REPOSITORY].get_by_reference(reference)
    assert submission is not None and submission.details.story == DARI
    await page.goto(f"{site.url}/fa-AF/status")
    await page.fill("#reference", reference)
    await page.fill("#key", key)
    await page.click("#lookup button")
    await expect(page.locator("#state-text")).to_contain_text("دریافت شد")
    await page.check("#confirm")
    await page.click("#withdraw")
    await expect(page.locator("#state-text")).to_have_text(
        "پس گرفته شد. آنچه فرستاده بودید را پاک کردیم."
    )
    await context.close()


async def test_the_private_link_shows_the_state_and_withdraws(
    page: Page, site: Site, tmp_path: Path
) -> None:
    await page.goto(f"{site.url}/en/")
    await page.set_input_files("#files", str(write(tmp_path / "a.png", png_image())))
    await page.check("#consent_terms")
    await page.click("#send")
    reference = await receipt_reference(page)
    assert page.url.endswith(f"/en/receipt/{reference}")
    assert await page.evaluate("localStorage.length + sessionStorage.length") == 0
    link = page.locator("#receipt [data-slot=link]")
    assert "#id=" in (await link.get_attribute("href") or "")
    await link.click()
    await expect(page.locator("#state-text")).to_have_text(
        "Received. Your files are being checked."
    )
    assert "#" not in page.url and "token" not in page.url, "the key left the address bar"
    await expect(page.locator("#status-reference")).to_have_text(reference)
    await expect(page.locator("#lookup")).to_be_hidden()
    await screenshot(page, "status-en")
    await page.click("#withdraw")
    await expect(page.locator("#state-text")).to_have_text(
        "Received. Your files are being checked."
    )
    await page.check("#confirm")
    await page.click("#withdraw")
    await expect(page.locator("#state-text")).to_have_text(
        "Your story was withdrawn. We deleted what you sent."
    )
    submission = await site.app[REPOSITORY].get_by_reference(reference)
    assert submission is not None and submission.state.value == "withdrawn"
    await page.goto(f"{site.url}/en/receipt/{reference}")
    await expect(page.locator("main")).not_to_contain_text("withdrawn")


async def test_the_form_says_when_to_come_back_in_pashto(
    browser: Browser, make_client: Any, tmp_path: Path
) -> None:
    client = await make_client(rate_submissions="0", rate_global_submissions="1")
    assert (await client.post("/api/v1/submissions", json={"consent_terms": True})).status == 201
    context = await browser.new_context(**PHONE, locale="ps-AF")
    page = await context.new_page()
    await page.goto(str(client.make_url("/ps/")))
    await page.locator("#story").press_sequentially("سیلاب")
    await page.set_input_files("#files", str(write(tmp_path / "photo.jpg", jpeg_with_exif())))
    await page.check("#consent_terms")
    await page.click("#send")
    detail = page.locator("#error-detail")
    await expect(detail).to_contain_text("اوس ډېر لوستونکي کیسې لېږي")
    text = await detail.text_content() or ""
    assert re.search("[۰-۹]", text) and not re.search("[0-9]", text), text
    await screenshot(page, "busy-ps")
    await context.close()
