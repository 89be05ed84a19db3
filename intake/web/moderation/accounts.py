"""Moderator accounts over HTTP: logging in, and (for admins) managing accounts."""

from __future__ import annotations

from aiohttp import web

from intake.core.errors import Conflict
from intake.moderation import records
from intake.moderation.records import Role
from intake.web.client_address import client_address, networks
from intake.web.keys import MODERATORS, SETTINGS
from intake.web.models import json_answer, read_body
from intake.web.moderation.auth import moderator
from intake.web.moderation.models import (
    IssuedToken,
    Login,
    Moderator,
    ModeratorChange,
    Moderators,
    NewModerator,
    Tokens,
)
from intake.web.moderation.models import Token as TokenAnswer

routes = web.RouteTableDef()
BASE = "/api/v1/moderation"
LOGIN = "/api/v1/moderation-login"
NO_STORE = {"Cache-Control": "no-store"}


@routes.post(LOGIN)
async def login(request: web.Request) -> web.Response:
    body = await read_body(request, Login)
    proxies = networks(request.app[SETTINGS].rate.trusted_proxies)
    address = client_address(request, proxies)
    issued = await request.app[MODERATORS].login(body.name, body.password, address)
    return json_answer(IssuedToken.of(issued), headers=NO_STORE)


@routes.get(BASE + "/me")
async def me(request: web.Request) -> web.Response:
    return json_answer(Moderator.of(await moderator(request)), headers=NO_STORE)


@routes.get(BASE + "/moderators")
async def list_moderators(request: web.Request) -> web.Response:
    await moderator(request, Role.ADMIN)
    everyone = await request.app[MODERATORS].all()
    listed = Moderators(moderators=[Moderator.of(m) for m in everyone])
    return json_answer(listed, headers=NO_STORE)


@routes.post(BASE + "/moderators")
async def add_moderator(request: web.Request) -> web.Response:
    admin = await moderator(request, Role.ADMIN)
    body = await read_body(request, NewModerator)
    accounts = request.app[MODERATORS]
    role = body.role or Role.MODERATOR
    added = await accounts.add(body.name, role, body.password, admin.name)
    issued = await accounts.issue_token(added, admin.name)
    return json_answer(
        IssuedToken.of(issued),
        status=201,
        headers={**NO_STORE, "Location": f"{BASE}/moderators/{added.id}"},
    )


def _not_self(
    admin: records.Moderator, target: records.Moderator, role: Role | None, disabled: bool | None
) -> None:
    if admin.id == target.id and (disabled or (role is not None and role is not Role.ADMIN)):
        raise Conflict("Admins cannot disable or demote themselves; ask another admin.")


@routes.patch(BASE + "/moderators/{moderator_id}")
async def change_moderator(request: web.Request) -> web.Response:
    admin = await moderator(request, Role.ADMIN)
    accounts = request.app[MODERATORS]
    target = await accounts.find(request.match_info["moderator_id"])
    body = await read_body(request, ModeratorChange)
    _not_self(admin, target, body.role, body.disabled)
    changed = await accounts.change(
        target, admin.name, role=body.role, disabled=body.disabled, password=body.password
    )
    return json_answer(Moderator.of(changed), headers=NO_STORE)


@routes.post(BASE + "/moderators/{moderator_id}/token")
async def issue_token(request: web.Request) -> web.Response:
    admin = await moderator(request, Role.ADMIN)
    accounts = request.app[MODERATORS]
    target = await accounts.find(request.match_info["moderator_id"])
    issued = await accounts.issue_token(target, admin.name)
    return json_answer(IssuedToken.of(issued), status=201, headers=NO_STORE)


def _tokens(found: list[records.TokenInfo]) -> web.Response:
    return json_answer(Tokens(tokens=[TokenAnswer.of(t) for t in found]), headers=NO_STORE)


@routes.get(BASE + "/me/tokens")
async def my_tokens(request: web.Request) -> web.Response:
    me = await moderator(request)
    return _tokens(await request.app[MODERATORS].tokens(me))


@routes.delete(BASE + "/me/tokens/{token_id}")
async def revoke_my_token(request: web.Request) -> web.Response:
    me = await moderator(request)
    await request.app[MODERATORS].revoke_token(me, request.match_info["token_id"], me.name)
    return web.Response(status=204, headers=NO_STORE)


@routes.get(BASE + "/moderators/{moderator_id}/tokens")
async def moderator_tokens(request: web.Request) -> web.Response:
    await moderator(request, Role.ADMIN)
    accounts = request.app[MODERATORS]
    return _tokens(await accounts.tokens(await accounts.find(request.match_info["moderator_id"])))


@routes.delete(BASE + "/moderators/{moderator_id}/tokens/{token_id}")
async def revoke_moderator_token(request: web.Request) -> web.Response:
    admin = await moderator(request, Role.ADMIN)
    accounts = request.app[MODERATORS]
    target = await accounts.find(request.match_info["moderator_id"])
    await accounts.revoke_token(target, request.match_info["token_id"], admin.name)
    return web.Response(status=204, headers=NO_STORE)
