"""Every answer the apps of the test run give, checked against their own OpenAPI document.

``make_client`` installs :data:`RECORDER` on each app it starts (an ``on_response_prepare``
signal, so it also sees answers that bypass the middlewares). At the end of the session
each recorded answer is checked: its route and method are an operation of the document,
its status is documented there, its required headers are present and well formed, its
content type is one the document names, and its JSON body validates (JSON Schema 2020-12,
formats checked) against the schema given for that operation, status and content type.
Any mismatch fails the run, listed in a summary section; deviations already known (each
with a strict xfail test in ``tests/http/test_openapi.py``) are listed but let it pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from intake.web.keys import SETTINGS, UPLOADS
from intake.web.openapi.document import openapi_document

Json = dict[str, Any]
DOCUMENT_URI = "urn:intake:openapi"
JSON_TYPES = ("application/json", "application/problem+json")


@dataclass(frozen=True)
class Recorded:
    """One answer, as the client got it."""

    test: str
    method: str
    path: str
    route: str | None
    """The route's path template (``/api/v1/submissions/{submission_id}``); ``None`` when no
    route matched (404, 405 and CORS preflights answered by the router or middlewares)."""
    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes | None
    document_key: tuple[Any, int]

    def describe(self) -> str:
        return f"{self.method} {self.path} ({self.route or 'no route'}) -> {self.status}"


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class Conformance:
    """Checks answers against one OpenAPI document."""

    def __init__(self, document: Json) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(DOCUMENT_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}

    def resolve(self, item: Json) -> Json:
        while "$ref" in item:
            node: Any = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            item = node
        return item

    def _validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                {"$ref": f"{DOCUMENT_URI}#/{pointer}"},
                registry=self._registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
        return self._validators[pointer]

    def errors(self, instance: Any, *pointer_parts: str) -> list[str]:
        validator = self._validator(_pointer(*pointer_parts))
        return [
            f"{'/'.join(str(p) for p in e.absolute_path) or '(body)'}: {e.message}"
            for e in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        ]

    def operation(self, record: Recorded) -> tuple[str, Json] | None:
        assert record.route is not None
        item = self.document["paths"].get(record.route, {})
        method = record.method.lower()
        if method not in item and method == "head":
            method = "get"  # aiohttp answers HEAD for every GET route
        return (method, item[method]) if method in item else None

    def check(self, record: Recorded) -> list[str]:
        """What is wrong with this answer according to the document (nothing: ``[]``)."""
        if record.route is None:
            return self._check_unrouted(record)
        found = self.operation(record)
        if found is None:
            return [f"{record.method} {record.route} is not an operation of the document"]
        method, op = found
        answer = op["responses"].get(str(record.status))
        if answer is None:
            documented = ", ".join(op["responses"])
            return [f"status {record.status} is not documented (only {documented})"]
        problems = self._check_headers(record, answer)
        content = answer.get("content")
        if not content or record.method == "HEAD" or not record.body:
            return problems
        media_type = record.content_type
        if media_type not in content:
            return [*problems, f"content type {media_type} is not one of {', '.join(content)}"]
        if media_type in JSON_TYPES:
            pointer = ("paths", record.route, method, "responses", str(record.status),
                       "content", media_type, "schema")  # fmt: skip
            problems += self._check_json(record, *pointer)
        return problems

    def _check_json(self, record: Recorded, *pointer: str) -> list[str]:
        assert record.body is not None
        try:
            body = json.loads(record.body)
        except ValueError as exc:
            return [f"the body is not JSON: {exc}"]
        return self.errors(body, *pointer)

    def _check_headers(self, record: Recorded, answer: Json) -> list[str]:
        problems = []
        sent = {name.lower(): value for name, value in record.headers.items()}
        for name, declared in answer.get("headers", {}).items():
            header = self.resolve(declared)
            value = sent.get(name.lower())
            if value is None:
                if header.get("required"):
                    problems.append(f"required header {name} is missing")
                continue
            validator = Draft202012Validator(header["schema"])
            problems += [f"header {name}: {e.message}" for e in validator.iter_errors(value)]
        return problems

    def _check_unrouted(self, record: Recorded) -> list[str]:
        """No route: the router's 404/405 (as problems) or a CORS preflight (204)."""
        if record.method == "OPTIONS" and record.status == 204:
            return []
        if record.status not in (404, 405, 412):
            return [f"status {record.status} without a route"]
        if record.content_type == "text/html" and not record.path.startswith("/api/"):
            return []
        if record.content_type != "application/problem+json" or not record.body:
            return [f"content type {record.content_type} instead of application/problem+json"]
        return self._check_json(record, "components", "schemas", "Problem")


@dataclass(frozen=True)
class Deviation:
    """A mismatch already known and reported; its strict xfail test names it."""

    reason: str
    matches: Callable[[Recorded, str], bool]


KNOWN_DEVIATIONS: list[Deviation] = []
"""Each has a strict xfail test in ``tests/http/test_openapi.py``: when the handler is
fixed, that test passes, fails as XPASS, and the deviation goes from this list."""


@dataclass
class ResponseRecorder:
    records: list[Recorded] = field(default_factory=list)
    documents: dict[tuple[Any, int], Json] = field(default_factory=dict)

    def install(self, app: web.Application) -> None:
        app.on_response_prepare.append(self.on_response_prepare)

    async def on_response_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        app = request.app
        key = (app[SETTINGS], app[UPLOADS].max_size)
        if key not in self.documents:
            self.documents[key] = openapi_document(*key)
        route = request.match_info.route
        resource = route.resource
        body = getattr(response, "body", None)
        content_type = response.content_type if "Content-Type" in response.headers else ""
        self.records.append(
            Recorded(
                test=os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0],
                method=request.method,
                path=request.path,
                route=resource.canonical if resource is not None else None,
                status=response.status,
                content_type=content_type,
                headers=dict(response.headers),
                body=body if isinstance(body, bytes) and content_type in JSON_TYPES else None,
                document_key=key,
            )
        )

    def since(self, start: int) -> list[Recorded]:
        return self.records[start:]

    def mismatches(self, records: list[Recorded] | None = None) -> list[tuple[Recorded, str]]:
        """Every (answer, problem) found; a problem is one line of text."""
        checkers = {key: Conformance(doc) for key, doc in self.documents.items()}
        return [
            (record, problem)
            for record in (self.records if records is None else records)
            for problem in checkers[record.document_key].check(record)
        ]


RECORDER = ResponseRecorder()


def known(record: Recorded, problem: str) -> Deviation | None:
    return next((d for d in KNOWN_DEVIATIONS if d.matches(record, problem)), None)


def report(found: list[tuple[Recorded, str]]) -> list[str]:
    """Mismatches grouped by answer, as lines for a failure message."""
    lines: list[str] = []
    by_answer: dict[int, list[str]] = {}
    answers: dict[int, Recorded] = {}
    for record, problem in found:
        by_answer.setdefault(id(record), []).append(problem)
        answers[id(record)] = record
    for ident, problems in by_answer.items():
        record = answers[ident]
        lines.append(f"{record.describe()}  [{record.test}]")
        lines += [f"    {p}" for p in problems]
    return lines


# --- session hooks (imported into tests/conftest.py) ------------------------------------

_FINDINGS = pytest.StashKey[dict[str, Any]]()
_FROM_WORKERS = pytest.StashKey[list[dict[str, Any]]]()
_OUTPUT = "openapi_conformance"


def _findings() -> dict[str, Any]:
    """What this process recorded, in plain data (xdist sends a worker's to the controller)."""
    unknown, known_reasons = [], []
    for record, problem in RECORDER.mismatches():
        deviation = known(record, problem)
        if deviation is None:
            unknown.append((record, problem))
        else:
            known_reasons.append(deviation.reason)
    return {"records": len(RECORDER.records), "unknown": report(unknown), "known": known_reasons}


def _merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "records": sum(p["records"] for p in parts),
        "unknown": [line for p in parts for line in p["unknown"]],
        "known": [reason for p in parts for reason in p["known"]],
    }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: keep what a worker found, checked in its own process."""
    output = getattr(node, "workeroutput", {}).get(_OUTPUT)
    if output is not None:
        node.config.stash.setdefault(_FROM_WORKERS, []).append(output)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    findings = _merged([_findings(), *config.stash.get(_FROM_WORKERS, [])])
    if hasattr(config, "workeroutput"):
        config.workeroutput[_OUTPUT] = findings
        return
    config.stash[_FINDINGS] = findings
    if findings["unknown"] and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    findings = config.stash.get(_FINDINGS, None)
    if not findings or not findings["records"]:
        return
    title = f"OpenAPI conformance of {findings['records']} recorded answers"
    if findings["unknown"]:
        terminalreporter.write_sep("=", title + ": FAILED", red=True)
        terminalreporter.write_line("Answers that the document does not describe:")
        for line in findings["unknown"]:
            terminalreporter.write_line(line)
    else:
        terminalreporter.write_sep("=", title + ": ok", green=True)
    known_ones: list[str] = findings["known"]
    for reason in sorted(set(known_ones)):
        count = known_ones.count(reason)
        terminalreporter.write_line(f"known deviation ({count} answers, xfail): {reason}")
