"""Request bodies read through their models: 400 when the body is not one JSON object,
422 listing every member of the wrong type at once, with the codes clients rely on."""

from __future__ import annotations

import pytest

from intake.core.errors import BadRequest, ValidationFailed
from intake.moderation.records import Decision as Choice
from intake.moderation.records import Role
from intake.web.models import parse_body
from intake.web.moderation.models import Decision, Login, ModeratorChange, NewModerator


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        (b"{", "The body is not valid JSON."),
        (b"", "The body is not valid JSON."),
        (b"[]", "Send one JSON object."),
        (b'"login"', "Send one JSON object."),
        (b"null", "Send one JSON object."),
    ],
)
def test_a_body_that_is_not_one_json_object_is_400(raw: bytes, detail: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_body(Login, raw)
    assert caught.value.detail == detail


def errors(model: type, raw: bytes) -> list[dict[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        parse_body(model, raw)
    return caught.value.errors


def test_every_bad_member_is_listed_at_once() -> None:
    assert errors(Login, b'{"password": 5}') == [
        {"field": "name", "code": "required", "detail": "Required."},
        {"field": "password", "code": "wrong_type", "detail": "Use a str."},
    ]


def test_null_counts_as_absent() -> None:
    assert errors(Login, b'{"name": null, "password": "x"}') == [
        {"field": "name", "code": "required", "detail": "Required."}
    ]
    change = parse_body(ModeratorChange, b'{"role": null, "disabled": null}')
    assert change.role is None and change.disabled is None


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b'{"disabled": "true"}', {"field": "disabled", "code": "wrong_type",
                                   "detail": "Use a bool."}),
        (b'{"disabled": 1}', {"field": "disabled", "code": "wrong_type",
                              "detail": "Use a bool."}),
        (b'{"role": "boss"}', {"field": "role", "code": "unknown",
                               "detail": "Use moderator, senior or admin."}),
        (b'{"password": ["x"]}', {"field": "password", "code": "wrong_type",
                                  "detail": "Use a str."}),
    ],
)  # fmt: skip
def test_types_are_strict_json_types(raw: bytes, error: dict[str, str]) -> None:
    assert errors(ModeratorChange, raw) == [error]


def test_enums_are_read_from_their_values() -> None:
    decision = parse_body(Decision, b'{"decision": "escalate", "reason": "other", "note": null}')
    assert decision.decision is Choice.ESCALATE and decision.note is None
    assert errors(Decision, b'{"decision": "publish", "reason": "x"}') == [
        {"field": "decision", "code": "unknown", "detail": "Use approve, reject or escalate."}
    ]


def test_members_not_declared_are_ignored() -> None:
    added = parse_body(NewModerator, b'{"name": "amina", "role": "senior", "colour": "red"}')
    assert (added.name, added.role, added.password) == ("amina", Role.SENIOR, None)
