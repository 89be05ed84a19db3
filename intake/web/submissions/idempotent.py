"""``Idempotency-Key`` on the routes that create: a retry gets the first answer."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from intake.core.errors import BadRequest, IdempotencyKeyReused
from intake.safeguards.idempotency import Answer
from intake.web.keys import IDEMPOTENCY

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")

Run = Callable[[], Awaitable[tuple[web.Response, str]]]
Fingerprint = Callable[[], Awaitable[str]]


def _answer(response: web.Response) -> Answer:
    body = response.body if isinstance(response.body, bytes) else b""
    return Answer(response.status, body, response.headers.get("Location", ""))


def _replay(answer: Answer) -> web.Response:
    headers = {"Idempotent-Replayed": "true", "Cache-Control": "no-store"}
    if answer.location:
        headers["Location"] = answer.location
    return web.Response(
        status=answer.status, body=answer.body, content_type="application/json", headers=headers
    )


async def idempotent(
    request: web.Request, scope: str, run: Run, fingerprint_only: Fingerprint
) -> web.Response:
    """Run the request once per key: ``run`` answers it and says its fingerprint;
    ``fingerprint_only`` reads a retried request just far enough to compare."""
    key = request.headers.get(HEADER)
    if key is None:
        response, _ = await run()
        return response
    if not _KEY.match(key):
        raise BadRequest(f"{HEADER} must be 1 to 255 visible ASCII characters (a UUID is best).")
    keys = request.app[IDEMPOTENCY]
    stored = await keys.begin(scope, key)
    if stored is not None:
        if await fingerprint_only() != stored.fingerprint:
            raise IdempotencyKeyReused(
                f"This {HEADER} was used for another request; use a new key for new content."
            )
        return _replay(keys.open(scope, key, stored))
    try:
        response, print_ = await run()
    except BaseException:
        await asyncio.shield(keys.forget(scope, key))
        raise
    await keys.finish(scope, key, print_, _answer(response))
    return response
