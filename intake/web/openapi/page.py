"""The document as a plain page (``GET /api/docs``): rendered here, no JavaScript, no CDN."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

Json = dict[str, Any]
METHODS = ("get", "head", "post", "put", "patch", "delete", "options")
_TOKENS = {"submitterToken": "submitter token", "moderatorToken": "moderator token"}


@dataclass(frozen=True)
class Row:
    name: str
    kind: str
    required: bool = False
    description: str = ""


@dataclass(frozen=True)
class Body:
    media_type: str
    summary: str
    rows: list[Row]


@dataclass(frozen=True)
class Answer:
    status: str
    description: str
    media_types: list[str]
    headers: list[str]
    bodies: list[str]
    problem_types: list[str]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    operation_id: str
    tag: str
    token: str
    """The token it needs (``submitter token``, ``moderator token``), or ``""``."""
    parameters: list[Row]
    bodies: list[Body]
    answers: list[Answer]


@dataclass
class DocsPage:
    title: str
    version: str
    description: Sequence[str]
    operations: list[Operation] = field(default_factory=list)
    schemas: dict[str, list[Row]] = field(default_factory=dict)
    problem_types: list[Json] = field(default_factory=list)


def inline(text: str) -> Markup:
    """The little Markdown the descriptions use (`code`, **strong**), as safe HTML."""
    html = Markup()
    for i, part in enumerate(text.split("`")):
        html += Markup("<code>{}</code>").format(part) if i % 2 else _strong(part)
    return html


def _strong(text: str) -> Markup:
    html = Markup()
    for i, part in enumerate(text.split("**")):
        html += Markup("<strong>{}</strong>").format(part) if i % 2 else escape(part)
    return html


class _Resolver:
    def __init__(self, document: Json) -> None:
        self.document = document

    def resolve(self, item: Json) -> Json:
        while "$ref" in item:
            node: Any = self.document
            for part in item["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            item = node
        return item

    def kind(self, schema: Json) -> str:
        """A schema in a few words: ``string (uuid)``, ``array of StoredFile``..."""
        if "$ref" in schema:
            return str(schema["$ref"]).rsplit("/", 1)[-1]
        for key, joiner in (("oneOf", " or "), ("anyOf", " or ")):
            if key in schema:
                return joiner.join(self.kind(s) for s in schema[key])
        if "allOf" in schema:
            return self.kind(schema["allOf"][0])
        kind = schema.get("type", "any")
        words = " or ".join(kind) if isinstance(kind, list) else str(kind)
        if kind == "array":
            words = "array of " + self.kind(schema.get("items", {}))
        if "format" in schema:
            words += f" ({schema['format']})"
        if "const" in schema:
            words += f" = {json.dumps(schema['const'])}"
        if "enum" in schema:
            words += ": one of " + ", ".join(str(v) for v in schema["enum"])
        for key, text in (
            ("minLength", "≥ {} chars"),
            ("maxLength", "≤ {} chars"),
            ("minimum", "≥ {}"),
            ("maximum", "≤ {}"),
            ("minItems", "≥ {} items"),
            ("maxItems", "≤ {} items"),
            ("pattern", "matching {}"),
        ):
            if key in schema:
                words += ", " + text.format(schema[key])
        return words

    def rows(self, schema: Json) -> list[Row]:
        schema = self.resolve(schema)
        required = set(schema.get("required", ()))
        return [
            Row(
                name,
                self.kind(prop),
                name in required,
                inline(self.resolve(prop).get("description", "")),
            )
            for name, prop in schema.get("properties", {}).items()
        ]


def docs_page(document: Json) -> DocsPage:
    """The document arranged for the template: operations, schemas, problem types."""
    r = _Resolver(document)
    info = document["info"]
    paragraphs = [inline(p) for p in info["description"].split("\n\n")]
    page = DocsPage(info["title"], info["version"], paragraphs)
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                page.operations.append(_operation(r, method, path, item[method]))
    page.schemas = {name: r.rows(s) for name, s in document["components"]["schemas"].items()}
    page.problem_types = [{**p, "when": inline(p["when"])} for p in document["x-problem-types"]]
    return page


def _operation(r: _Resolver, method: str, path: str, op: Json) -> Operation:
    parameters = [r.resolve(p) for p in op.get("parameters", ())]
    content = op.get("requestBody", {}).get("content", {})
    return Operation(
        method=method.upper(),
        path=path,
        summary=op["summary"],
        description=inline(op.get("description", "")),
        operation_id=op["operationId"],
        tag=op["tags"][0],
        token=" or ".join(
            _TOKENS[name] for s in op.get("security", ()) for name in s if name in _TOKENS
        ),
        parameters=[
            Row(
                f"{p['name']}",
                f"{p['in']}: {r.kind(p['schema'])}",
                p.get("required", False),
                inline(p.get("description", "")),
            )
            for p in parameters
        ],
        bodies=[
            Body(media, r.kind(c["schema"]), r.rows(c["schema"])) for media, c in content.items()
        ],
        answers=[
            Answer(
                status=status,
                description=inline(answer["description"]),
                media_types=list(answer.get("content", {})),
                headers=[name for name in answer.get("headers", {}) if name != "X-Request-Id"],
                bodies=sorted({r.kind(c["schema"]) for c in answer.get("content", {}).values()}),
                problem_types=answer.get("x-problem-types", []),
            )
            for status, answer in op["responses"].items()
        ],
    )
