"""The moderator desk in the OpenAPI document: its pages (HTML) and the plain forms they
post, in each language. Every page answers ``no-store``; without a session a page sends
the browser to sign in (303)."""

from __future__ import annotations

from intake.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from intake.core.settings import Settings
from intake.web.openapi.building import HTML, Json, operation, params, response
from intake.web.openapi.pages import _locale
from intake.web.openapi.problems import DEPENDENCIES, SERVER, problem_responses

TAG = "desk"
PAGE = {HTML: {"type": "string"}}
SIGN_IN = response("Not signed in: to the sign-in page.", headers=["Location", "Cache-Control"])
FORM = "application/x-www-form-urlencoded"
DESK_SESSION = {
    "type": "apiKey",
    "in": "cookie",
    "name": "intake_desk",
    "description": "The desk's session (from signing in at /moderate/sign-in). Changes also "
    "need its CSRF token: the `X-CSRF-Token` header, or the `csrf_token` form field.",
}
SESSION: list[dict[str, list[str]]] = [{"deskSession": []}]


def _query(name: str, description: str, schema: Json) -> Json:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _form(*fields: str, required: tuple[str, ...] = ()) -> Json:
    properties = {f: {"type": "string", "maxLength": 2000} for f in ("csrf_token", *fields)}
    schema = {"type": "object", "properties": properties, "required": list(required)}
    return {"required": True, "content": {FORM: {"schema": schema}}}


def _get(summary: str, op_id: str, *errors: type, query: tuple[Json, ...] = ()) -> Json:
    answers = {"200": response("The page.", PAGE, ["Cache-Control"]), "303": SIGN_IN,
               **problem_responses(*errors, *DEPENDENCIES, html=True)}  # fmt: skip
    return operation(summary, op_id, TAG, answers, parameters=[*params(), *query],
                     security=SESSION)  # fmt: skip


def _localized(path: str, op: Json, settings: Settings, *extra: Json) -> dict[str, Json]:
    localized = {**op, "operationId": op["operationId"] + "InLanguage"}
    localized["parameters"] = [*op["parameters"], _locale(settings), *extra]
    localized["responses"] = {**op["responses"], **problem_responses(NotFound, *SERVER, html=True)}
    plain = {**op, "parameters": [*op["parameters"], *extra]}
    return {path: {"get": plain}, "/{locale}" + path: {"get": localized}}


def _post(summary: str, op_id: str, answers: Json, body: Json, *errors: type) -> Json:
    return operation(
        summary, op_id, TAG,
        {**answers, **problem_responses(Forbidden, NotFound, *errors, *DEPENDENCIES, html=True)},
        body=body, security=SESSION,
        description="Needs the CSRF token (403 without it); 303 to sign in without a session.",
    )  # fmt: skip


def _with_locale(op: Json, settings: Settings, *extra: Json) -> Json:
    return {**op, "parameters": [*params(), _locale(settings), *extra]}


def desk_paths(settings: Settings) -> Json:
    item = {"name": "submission_id", "in": "path", "required": True,
            "description": "The submission id.", "schema": {"type": "string"}}  # fmt: skip
    text = {"type": "string", "maxLength": 200}
    search = (
        _query("q", "Words in the reference, headline, story, name or place.", text),
        _query("from", "Received on or after (a date).", text),
        _query("to", "Received on or before (a date).", text),
        _query("kind", "Only submissions with a file of this kind.", text),
        _query("language", "Only submissions in this language.", text),
        _query("flag", "Only submissions with a file flagged so.", text),
        _query("state", "Only submissions in this state.", text),
        _query("empty", "`1`: say that nothing waits.", text),
    )
    see_other = response("Done: on to the next page.", headers=["Location", "Cache-Control"])
    signed_in = response("Signed in: to the queue, with the session cookie.",
                         headers=["Location", "Set-Cookie", "Cache-Control"])  # fmt: skip
    sign_in_page = operation(
        "The desk's sign-in page", "deskSignInPage", TAG,
        {"200": response("The page.", PAGE, ["Cache-Control"]),
         **problem_responses(*SERVER, html=True)},
    )  # fmt: skip
    sign_in = operation(
        "Sign in to the desk with name and password", "deskSignIn", TAG,
        {"303": signed_in,
         **{str(s): response(d, PAGE, ["Cache-Control", *h]) for s, d, h in (
             (401, "The name or the password is wrong: the page again.", ()),
             (403, "Posted from another site's page: refused.", ()),
             (422, "Name or password missing: the page again.", ()),
             (429, "Too many failed tries: locked for a while, said in plain words.",
              ("Retry-After",)))},
         **problem_responses(*DEPENDENCIES, html=True)},
        body=_form("name", "password"),
        description="Failed tries are counted as for POST /api/v1/moderation-login.",
    )  # fmt: skip
    signed_out = response("Signed out.", headers=["Location", "Set-Cookie?", "Cache-Control"])
    sign_out = _post("Sign out: the session token is forgotten", "deskSignOut",
                     {"303": signed_out}, _form())  # fmt: skip
    claim = _post("Claim the next submission (without scripts)", "deskClaimNext",
                  {"303": see_other}, _form("kind", "language", "skip"))  # fmt: skip
    release = _post("Give a held submission back (a leaving page's beacon)", "deskRelease",
                    {"204": response("Released.", headers=["Cache-Control"]), "303": SIGN_IN},
                    _form(), Conflict)  # fmt: skip
    change = _post("Manage accounts (admins)", "deskChangeAccounts",
                   {"200": response("A new API token, shown once.", PAGE, ["Cache-Control"]),
                    "303": see_other},
                   _form("action", "moderator_id", "name", "role", "password"),
                   Conflict, ValidationFailed)  # fmt: skip
    paths = {
        **_localized("/moderate", _get("The queue at a glance, search, your decisions",
                                       "deskQueue", query=search), settings),
        **_localized("/moderate/sign-in", sign_in_page, settings),
        **_localized("/moderate/items/{submission_id}", _get(
            "One submission in full, with its lease and decisions", "deskItem", Forbidden,
            NotFound), settings, item),
        **_localized("/moderate/accounts", _get("Accounts (admins)", "deskAccounts",
                                                Forbidden), settings),
        "/{locale}/moderate/sign-out": {"post": _with_locale(sign_out, settings)},
        "/{locale}/moderate/next": {"post": _with_locale(claim, settings)},
        "/{locale}/moderate/items/{submission_id}/release": {
            "post": _with_locale(release, settings, item)},
    }  # fmt: skip
    paths["/{locale}/moderate/sign-in"]["post"] = _with_locale(sign_in, settings)
    paths["/{locale}/moderate/accounts"]["post"] = _with_locale(change, settings)
    return paths
