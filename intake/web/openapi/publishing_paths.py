"""The publish operation: an approved submission's public copies, unsealed."""

from __future__ import annotations

from intake.core.errors import Conflict, Forbidden, NotFound
from intake.web.moderation.publishing import PublishedCopies
from intake.web.openapi.building import MODERATOR, Json, json_response, operation, params
from intake.web.openapi.moderation_paths import BASE, GUARDED, TAG
from intake.web.openapi.problems import problem_responses


def publishing_paths() -> Json:
    answers = {
        "200": json_response("Published.", PublishedCopies, ["Cache-Control"]),
        **problem_responses(NotFound, Forbidden, Conflict, *GUARDED),
    }
    return {
        f"{BASE}/submissions/{{submission_id}}/publish": {
            "post": operation(
                "Publish an approved submission's public copies, unsealed", "publishSubmission",
                TAG, answers, security=MODERATOR, parameters=params("SubmissionId"),
                description="Every object of a submission is sealed with its own data key; "
                "this copies each file's public copy (metadata stripped) out of the sealing, "
                "to `published/<random>.<ext>`: a name with no date and no id. Files "
                "published already keep their copy. A withdrawal deletes them. 409 unless "
                "the submission is approved.",
            )
        }
    }  # fmt: skip
