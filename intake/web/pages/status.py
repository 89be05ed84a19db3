"""The reader's way back to a story: the public receipt, the status page, withdrawal.

The receipt address names only the reference and shows the same page for every
well-formed reference, sent, withdrawn or never made: it tells nothing to whoever
holds it. The status page needs the reference and the private key: with JavaScript it
reads them from the private link's fragment and asks ``/api/v1/submissions/{id}``;
without, the reader types them into a form posted here, answered ``no-store``.
"""

from __future__ import annotations

import re

from aiohttp import web

from intake.core.errors import IntakeError, NotFound, ValidationFailed
from intake.core.ids import normalize_reference
from intake.submissions.records import SubmissionState
from intake.submissions.submitter import SubmitterView
from intake.web.i18n import Localizer
from intake.web.keys import REPOSITORY, SUBMITTER
from intake.web.pages.messages import N_, STATES, problem_text
from intake.web.pages.render import LIMITS, LOCALE, page_localizer, render_page
from intake.web.pages.security import refuse_cross_site

routes = web.RouteTableDef()
REFERENCE = re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$")
_LOCAL_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_NO_SUCH = N_("We found no story with this reference and key. Check both and try again.")
_CONFIRM = N_("Tick the box to confirm that everything you sent should be deleted.")


def reference_of(text: str) -> str:
    """A reference as typed or pasted (also in Dari or Pashto digits), normalized."""
    return normalize_reference(text.translate(_LOCAL_DIGITS))


@routes.get("/receipt/{reference}")
@routes.get(f"/{LOCALE}/receipt/{{reference}}")
async def receipt_page(request: web.Request) -> web.Response:
    i18n = page_localizer(request)
    reference = reference_of(request.match_info["reference"])
    if not REFERENCE.match(reference):
        raise NotFound("A reference code looks like K7M4Q-X9TB2.")
    return render_page(
        request, i18n, "receipt_public.html", path=f"receipt/{reference}", reference=reference
    )


def _status_page(
    request: web.Request,
    i18n: Localizer,
    *,
    view: dict[str, object] | None = None,
    problem: dict[str, str] | None = None,
    reference: str = "",
    status: int = 200,
) -> web.Response:
    return render_page(
        request, i18n, "status.html", path="status", status=status, view=view,
        problem=problem, reference=reference,
    )  # fmt: skip


@routes.get("/status")
@routes.get(f"/{LOCALE}/status")
async def status_page(request: web.Request) -> web.Response:
    return _status_page(request, page_localizer(request))


def _view(i18n: Localizer, view: SubmitterView, key: str) -> dict[str, object]:
    return {
        "state": i18n.gettext(STATES[view.status]),
        "reference": view.submission.reference,
        "files": i18n.number(len(view.files) or view.submission.file_count),
        "key": key,
        "can_withdraw": view.submission.state is not SubmissionState.WITHDRAWN,
    }


async def _find(request: web.Request, reference: str, key: str) -> str:
    """The id of the submission with this reference (its key is checked by the service:
    a wrong key and an unknown reference both end in NotFound)."""
    submission = await request.app[REPOSITORY].get_by_reference(reference)
    if submission is None or not key:
        raise NotFound(_NO_SUCH)
    return submission.id


@routes.post(f"/{LOCALE}/status")
async def status_lookup(request: web.Request) -> web.Response:
    """The no-JavaScript status page: look up, or withdraw with ``action=withdraw``."""
    i18n = page_localizer(request)
    refuse_cross_site(request)
    form = await request.post()
    reference = reference_of(str(form.get("reference", "")))
    key = str(form.get("key", "")).strip()
    submitter = request.app[SUBMITTER]
    try:
        submission_id = await _find(request, reference, key)
        if form.get("action") == "withdraw":
            if form.get("confirm") != "yes":
                raise ValidationFailed([{"field": "confirm", "code": "required",
                                         "detail": "Confirm the withdrawal."}])  # fmt: skip
            await submitter.withdraw(submission_id, key)
        view = await submitter.view(submission_id, key)
    except NotFound:
        problem = {"title": i18n.gettext(_NO_SUCH), "detail": ""}
        return _status_page(request, i18n, problem=problem, reference=reference, status=404)
    except ValidationFailed:
        view = await submitter.view(submission_id, key)
        problem = {"title": i18n.gettext(_CONFIRM), "detail": ""}
        return _status_page(request, i18n, view=_view(i18n, view, key), problem=problem,
                            status=422)  # fmt: skip
    except IntakeError as error:
        title, detail = problem_text(i18n, error, request.app[LIMITS])
        problem = {"title": title, "detail": detail}
        return _status_page(request, i18n, problem=problem, status=error.status)
    return _status_page(request, i18n, view=_view(i18n, view, key))
