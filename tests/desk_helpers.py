"""Moderators signed in to the desk over HTTP, for the desk's HTTP and browser tests."""

from __future__ import annotations

import re
from typing import Any

from intake.moderation.records import Role
from intake.web.keys import MODERATORS

PASSWORD = "a long desk password"
SIGN_IN = "/en/moderate/sign-in"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def desk_account(app: Any, name: str, role: Role = Role.MODERATOR) -> str:
    """A moderator who can sign in with :data:`PASSWORD`; their name."""
    await app[MODERATORS].add(name, role, PASSWORD, "test")
    return name


async def signed_in(client: Any, name: str) -> str:
    """Sign ``client`` in (its cookie jar keeps the session); the page's CSRF token."""
    answer = await client.post(
        SIGN_IN, data={"name": name, "password": PASSWORD}, allow_redirects=False
    )
    assert answer.status == 303, await answer.text()
    page = await client.get("/en/moderate")
    assert page.status == 200
    found = CSRF.search(await page.text())
    assert found is not None
    return found.group(1)
