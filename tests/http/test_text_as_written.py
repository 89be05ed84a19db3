"""Dari and Pashto text keeps its joiners and marks through every door."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from aiohttp import FormData

from intake.web.keys import REPOSITORY
from tests.media import jpeg_with_exif

DARI = "\u200fخانه\u200cهای ما\u200e (Kabul)"
PASHTO = "ښځې او ماشومان\u200d"


async def test_the_multipart_api_keeps_zwnj_zwj_lrm_and_rlm(client: Any) -> None:
    data = FormData(quote_fields=False)  # UTF-8 names as browsers send them
    for name, value in {"consent_terms": "true", "title": DARI, "story": PASHTO + "\n" + DARI,
                        "location": DARI, "locale": "ps"}.items():  # fmt: skip
        data.add_field(name, value)
    data.add_field("files", io.BytesIO(jpeg_with_exif()), filename="\u2067عکس\u2069.jpg")
    response = await client.post("/api/v1/submissions", data=data)
    assert response.status == 201
    body = await response.json()
    assert body["files"][0]["filename"] == "عکس.jpg", "isolates are taken out of filenames"
    stored = await client.server.app[REPOSITORY].get_submission(body["id"])
    assert stored.details.title == DARI and stored.details.location == DARI
    assert stored.details.story == PASHTO + "\n" + DARI
    assert stored.details.locale == "ps"


async def test_the_json_api_keeps_them_and_reads_times_in_the_newsrooms_zone(
    client: Any,
) -> None:
    response = await client.post(
        "/api/v1/submissions",
        json={"consent_terms": True, "story": DARI + "\x07", "name": PASHTO,
              "occurred_at": "2026-11-28T06:00", "locale": "fa-AF"},
    )  # fmt: skip
    assert response.status == 201
    stored = await client.server.app[REPOSITORY].get_submission((await response.json())["id"])
    assert stored.details.story == DARI, "only the bell (a C0 control) went"
    assert stored.details.name == PASHTO
    assert stored.details.occurred_at == dt.datetime(2026, 11, 28, 1, 30, tzinfo=dt.UTC)
    assert stored.details.locale == "fa-AF"
