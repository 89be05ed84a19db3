"""The reader's language: gettext catalogs, negotiation, and numbers written their way.

Catalogs are the translator-edited ``locales/<ll_CC>/LC_MESSAGES/messages.po`` files,
compiled in memory when the service starts (no ``.mo`` to rebuild or forget). A page's
locale comes from, in order: its path prefix (``/fa-AF/…``), ``?locale=``, the
browser's ``Accept-Language``, and the first of ``submissions.locales``. The same
:class:`Catalogs` serve the reader's pages, the moderator desk and error pages.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aiohttp import web
from babel import Locale as BabelLocale
from babel.dates import format_datetime, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.units import format_unit

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "fa-AF": "دری", "ps": "پښتو"}
"""Each language in its own words, for the language switch (endonyms, not translated)."""
ALIASES: Mapping[str, str] = {"fa": "fa-AF", "prs": "fa-AF", "pbt": "ps", "pbu": "ps", "pst": "ps"}
"""Language subtags that mean one of ours: Persian is read as Dari, Pashto's varieties as
Pashto."""
DIGITS: Mapping[str, str] = {
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
}
SIZE_UNITS = (("digital-gigabyte", 1 << 30), ("digital-megabyte", 1 << 20),
              ("digital-kilobyte", 1 << 10))  # fmt: skip
Length = Literal["short", "long"]
SCRIPT_UNITS: tuple[tuple[str, str, Length], ...] = (
    ("byte", "digital-byte", "long"),
    ("kilobyte", "digital-kilobyte", "short"),
    ("megabyte", "digital-megabyte", "short"),
    ("gigabyte", "digital-gigabyte", "short"),
    ("second", "duration-second", "long"),
    ("minute", "duration-minute", "long"),
    ("hour", "duration-hour", "long"),
)
PERCENT_SIGNS: Mapping[str, str] = {"arab": "٪", "arabext": "٪"}


FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def isolate(value: object) -> str:
    """``value`` set apart for the bidi algorithm: a Latin file name, a size or a phone
    number inside a Dari sentence keeps its own order and leaves the sentence's alone."""
    return f"{FIRST_STRONG_ISOLATE}{value}{POP_DIRECTIONAL_ISOLATE}"


def catalog_dir(tag: str) -> str:
    """``fa-AF`` → ``fa_AF`` (BCP 47 tag to gettext folder)."""
    return tag.replace("-", "_")


@dataclass(frozen=True)
class Localizer:
    """One locale's text and formats, for a page, a template or an error."""

    tag: str
    translations: gettext.NullTranslations
    babel: BabelLocale

    @property
    def direction(self) -> str:
        return "rtl" if self.babel.character_order == "right-to-left" else "ltr"

    def gettext(self, message: str, **values: object) -> str:
        """``message`` in this language, its ``%(name)s`` filled with ``values`` (each
        isolated: see :func:`isolate`)."""
        text = self.translations.gettext(message)
        return text % {k: isolate(v) for k, v in values.items()} if values else text

    @property
    def numbering(self) -> str:
        """The digits this locale writes: ``latn``, or ``arabext`` (۰۱۲) for Dari and Pashto."""
        return self.babel.default_numbering_system or "latn"

    def _digits(self, text: str) -> str:
        digits = DIGITS.get(self.numbering)
        return text.translate(str.maketrans("0123456789", digits)) if digits else text

    def number(self, value: float) -> str:
        """``1234.5`` as this locale writes it (in Dari with Persian digits and separators)."""
        return self._digits(format_decimal(value, locale=self.babel, numbering_system="default"))

    def size(self, size: int) -> str:
        """A byte count in the largest binary unit it fills, e.g. ``30 MB``, ``۲ GB``."""
        for unit, factor in SIZE_UNITS:
            if size >= factor:
                value = round(size / factor, 1)
                text = format_unit(value, unit, length="short", locale=self.babel,
                                   format="#,##0.#", numbering_system="default")  # fmt: skip
                return self._digits(text)
        return self._digits(
            format_unit(size, "digital-byte", length="long", locale=self.babel,
                        numbering_system="default")
        )  # fmt: skip

    def when(self, value: dt.datetime, zone: dt.tzinfo) -> str:
        """A moment as this locale writes it, in ``zone`` (the newsroom's)."""
        text = format_datetime(value.astimezone(zone), "medium", locale=self.babel)
        return self._digits(text)

    def duration(self, seconds: float) -> str:
        """A span of time in words, rounded to its largest unit (``3 hours``)."""
        span = dt.timedelta(seconds=max(seconds, 1))
        return self._digits(format_timedelta(span, threshold=1.5, locale=self.babel))

    def script_formats(self) -> dict[str, object]:
        """How a page's script writes numbers, percentages, sizes and durations the way
        this side does (browsers lack some locales' data: Chromium has none for Pashto).
        Unit patterns hold ``%(n)s``, by plural category."""
        units = {
            name: {
                count: format_unit(n, unit, length=length, locale=self.babel).replace(
                    str(n), "%(n)s", 1
                )
                for count, n in (("one", 1), ("other", 7))
            }
            for name, unit, length in SCRIPT_UNITS
        }
        percent = PERCENT_SIGNS.get(self.numbering, "%")
        return {"numbering": self.numbering, "percent": f"%(n)s{percent}", "units": units}


def _load_po(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as source:
        catalog = read_po(source, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Catalogs:
    """The reader-facing locales: those of ``wanted`` that have a catalog, in its order."""

    def __init__(self, wanted: Iterable[str], directory: Path = LOCALES_DIR) -> None:
        self._localizers: dict[str, Localizer] = {}
        for tag in wanted:
            po = directory / catalog_dir(tag) / "LC_MESSAGES" / f"{DOMAIN}.po"
            if po.is_file():
                babel = BabelLocale.parse(catalog_dir(tag))
                self._localizers[tag] = Localizer(tag, _load_po(po), babel)
        if not self._localizers:
            en = BabelLocale.parse("en")
            self._localizers["en"] = Localizer("en", gettext.NullTranslations(), en)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self._localizers)

    @property
    def default(self) -> str:
        return self.tags[0]

    def get(self, tag: str) -> Localizer:
        return self._localizers.get(tag) or self._localizers[self.default]

    def match(self, tag: str) -> str | None:
        """Our locale for a BCP 47 tag (``fa-IR`` → ``fa-AF``, ``en-GB`` → ``en``), if any."""
        tag = tag.strip()
        for ours in self.tags:
            if ours.lower() == tag.lower():
                return ours
        language = tag.split("-")[0].lower()
        for ours in self.tags:
            if ours.split("-")[0].lower() == language:
                return ours
        alias = ALIASES.get(language)
        return alias if alias in self._localizers else None

    def from_accept_language(self, header: str) -> str | None:
        weighted: list[tuple[float, int, str]] = []
        for position, item in enumerate(header.split(",")):
            tag, _, params = item.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            if tag and tag != "*" and quality > 0:
                weighted.append((-quality, position, tag))
        for _, _, tag in sorted(weighted):
            if found := self.match(tag):
                return found
        return None

    def negotiate(self, request: web.Request) -> str:
        """The locale of a request: path prefix, then ``?locale=``, then Accept-Language."""
        prefix = request.match_info.get("locale") or request.path.split("/")[1]
        for given in (prefix if prefix in self._localizers else None, request.query.get("locale")):
            if given and (found := self.match(given)):
                return found
        accepted = self.from_accept_language(request.headers.get("Accept-Language", ""))
        return accepted or self.default

    def for_request(self, request: web.Request) -> Localizer:
        return self.get(self.negotiate(request))
