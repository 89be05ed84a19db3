"""The texts the pages' scripts show, translated on the server and put in the page as
JSON (``<script type="application/json" id="page-text">``, data that never runs).

Placeholders are ``%(name)s`` as everywhere in the catalogs; the scripts fill them in
and write numbers, sizes and durations with the browser's ``Intl`` for the page's
language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake.web.i18n import Catalogs, Localizer
from intake.web.pages.limits import Limits
from intake.web.pages.messages import (
    ABOUT_A_FILE,
    FIELD_ERRORS,
    FIELD_LABELS,
    N_,
    PROBLEMS,
    REQUIRED,
    SOMETHING_WRONG,
    STATES,
    WAITS,
    limit_values,
)

SCRIPT_TEXT = {
    "remove": N_("Remove"),
    "remove_file": N_("Remove %(name)s"),
    "photo": N_("Photo"),
    "video": N_("Video"),
    "not_accepted": ABOUT_A_FILE["unsupported-media-type"],
    "photo_too_large": N_("%(name)s is %(size)s; photos may be up to %(max)s."),
    "video_too_large": N_("%(name)s is %(size)s; videos may be up to %(max)s."),
    "empty_file": ABOUT_A_FILE["empty-file"],
    "too_many_files": N_("You can send up to %(max)s files; %(name)s was not added."),
    "too_much": N_("Together your files are over %(max)s; %(name)s was not added."),
    "already_chosen": N_("%(name)s is already in the list."),
    "waiting": N_("Waiting to be sent"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "paused": N_("Paused"),
    "refused": N_("Not sent: %(reason)s"),
    "progress": N_("%(sent)s of %(total)s (%(percent)s)"),
    "time_left": N_("about %(time)s left"),
    "overall": N_("All files: %(progress)s"),
    "announce_file": N_("%(name)s: %(percent)s sent"),
    "announce_done": N_("%(name)s is sent."),
    "finishing": N_("All files are sent. Finishing…"),
    "send": N_("Send"),
    "sending_button": N_("Sending…"),
    "pause": N_("Pause"),
    "resume": N_("Go on sending"),
    "offline": N_("You are offline. Sending goes on by itself when you are back online."),
    "retrying": N_("The connection was lost. Trying again in %(seconds)s seconds."),
    "paused_note": N_("Sending is paused. What was sent is kept."),
    "resume_sent": N_("%(name)s: sent"),
    "resume_partial": N_("%(name)s: %(sent)s of %(total)s sent. Choose it again to go on."),
    "error_title": N_("There is a problem"),
    "nothing_sent": N_("Could not reach us. Check your connection and try again."),
    "video_length": N_("Video, %(duration)s"),
    "loading": N_("Loading…"),
    "withdrawn_now": N_("Your story was withdrawn. We deleted what you sent."),
    "not_found": N_("We found no story with this link. Check that you copied all of it."),
}


def _translated(i18n: Localizer, table: Mapping[str, str]) -> dict[str, str]:
    return {key: i18n.gettext(message) for key, message in table.items()}


def script_text(i18n: Localizer, limits: Limits) -> dict[str, Any]:
    """Everything a page's script may say, in the reader's language."""
    values = limit_values(i18n, limits, {})
    problems = {
        slug: [i18n.gettext(title), i18n.gettext(detail, **values)]
        for slug, (title, detail) in PROBLEMS.items()
    }
    problems["internal-error"] = [i18n.gettext(m, **values) for m in SOMETHING_WRONG]
    return {
        "text": _translated(i18n, SCRIPT_TEXT),
        "labels": _translated(i18n, FIELD_LABELS),
        "field_errors": {
            code: i18n.translations.gettext(message) for code, message in FIELD_ERRORS.items()
        },
        "required": _translated(i18n, REQUIRED),
        "problems": problems,
        "waits": _translated(i18n, WAITS),
        "states": _translated(i18n, STATES),
        "formats": i18n.script_formats(),
        "limits": {
            "field_max_chars": limits.field_max_chars,
            "story_max_chars": limits.story_max_chars,
        },
    }


class ScriptTexts:
    """:func:`script_text` for each of ``catalogs``' locales, made on the first page in
    that locale: babel's locale data (several MiB) stays out of a node that only takes
    uploads through the API."""

    def __init__(self, catalogs: Catalogs, limits: Limits) -> None:
        self._catalogs = catalogs
        self._limits = limits
        self._made: dict[str, Mapping[str, Any]] = {}

    def __getitem__(self, tag: str) -> Mapping[str, Any]:
        made = self._made.get(tag)
        if made is None:
            made = self._made[tag] = script_text(self._catalogs.get(tag), self._limits)
        return made
