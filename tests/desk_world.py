"""A newsroom for the desk's browser tests: the real app on a loopback port with an
injected clock and a webhook URL (events stay in the outbox), readers' submissions sent
through the API and inspected by the real worker, and moderators with passwords."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import MultipartWriter
from sqlalchemy import select

from intake.adapters.db.schema import outbox_events
from intake.moderation.records import Role
from intake.web.keys import REPOSITORIES, WORKER
from tests.clocks import ShiftedClock
from tests.desk_helpers import desk_account

FILENAME_XSS = "<img src=x onerror=alert(document.domain)><svg onload=alert(2)>"
"""A hostile filename (no double quote: it travels in a quoted multipart header)."""
XSS = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'


@dataclass
class Newsroom:
    client: Any
    clock: ShiftedClock

    @property
    def app(self) -> Any:
        return self.client.server.app

    @property
    def url(self) -> str:
        return str(self.client.make_url("")).rstrip("/")

    async def send(self, files: list[tuple[str, bytes]], **fields: str) -> dict[str, Any]:
        """A reader's submission through the API, inspected: its answer."""
        with MultipartWriter("form-data") as form:
            for name, value in {"consent_terms": "true", **fields}.items():
                form.append(value).set_content_disposition("form-data", name=name)
            for filename, content in files:
                part = form.append(content, {"Content-Type": "application/octet-stream"})
                part.headers["Content-Disposition"] = (
                    f'form-data; name="files"; filename="{filename}"'
                )
        answer = await self.client.post("/api/v1/submissions", data=form)
        assert answer.status == 201, await answer.text()
        body: dict[str, Any] = await answer.json()
        await self.app[WORKER].run_until_idle()
        return body

    async def moderator(self, name: str, role: Role = Role.MODERATOR) -> str:
        return await desk_account(self.app, name, role)

    async def events(self, submission_id: str) -> list[dict[str, Any]]:
        query = select(outbox_events.c.type, outbox_events.c.data).where(
            outbox_events.c.submission_id == submission_id
        )
        async with self.app[REPOSITORIES].engine.connect() as conn:
            return [{"type": r.type, **r.data} for r in await conn.execute(query)]


async def newsroom(make_client: Any, **env: str) -> Newsroom:
    clock = ShiftedClock()
    client = await make_client(
        clock=clock,
        rate_submissions="0",
        rate_uploads="0",
        webhooks_urls="http://127.0.0.1:9/hook",
        webhooks_secret="the desk tests' webhook secret",
        webhooks_dispatch="false",
        **env,
    )
    return Newsroom(client, clock)
