"""The moderator's desk in Chromium: a whole shift by keyboard, two moderators at once, a
lapsed lease, roles, hostile reader text, cross-site posts, Dari, and accessibility."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from intake.moderation.records import Role
from intake.submissions.records import SubmissionState
from intake.web.keys import REPOSITORY, SETTINGS
from tests.browser.conftest import PHONE, screenshot
from tests.browser.test_pages import TOUCH_TARGETS, axe_violations
from tests.desk_helpers import PASSWORD
from tests.desk_world import FILENAME_XSS, XSS, Newsroom, newsroom
from tests.eventually import eventually
from tests.media import jpeg_with_exif, webm_vp9

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ITEM = "#desk-view[data-view=item]"
HELD = "#desk-view[data-view=item][data-held=yes]"


@pytest.fixture
async def world(make_client: Any) -> Newsroom:
    return await newsroom(make_client)


@pytest.fixture
async def desk(browser: Browser) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(**DESKTOP, locale="en-US")
    context.set_default_timeout(15_000)
    yield context
    await context.close()


def watch(page: Page) -> list[str]:
    """What goes wrong in the page: script errors, console errors, dialogs."""
    trouble: list[str] = []
    page.on("pageerror", lambda error: trouble.append(f"error: {error}"))
    page.on("console", lambda m: trouble.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: trouble.append(f"dialog: {d.message}"))
    return trouble


async def sign_in(page: Page, world: Newsroom, name: str, tag: str = "en") -> None:
    await page.goto(f"{world.url}/{tag}/moderate/sign-in")
    await page.fill("#name", name)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await expect(page).to_have_url(f"{world.url}/{tag}/moderate")
    await expect(page.locator("html")).to_have_attribute("data-desk", "ready")


async def decide_by_keys(page: Page, key: str, reason: int) -> None:
    await page.keyboard.press(key)
    await expect(page.locator("#decide")).to_be_visible()
    await page.keyboard.press(str(reason))
    await page.keyboard.press("Enter")


async def test_a_whole_shift_by_keyboard(world: Newsroom, desk: BrowserContext) -> None:
    photo = await world.send(
        [("bridge.jpg", jpeg_with_exif())],
        title="The bridge",
        story="Water over the road at 6am",
        occurred_at="2026-11-28T06:00:00+04:30",
    )
    video = await world.send([("flood.webm", webm_vp9())], title="The flood", story="ویدیو")
    await world.moderator("amina")
    page = await desk.new_page()
    trouble = watch(page)
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    await sign_in(page, world, "amina")
    await expect(page.locator("#counts [data-state=pending_review] dd")).to_have_text("2")
    await screenshot(page, "desk-queue-en")
    await page.evaluate("window.__sameDocument = true")
    await page.keyboard.press("n")
    await expect(page.locator(HELD)).to_have_attribute("data-item", photo["id"])
    await expect(page.locator("#lease")).to_contain_text("This submission is yours for")
    await expect(page.locator(".reader-fields")).to_contain_text("Water over the road at 6am")
    await page.wait_for_function("() => document.querySelector('img.media')?.naturalWidth > 0")
    await expect(page.locator(".desk-file")).to_contain_text("Place (GPS)")
    map_link = page.locator("a.map-link")
    assert (await map_link.get_attribute("href") or "").startswith("https://www.openstreetmap.org/")
    await page.keyboard.press("j")
    await expect(page.locator("#file-1")).to_be_focused()
    await screenshot(page, "desk-item-en")
    await decide_by_keys(page, "a", 1)
    await expect(page.locator(HELD)).to_have_attribute("data-item", video["id"])
    await page.evaluate("() => document.querySelector('video.media').play()")
    await page.wait_for_function("() => document.querySelector('video.media').currentTime > 0")
    await decide_by_keys(page, "r", 4)
    await expect(page.locator("#desk-status")).to_have_text("Nothing waits for review right now.")
    assert await page.evaluate("window.__sameDocument") is True, "no page was reloaded"
    assert [u for u in asked if not u.startswith(world.url)] == [], "no third party asked"
    assert trouble == []
    repository = world.app[REPOSITORY]
    for sent, state, reason in (
        (photo, "approved", "newsworthy"),
        (video, "rejected", "off_topic"),
    ):
        trail = await repository.audit_trail(sent["id"])
        actions = [(a.actor, a.action) for a in trail]
        assert ("amina", "claimed") in actions and ("amina", "file_opened") in actions
        [decided] = [a for a in trail if a.action == "decided"]
        assert decided.actor == "amina" and decided.to_state == SubmissionState(state)
        assert decided.detail["reason"] == reason
        [event] = await world.events(sent["id"])
        assert event["type"] == f"submission.{state}"
        assert event["moderator"] == "amina" and event["reason"] == reason


async def test_two_moderators_claiming_at_once_get_different_items(
    world: Newsroom, browser: Browser
) -> None:
    for n in range(2):
        await world.send([(f"p{n}.jpg", jpeg_with_exif())], story=f"story {n}")
    pages = []
    for name in ("amina", "bilal"):
        await world.moderator(name)
        context = await browser.new_context(**DESKTOP)
        pages.append(await context.new_page())
        await sign_in(pages[-1], world, name)
    await asyncio.gather(*(page.keyboard.press("n") for page in pages))
    held = []
    for page in pages:
        await expect(page.locator(HELD)).to_be_visible()
        held.append(await page.locator(HELD).get_attribute("data-item"))
    assert held[0] != held[1]
    for page in pages:
        await page.context.close()


async def test_a_lapsed_lease_refuses_the_late_decision(
    world: Newsroom, desk: BrowserContext
) -> None:
    sent = await world.send([("p.jpg", jpeg_with_exif())], story="slow")
    await world.moderator("amina")
    page = await desk.new_page()
    await sign_in(page, world, "amina")
    await page.keyboard.press("n")
    await expect(page.locator(HELD)).to_be_visible()
    world.clock.advance(world.app[SETTINGS].moderation.lease_seconds + 5)
    await decide_by_keys(page, "a", 1)
    await expect(page.locator("#lease-lost")).to_be_visible()
    await expect(page.locator("#lease-lost")).to_contain_text("You no longer hold this submission")
    for button in await page.locator("button.decide").all():
        await expect(button).to_be_disabled()
    submission = await world.app[REPOSITORY].get_submission(sent["id"])
    assert submission is not None and submission.state is not SubmissionState.APPROVED


async def test_a_plain_moderator_never_sees_an_escalated_item(
    world: Newsroom, desk: BrowserContext
) -> None:
    secret = "senior-only story of the bridge"
    sent = await world.send([("p.jpg", jpeg_with_exif())], story=secret, title="senior-only")
    await world.moderator("senior", Role.SENIOR)
    await world.moderator("plain")
    page = await desk.new_page()
    await sign_in(page, world, "senior")
    await page.keyboard.press("n")
    await expect(page.locator(HELD)).to_be_visible()
    await decide_by_keys(page, "e", 9)
    await expect(page.locator("button[data-decision=escalate]")).to_have_count(0)
    await page.click("#sign-out")
    await sign_in(page, world, "plain")
    assert secret not in await page.content()
    await expect(page.locator("#counts [data-state=escalated]")).to_have_count(0)
    await page.goto(f"{world.url}/en/moderate?q=senior-only")
    await expect(page.locator("#results")).to_contain_text("No submission matches.")
    await page.goto(f"{world.url}/en/moderate?state=escalated")
    assert sent["reference"] not in await page.content()
    await page.goto(f"{world.url}/en/moderate/items/{sent['id']}")
    await expect(page.locator("#refusal")).to_contain_text("escalated submissions are for senior")
    assert secret not in await page.content()
    await page.goto(f"{world.url}/en/moderate")
    await expect(page.locator("html")).to_have_attribute("data-desk", "ready")
    await page.keyboard.press("n")
    await expect(page.locator("#desk-status")).to_have_text("Nothing waits for review right now.")


async def test_hostile_reader_text_is_shown_as_text(world: Newsroom, desk: BrowserContext) -> None:
    fields = {f: f"{f} {XSS}" for f in ("title", "story", "location", "name")}
    sent = await world.send(
        [(f"{FILENAME_XSS}.jpg", jpeg_with_exif())],
        email="x@example.org",
        phone="+93 70 123 4567",
        **fields,
    )
    await world.moderator("amina")
    page = await desk.new_page()
    trouble = watch(page)
    await sign_in(page, world, "amina")
    await page.goto(f"{world.url}/en/moderate?q=onerror")
    await expect(page.locator("#results")).to_contain_text(XSS)
    await page.goto(f"{world.url}/en/moderate")
    await expect(page.locator("html")).to_have_attribute("data-desk", "ready")
    await page.keyboard.press("n")
    await expect(page.locator(HELD)).to_have_attribute("data-item", sent["id"])
    for field in fields:
        await expect(page.locator(".reader-fields")).to_contain_text(f"{field} {XSS}")
    await expect(page.locator(".filename")).to_contain_text(FILENAME_XSS)
    await page.keyboard.press("r")
    await page.keyboard.press("1")
    await page.fill("#note", XSS)
    await page.click("#confirm")
    await expect(page.locator("#desk-status")).to_have_text("Nothing waits for review right now.")
    await page.goto(f"{world.url}/en/moderate/items/{sent['id']}")
    await expect(page.locator("#audit")).to_contain_text(XSS)
    assert await page.evaluate("window.__xss") is None
    assert trouble == []


async def test_a_cross_site_post_without_the_csrf_token_is_refused(
    world: Newsroom, desk: BrowserContext
) -> None:
    sent = await world.send([("p.jpg", jpeg_with_exif())], story="not yours")
    await world.moderator("amina")
    page = await desk.new_page()
    await sign_in(page, world, "amina")
    target = f"{world.url}/en/moderate/next"
    evil = "http://127.0.0.1:9/evil"  # another origin of the same site: the cookie goes along
    await page.route(
        evil,
        lambda route: route.fulfill(
            content_type="text/html",
            body=f'<form method="post" action="{target}"><button id="go">win</button></form>',
        ),
    )
    await page.goto(evil)
    await page.click("#go")
    await expect(page.locator("#refusal")).to_contain_text("did not come from the desk's own page")
    submission = await world.app[REPOSITORY].get_submission(sent["id"])
    assert submission is not None and submission.state is SubmissionState.PENDING_REVIEW


@pytest.mark.parametrize(
    ("tag", "yours"), [("fa-AF", "در دست شماست"), ("ps", "ستاسو په لاس کې ده")]
)
async def test_the_desk_in_dari_and_pashto_is_right_to_left_on_a_phone(
    world: Newsroom, browser: Browser, tag: str, yours: str
) -> None:
    await world.send([("p.jpg", jpeg_with_exif())], story="پل را آب برد", title="سیلاب")
    await world.moderator("amina")
    context = await browser.new_context(**PHONE, locale=tag)
    page = await context.new_page()
    trouble = watch(page)
    await sign_in(page, world, "amina", tag)
    html = page.locator("html")
    await expect(html).to_have_attribute("dir", "rtl")
    await expect(html).to_have_attribute("lang", tag)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    assert await page.evaluate(TOUCH_TARGETS) == []
    await screenshot(page, f"desk-queue-{tag}")
    await page.keyboard.press("n")
    await expect(page.locator(HELD)).to_be_visible()
    await expect(page.locator("#lease")).to_contain_text(yours)
    await expect(page.locator(".reader-fields dd[dir=auto]").first).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    assert await page.evaluate(TOUCH_TARGETS) == []
    await screenshot(page, f"desk-item-{tag}")
    await context.close()
    assert trouble == []


async def test_no_serious_accessibility_problem_on_the_desk(
    world: Newsroom, browser: Browser
) -> None:
    await world.send([("p.jpg", jpeg_with_exif())], story="the bridge")
    await world.moderator("root", Role.ADMIN)
    context = await browser.new_context(**DESKTOP, bypass_csp=True)
    page = await context.new_page()
    found = {}
    await page.goto(f"{world.url}/en/moderate/sign-in")
    found["sign-in"] = await axe_violations(page)
    await sign_in(page, world, "root")
    found["queue"] = await axe_violations(page)
    await page.goto(f"{world.url}/en/moderate/accounts")
    found["accounts"] = await axe_violations(page)
    await page.goto(f"{world.url}/en/moderate")
    await expect(page.locator("html")).to_have_attribute("data-desk", "ready")
    await page.keyboard.press("n")
    await expect(page.locator(HELD)).to_be_visible()
    await page.keyboard.press("a")
    found["item"] = await axe_violations(page)
    await context.close()
    assert {name: v for name, v in found.items() if v} == {}


async def test_the_lease_is_renewed_while_working_and_given_back_on_leaving(
    world: Newsroom, desk: BrowserContext
) -> None:
    sent = await world.send([("p.jpg", jpeg_with_exif())], story="long look")
    await world.moderator("amina")
    page = await desk.new_page()
    await page.clock.install()
    await sign_in(page, world, "amina")
    await page.keyboard.press("n")
    await expect(page.locator(HELD)).to_be_visible()
    await page.clock.fast_forward("06:00")
    async with page.expect_request(lambda r: r.url.endswith("/lease") and r.method == "POST"):
        await page.keyboard.press("j")
        await page.clock.run_for(2000)
    repository = world.app[REPOSITORY]

    async def renewed() -> bool:
        trail = await repository.audit_trail(sent["id"])
        return any(a.action == "lease_renewed" and a.actor == "amina" for a in trail)

    assert await eventually(renewed)
    await expect(page.locator("#lease")).to_contain_text("This submission is yours for")
    await page.goto("about:blank")

    async def given_back() -> bool:
        submission = await repository.get_submission(sent["id"])
        return submission is not None and submission.state is SubmissionState.PENDING_REVIEW

    assert await eventually(given_back), "leaving the page released the lease"
