"""The reader's pages without JavaScript: each language, the form, its receipt, errors."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import pytest
from aiohttp import FormData

from intake.web.keys import REPOSITORY

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" * 50
HTML = {"Accept": "text/html,application/xhtml+xml"}
DARI = "خانه\u200cهای ما در سیلاب"
"""ZWNJ between خانه and های: without it the word is misspelled."""


def form(*files: tuple[str, bytes], **fields: str) -> FormData:
    data = FormData()
    for name, value in fields.items():
        data.add_field(name, value)
    for filename, content in files:
        data.add_field("files", content, filename=filename)
    return data


def language(page: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([^"]+)" dir="([^"]+)">', page)
    assert found, page[:200]
    return found[1], found[2]


def key_on(page: str) -> str:
    found = re.search(r'<p class="key" data-slot="key">([^<]+)</p>', page)
    assert found, page
    return found[1]


def reference_on(page: str) -> str:
    found = re.search(r'data-slot="reference">([0-9A-Z]{5}-[0-9A-Z]{5})<', page)
    assert found, page
    return found[1]


@pytest.mark.parametrize(
    ("path", "headers", "lang", "direction"),
    [
        ("/", {}, "en", "ltr"),
        ("/", {"Accept-Language": "fa-IR,fa;q=0.9,en;q=0.5"}, "fa-AF", "rtl"),
        ("/", {"Accept-Language": "prs"}, "fa-AF", "rtl"),
        ("/", {"Accept-Language": "de, ps-AF;q=0.8"}, "ps", "rtl"),
        ("/", {"Accept-Language": "fr"}, "en", "ltr"),
        ("/?locale=ps", {"Accept-Language": "en"}, "ps", "rtl"),
        ("/fa-AF/", {"Accept-Language": "ps"}, "fa-AF", "rtl"),
        ("/ps/privacy", {}, "ps", "rtl"),
        ("/status", {"Accept-Language": "fa"}, "fa-AF", "rtl"),
        ("/en/status", {"Accept-Language": "fa"}, "en", "ltr"),
        ("/fa-AF/receipt/K7M4Q-X9TB2", {}, "fa-AF", "rtl"),
    ],
)
async def test_every_page_speaks_the_readers_language(
    client: Any, path: str, headers: dict[str, str], lang: str, direction: str
) -> None:
    response = await client.get(path, headers=headers)
    assert response.status == 200
    assert language(await response.text()) == (lang, direction)
    assert response.headers["Content-Language"] == lang
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_language_we_do_not_have_is_not_a_page(client: Any) -> None:
    for path in ("/de/", "/xx/status", "/fa-af/"):
        assert (await client.get(path, headers=HTML)).status == 404


async def test_the_pages_are_translated_and_numbers_written_the_readers_way(client: Any) -> None:
    dari = await (await client.get("/fa-AF/")).text()
    assert "عکس\u200cها و ویدیوهای خود را بفرستید" in dari
    assert "۱۰" in dari and "۳۰" in dari, "Persian digits for the limits"
    pashto = await (await client.get("/ps/")).text()
    assert "خپل انځورونه او ویډیوګانې ولېږئ" in pashto
    english = await (await client.get("/en/")).text()
    assert "Up to \u206810\u2069 files" in english
    assert 'lang="ps" hreflang="ps"' in english and "پښتو" in english


async def test_the_form_without_javascript_ends_on_the_receipt_with_the_key(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data = form(("سیلاب.jpg", JPEG), locale="fa-AF", title=DARI, story=DARI + "\n" + DARI,
                occurred_at="2026-11-28T06:00", consent_terms="true")  # fmt: skip
    response = await client.post("/submit", data=data, headers=HTML, allow_redirects=False)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Location" not in response.headers
    page = await response.text()
    assert language(page) == ("fa-AF", "rtl")
    key, reference = key_on(page), reference_on(page)
    stored = await client.server.app[REPOSITORY].get_by_reference(reference)
    assert f'href="/fa-AF/status#id={stored.id}&amp;token={key}"' in page
    assert stored.details.title == DARI
    assert stored.details.story == DARI + "\n" + DARI
    assert stored.details.locale == "fa-AF"
    assert stored.details.occurred_at == dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)
    assert not [r for r in caplog.records if key in r.getMessage()], "the key is in a log"


async def test_a_refused_form_comes_back_filled_in_with_what_to_change(client: Any) -> None:
    data = form(("a.jpg", JPEG), locale="ps", title=DARI, email="not-an-address")
    response = await client.post("/submit", data=data, headers=HTML)
    assert response.status == 422
    page = await response.text()
    assert language(page) == ("ps", "rtl")
    assert f'value="{DARI}"' in page, "what the reader wrote is kept"
    assert 'href="#consent_terms"' in page and 'href="#email"' in page
    assert "د موافقې لپاره خانه په نښه کړئ" in page
    assert 'aria-invalid="true"' in page
    summary = page[page.index('<div class="error-summary"') :].split("</div>", 1)[0]
    shown = re.sub(r"<[^>]+>", "", summary)
    assert "consent_terms" not in shown and "invalid_email" not in shown


async def test_a_refused_file_names_the_file_and_what_is_accepted(client: Any) -> None:
    data = form(("scan.pdf", PDF), locale="en", title="Kept", consent_terms="true")
    response = await client.post("/submit", data=data, headers=HTML)
    assert response.status == 415
    page = await response.text()
    assert "\u2068scan.pdf\u2069 is not a photo or video we accept" in page
    assert "JPEG" in page and "MP4" in page and 'value="Kept"' in page
    assert "application/pdf" not in page


async def test_clients_that_do_not_ask_for_html_get_problem_json(client: Any) -> None:
    response = await client.post("/submit", data=form(("a.jpg", JPEG)))
    assert response.status == 422
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "same-site"}, 403),
        ({"Origin": "https://evil.example"}, 403),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "null"}, 403),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "null"}, 200),
        ({"Sec-Fetch-Site": "none"}, 200),
        ({"Origin": "null"}, 200),
        ({}, 200),
    ],
)
async def test_a_form_posted_from_another_site_is_refused(
    client: Any, headers: dict[str, str], status: int
) -> None:
    data = form(("a.jpg", JPEG), consent_terms="true")
    response = await client.post("/submit", data=data, headers={**HTML, **headers})
    assert response.status == status
    lookup = await client.post(
        "/en/status", data={"reference": "K7M4Q-X9TB2", "key": "x"}, headers={**HTML, **headers}
    )
    assert lookup.status == (403 if status == 403 else 404)


async def test_the_same_origin_is_recognised_by_its_host(client: Any) -> None:
    origin = str(client.make_url("")).rstrip("/")
    data = form(("a.jpg", JPEG), consent_terms="true")
    response = await client.post("/submit", data=data, headers={**HTML, "Origin": origin})
    assert response.status == 200


async def _send(client: Any) -> tuple[str, str]:
    page = await (
        await client.post("/submit", data=form(("a.jpg", JPEG), consent_terms="true"), headers=HTML)
    ).text()
    return reference_on(page), key_on(page)


async def test_the_public_receipt_tells_nothing_to_whoever_holds_the_reference(
    client: Any,
) -> None:
    reference, key = await _send(client)
    withdrawn, withdrawn_key = await _send(client)
    await client.post("/en/status", data={"reference": withdrawn, "key": withdrawn_key,
                                          "action": "withdraw", "confirm": "yes"})  # fmt: skip
    pages = {}
    for ref in (reference, withdrawn, "K7M4Q-X9TB2"):
        response = await client.get(f"/en/receipt/{ref}")
        assert response.status == 200
        pages[ref] = (await response.text()).replace(ref, "REFERENCE")
    assert len(set(pages.values())) == 1
    assert key not in pages[reference]
    assert (await client.get("/en/receipt/not-a-reference", headers=HTML)).status == 404


async def test_a_reader_sees_the_state_and_withdraws_without_javascript(client: Any) -> None:
    reference, key = await _send(client)
    persian_digits = reference.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")).lower()
    response = await client.post("/fa-AF/status", data={"reference": persian_digits, "key": key})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = await response.text()
    assert "دریافت شد. فایل\u200cهای شما در حال بررسی است." in page
    assert reference in page
    unsure = await client.post("/en/status", data={"reference": reference, "key": key,
                                                   "action": "withdraw"})  # fmt: skip
    assert unsure.status == 422
    assert "Tick the box to confirm" in await unsure.text()
    sure = {"reference": reference, "key": key, "action": "withdraw", "confirm": "yes"}
    done = await client.post("/en/status", data=sure)
    assert done.status == 200
    assert "Withdrawn. We deleted what you sent." in await done.text()
    submission = await client.server.app[REPOSITORY].get_by_reference(reference)
    assert submission.state.value == "withdrawn"


async def test_a_wrong_key_finds_nothing(client: Any) -> None:
    reference, _ = await _send(client)
    for ref, key in ((reference, "wrong"), ("K7M4Q-X9TB2", "wrong"), (reference, "")):
        response = await client.post("/en/status", data={"reference": ref, "key": key})
        assert response.status == 404
        assert "We found no story with this reference and key" in await response.text()


async def test_errors_are_pages_in_the_readers_language(make_client: Any) -> None:
    client = await make_client(rate_submissions="1", rate_window_seconds="3600")
    missing = await client.get("/fa-AF/nothing-here", headers=HTML)
    assert missing.status == 404
    page = await missing.text()
    assert language(page) == ("fa-AF", "rtl") and "صفحه پیدا نشد" in page
    await client.post("/submit", data=form(("a.jpg", JPEG), consent_terms="true"), headers=HTML)
    limited = await client.post(
        "/submit", data=form(("a.jpg", JPEG), consent_terms="true"),
        headers={**HTML, "Accept-Language": "ps"},
    )  # fmt: skip
    assert limited.status == 429
    page = await limited.text()
    assert language(page) == ("ps", "rtl")
    assert re.search("شاوخوا \u2068[۰-۹]+\u2069 دقیقې وروسته بیا هڅه وکړئ", page), page
    assert " s." not in page


async def test_the_privacy_notice_says_what_is_kept_and_for_how_long(client: Any) -> None:
    page = await (await client.get("/en/privacy")).text()
    assert "deleted after \u206824\u2069 hours" in page
    assert "never published" in page and 'id="terms"' in page and "2026-11" in page
    assert 'href="/en/status"' in page


async def test_the_privacy_notice_says_how_long_each_thing_is_kept(make_client: Any) -> None:
    client = await make_client(retention_draft_days="7", retention_rejected_days="30",
                               retention_failed_days="0")  # fmt: skip
    page = await (await client.get("/en/privacy")).text()
    assert "A story you start but do not send is deleted after \u20687\u2069 days." in page
    assert "it is deleted \u206830\u2069 days after that decision" in page
    assert "If none of your files can be used" not in page, "0 days: kept, so not said"
    dari = await (await client.get("/fa-AF/privacy")).text()
    assert "پس از \u2068۷\u2069 روز" in dari
