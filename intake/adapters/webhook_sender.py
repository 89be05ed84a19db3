""":class:`intake.webhooks.ports.WebhookSender` on an aiohttp client session."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp


class HttpWebhookSender:
    def __init__(self, timeout_seconds: float) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout_seconds),
            headers={"User-Agent": "intake-webhooks/1"},
        )

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        try:
            async with self._session.post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return f"{type(exc).__name__}: {exc}"

    async def close(self) -> None:
        await self._session.close()
