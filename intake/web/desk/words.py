"""What the desk says, by stable codes: states, actions, reasons, flags, problems, and the
texts its scripts need. The English is the catalogs' message id (:func:`N_` only marks
it), so moderators read the desk in English, Dari or Pashto."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from intake.web.i18n import Localizer
from intake.web.pages.messages import N_

STATES: Mapping[str, str] = {
    "draft": N_("Being sent"),
    "received": N_("Received"),
    "processing": N_("Being checked"),
    "pending_review": N_("Waiting"),
    "in_review": N_("In review"),
    "escalated": N_("Escalated"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "failed": N_("Failed"),
}
DECISIONS: Mapping[str, str] = {
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "escalate": N_("Escalate"),
}
REASONS: Mapping[str, str] = {
    "newsworthy": N_("Newsworthy"),
    "verified": N_("Verified"),
    "duplicate": N_("Duplicate"),
    "off_topic": N_("Off topic"),
    "unverifiable": N_("Cannot be verified"),
    "graphic": N_("Too graphic"),
    "privacy": N_("Puts someone's privacy at risk"),
    "spam": N_("Spam"),
    "needs_senior": N_("Needs a senior moderator"),
    "other": N_("Other"),
}
"""The default reason codes in words; a code the newsroom added shows as it is."""
FLAGS: Mapping[str, str] = {
    "duplicate": N_("Sent before"),
    "near_duplicate": N_("Looks like a photo or video sent before"),
    "not_scanned": N_("Not scanned for malware"),
    "capture_time": N_("Capture time does not add up"),
    "no_camera_metadata": N_("No camera metadata"),
    "screen_dimensions": N_("Size of a phone screen"),
    "editing_tool": N_("Editing tool named"),
    "location_mismatch": N_("GPS far from the place named"),
    "location_unchecked": N_("GPS and place side by side"),
    "credentials_broken": N_("Content credentials broken"),
    "credentials_unknown_signer": N_("Credentials by an unknown signer"),
    "ai_generated": N_("Made by an AI model"),
}
CREDENTIALS: Mapping[str, str] = {
    "valid": N_("Signature valid"),
    "broken": N_("Signature broken"),
    "unknown_signer": N_("Unknown signer"),
    "none": N_("No content credentials"),
}
ACTIONS: Mapping[str, str] = {
    "draft_created": N_("started sending"),
    "received": N_("received"),
    "queued_for_inspection": N_("queued for checks"),
    "queued_for_review": N_("queued for review"),
    "claimed": N_("claimed"),
    "released": N_("released"),
    "lease_renewed": N_("lease renewed"),
    "lease_expired": N_("lease ran out"),
    "decided": N_("decided"),
    "file_opened": N_("opened a file"),
    "withdrawn": N_("withdrawn"),
    "inspected": N_("inspected"),
}
ROLES: Mapping[str, str] = {
    "moderator": N_("Moderator"),
    "senior": N_("Senior moderator"),
    "admin": N_("Admin"),
}
KINDS: Mapping[str, str] = {"photo": N_("Photos"), "video": N_("Videos")}
PROBLEMS: Mapping[str, str] = {
    "forbidden": N_(
        "This is not for your role: escalated submissions are for senior moderators, "
        "accounts for admins."
    ),
    "csrf": N_(
        "This change did not come from the desk's own page, so it was refused. "
        "Reload the desk and try again."
    ),
    "not-found": N_("There is nothing here: no such submission or file."),
    "conflict": N_("Something changed meanwhile. Go back to the queue and try again."),
    "validation-failed": N_("Check what you typed and try again."),
    "too-many-requests": N_(
        "Too many failed tries: signing in is locked for %(minutes)s minutes. Wait, then try again."
    ),
    "unauthorized": N_("Your session ended. Sign in again."),
    "internal-error": N_("Something went wrong on our side. Try again in a minute."),
}
SCRIPT_TEXT: Mapping[str, str] = {
    "lease_left": N_("This submission is yours for %(time)s more."),
    "claiming": N_("Looking for the next submission…"),
    "deciding": N_("Saving your decision…"),
    "decided": N_("Saved. Loading the next submission…"),
    "choose_reason": N_("Choose a reason first (keys 1 to 9)."),
    "offline": N_("The desk cannot reach intake. Check the connection and try again."),
}


def words(i18n: Localizer, table: Mapping[str, str], code: str) -> str:
    """``code`` in words from ``table``, or the code itself when it has none."""
    message = table.get(code)
    return i18n.gettext(message) if message else code


def problem_words(i18n: Localizer, slug: str, **values: Any) -> str:
    return i18n.gettext(PROBLEMS.get(slug, PROBLEMS["internal-error"]), **values)


def desk_script_text(i18n: Localizer) -> dict[str, Any]:
    """Everything the desk's scripts may say, in the moderator's language."""
    return {
        "text": {key: i18n.gettext(message) for key, message in SCRIPT_TEXT.items()},
        "formats": i18n.script_formats(),
    }
