"""What readers are told, by stable codes: problem types, field errors, states.

The English text here is the catalogs' message id; :func:`N_` only marks it for
extraction. Pages translate on the server; the form's script gets the same texts,
translated, in the page (:func:`script_text`), so a refusal reads the same with or
without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake.core.errors import IntakeError
from intake.web.i18n import Localizer
from intake.web.pages.limits import Limits


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it here."""
    return message


FIELD_LABELS: Mapping[str, str] = {
    "title": N_("Headline"),
    "story": N_("What happened?"),
    "location": N_("Where did it happen?"),
    "occurred_at": N_("When did it happen?"),
    "name": N_("Your name"),
    "email": N_("Email address"),
    "phone": N_("Phone number"),
    "files": N_("Photos and videos"),
    "consent_terms": N_("Your agreement"),
    "consent_contact": N_("May we contact you?"),
    "locale": N_("Language"),
}

FIELD_ERRORS: Mapping[str, str] = {
    "too_long": N_("Use at most %(max)s characters."),
    "invalid_email": N_("Give an email address like name@example.org."),
    "invalid_phone": N_("Give a phone number with its country code, like +93 70 123 4567."),
    "not_iso8601": N_("Give a date and time."),
    "unsupported_locale": N_("Choose one of the languages offered."),
    "not_boolean": N_("Tick the box or leave it empty."),
    "not_utf8": N_("This text arrived damaged. Type it again."),
    "not_text": N_("This text arrived damaged. Type it again."),
    "required": N_("This is needed."),
}
REQUIRED: Mapping[str, str] = {
    "consent_terms": N_("Tick the box to agree, or we cannot use what you send."),
    "files": N_("Choose at least one photo or video."),
}

SOMETHING_WRONG = (
    N_("Something went wrong on our side"),
    N_("Nothing you sent was kept. Try again in a few minutes."),
)
_UNREADABLE = (
    N_("Something went wrong while sending"),
    N_("Your browser sent something we could not read. Try again from the form."),
)
PROBLEMS: Mapping[str, tuple[str, str]] = {
    "bad-request": _UNREADABLE,
    "unsupported-version": _UNREADABLE,
    "unsupported-content-type": _UNREADABLE,
    "method-not-allowed": _UNREADABLE,
    "idempotency-key-reused": _UNREADABLE,
    "client-closed-request": _UNREADABLE,
    "not-accepted": (N_("What you sent could not be accepted"), N_("Try again later.")),
    "unauthorized": (
        N_("This key does not work"),
        N_("Check that you copied the whole link or key."),
    ),
    "forbidden": (
        N_("This cannot be done from here"),
        N_("Open the form on our site and send it from there."),
    ),
    "not-found": (
        N_("Page not found"),
        N_("There is nothing at this address. Check the link, or go to the form."),
    ),
    "conflict": (N_("Something changed meanwhile"), N_("Reload the page and try again.")),
    "gone": (N_("This upload has expired"), N_("Choose the file again to send it.")),
    "locked": (N_("Busy for a moment"), N_("Try again in a moment.")),
    "checksum-mismatch": (N_("A file arrived damaged"), N_("Send it again.")),
    "validation-failed": (
        N_("Some answers need changing"),
        N_("Check the answers marked below."),
    ),
    "empty-file": (N_("A file is empty"), N_("Choose the file again, or another one.")),
    "unsupported-media-type": (
        N_("This kind of file is not accepted"),
        N_("Send photos or videos as %(types)s."),
    ),
    "payload-too-large": (
        N_("Too much to send"),
        N_(
            "Photos may be up to %(photo)s and videos up to %(video)s each, "
            "and a story may have up to %(files)s files."
        ),
    ),
    "too-many-requests": (
        N_("Please wait a little"),
        N_(
            "Many stories were sent from your connection in a short time. "
            "Try again in about %(minutes)s minutes."
        ),
    ),
}

WAITS: Mapping[str, str] = {
    "address": PROBLEMS["too-many-requests"][1],
    "everyone": N_(
        "Many readers are sending stories right now. Try again in about %(minutes)s minutes."
    ),
}
"""When to come back after a 429, by its ``scope``: this connection, or everyone at once."""

ABOUT_A_FILE: Mapping[str, str] = {
    "unsupported-media-type": N_("%(name)s is not a photo or video we accept. Send %(types)s."),
    "empty-file": N_("%(name)s is empty."),
}
"""Details that name the file, for problems that carry its ``filename``."""

STATES: Mapping[str, str] = {
    "not_sent": N_("Not sent yet: some files have not arrived."),
    "received": N_("Received."),
    "being_checked": N_("Received. Your files are being checked."),
    "waiting_for_review": N_("Received, and waiting for our team to look at it."),
    "approved": N_("Our team has looked at it and may use it in its reporting."),
    "not_used": N_("Our team has looked at it and will not use it."),
    "withdrawn": N_("Withdrawn. We deleted what you sent."),
}


def limit_values(i18n: Localizer, limits: Limits, extra: Mapping[str, Any]) -> dict[str, str]:
    """What a message may name, written the reader's way."""
    wait = int(extra.get("retry_after_seconds", 60))
    return {
        "types": limits.types,
        "photo": i18n.size(limits.photo_max_bytes),
        "video": i18n.size(limits.video_max_bytes),
        "files": i18n.number(limits.max_files),
        "minutes": i18n.number(max(1, -(-wait // 60))),
    }


def problem_text(i18n: Localizer, error: IntakeError, limits: Limits) -> tuple[str, str]:
    """The title and what to do, for a reader, of ``error`` (by its stable type)."""
    title, detail = PROBLEMS.get(error.slug, SOMETHING_WRONG)
    values = limit_values(i18n, limits, error.extra)
    if error.extra.get("filename") and error.slug in ABOUT_A_FILE:
        detail = ABOUT_A_FILE[error.slug]
        values["name"] = str(error.extra["filename"])
    if error.slug == "too-many-requests":
        detail = WAITS.get(str(error.extra.get("scope")), detail)
    return i18n.gettext(title), i18n.gettext(detail, **values)


def field_error(i18n: Localizer, field: str, code: str, limits: Limits) -> str:
    """What to change in ``field``, for the error ``code`` the checks gave."""
    if code == "required" and field in REQUIRED:
        return i18n.gettext(REQUIRED[field])
    maximum = limits.story_max_chars if field == "story" else limits.field_max_chars
    return i18n.gettext(FIELD_ERRORS.get(code, FIELD_ERRORS["required"]), max=i18n.number(maximum))


def field_label(i18n: Localizer, field: str) -> str:
    return i18n.gettext(FIELD_LABELS[field]) if field in FIELD_LABELS else field
