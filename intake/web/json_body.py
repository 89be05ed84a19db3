"""Small JSON request bodies: one object, each member of the type expected."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from intake.core.errors import BadRequest, ValidationFailed


async def json_object(request: web.Request, *, optional: bool = False) -> dict[str, Any]:
    """The body as a JSON object (``{}`` for an empty body when ``optional``)."""
    if optional and not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise BadRequest("The body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise BadRequest("Send one JSON object.")
    return body


def member(body: dict[str, Any], name: str, kind: type, *, required: bool = False) -> Any:
    """``body[name]`` if it has type ``kind`` (``None`` when absent and not required)."""
    value = body.get(name)
    if value is None:
        if required:
            raise ValidationFailed([{"field": name, "code": "required", "detail": "Required."}])
        return None
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ValidationFailed(
            [{"field": name, "code": "wrong_type", "detail": f"Use a {kind.__name__}."}]
        )
    return value
