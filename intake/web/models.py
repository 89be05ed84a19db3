"""JSON bodies as pydantic models: one declaration gives the validation of a request body
(every bad member reported at once, as ``validation-failed`` errors), the serialization
of an answer, and the schema the OpenAPI document shows.

Member descriptions are the attribute docstrings. Answers have no defaults: every member
is always sent (``null`` when empty) unless declared :data:`omitted_when_none`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from intake.core.errors import BadRequest, ValidationFailed

JSON = "application/json"
_TYPE_NAMES = {"string_type": "str", "bool_type": "bool", "int_type": "int", "float_type": "float"}


class Answer(BaseModel):
    """A response body: closed, each member documented."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Body(BaseModel):
    """A request body: JSON types checked strictly (no "1" for 1 or 1 for true); members
    not declared are ignored, though the schema asks for none."""

    model_config = ConfigDict(
        strict=True,
        frozen=True,
        use_attribute_docstrings=True,
        json_schema_extra={"additionalProperties": False},
    )


B = TypeVar("B", bound=BaseModel)
Uuid = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
UriReference = Annotated[str, Field(json_schema_extra={"format": "uri-reference"})]
Sha256Hex = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]
AtLeastOne = Annotated[int, Field(ge=1)]


def documented(default: Any = ..., **keywords: Any) -> Any:
    """A field whose schema shows ``keywords`` (a limit, a pattern) that a domain rule
    checks, with its own codes, once the types are right."""
    return Field(default, json_schema_extra=keywords)


def omitted_when_none() -> Any:
    """An answer member left out of the JSON while ``None``."""
    return Field(default=None, exclude_if=lambda value: value is None)


def json_answer(
    answer: Answer, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        text=answer.model_dump_json(), status=status, content_type=JSON, headers=headers
    )


def parse_body(model: type[B], raw: bytes) -> B:
    """``raw`` as ``model``: 400 when it is not one JSON object, 422 listing every member
    of the wrong type."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(not error["loc"] for error in errors):
            invalid = any(error["type"] == "json_invalid" for error in errors)
            raise BadRequest(
                "The body is not valid JSON." if invalid else "Send one JSON object."
            ) from None
        raise ValidationFailed([field_error(error) for error in errors]) from None


async def read_body(request: web.Request, model: type[B]) -> B:
    """The request body as ``model`` (see :func:`parse_body`); 413 over ``client_max_size``."""
    return parse_body(model, await request.read())


def field_error(error: ErrorDetails) -> dict[str, str]:
    """One pydantic error as ``{"field", "code", "detail"}``. Custom errors raised by a
    validator keep their type as the code and their message as the detail."""
    field = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "missing" or (error.get("input", ...) is None):
        return {"field": field, "code": "required", "detail": "Required."}
    if kind in _TYPE_NAMES:
        return {"field": field, "code": "wrong_type", "detail": f"Use a {_TYPE_NAMES[kind]}."}
    if kind == "enum":
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return {"field": field, "code": "unknown", "detail": f"Use {expected}."}
    return {"field": field, "code": kind, "detail": error["msg"]}
