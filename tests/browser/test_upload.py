"""Photos and videos sent through the page: progress, a cut connection, a reload."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import BrowserContext, Page, Request, Response, expect

from tests.browser.conftest import Site, screenshot
from tests.browser.proxy import CuttingProxy
from tests.media import jpeg_with_exif, mp4_head_then_random

MiB = 1024 * 1024
SLOW = 4 * MiB
"""Bytes per second through the proxy: a 16 MiB video takes 4 s, time to cut it."""
WATCH_PROGRESS = """() => {
  window.progressSeen = [];
  const bar = document.getElementById("overall-progress");
  new MutationObserver(() => window.progressSeen.push(Number(bar.value)))
    .observe(bar, { attributes: true, attributeFilter: ["value"] });
}"""


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def sha256(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


async def fill_story(page: Page, title: str = "Flood in the old town") -> None:
    await page.fill("#title", title)
    await page.fill("#story", "The river rose at dawn.")
    await page.check("#consent_terms")


async def reference_on_receipt(page: Page) -> str:
    await expect(page.locator("#receipt")).to_be_visible(timeout=90_000)
    return (await page.locator("#receipt [data-slot=reference]").text_content() or "").strip()


async def past(page: Page, fraction: float) -> None:
    """Wait until the overall progress bar is past ``fraction``."""
    await page.wait_for_function(
        "f => { const b = document.getElementById('overall-progress');"
        " return b.max > 1 && b.value > f * b.max; }",
        arg=fraction,
        timeout=60_000,
    )


@pytest.fixture
async def proxy(site: Site) -> AsyncIterator[CuttingProxy]:
    port = urlsplit(site.url).port
    assert port is not None
    async with CuttingProxy(port, rate=SLOW).running() as running:
        yield running


class TusLog:
    """The tus requests of a page: how many uploads it created, and the offset of each
    chunk the server took (204). Chunks refused because another request still held the
    upload (423) or had moved it on (409) cost nothing and are left out."""

    def __init__(self, page: Page) -> None:
        self.creations = 0
        self.offsets: list[int] = []
        page.on("request", self.sent)
        page.on("response", self.answered)

    def sent(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/uploads"):
            self.creations += 1

    def answered(self, response: Response) -> None:
        if response.request.method == "PATCH" and response.status == 204:
            self.offsets.append(int(response.request.headers["upload-offset"]))


async def test_a_photo_and_a_50_mb_video_are_sent_with_rising_progress(
    page: Page, site: Site, tmp_path: Path
) -> None:
    photo = write(tmp_path / "photo.jpg", jpeg_with_exif())
    video = write(tmp_path / "clip.mp4", mp4_head_then_random(50 * MiB))
    await page.goto(f"{site.url}/en/")
    await fill_story(page)
    await page.set_input_files("#files", [str(photo), str(video)])
    await expect(page.locator("#file-list li")).to_have_count(2)
    await page.evaluate(WATCH_PROGRESS)
    await page.click("#send")
    await expect(page.locator("#send")).to_be_disabled()
    reference = await reference_on_receipt(page)
    seen = await page.evaluate("window.progressSeen")
    total = 50 * MiB + photo.stat().st_size
    rising = [v for v in seen if 0 < v < total]
    assert len(set(rising)) >= 3 and rising == sorted(rising), seen
    await screenshot(page, "receipt-en")
    assert await site.stored(reference, tmp_path) == {
        "photo.jpg": sha256(photo), "clip.mp4": sha256(video),
    }  # fmt: skip
    assert await page.evaluate("localStorage.length") == 0


async def test_going_offline_mid_upload_pauses_and_goes_on(
    phone: BrowserContext, site: Site, proxy: CuttingProxy, tmp_path: Path
) -> None:
    video = write(tmp_path / "clip.mp4", mp4_head_then_random(16 * MiB))
    page = await phone.new_page()
    tus = TusLog(page)
    await page.goto(f"{proxy.url}/en/")
    await fill_story(page)
    await page.set_input_files("#files", str(video))
    await page.click("#send")
    await past(page, 0.2)
    await phone.set_offline(True)
    await expect(page.locator("#network-state")).to_contain_text("offline")
    await screenshot(page, "offline-en")
    await phone.set_offline(False)
    reference = await reference_on_receipt(page)
    assert await site.stored(reference, tmp_path) == {"clip.mp4": sha256(video)}
    assert tus.creations == 1, "the upload started again"
    assert tus.offsets and tus.offsets[0] > 0, tus.offsets


async def test_a_connection_cut_by_the_network_is_resumed(
    page: Page, site: Site, proxy: CuttingProxy, tmp_path: Path
) -> None:
    video = write(tmp_path / "clip.mp4", mp4_head_then_random(16 * MiB))
    tus = TusLog(page)
    await page.goto(f"{proxy.url}/en/")
    await fill_story(page)
    await page.set_input_files("#files", str(video))
    await page.click("#send")
    await past(page, 0.3)
    proxy.cut()
    await past(page, 0.6)
    proxy.cut()
    reference = await reference_on_receipt(page)
    assert await site.stored(reference, tmp_path) == {"clip.mp4": sha256(video)}
    assert tus.creations == 1, "the upload started again"
    assert tus.offsets == sorted(set(tus.offsets)) and tus.offsets[0] > 0, tus.offsets


async def test_a_reload_mid_upload_goes_on_where_it_stopped(
    page: Page, site: Site, proxy: CuttingProxy, tmp_path: Path
) -> None:
    video = write(tmp_path / "clip.mp4", mp4_head_then_random(16 * MiB))
    await page.goto(f"{proxy.url}/en/")
    await fill_story(page)
    await page.set_input_files("#files", str(video))
    await page.click("#send")
    await past(page, 0.4)
    await page.reload()
    await expect(page.locator("#resume")).to_be_visible()
    await expect(page.locator("#resume-list")).to_contain_text("clip.mp4")
    await expect(page.locator("#title")).to_be_hidden()
    await screenshot(page, "resume-en")
    tus = TusLog(page)
    await page.set_input_files("#files", str(video))
    await page.click("#send")
    reference = await reference_on_receipt(page)
    assert tus.creations == 0, "the upload started again"
    assert tus.offsets and tus.offsets[0] > 0.1 * video.stat().st_size, tus.offsets
    assert await site.stored(reference, tmp_path) == {"clip.mp4": sha256(video)}
    assert await page.evaluate("localStorage.length") == 0


async def test_pause_holds_the_upload_and_resume_goes_on(
    page: Page, site: Site, proxy: CuttingProxy, tmp_path: Path
) -> None:
    video = write(tmp_path / "clip.mp4", mp4_head_then_random(16 * MiB))
    tus = TusLog(page)
    await page.goto(f"{proxy.url}/en/")
    await fill_story(page)
    await page.set_input_files("#files", str(video))
    await page.click("#send")
    await past(page, 0.2)
    await page.click("#pause")
    await expect(page.locator("#network-state")).to_have_text(
        "Sending is paused. What was sent is kept."
    )
    await expect(page.locator("#pause")).to_have_text("Go on sending")
    await expect(page.locator("#announce")).to_have_text(
        "Sending is paused. What was sent is kept."
    )
    await page.click("#pause")
    reference = await reference_on_receipt(page)
    assert await site.stored(reference, tmp_path) == {"clip.mp4": sha256(video)}
    assert tus.creations == 1 and tus.offsets[0] > 0, tus.offsets
