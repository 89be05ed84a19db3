"""The catalogs hold every reader-facing text, each translated, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from intake.web.desk.words import SCRIPT_TEXT as DESK_SCRIPT_TEXT
from intake.web.i18n import LOCALES_DIR
from intake.web.pages.scripts import SCRIPT_TEXT

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\(\w+\)s")
TRANSLATED = ("fa_AF", "ps")


def _used() -> set[str]:
    """Message ids in the code and templates, found as `make messages` finds them."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options_map)
    }


USED = _used()


def _catalog(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=locale)
    assert not [m.id for m in catalog if m.id and m.fuzzy], f"fuzzy messages in {locale}"
    return {str(m.id): str(m.string) for m in catalog if m.id}


@pytest.mark.parametrize("locale", ["en", *TRANSLATED])
def test_every_text_is_in_the_catalog_and_nothing_else(locale: str) -> None:
    held = set(_catalog(locale))
    assert sorted(USED - held) == [], f"missing from {locale}: run `make messages`"
    assert sorted(held - USED) == [], f"unused in {locale}: run `make messages`"
    assert len(USED) > 150


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_text_is_translated_with_the_same_placeholders(locale: str) -> None:
    for message, translation in _catalog(locale).items():
        assert translation.strip(), f"{locale}: {message!r} is not translated"
        assert translation != message, f"{locale}: {message!r} is left in English"
        assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(message))


def test_dari_is_written_with_persian_letters_and_zwnj() -> None:
    dari = " ".join(_catalog("fa_AF").values())
    assert not set(dari) & {"\u064a", "\u0643"}, "Arabic yeh or kaf instead of ی and ک"
    assert not re.search(r"(^|\s)ن?می ", dari), "the verb prefix می needs a ZWNJ, not a space"
    assert "می\u200c" in dari and "\u200cها" in dari


def test_pashto_is_written_with_its_own_letters() -> None:
    pashto = " ".join(_catalog("ps").values())
    assert {"ټ", "ډ", "ړ", "ږ", "ښ", "ګ", "ې", "ۍ"} <= set(pashto)


def _called(desk: bool) -> set[str]:
    scripts = [p for p in (ROOT / "intake/web/static").glob("*.js")
               if p.name.startswith("desk") == desk]  # fmt: skip
    return set(re.findall(r"\bt\(\s*\"(\w+)\"", " ".join(p.read_text() for p in scripts)))


def test_the_scripts_use_every_text_they_are_given_and_no_other() -> None:
    assert _called(desk=False) == set(SCRIPT_TEXT)
    assert _called(desk=True) == set(DESK_SCRIPT_TEXT)
