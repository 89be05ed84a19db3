"""Headless Chromium (Debian's ``chromium``) driven by Playwright, against the real app.

``make test`` installs the browser (``scripts/debian-deps.sh --test``) and axe-core
(``scripts/install-assets.sh axe``) and sets ``INTAKE_BROWSER_TESTS=required``: then a
missing browser fails the run instead of skipping it. Pages are seen on a phone: 320 CSS
pixels wide, touch, twice the pixel density. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from intake.web.keys import OBJECT_STORE, REPOSITORY

ROOT = Path(__file__).resolve().parents[2]
expect.set_options(timeout=15_000)
"""As the contexts' own default: a page waits on the service, which on a shared, loaded
machine can take longer than Playwright's 5 s to answer."""
CHROMIUM = os.environ.get("INTAKE_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / ".cache" / "npm" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}  # fmt: skip


def _missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no browser at {CHROMIUM} (Debian package chromium)"
    if not AXE.is_file():
        return f"no axe-core at {AXE} (scripts/install-assets.sh axe)"
    return None


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if missing := _missing():
        if os.environ.get("INTAKE_BROWSER_TESTS") == "required":
            pytest.fail(missing)
        pytest.skip(missing)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        await browser.close()


@dataclass(frozen=True)
class Site:
    url: str
    app: web.Application

    async def stored(self, reference: str, into: Path) -> dict[str, bytes]:
        """The originals stored for the submission ``reference``: file name -> sha256."""
        submission = await self.app[REPOSITORY].get_by_reference(reference)
        assert submission is not None, f"no submission {reference}"
        found = {}
        for file in await self.app[REPOSITORY].files_of(submission.id):
            path = into / file.id
            await self.app[OBJECT_STORE].download(file.object_key, path)
            found[file.original_filename] = hashlib.sha256(path.read_bytes()).digest()
        return found


@pytest.fixture
async def site(make_client: Callable[..., Any]) -> Site:
    """The app on a loopback port, without rate limits."""
    client = await make_client(rate_submissions="0", rate_uploads="0")
    return Site(str(client.make_url("")).rstrip("/"), client.server.app)


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(**PHONE, locale="en-US")
    context.set_default_timeout(15_000)
    yield context
    await context.close()


@pytest.fixture
async def page(phone: BrowserContext) -> Page:
    return await phone.new_page()


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.evaluate("document.fonts.ready.then(() => true)")
    await page.screenshot(path=path, full_page=True)
    return path
