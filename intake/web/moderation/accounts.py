"""Moderator accounts over HTTP: logging in, and (for admins) managing accounts."""

from __future__ import annotations

from aiohttp import web

from intake.core.errors import Conflict, ValidationFailed
from intake.moderation.records import Moderator, Role
from intake.web.client_address import client_address, networks
from intake.web.json_body import json_object, member
from intake.web.keys import MODERATORS, SETTINGS
from intake.web.moderation.auth import moderator
from intake.web.moderation.bodies import moderator_json, token_json

routes = web.RouteTableDef()
BASE = "/api/v1/moderation"
LOGIN = "/api/v1/moderation-login"
NO_STORE = {"Cache-Control": "no-store"}


def _role(value: str | None) -> Role | None:
    if value is None:
        return None
    try:
        return Role(value)
    except ValueError:
        raise ValidationFailed(
            [{"field": "role", "code": "unknown", "detail": "Use moderator, senior or admin."}]
        ) from None


@routes.post(LOGIN)
async def login(request: web.Request) -> web.Response:
    body = await json_object(request)
    name = member(body, "name", str, required=True)
    password = member(body, "password", str, required=True)
    proxies = networks(request.app[SETTINGS].rate.trusted_proxies)
    issued = await request.app[MODERATORS].login(name, password, client_address(request, proxies))
    return web.json_response(token_json(issued), headers=NO_STORE)


@routes.get(BASE + "/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response(moderator_json(await moderator(request)), headers=NO_STORE)


@routes.get(BASE + "/moderators")
async def list_moderators(request: web.Request) -> web.Response:
    await moderator(request, Role.ADMIN)
    everyone = await request.app[MODERATORS].all()
    return web.json_response(
        {"moderators": [moderator_json(m) for m in everyone]}, headers=NO_STORE
    )


@routes.post(BASE + "/moderators")
async def add_moderator(request: web.Request) -> web.Response:
    admin = await moderator(request, Role.ADMIN)
    body = await json_object(request)
    accounts = request.app[MODERATORS]
    role = _role(member(body, "role", str)) or Role.MODERATOR
    added = await accounts.add(
        member(body, "name", str, required=True), role, member(body, "password", str), admin.name
    )
    issued = await accounts.issue_token(added, admin.name)
    return web.json_response(
        token_json(issued),
        status=201,
        headers={**NO_STORE, "Location": f"{BASE}/moderators/{added.id}"},
    )


def _not_self(
    admin: Moderator, target: Moderator, role: Role | None, disabled: bool | None
) -> None:
    if admin.id == target.id and (disabled or (role is not None and role is not Role.ADMIN)):
        raise Conflict("Admins cannot disable or demote themselves; ask another admin.")


@routes.patch(BASE + "/moderators/{moderator_id}")
async def change_moderator(request: web.Request) -> web.Response:
    admin = await moderator(request, Role.ADMIN)
    accounts = request.app[MODERATORS]
    target = await accounts.find(request.match_info["moderator_id"])
    body = await json_object(request)
    role = _role(member(body, "role", str))
    disabled = member(body, "disabled", bool)
    _not_self(admin, target, role, disabled)
    changed = await accounts.change(
        target, admin.name, role=role, disabled=disabled, password=member(body, "password", str)
    )
    return web.json_response(moderator_json(changed), headers=NO_STORE)


@routes.post(BASE + "/moderators/{moderator_id}/token")
async def issue_token(request: web.Request) -> web.Response:
    admin = await moderator(request, Role.ADMIN)
    accounts = request.app[MODERATORS]
    target = await accounts.find(request.match_info["moderator_id"])
    issued = await accounts.issue_token(target, admin.name)
    return web.json_response(token_json(issued), status=201, headers=NO_STORE)
