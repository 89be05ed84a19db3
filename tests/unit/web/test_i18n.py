"""Languages: which one a request gets, and numbers written its way."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from intake.web.i18n import Catalogs, isolate

CATALOGS = Catalogs(["en", "fa-AF", "ps"])


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("", None),
        ("fa-AF", "fa-AF"),
        ("fa-IR, en;q=0.8", "fa-AF"),
        ("prs", "fa-AF"),
        ("pbt, en;q=0.1", "ps"),
        ("ps-AF;q=0.9, en;q=0.95", "en"),
        ("de, fr;q=0.9, ps;q=0.1", "ps"),
        ("en-GB", "en"),
        ("de, *;q=0.5", None),
        ("fa;q=0, ps;q=0.5", "ps"),
        ("fa;q=nonsense, ps;q=0.5", "ps"),
    ],
)
def test_accept_language_picks_the_best_of_ours(header: str, locale: str | None) -> None:
    assert CATALOGS.from_accept_language(header) == locale


@pytest.mark.parametrize(
    ("path", "headers", "locale"),
    [
        ("/", {"Accept-Language": "ps"}, "ps"),
        ("/?locale=fa-AF", {"Accept-Language": "ps"}, "fa-AF"),
        ("/?locale=klingon", {"Accept-Language": "ps"}, "ps"),
        ("/fa-AF/nothing", {"Accept-Language": "ps"}, "fa-AF"),
        ("/api/v1/config", {}, "en"),
    ],
)
def test_a_request_gets_its_path_then_query_then_browser_language(
    path: str, headers: dict[str, str], locale: str
) -> None:
    assert CATALOGS.negotiate(make_mocked_request("GET", path, headers=headers)) == locale


def test_only_locales_with_a_catalog_are_offered() -> None:
    catalogs = Catalogs(["ps", "ar", "en"])
    assert catalogs.tags == ("ps", "en")
    assert catalogs.default == "ps"


def test_numbers_and_sizes_are_written_the_readers_way() -> None:
    dari, pashto, english = CATALOGS.get("fa-AF"), CATALOGS.get("ps"), CATALOGS.get("en")
    assert english.number(1234.5) == "1,234.5"
    assert dari.number(1234.5) == "۱٬۲۳۴٫۵"
    assert english.size(30 * 1024 * 1024) == "30 MB"
    assert dari.size(30 * 1024 * 1024) == "۳۰ MB"
    assert pashto.size(1536 * 1024) == "۱٫۵ MB"
    assert english.size(500) == "500 bytes"
    assert (dari.direction, pashto.direction, english.direction) == ("rtl", "rtl", "ltr")


def test_values_in_a_sentence_are_isolated_and_translated() -> None:
    pashto = CATALOGS.get("ps")
    text = pashto.gettext("Remove %(name)s", name="clip.mp4")
    assert text == f"{isolate('clip.mp4')} لرې کړئ"


def test_the_scripts_get_the_same_formats() -> None:
    formats = CATALOGS.get("ps").script_formats()
    assert formats["numbering"] == "arabext"
    assert formats["percent"] == "%(n)s٪"
    units = formats["units"]
    assert isinstance(units, dict)
    assert units["minute"] == {"one": "%(n)s دقیقه", "other": "%(n)s دقیقې"}
