"""``components.schemas``: the JSON Schemas of the body models (2020-12, as OpenAPI 3.1
takes them), with this deployment's limits, and the multipart form beside them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import (
    GenerateJsonSchema,
    JsonSchemaMode,
    JsonSchemaValue,
    models_json_schema,
)
from pydantic_core import core_schema

from intake.core.settings import Settings
from intake.web import health
from intake.web.moderation import models as moderation
from intake.web.moderation import publishing
from intake.web.openapi.building import Json
from intake.web.openapi.problems import Problem
from intake.web.submissions import config
from intake.web.submissions import models as submissions

REF_TEMPLATE = "#/components/schemas/{model}"


class OpenApiDocument(BaseModel):
    """This document."""

    model_config = ConfigDict(extra="allow")
    openapi: Literal["3.1.0"]
    info: dict[str, Any]
    paths: dict[str, Any]


ANSWERS: tuple[type[BaseModel], ...] = (
    Problem, *submissions.ANSWERS, config.Config, health.Health, health.Ready,
    OpenApiDocument, *moderation.ANSWERS, *publishing.ANSWERS,
)  # fmt: skip
BODIES: tuple[type[BaseModel], ...] = (*submissions.BODIES, *moderation.BODIES)


class OpenApiSchema(GenerateJsonSchema):
    """Schemas as the document shows them: enums inline, no defaults, and
    ``{"type": [T, "null"]}`` for a nullable simple type."""

    def generate_inner(self, schema: Any) -> JsonSchemaValue:
        if schema["type"] == "enum" and "ref" in schema:
            schema = {key: value for key, value in schema.items() if key != "ref"}
        return super().generate_inner(schema)

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        if isinstance(inner.get("type"), str) and "enum" not in inner and "const" not in inner:
            return {**inner, "type": [inner["type"], "null"]}
        return super().nullable_schema(schema)


RFC_3339 = "RFC 3339 in UTC, e.g. 2026-11-28T02:13:03.374743Z."


def _tidy(node: Any) -> Any:
    """Without ``title`` keywords; descriptions on one line; times said to be RFC 3339."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    tidy = {key: _tidy(value) for key, value in node.items()
            if not (key == "title" and isinstance(value, str))}  # fmt: skip
    description = tidy.get("description", "")
    if not isinstance(description, str):  # a property named "description"
        return tidy
    said = " ".join(description.split())
    if tidy.get("format") == "date-time" and "RFC 3339" not in said:
        said = f"{said.removesuffix('.')}: {RFC_3339}" if said else RFC_3339
    if said:
        tidy["description"] = said
    return tidy


def model_schemas() -> Json:
    """Every body model's schema, by model name (answers as serialized, requests as read)."""
    modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        *((model, "serialization") for model in ANSWERS),
        *((model, "validation") for model in BODIES),
    ]
    _, top = models_json_schema(modes, ref_template=REF_TEMPLATE, schema_generator=OpenApiSchema)
    schemas: Json = _tidy(top["$defs"])
    return schemas


def _form(fields: Json, settings: Settings) -> Json:
    """The multipart form: the draft's fields (consents as words) and the file parts."""
    limits = settings.limits
    members = dict(fields["properties"])
    for name in ("consent_terms", "consent_contact"):
        said = members[name]["description"].replace(' (or "true"/"false").', "")
        members[name] = {**members[name], "description": f"{said} (also on/yes/1 and off/no/0)."}
    members["files"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "minItems": 1,
        "maxItems": limits.max_files,
        "description": f"One or more file parts named `files`: photos up to "
        f"{limits.photo_max_bytes} bytes, videos up to {limits.video_max_bytes} bytes, "
        f"{limits.max_total_bytes} bytes in all. The type is sniffed from the first bytes; "
        "filename and declared type never decide.",
    }
    return {
        "type": "object",
        "required": ["consent_terms", "files"],
        "properties": members,
        "additionalProperties": False,
        "description": f"At most {limits.max_fields} text fields; files stream, each checked "
        "as it arrives.",
    }


def component_schemas(settings: Settings) -> Json:
    """``components.schemas`` for an app with these settings."""
    schemas = model_schemas()
    fields = submissions.limit_fields(schemas["DraftFields"], settings)
    schemas["DraftFields"] = fields
    schemas["SubmissionForm"] = _form(fields, settings)
    schemas["Decision"] = moderation.limit_decision(schemas["Decision"], settings)
    return schemas
