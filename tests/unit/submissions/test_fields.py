from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from intake.core.errors import NotAccepted, ValidationFailed
from intake.submissions.fields import FieldRules, validate_fields

RULES = FieldRules(field_max_chars=50, story_max_chars=200, locales=("en", "fa-AF", "ps"))


def codes(raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_fields(raw, RULES)
    return {e["field"]: e["code"] for e in caught.value.errors}


def test_consent_to_the_terms_is_required() -> None:
    assert codes({}) == {"consent_terms": "required"}


def test_a_complete_submission_is_cleaned_and_typed() -> None:
    details = validate_fields(
        {
            "consent_terms": "on",
            "consent_contact": "true",
            "name": "  Zarmina \x07 ",
            "email": "z@example.org",
            "phone": "+93 70 123 4567",
            "story": "line one\r\nline two",
            "occurred_at": "2026-11-27T10:30:00+04:30",
            "locale": "ps",
        },
        RULES,
    )
    assert details.consent_terms and details.consent_contact
    assert details.name == "Zarmina"
    assert details.story == "line one\nline two"
    assert details.occurred_at == dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC)
    assert details.locale == "ps"


def test_every_problem_comes_back_at_once() -> None:
    found = codes(
        {
            "consent_terms": "on",
            "email": "not-an-address",
            "phone": "call me",
            "occurred_at": "yesterday",
            "locale": "xx",
            "title": "t" * 51,
            "consent_contact": "perhaps",
        }
    )
    assert found == {
        "email": "invalid_email",
        "phone": "invalid_phone",
        "occurred_at": "not_iso8601",
        "locale": "unsupported_locale",
        "title": "too_long",
        "consent_contact": "not_boolean",
    }


def test_the_story_has_its_own_longer_limit() -> None:
    assert validate_fields({"consent_terms": "1", "story": "s" * 200}, RULES).story == "s" * 200
    assert codes({"consent_terms": "1", "story": "s" * 201}) == {"story": "too_long"}


def test_a_date_without_time_or_zone_is_read_in_the_newsrooms_zone() -> None:
    details = validate_fields({"consent_terms": "yes", "occurred_at": "2026-11-01"}, RULES)
    assert details.occurred_at == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    kabul = FieldRules(50, 200, ("en",), timezone=ZoneInfo("Asia/Kabul"))
    typed = validate_fields({"consent_terms": "yes", "occurred_at": "2026-11-28T06:00"}, kabul)
    assert typed.occurred_at == dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)
    offset = validate_fields(
        {"consent_terms": "yes", "occurred_at": "2026-11-28T06:00:00+04:30"}, kabul
    )
    assert offset.occurred_at == typed.occurred_at


DARI = "خانه\u200cهای ما"
""""Our houses": the ZWNJ keeps خانه from joining ها."""


@pytest.mark.parametrize(
    "kept",
    [
        DARI,
        "\u200fکابل\u200e (Kabul)",  # RLM, LRM
        "ښځې د \u200dکور",  # ZWJ
        "\u061cقیمت 20",  # ARABIC LETTER MARK
        "\u2067پښتو\u2069 text",  # isolates are fine in text (only filenames lose them)
    ],
)
def test_text_is_kept_as_written(kept: str) -> None:
    details = validate_fields({"consent_terms": "on", "title": kept, "story": kept}, RULES)
    assert details.title == kept
    assert details.story == kept


def test_only_harmful_controls_are_removed() -> None:
    raw = {"consent_terms": "on", "story": "a\tb\nc\x00d\x1be\x85f\x9bg", "name": "x\ty\nz"}
    details = validate_fields(raw, RULES)
    assert details.story == "a\tb\ncdefg"
    assert details.name == "x y z"


def test_the_locale_defaults_to_the_first_supported() -> None:
    assert validate_fields({"consent_terms": "true"}, RULES).locale == "en"


def test_a_filled_honeypot_is_refused_without_a_reason() -> None:
    with pytest.raises(NotAccepted) as caught:
        validate_fields({"consent_terms": "on", "website": "http://spam.example"}, RULES)
    assert "website" not in caught.value.detail
