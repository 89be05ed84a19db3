"""The OpenAPI document tells the truth: it names every route of the app and no other,
it is valid OpenAPI 3.1, the answers the app gives match it (here for every operation's
main answers, and for the whole suite through ``tests/openapi_recorder.py``), and a
bounded schemathesis run against the served document finds no 5xx and no answer it
does not describe."""

from __future__ import annotations

import asyncio
import io
import re
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from aiohttp import FormData, web
from hypothesis import HealthCheck, Phase
from openapi_spec_validator import OpenAPIV31SpecValidator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.errors import ConfigurationError, IntakeError
from intake.moderation.records import Role
from intake.submissions.records import FlagKind
from intake.web.keys import REPOSITORY
from intake.web.keys import UPLOADS as UPLOAD_SERVICE
from intake.web.openapi import routes as openapi_routes
from intake.web.openapi.problems import PROBLEM_TYPES
from intake.web.uploads.tus_headers import OFFSET_OCTET_STREAM
from tests.media import jpeg_with_exif
from tests.moderation_helpers import auth, moderator_token, queue
from tests.openapi_recorder import (
    RECORDER,
    known,
    report,
)
from tests.rawhttp import request_head, stream_until_answered
from tests.tus_helpers import (
    NO_SUCH_ID,
    TUS,
    UPLOADS,
    bearer,
    create,
    create_url,
    head,
    new_draft,
    patch,
    submit,
)

MiB = 1024 * 1024
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" * 50
METHODS = ("get", "head", "post", "put", "patch", "delete", "options")
Answer = tuple[str, str | None, int]


async def document_of(client: Any) -> dict[str, Any]:
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    assert response.content_type == "application/json"
    document: dict[str, Any] = await response.json()
    return document


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in METHODS
        if method in item
    }


def app_routes(app: web.Application) -> set[tuple[str, str]]:
    """(method, path template) of every route, without the HEAD aiohttp adds to each GET."""
    found = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
    }
    return {(m, p) for m, p in found if not (m == "HEAD" and ("GET", p) in found)}


# --- the document ------------------------------------------------------------------------


async def test_every_route_is_an_operation_and_every_operation_a_route(client: Any) -> None:
    document = await document_of(client)
    routes = app_routes(client.server.app)
    documented = operations(document)
    assert routes - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "operations the app does not have"
    assert ("HEAD", "/api/v1/uploads/{upload_id}") in documented
    assert len({op["operationId"] for path in document["paths"].values()
                for op in path.values()}) == len(documented)  # fmt: skip


async def test_the_served_document_is_valid_openapi_3_1(client: Any) -> None:
    document = await document_of(client)
    assert document["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(document).validate()


async def test_the_limits_are_those_of_this_deployment(make_client: Any) -> None:
    client = await make_client(
        limits_field_max_chars="100",
        limits_story_max_chars="5000",
        limits_max_files="3",
        limits_photo_max_bytes="5 MiB",
        limits_video_max_bytes="7 MiB",
        submissions_locales="fa-AF,en",
    )
    document = await document_of(client)
    schemas = document["components"]["schemas"]
    for body in ("SubmissionForm", "DraftFields"):
        fields = schemas[body]["properties"]
        assert fields["name"]["maxLength"] == 100
        assert fields["story"]["maxLength"] == 5000
        assert fields["locale"]["enum"] == ["fa-AF", "en"]
    assert schemas["SubmissionForm"]["properties"]["files"]["maxItems"] == 3
    tus_max = client.server.app[UPLOAD_SERVICE].max_size
    assert tus_max == 7 * MiB
    parameters = document["components"]["parameters"]
    assert parameters["UploadLength"]["schema"]["maximum"] == tus_max
    config = await (await client.get("/api/v1/config")).json()
    assert config["uploads"]["max_size"] == tus_max


async def test_the_queue_filters_by_flag_and_credentials(client: Any) -> None:
    document = await document_of(client)
    parameters = document["components"]["parameters"]
    assert parameters["Flag"]["schema"]["enum"] == [k.value for k in FlagKind]
    assert parameters["Credentials"]["schema"]["enum"] == [
        "valid", "broken", "unknown_signer", "none"
    ]  # fmt: skip
    paths = document["paths"]
    for path, method in (("/api/v1/moderation/submissions", "get"),
                         ("/api/v1/moderation/claim", "post")):  # fmt: skip
        refs = {p["$ref"].rsplit("/", 1)[-1] for p in paths[path][method]["parameters"]}
        assert {"Flag", "Credentials"} <= refs
    flag = document["components"]["schemas"]["FileFlag"]["properties"]
    assert {"kind", "evidence", "text"} <= set(flag)
    assert "credentials" in document["components"]["schemas"]["ModerationFile"]["properties"]


def _error_classes(cls: type[IntakeError] = IntakeError) -> Iterator[type[IntakeError]]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _error_classes(sub)


async def test_every_problem_type_is_listed_and_used(client: Any) -> None:
    document = await document_of(client)
    listed = {(p["type"], p["status"]) for p in document["x-problem-types"]}
    raised = {
        (f"/problems/{cls.slug}", cls.status)
        for cls in _error_classes()
        if not issubclass(cls, ConfigurationError) and cls.__module__.startswith("intake.")
    }
    assert raised <= listed, "problem types of intake.core.errors missing from x-problem-types"
    assert listed - raised == {("/problems/not-ready", 503)}
    assert len(PROBLEM_TYPES) == len(listed)
    used = {
        uri
        for item in document["paths"].values()
        for op in item.values()
        for answer in op["responses"].values()
        for uri in answer.get("x-problem-types", ())
    }
    assert used == {uri for uri, _ in listed}, "problem types no operation answers with"
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} == set(problem["required"])
    for member in ("errors", "limit_bytes", "max_files", "sniffed_type", "accepted_types",
                   "allowed_methods", "retry_after_seconds", "offset", "incomplete_uploads",
                   "state", "request_id", "instance"):  # fmt: skip
        assert member in problem["properties"]


async def test_times_are_rfc3339_and_members_snake_case(client: Any) -> None:
    document = await document_of(client)
    snake = re.compile(r"^[a-z][a-z0-9_]*$")

    def walk(schema: Any, where: str) -> Iterator[str]:
        if isinstance(schema, dict):
            for name, member in schema.get("properties", {}).items():
                if not snake.match(name):
                    yield f"{where}.{name} is not snake_case"
                if name.endswith("_at") and member.get("format") != "date-time":
                    yield f"{where}.{name} is not format: date-time"
            for key, value in schema.items():
                yield from walk(value, f"{where}/{key}")
        elif isinstance(schema, list):
            for i, value in enumerate(schema):
                yield from walk(value, f"{where}/{i}")

    assert list(walk(document["components"]["schemas"], "schemas")) == []


async def test_the_docs_page_shows_every_operation_without_scripts(client: Any) -> None:
    document = await document_of(client)
    response = await client.get("/api/docs")
    assert response.status == 200
    assert response.content_type == "text/html"
    page = await response.text()
    for method, path in operations(document):
        assert re.search(
            rf'<span class="method">{method}</span> <span class="path">{re.escape(path)}</span>',
            page,
        ), f"{method} {path} is not on the page"
    for problem in document["x-problem-types"]:
        assert f"<code>{problem['type']}</code>" in page
    assert "consent_terms" in page and "Idempotency-Key" in page and "Upload-Offset" in page
    assert "Bearer &lt;submitter token&gt;" in page and "Bearer &lt;moderator token&gt;" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page


async def test_the_document_and_its_page_are_built_once_per_app(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Any] = []
    build = openapi_routes.openapi_document

    def counted(*args: Any) -> dict[str, Any]:
        built.append(args)
        return build(*args)

    monkeypatch.setattr(openapi_routes, "openapi_document", counted)
    first = await (await client.get("/api/v1/openapi.json")).read()
    page = await (await client.get("/api/docs")).text()
    assert await (await client.get("/api/v1/openapi.json")).read() == first
    assert await (await client.get("/api/docs")).text() == page
    assert len(built) == 1
    kept = client.server.app[openapi_routes.API_DOCS]
    assert (kept.document, kept.page) == (first, page)


# --- the answers of every operation --------------------------------------------------------


def answers_since(start: int) -> set[Answer]:
    return {(r.method, r.route, r.status) for r in RECORDER.since(start)}


def assert_documented(start: int, expected: set[Answer]) -> None:
    """Every answer since ``start`` matches the document, and ``expected`` were all given."""
    found = [(r, p) for r, p in RECORDER.mismatches(RECORDER.since(start)) if not known(r, p)]
    assert not found, "answers the document does not describe:\n" + "\n".join(report(found))
    assert expected - answers_since(start) == set(), "answers this test meant to produce"


async def test_service_and_pages_answer_as_documented(client: Any) -> None:
    start = len(RECORDER.records)
    for path in ("/api/v1/openapi.json", "/api/docs", "/", "/healthz", "/readyz",
                 "/api/v1/config", "/fa-AF/", "/privacy", "/ps/privacy", "/status",
                 "/en/status", "/static/intake.css"):  # fmt: skip
        assert (await client.get(path)).status == 200
    etag = (await client.get("/static/form.js")).headers["ETag"]
    assert (await client.get("/static/form.js", headers={"If-None-Match": etag})).status == 304
    assert (await client.get("/static/nothing.css")).status == 404
    form = FormData()
    form.add_field("consent_terms", "true")
    form.add_field("files", JPEG_HEAD, filename="a.jpg")
    sent = await client.post("/submit", data=form, allow_redirects=False)
    assert sent.status == 200
    reference = re.search(r"[0-9A-Z]{5}-[0-9A-Z]{5}", await sent.text())
    assert reference
    assert (await client.get(f"/receipt/{reference[0]}")).status == 200
    assert (await client.get(f"/ps/receipt/{reference[0]}")).status == 200
    assert (await client.get("/receipt/ZZZZZ-ZZZZZ")).status == 200
    assert (await client.get("/receipt/nothing")).status == 404
    assert (await client.get("/receipt/nothing", headers={"Accept": "text/html"})).status == 404
    assert (await client.get("/xx/status", headers={"Accept": "text/html"})).status == 404
    lookup = {"reference": reference[0], "key": "wrong"}
    assert (await client.post("/en/status", data=lookup)).status == 404
    cross = {"Sec-Fetch-Site": "cross-site"}
    assert (await client.post("/en/status", data=lookup, headers=cross)).status == 403
    refused = FormData()
    refused.add_field("files", JPEG_HEAD, filename="a.jpg")
    html = await client.post("/submit", data=refused, headers={"Accept": "text/html"})
    assert html.status == 422 and html.content_type == "text/html"
    assert (
        await client.post("/submit", data=b"x", headers={"Content-Type": "text/plain"})
    ).status == 415
    assert_documented(start, {
        ("GET", "/api/v1/openapi.json", 200), ("GET", "/api/docs", 200), ("GET", "/", 200),
        ("GET", "/healthz", 200), ("GET", "/readyz", 200), ("GET", "/api/v1/config", 200),
        ("GET", "/{locale}/", 200), ("GET", "/privacy", 200), ("GET", "/{locale}/privacy", 200),
        ("GET", "/status", 200), ("GET", "/{locale}/status", 200), ("GET", "/{locale}/status", 404),
        ("POST", "/{locale}/status", 404), ("POST", "/{locale}/status", 403),
        ("GET", "/static/{path}", 200), ("GET", "/static/{path}", 304),
        ("GET", "/static/{path}", 404),
        ("POST", "/submit", 200), ("POST", "/submit", 422), ("POST", "/submit", 415),
        ("GET", "/receipt/{reference}", 200), ("GET", "/receipt/{reference}", 404),
        ("GET", "/{locale}/receipt/{reference}", 200),
    })  # fmt: skip


def _form(*files: tuple[str, bytes], **fields: str) -> FormData:
    data = FormData(default_to_multipart=True)
    for name, value in fields.items():
        data.add_field(name, value)
    for filename, content in files:
        data.add_field("files", io.BytesIO(content), filename=filename)
    return data


async def test_submissions_answer_as_documented(client: Any) -> None:
    start = len(RECORDER.records)
    post = "/api/v1/submissions"
    photo = ("me.jpg", jpeg_with_exif())
    key = {"Idempotency-Key": "8c1d4c52-2f7e-4a51-9f62-5b2f0f3e9a11"}
    first = await client.post(post, data=_form(photo, consent_terms="true", name="Z"), headers=key)
    assert first.status == 201
    again = await client.post(post, data=_form(photo, consent_terms="true", name="Z"), headers=key)
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    other = await client.post(post, data=_form(photo, consent_terms="true"), headers=key)
    assert other.status == 422
    bad_key = await client.post(post, json={"consent_terms": True},
                                headers={"Idempotency-Key": "two words"})  # fmt: skip
    assert bad_key.status == 400
    assert (
        await client.post(post, data=b"x", headers={"Content-Type": "text/plain"})
    ).status == 415
    assert (await client.post(post, data=_form(photo, name="no consent"))).status == 422
    assert (await client.post(post, data=_form(("scan.pdf", PDF), consent_terms="1"))).status == 415
    assert (await client.post(post, data=_form(("e.jpg", b""), consent_terms="1"))).status == 422
    broken = await client.post(post, data=b"{", headers={"Content-Type": "application/json"})
    assert broken.status == 400
    assert (await client.post(post, json={"consent_terms": 3})).status == 422
    sent = await first.json()
    mine = f"{post}/{sent['id']}"
    token = bearer(sent["submitter_token"])
    assert (await client.get(mine, headers=token)).status == 200
    assert (await client.get(mine, headers=bearer("someone-else"))).status == 404
    assert (await client.delete(mine, headers=bearer("someone-else"))).status == 404
    assert (await client.delete(mine, headers=token)).status == 204
    assert (await client.get(mine, headers=token)).status == 200
    assert_documented(start, {
        ("POST", post, 201), ("POST", post, 422), ("POST", post, 400), ("POST", post, 415),
        ("GET", f"{post}/{{submission_id}}", 200), ("GET", f"{post}/{{submission_id}}", 404),
        ("DELETE", f"{post}/{{submission_id}}", 204),
        ("DELETE", f"{post}/{{submission_id}}", 404),
    })  # fmt: skip


async def test_drafts_and_tus_answer_as_documented(client: Any) -> None:
    start = len(RECORDER.records)
    one = "/api/v1/uploads/{upload_id}"
    submit_route = "/api/v1/submissions/{submission_id}/submit"
    photo = jpeg_with_exif()
    draft = await new_draft(client, name="Zarmina")
    token = draft["submitter_token"]
    assert (await client.options(UPLOADS)).status == 204
    assert (await client.options(f"{UPLOADS}/{NO_SUCH_ID}")).status == 204
    assert (await client.post(UPLOADS, headers=bearer(token))).status == 412
    assert (await create(client, None, 100)).status == 401
    assert (await create(client, token, 100 * 1024 * MiB)).status == 413
    assert (await create(client, token, 0)).status == 422
    assert (await create(client, token, 100, headers={"Upload-Metadata": "a b c"})).status == 400
    assert (await create(client, token, len(PDF), data=PDF)).status == 415
    bad_sum = {"Upload-Checksum": "sha1 " + "A" * 27 + "="}
    assert (await create(client, token, 100, data=JPEG_HEAD, headers=bad_sum)).status == 460
    assert (await submit(client, draft)).status == 422
    url = await create_url(client, token, len(photo))
    assert (await head(client, url, token)).status == 200
    assert (await head(client, f"{UPLOADS}/{NO_SUCH_ID}", token)).status == 404
    assert (await patch(client, url, token, 5, photo)).status == 409
    assert (await patch(client, url, token, 0, photo, {"Content-Type": "text/plain"})).status == 415
    assert (await patch(client, url, token, 0, photo[:100], bad_sum)).status == 460
    assert (await submit(client, draft)).status == 409
    overridden = {**TUS, **bearer(token), "X-HTTP-Method-Override": "PATCH",
                  "Content-Type": OFFSET_OCTET_STREAM, "Upload-Offset": "0"}  # fmt: skip
    assert (await client.post(url, data=photo, headers=overridden)).status == 204
    as_head = {**TUS, **bearer(token), "X-HTTP-Method-Override": "HEAD"}
    assert (await client.post(url, headers=as_head)).status == 200
    assert (await client.post(url, headers={**TUS, **bearer(token)})).status == 405
    ended = await create_url(client, token, 1000)
    as_delete = {**TUS, **bearer(token), "X-HTTP-Method-Override": "DELETE"}
    assert (await client.post(ended, headers=as_delete)).status == 204
    assert (await head(client, ended, token)).status == 410
    removed = await create_url(client, token, 1000)
    assert (await client.delete(removed, headers={**TUS, **bearer(token)})).status == 204
    assert (await client.delete(removed, headers={**TUS, **bearer(token)})).status == 410
    assert (
        await client.get(f"/api/v1/submissions/{draft['id']}", headers=bearer(token))
    ).status == 200
    assert (await submit(client, draft)).status == 202
    assert (await submit(client, draft)).status == 409
    assert (await submit(client, draft, "someone-else")).status == 404
    assert (await create(client, token, 100)).status == 403
    assert_documented(start, {
        ("POST", "/api/v1/submissions", 201), ("OPTIONS", UPLOADS, 204),
        ("OPTIONS", one, 204), ("POST", UPLOADS, 201), ("POST", UPLOADS, 400),
        ("POST", UPLOADS, 401), ("POST", UPLOADS, 403), ("POST", UPLOADS, 412),
        ("POST", UPLOADS, 413), ("POST", UPLOADS, 415), ("POST", UPLOADS, 422),
        ("POST", UPLOADS, 460), ("HEAD", one, 200), ("HEAD", one, 404), ("HEAD", one, 410),
        ("PATCH", one, 409), ("PATCH", one, 415), ("PATCH", one, 460), ("POST", one, 204),
        ("POST", one, 200), ("POST", one, 405), ("DELETE", one, 204), ("DELETE", one, 410),
        ("POST", submit_route, 202), ("POST", submit_route, 404), ("POST", submit_route, 409),
        ("POST", submit_route, 422), ("GET", "/api/v1/submissions/{submission_id}", 200),
    })  # fmt: skip


async def test_limits_and_faults_answer_as_documented(make_client: Any) -> None:
    start = len(RECORDER.records)
    client = await make_client(rate_submissions="1")
    assert (await client.post("/api/v1/submissions", json={"consent_terms": True})).status == 201
    limited = await client.post("/api/v1/submissions", json={"consent_terms": True})
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    dead = S3ObjectStore(S3Connection(endpoint=f"http://127.0.0.1:{dead_port}",
                                      region="us-east-1", bucket="nowhere",
                                      access_key_id="x", secret_access_key="y"))  # fmt: skip
    try:
        unready = await make_client(object_store=dead)
        assert (await unready.get("/readyz")).status == 503
    finally:
        dead.close()
    assert_documented(start, {
        ("POST", "/api/v1/submissions", 429), ("GET", "/readyz", 503),
    })  # fmt: skip


# --- the handlers keep the contract at its edges -------------------------------------------


async def test_a_json_draft_over_1_mib_is_payload_too_large(client: Any) -> None:
    big = b'{"consent_terms": true, "story": "' + b"x" * (1100 * 1024) + b'"}'
    response = await client.post(
        "/api/v1/submissions",
        data=io.BytesIO(big),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 413
    body = await response.json()
    assert body["type"] == "/problems/payload-too-large", body


async def test_the_early_413_to_expect_continue_carries_a_request_id(make_client: Any) -> None:
    origin = "https://news.example.org"
    client = await make_client(limits_max_total_bytes="10 MiB", server_cors_origins=origin)
    head = request_head("/api/v1/submissions", 200 * MiB, "Expect: 100-continue",
                        "X-Request-Id: app-7f3a", f"Origin: {origin}")  # fmt: skip
    result = await stream_until_answered("127.0.0.1", client.port, head, [])
    assert result.response is not None and result.response.status == 413
    headers = result.response.headers
    assert headers.get("x-request-id") == "app-7f3a", headers
    assert result.response.json().get("request_id") == "app-7f3a"
    assert headers.get("access-control-allow-origin") == origin, headers


async def test_instance_is_a_uri_reference_even_for_non_ascii_paths(client: Any) -> None:
    response = await client.get("/api/v1/n%C3%B6thing%20here")
    assert response.status == 404
    instance = (await response.json())["instance"]
    assert instance == quote(instance, safe="/%:@!$&'()*+,;=-._~"), instance


# --- schemathesis ----------------------------------------------------------------------------

schemathesis.serializer.alias(OFFSET_OCTET_STREAM, "application/octet-stream")
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
ANONYMOUS_EXAMPLES = 40
OWNER_EXAMPLES = 25


def _explore(operation: Any, base_url: str, examples: int, headers: dict[str, str],
             path_parameters: dict[str, str]) -> list[str]:  # fmt: skip
    """Up to ``examples`` generated requests to one operation, each answer checked;
    the failures, as text."""
    strategy = operation.as_strategy(path_parameters=path_parameters or None)

    @hypothesis.given(strategy)
    @hypothesis.settings(max_examples=examples, deadline=None, database=None,
                         derandomize=True, phases=[Phase.explicit, Phase.generate],
                         suppress_health_check=list(HealthCheck))  # fmt: skip
    def explore(case: Any) -> None:
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS, timeout=30)

    try:
        explore()
    except Exception as exc:
        return [f"{operation.label}:\n{exc}"]
    return []


def _run_schemathesis(document: dict[str, Any], base_url: str,
                      owned: dict[str, tuple[str, dict[str, str]]]) -> list[str]:  # fmt: skip
    """Every operation with generated data; then each secured one again as the owner of
    a fresh draft (``owned``: label -> token, path parameters). Not ``/readyz``: it takes
    nothing to generate, and its 503 says only that a dependency was slow to answer (on a
    loaded machine it can be); it has tests of its own."""
    schema = schemathesis.openapi.from_dict(document)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/readyz":
            continue
        failures += _explore(operation, base_url, ANONYMOUS_EXAMPLES, {}, {})
        if operation.label in owned:
            token, path_parameters = owned[operation.label]
            headers = {"Authorization": f"Bearer {token}"}
            failures += _explore(operation, base_url, OWNER_EXAMPLES, headers, path_parameters)
    return failures


async def test_schemathesis_finds_no_server_error_and_no_undescribed_answer(
    make_client: Any,
) -> None:
    client = await make_client(rate_submissions="0", rate_uploads="0")
    document = await document_of(client)
    owned: dict[str, tuple[str, dict[str, str]]] = {}
    app = client.server.app
    admin = await moderator_token(app, "schemathesis", Role.ADMIN)
    await queue(app[REPOSITORY], 3)
    for path, item in document["paths"].items():
        for method, op in item.items():
            if not op.get("security"):
                continue
            if op["security"] == [{"moderatorToken": []}]:
                [waiting] = await queue(app[REPOSITORY], 1)
                target = await moderator_token(app, f"target-{len(owned)}")
                me = await (await client.get("/api/v1/moderation/me", headers=auth(target))).json()
                parameters = {"submission_id": waiting.id, "moderator_id": me["id"]}
                needed = {p for p in parameters if "{" + p + "}" in path}
                owned[f"{method.upper()} {path}"] = (admin, {p: parameters[p] for p in needed})
                continue
            draft = await new_draft(client)
            url = await create_url(client, draft["submitter_token"], 2000)
            parameters = {"submission_id": draft["id"], "upload_id": url.rsplit("/", 1)[1]}
            needed = {p for p in parameters if "{" + p + "}" in path}
            owned[f"{method.upper()} {path}"] = (
                draft["submitter_token"], {p: parameters[p] for p in needed},
            )  # fmt: skip
    start = len(RECORDER.records)
    began = time.monotonic()
    base_url = str(client.make_url("")).rstrip("/")
    failures = await asyncio.to_thread(_run_schemathesis, document, base_url, owned)
    elapsed = time.monotonic() - began
    assert not failures, f"schemathesis ({elapsed:.1f} s):\n" + "\n\n".join(failures)
    assert len(RECORDER.records) - start > 200, "schemathesis sent fewer requests than meant"
