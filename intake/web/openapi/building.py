"""Small builders for the hand-written part of the document: operations and responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from intake.web.openapi.headers import HEADERS

Json = dict[str, Any]
JSON = "application/json"
HTML = "text/html"
MULTIPART = "multipart/form-data"
SUBMITTER: list[dict[str, list[str]]] = [{"submitterToken": []}]
MODERATOR: list[dict[str, list[str]]] = [{"moderatorToken": []}]
Schema = type[BaseModel] | str | Json
"""A model (its component), a component's name, or a schema."""


def ref(name: str, section: str = "schemas") -> Json:
    return {"$ref": f"#/components/{section}/{name}"}


def schema_of(schema: Schema) -> Json:
    if isinstance(schema, str):
        return ref(schema)
    if isinstance(schema, type):
        return ref(schema.__name__)
    return schema


def params(*names: str) -> list[Json]:
    """Parameters by component name; every operation takes X-Request-Id."""
    return [ref(name, "parameters") for name in ("RequestId", *names)]


def json_body(schema: Schema) -> Json:
    return {"required": True, "content": {JSON: {"schema": schema_of(schema)}}}


def response(
    description: str, content: Mapping[str, Json] | None = None, headers: Sequence[str] = ()
) -> Json:
    """A response; every answer carries X-Request-Id. A header named ``Name?`` is one
    that is otherwise required but may be absent from this answer."""
    answer: Json = {"description": description, "headers": {}}
    for name in ("X-Request-Id", *headers):
        optional = name.endswith("?")
        name = name.removesuffix("?")
        header = {**HEADERS[name], "required": False} if optional else ref(name, "headers")
        answer["headers"][name] = header
    if content:
        answer["content"] = {media: {"schema": schema} for media, schema in content.items()}
    return answer


def json_response(description: str, schema: Schema, headers: Sequence[str] = ()) -> Json:
    return response(description, {JSON: schema_of(schema)}, headers)


def html_response(description: str) -> Json:
    return response(description, {HTML: {"type": "string"}})


def operation(
    summary: str,
    operation_id: str,
    tag: str,
    responses: Json,
    *,
    description: str = "",
    parameters: Sequence[Json] = (),
    body: Json | None = None,
    security: list[dict[str, list[str]]] | None = None,
) -> Json:
    op: Json = {
        "tags": [tag],
        "summary": summary,
        "operationId": operation_id,
        "parameters": list(parameters) or params(),
        "responses": responses,
    }
    if description:
        op["description"] = description
    if body is not None:
        op["requestBody"] = body
    if security:
        op["security"] = security
    return op
