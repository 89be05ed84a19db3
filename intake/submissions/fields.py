"""The reader's text fields: checked all together, every problem reported at once."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from intake.core.errors import NotAccepted, ValidationFailed
from intake.submissions.records import SubmitterDetails

TEXT_FIELDS = ("name", "email", "phone", "title", "story", "location")
HONEYPOT = "website"
"""A field people never see or fill (hidden in the form); bots fill every field."""
FIELDS = (*TEXT_FIELDS, "occurred_at", "locale", "consent_terms", "consent_contact")
_TRUE = {"on", "true", "yes", "1"}
_FALSE = {"", "off", "false", "no", "0"}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")


@dataclass(frozen=True)
class FieldRules:
    field_max_chars: int
    story_max_chars: int
    locales: tuple[str, ...]
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    """The newsroom's zone: a time given without an offset is read in it."""

    def max_chars(self, name: str) -> int:
        return self.story_max_chars if name == "story" else self.field_max_chars


def _harmful(c: str) -> bool:
    """C0 and C1 controls (tab and newline aside) and lone surrogates. Format characters
    stay: ZWNJ and ZWJ shape Dari and Pashto words, LRM, RLM and ALM order mixed text."""
    return unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n"


def clean_text(value: str, multiline: bool = True) -> str:
    """Text as the reader wrote it, without what does harm: NFC, CRLF as LF, no control
    characters; a one-line field has its tabs and newlines as spaces."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if not _harmful(c))
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    return value.strip()


def _parse_time(value: str, zone: ZoneInfo) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(dt.UTC)


class _Checker:
    def __init__(self, raw: Mapping[str, str], rules: FieldRules) -> None:
        self.raw = raw
        self.rules = rules
        self.errors: list[dict[str, str]] = []

    def fail(self, field: str, code: str, detail: str) -> None:
        self.errors.append({"field": field, "code": code, "detail": detail})

    def text(self, name: str) -> str:
        value = clean_text(self.raw.get(name, ""), multiline=name == "story")
        limit = self.rules.max_chars(name)
        if len(value) > limit:
            self.fail(name, "too_long", f"Use at most {limit} characters ({len(value)} given).")
        return value

    def flag(self, name: str) -> bool:
        value = self.raw.get(name, "").strip().lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.fail(name, "not_boolean", "Use true or false.")
        return False

    def time(self, name: str) -> dt.datetime | None:
        value = self.raw.get(name, "").strip()
        if not value:
            return None
        try:
            return _parse_time(value, self.rules.timezone)
        except ValueError:
            self.fail(name, "not_iso8601", "Use an ISO 8601 date or time, e.g. 2026-11-28T14:30Z.")
            return None


def validate_fields(raw: Mapping[str, str], rules: FieldRules) -> SubmitterDetails:
    """The reader's details, or :class:`ValidationFailed` listing every field to change."""
    if raw.get(HONEYPOT, "").strip():
        raise NotAccepted("The submission could not be accepted.")
    check = _Checker(raw, rules)
    texts = {name: check.text(name) for name in TEXT_FIELDS}
    if texts["email"] and not _EMAIL.match(texts["email"]):
        check.fail("email", "invalid_email", "Give an email address like name@example.org.")
    digits = sum(c.isdigit() for c in texts["phone"])
    if texts["phone"] and (not _PHONE.match(texts["phone"]) or digits < 5):
        check.fail("phone", "invalid_phone", "Give a phone number with its country code, "
                   "digits, spaces and + ( ) - only.")  # fmt: skip
    occurred_at = check.time("occurred_at")
    locale = raw.get("locale", "").strip() or rules.locales[0]
    if locale not in rules.locales:
        check.fail("locale", "unsupported_locale", f"Use one of {', '.join(rules.locales)}.")
    consent_terms = check.flag("consent_terms")
    if not consent_terms and not any(e["field"] == "consent_terms" for e in check.errors):
        check.fail("consent_terms", "required", "Agree to the terms to send your story.")
    consent_contact = check.flag("consent_contact")
    if check.errors:
        raise ValidationFailed(check.errors)
    return SubmitterDetails(
        **texts,
        occurred_at=occurred_at,
        locale=locale,
        consent_terms=consent_terms,
        consent_contact=consent_contact,
    )
