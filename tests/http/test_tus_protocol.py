"""tus 1.0.0 at /api/v1/uploads, one MUST at a time, over raw HTTP requests.

Core protocol, creation, creation-with-upload, creation-defer-length, expiration,
checksum, termination and concatenation, plus X-HTTP-Method-Override and sniffing.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import os
from typing import Any

import pytest

from intake.adapters.s3 import S3ObjectStore
from intake.web.keys import OBJECT_STORE
from tests.media import html_page, jpeg_with_exif, mp4_head_then_random
from tests.tus_helpers import (
    CHUNK_TYPE,
    NO_SUCH_ID,
    TUS,
    TUS_VERSION,
    UPLOADS,
    KiB,
    MiB,
    bearer,
    create,
    create_url,
    decode_metadata,
    encode_metadata,
    head,
    new_draft,
    patch,
    patch_ok,
    problem,
    submit,
    tail_rows,
    upload_id,
)

EXTENSIONS = {
    "creation", "creation-with-upload", "creation-defer-length", "termination", "expiration",
    "checksum", "concatenation",
}  # fmt: skip
ENDED = (404, 410)


def listed(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def future_http_date(value: str) -> dt.datetime:
    moment = email.utils.parsedate_to_datetime(value)
    assert moment.tzinfo is not None, f"{value!r} is not an HTTP date in GMT"
    assert moment > dt.datetime.now(dt.UTC), f"{value!r} is not in the future"
    return moment


def digest(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def video(size: int) -> bytes:
    """``size`` bytes that sniff as video/mp4."""
    return mp4_head_then_random(size - 24)


def long_html(size: int) -> bytes:
    page = html_page()
    filler = b"<p>" + b"All the news that fits, and then some more. " * 20 + b"</p>\n"
    return (page + filler * (size // len(filler) + 1))[:size]


async def offset_of(client: Any, url: str, token: str) -> int:
    response = await head(client, url, token)
    assert response.status == 200
    return int(response.headers["Upload-Offset"])


async def leftovers(client: Any, store: S3ObjectStore, upload: str) -> list[str]:
    """Every object or multipart upload in the bucket that belongs to upload ``upload``,
    and every piece of its tail in the database."""
    keys = [f"tail at {start}" for start, _, _ in await tail_rows(client.server.app, upload)]
    keys += await store.list_keys(f"incoming/{upload}/")
    keys += [k for k in await store.list_keys("submissions/") if f"/{upload}/" in k]
    multipart = await store.list_multipart_uploads("incoming/")
    multipart += await store.list_multipart_uploads("submissions/")
    return keys + [key for key, _ in multipart if f"/{upload}/" in key]


@pytest.fixture
async def draft(client: Any) -> dict[str, Any]:
    return await new_draft(client)


@pytest.fixture
def token(draft: dict[str, Any]) -> str:
    value: str = draft["submitter_token"]
    return value


# --- discovery and versions -----------------------------------------------------------


@pytest.mark.parametrize("path", [UPLOADS, f"{UPLOADS}/anything"])
@pytest.mark.parametrize(
    "headers",
    [{}, TUS, {"Tus-Resumable": "0.2.2"}],
    ids=["without-tus-resumable", "with", "other-version"],
)
async def test_options_announces_version_extensions_max_size_and_checksums(
    client: Any, path: str, headers: dict[str, str]
) -> None:
    response = await client.options(path, headers=headers)
    assert response.status == 204
    assert TUS_VERSION in listed(response.headers["Tus-Version"])
    assert set(listed(response.headers["Tus-Extension"])) == EXTENSIONS
    assert int(response.headers["Tus-Max-Size"]) > 0
    assert set(listed(response.headers["Tus-Checksum-Algorithm"])) == {"sha1", "sha256"}
    assert response.headers["Tus-Resumable"] == TUS_VERSION


async def test_tus_max_size_is_the_largest_file_allowed(make_client: Any) -> None:
    client = await make_client(limits_video_max_bytes="3 MiB", limits_photo_max_bytes="1 MiB")
    response = await client.options(UPLOADS)
    assert int(response.headers["Tus-Max-Size"]) == 3 * MiB
    draft = await new_draft(client)
    over = await create(client, draft["submitter_token"], 3 * MiB + 1, filetype="video/mp4")
    await problem(over, 413, "payload-too-large")
    assert (await create(client, draft["submitter_token"], 3 * MiB, filetype="video/mp4")).ok


@pytest.mark.parametrize("version", [None, "0.2.2", "1.0", "2.0.0"])
@pytest.mark.parametrize("method", ["POST", "HEAD", "PATCH", "DELETE"])
async def test_other_protocol_versions_get_412_and_nothing_happens(
    client: Any, draft: dict[str, Any], token: str, method: str, version: str | None
) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, len(data))
    headers = {**bearer(token), "Upload-Offset": "0", "Content-Type": CHUNK_TYPE,
               "Upload-Length": str(len(data))}  # fmt: skip
    if version is not None:
        headers["Tus-Resumable"] = version
    path = UPLOADS if method == "POST" else url
    response = await client.request(
        method, path, headers=headers, data=data if method in ("POST", "PATCH") else None
    )
    assert response.status == 412
    assert TUS_VERSION in listed(response.headers["Tus-Version"])
    assert response.headers["Tus-Resumable"] == TUS_VERSION
    if method != "HEAD":
        await problem(response, 412, "unsupported-version")
    assert await offset_of(client, url, token) == 0, "the request was processed anyway"
    body = await problem(await submit(client, draft), 409, "conflict")
    assert body["incomplete_uploads"] == [upload_id(url)], "an upload was created anyway"


# Every answer under /api/v1/uploads carries Tus-Resumable, errors included.
# (method, which path, send Tus-Resumable?, send token?, extra headers, status)
EVERY_ANSWER = [
    ("OPTIONS", "base", False, False, {}, 204),
    ("POST", "base", True, True, {"Upload-Length": "10"}, 201),
    ("POST", "base", True, True, {}, 400),
    ("POST", "base", True, False, {"Upload-Length": "10"}, 401),
    ("POST", "base", False, True, {"Upload-Length": "10"}, 412),
    ("HEAD", "upload", True, True, {}, 200),
    ("HEAD", "missing", True, True, {}, 404),
    ("HEAD", "upload", False, True, {}, 412),
    ("PATCH", "upload", True, True, {"Content-Type": "text/plain", "Upload-Offset": "0"}, 415),
    ("PATCH", "upload", True, True, {"Content-Type": CHUNK_TYPE}, 400),
    ("PATCH", "upload", True, True, {"Content-Type": CHUNK_TYPE, "Upload-Offset": "3"}, 409),
    ("PATCH", "upload", True, True, {"Content-Type": CHUNK_TYPE, "Upload-Offset": "0"}, 204),
    ("PATCH", "missing", True, True, {"Content-Type": CHUNK_TYPE, "Upload-Offset": "0"}, 404),
    ("GET", "upload", True, True, {}, 405),
    ("GET", "nested", True, True, {}, 404),
    ("POST", "upload", True, True, {}, 405),
    ("DELETE", "upload", True, True, {}, 204),
    ("DELETE", "missing", True, True, {}, 404),
]


@pytest.mark.parametrize(("method", "where", "tus", "auth", "extra", "status"), EVERY_ANSWER)
async def test_every_answer_carries_tus_resumable(
    client: Any,
    token: str,
    method: str,
    where: str,
    tus: bool,
    auth: bool,
    extra: dict[str, str],
    status: int,
) -> None:
    url = await create_url(client, token, 10, filetype="video/mp4")
    path = {"base": UPLOADS, "upload": url, "missing": f"{UPLOADS}/{NO_SUCH_ID}",
            "nested": f"{url}/more"}[where]  # fmt: skip
    headers = {**(TUS if tus else {}), **(bearer(token) if auth else {}), **extra}
    data = b"\x00\x00\x00" if method == "PATCH" else None
    response = await client.request(method, path, headers=headers, data=data)
    assert response.status == status, await response.text()
    assert response.headers.get("Tus-Resumable") == TUS_VERSION


# --- creation ---------------------------------------------------------------------------


async def test_creation_answers_201_with_location_and_expiry(client: Any, token: str) -> None:
    response = await create(client, token, 1294)
    assert response.status == 201
    location = response.headers["Location"]
    assert location.startswith(f"{UPLOADS}/")
    assert upload_id(location)
    future_http_date(response.headers["Upload-Expires"])
    assert await offset_of(client, location, token) == 0


async def test_each_creation_gets_its_own_location(client: Any, token: str) -> None:
    first = await create_url(client, token, 100)
    second = await create_url(client, token, 100)
    assert first != second


@pytest.mark.parametrize(
    "lengths",
    [
        {},
        {"Upload-Length": "100", "Upload-Defer-Length": "1"},
        {"Upload-Defer-Length": "0"},
        {"Upload-Defer-Length": "yes"},
        {"Upload-Length": "-1"},
        {"Upload-Length": "12abc"},
        {"Upload-Length": ""},
    ],
    ids=["neither", "both", "defer-0", "defer-yes", "negative", "not-a-number", "empty"],
)
async def test_creation_needs_exactly_one_valid_length_header(
    client: Any, token: str, lengths: dict[str, str]
) -> None:
    response = await client.post(UPLOADS, headers={**TUS, **bearer(token), **lengths})
    await problem(response, 400, "bad-request")


@pytest.mark.parametrize(
    "metadata",
    [
        "filename YS5qcGc= extra",
        "filename !!!not-base64!!!",
        "filename YS5qcGc",
        "filename YS5qcGc=,filename Yi5qcGc=",
        "filename //79",
        ",",
    ],
    ids=["three-items", "invalid-base64", "unpadded-base64", "duplicate-key", "not-utf8",
         "empty-pair"],
)  # fmt: skip
async def test_malformed_upload_metadata_is_a_400(client: Any, token: str, metadata: str) -> None:
    response = await client.post(
        UPLOADS,
        headers={**TUS, **bearer(token), "Upload-Length": "100", "Upload-Metadata": metadata},
    )
    await problem(response, 400, "bad-request")


async def test_metadata_keys_may_come_without_value(client: Any, token: str) -> None:
    response = await client.post(
        UPLOADS,
        headers={**TUS, **bearer(token), "Upload-Length": "100",
                 "Upload-Metadata": "filename YS5qcGc=,is_confidential"},
    )  # fmt: skip
    assert response.status == 201
    answer = await head(client, response.headers["Location"], token)
    assert decode_metadata(answer.headers["Upload-Metadata"]) == {
        "filename": "a.jpg",
        "is_confidential": "",
    }


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token-we-gave", "Basic dXNlcjpwYXNz", "Bearer "],
    ids=["none", "unknown", "basic", "empty-bearer"],
)
async def test_creation_needs_a_known_submitter_token(
    client: Any, draft: dict[str, Any], authorization: str | None
) -> None:
    headers = {**TUS, "Upload-Length": "100"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = await client.post(UPLOADS, headers=headers)
    await problem(response, 401, "unauthorized")


async def test_metadata_naming_another_draft_is_403(client: Any, token: str) -> None:
    other = await new_draft(client)
    named = {"filename": "a.jpg", "filetype": "image/jpeg", "submission": other["id"]}
    response = await create(client, token, 100, metadata=named)
    await problem(response, 403, "forbidden")


async def test_metadata_naming_its_own_draft_is_fine(client: Any, draft: dict[str, Any]) -> None:
    named = {"filename": "a.jpg", "filetype": "image/jpeg", "submission": draft["id"]}
    assert (await create(client, draft["submitter_token"], 100, metadata=named)).status == 201


async def test_creating_after_the_draft_was_submitted_is_403(
    client: Any, draft: dict[str, Any], token: str
) -> None:
    url = await create_url(client, token, len(jpeg_with_exif()))
    await patch_ok(client, url, token, 0, jpeg_with_exif())
    assert (await submit(client, draft)).status == 202
    await problem(await create(client, token, 100), 403, "forbidden")


# (settings, uploads created first as (length, filetype), the new one, status, limit_bytes)
TOO_LARGE = [
    pytest.param({"limits_photo_max_bytes": "64 KiB"}, [], (64 * KiB + 1, "image/jpeg"), 413,
                 64 * KiB, id="over-photo-cap"),
    pytest.param({"limits_photo_max_bytes": "64 KiB"}, [], (64 * KiB, "image/jpeg"), 201, None,
                 id="at-photo-cap"),
    pytest.param({"limits_photo_max_bytes": "64 KiB"}, [], (MiB, "video/mp4"), 201, None,
                 id="photo-cap-not-for-videos"),
    pytest.param({"limits_max_total_bytes": "100 KiB"}, [(80 * KiB, "video/mp4")],
                 (40 * KiB, "video/mp4"), 413, 20 * KiB, id="over-remaining-allowance"),
    pytest.param({"limits_max_total_bytes": "100 KiB"}, [(80 * KiB, "video/mp4")],
                 (20 * KiB, "video/mp4"), 201, None, id="fills-allowance"),
    pytest.param({"limits_max_files": "2"}, [(100, "image/jpeg")] * 2, (100, "image/jpeg"), 413,
                 None, id="too-many-files"),
    pytest.param({"limits_max_files": "2"}, [(100, "image/jpeg")], (100, "image/jpeg"), 201,
                 None, id="last-file-allowed"),
]  # fmt: skip


@pytest.mark.parametrize(("env", "before", "new", "status", "limit"), TOO_LARGE)
async def test_creation_over_a_limit_is_413(
    make_client: Any,
    env: dict[str, str],
    before: list[tuple[int, str]],
    new: tuple[int, str],
    status: int,
    limit: int | None,
) -> None:
    client = await make_client(**env)
    token = (await new_draft(client))["submitter_token"]
    for length, filetype in before:
        await create_url(client, token, length, filetype=filetype)
    response = await create(client, token, new[0], filetype=new[1])
    if status == 201:
        assert response.status == 201, await response.text()
        return
    body = await problem(response, 413, "payload-too-large")
    if limit is not None:
        assert body["limit_bytes"] == limit


async def test_a_terminated_upload_frees_its_file_slot(make_client: Any) -> None:
    client = await make_client(limits_max_files="1")
    token = (await new_draft(client))["submitter_token"]
    url = await create_url(client, token, 100)
    await problem(await create(client, token, 100), 413, "payload-too-large")
    assert (await client.delete(url, headers={**TUS, **bearer(token)})).status == 204
    assert (await create(client, token, 100)).status == 201


# --- creation-with-upload ----------------------------------------------------------------


@pytest.mark.parametrize("sent", [1294, 500, 1], ids=["whole", "first-chunk", "one-byte"])
async def test_creation_with_upload_answers_the_new_offset(
    client: Any, token: str, sent: int
) -> None:
    data = jpeg_with_exif()
    response = await create(client, token, len(data), data=data[:sent])
    assert response.status == 201, await response.text()
    assert response.headers["Upload-Offset"] == str(sent)
    future_http_date(response.headers["Upload-Expires"])
    location = response.headers["Location"]
    assert await offset_of(client, location, token) == sent
    if sent < len(data):
        await patch_ok(client, location, token, sent, data[sent:])


# (extra headers, first chunk, status, problem type)
FAILED_CREATIONS = [
    pytest.param({"Content-Type": "image/jpeg"}, jpeg_with_exif(), 415,
                 "unsupported-content-type", id="body-not-offset-octet-stream"),
    pytest.param({}, html_page(), 415, "unsupported-media-type", id="web-page"),
    pytest.param({"Upload-Checksum": digest("sha1", b"other bytes")}, jpeg_with_exif(), 460,
                 "checksum-mismatch", id="wrong-checksum"),
    pytest.param({"Upload-Length": "100"}, jpeg_with_exif(), 400, "bad-request",
                 id="chunk-past-upload-length"),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "chunk", "status", "slug"), FAILED_CREATIONS)
async def test_a_refused_creation_with_upload_leaves_no_upload_behind(
    make_client: Any,
    headers: dict[str, str],
    chunk: bytes,
    status: int,
    slug: str,
) -> None:
    client = await make_client(limits_max_files="1")
    draft = await new_draft(client)
    token = draft["submitter_token"]
    response = await create(client, token, len(chunk), data=chunk, headers=headers)
    await problem(response, status, slug)
    assert "Location" not in response.headers
    data = jpeg_with_exif()
    created = await create(client, token, len(data), data=data)
    assert created.status == 201, "the refused upload still takes the draft's only file slot"
    submitted = await submit(client, draft)
    assert submitted.status == 202, await submitted.text()


# --- HEAD -----------------------------------------------------------------------------


async def test_head_tells_offset_length_metadata_and_expiry(client: Any, token: str) -> None:
    data = jpeg_with_exif()
    metadata = {"filename": "Straße in Köln.jpg", "filetype": "image/jpeg"}
    url = await create_url(client, token, len(data), metadata=metadata)
    await patch_ok(client, url, token, 0, data[:700])
    response = await head(client, url, token)
    assert response.status == 200
    assert response.headers["Upload-Offset"] == "700"
    assert response.headers["Upload-Length"] == str(len(data))
    assert "Upload-Defer-Length" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Upload-Metadata"] == encode_metadata(metadata)
    future_http_date(response.headers["Upload-Expires"])
    assert await response.read() == b""


async def test_head_of_a_deferred_upload_says_defer_and_no_length(client: Any, token: str) -> None:
    url = await create_url(client, token, None)
    response = await head(client, url, token)
    assert response.status == 200
    assert response.headers["Upload-Defer-Length"] == "1"
    assert "Upload-Length" not in response.headers
    assert response.headers["Upload-Offset"] == "0"


@pytest.mark.parametrize("who", ["other-draft", "no-token", "unknown-token", "no-such-upload"])
async def test_head_is_404_for_anyone_but_the_owner(client: Any, token: str, who: str) -> None:
    url = await create_url(client, token, 100)
    other = (await new_draft(client))["submitter_token"]
    used = {"other-draft": other, "no-token": None, "unknown-token": "x" * 43,
            "no-such-upload": token}[who]  # fmt: skip
    path = f"{UPLOADS}/{NO_SUCH_ID}" if who == "no-such-upload" else url
    response = await head(client, path, used)
    assert response.status == 404
    assert "Upload-Offset" not in response.headers
    assert response.headers["Tus-Resumable"] == TUS_VERSION


# --- PATCH ----------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["application/octet-stream", "image/jpeg", None])
async def test_patch_needs_offset_octet_stream(
    client: Any, token: str, content_type: str | None
) -> None:
    url = await create_url(client, token, 1294)
    headers = {**TUS, **bearer(token), "Upload-Offset": "0"}
    if content_type:
        headers["Content-Type"] = content_type
    response = await client.patch(url, headers=headers, data=jpeg_with_exif())
    await problem(response, 415, "unsupported-content-type")
    assert await offset_of(client, url, token) == 0


@pytest.mark.parametrize(
    "offset", [None, "-1", "abc", "1.5", ""], ids=["missing", "negative", "text", "float", "empty"]
)
async def test_patch_needs_a_valid_upload_offset(
    client: Any, token: str, offset: str | None
) -> None:
    url = await create_url(client, token, 1294)
    headers = {**TUS, **bearer(token), "Content-Type": CHUNK_TYPE}
    if offset is not None:
        headers["Upload-Offset"] = offset
    response = await client.patch(url, headers=headers, data=jpeg_with_exif())
    await problem(response, 400, "bad-request")
    assert await offset_of(client, url, token) == 0


@pytest.mark.parametrize("sent_offset", [0, 100, 1000], ids=["behind", "ahead-1", "ahead-2"])
async def test_patch_at_the_wrong_offset_is_409(client: Any, token: str, sent_offset: int) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, len(data))
    await patch_ok(client, url, token, 0, data[:50])
    response = await patch(client, url, token, sent_offset, data[sent_offset : sent_offset + 10])
    body = await problem(response, 409, "conflict")
    assert body["offset"] == 50
    assert await offset_of(client, url, token) == 50


async def test_patches_move_the_offset_until_the_upload_is_complete(
    client: Any, token: str
) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, len(data))
    for start in range(0, len(data), 400):
        response = await patch_ok(client, url, token, start, data[start : start + 400])
        future_http_date(response.headers["Upload-Expires"])
        assert response.headers["Tus-Resumable"] == TUS_VERSION
    answer = await head(client, url, token)
    assert answer.headers["Upload-Offset"] == answer.headers["Upload-Length"] == str(len(data))


@pytest.mark.parametrize("split", [600, 1294], ids=["with-the-last-chunk", "in-an-empty-patch"])
async def test_a_deferred_length_is_set_by_a_later_patch(
    client: Any, draft: dict[str, Any], token: str, split: int
) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, None)
    await patch_ok(client, url, token, 0, data[:split])
    assert (await head(client, url, token)).headers["Upload-Defer-Length"] == "1"
    response = await patch(client, url, token, split, data[split:],
                           headers={"Upload-Length": str(len(data))})  # fmt: skip
    assert response.status == 204, await response.text()
    assert response.headers["Upload-Offset"] == str(len(data))
    answer = await head(client, url, token)
    assert answer.headers["Upload-Length"] == str(len(data))
    assert "Upload-Defer-Length" not in answer.headers
    assert answer.headers["Upload-Offset"] == str(len(data))
    submitted = await submit(client, draft)
    assert submitted.status == 202, await submitted.text()
    (stored,) = (await submitted.json())["files"]
    assert stored["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("declared", "new_length"),
    [(None, 500), (1294, 1300)],
    ids=["shorter-than-received", "changed-once-set"],
)
async def test_an_impossible_upload_length_in_a_patch_is_400(
    client: Any, token: str, declared: int | None, new_length: int
) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, declared)
    await patch_ok(client, url, token, 0, data[:600])
    response = await patch(client, url, token, 600, data[600:],
                           headers={"Upload-Length": str(new_length)})  # fmt: skip
    await problem(response, 400, "bad-request")
    assert await offset_of(client, url, token) == 600


@pytest.mark.parametrize("already", [0, 1000])
async def test_a_chunk_past_upload_length_is_400(client: Any, token: str, already: int) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, len(data))
    if already:
        await patch_ok(client, url, token, 0, data[:already])
    response = await patch(client, url, token, already, data[already:] + b"\x00")
    await problem(response, 400, "bad-request")
    assert await offset_of(client, url, token) == already
    await patch_ok(client, url, token, already, data[already:])


async def test_patch_with_another_draft_s_token_is_404(client: Any, token: str) -> None:
    url = await create_url(client, token, 1294)
    other = (await new_draft(client))["submitter_token"]
    response = await patch(client, url, other, 0, jpeg_with_exif())
    await problem(response, 404, "not-found")
    assert await offset_of(client, url, token) == 0


# --- checksum -------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
async def test_a_chunk_with_its_right_checksum_is_accepted(
    client: Any, token: str, algorithm: str
) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, len(data))
    for start in (0, 700):
        chunk = data[start : start + 700]
        response = await patch(client, url, token, start, chunk,
                               headers={"Upload-Checksum": digest(algorithm, chunk)})  # fmt: skip
        assert response.status == 204, await response.text()
        assert response.headers["Upload-Offset"] == str(start + len(chunk))


# (settings, upload length, the chunk sent)
MISMATCHES = [
    pytest.param({}, 1294, jpeg_with_exif(), id="whole-small-file"),
    pytest.param({}, 64 * KiB, video(64 * KiB)[: 8 * KiB], id="chunk-past-the-head"),
    pytest.param({"s3_part_size": "5 MiB"}, 8 * MiB, video(8 * MiB)[: 6 * MiB],
                 id="chunk-past-a-part"),
]  # fmt: skip


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
@pytest.mark.parametrize(("env", "length", "chunk"), MISMATCHES)
async def test_a_wrong_checksum_is_460_and_the_chunk_is_dropped(
    make_client: Any,
    s3_store: S3ObjectStore,
    algorithm: str,
    env: dict[str, str],
    length: int,
    chunk: bytes,
) -> None:
    client = await make_client(**env)
    token = (await new_draft(client))["submitter_token"]
    url = await create_url(client, token, length, filetype="", filename="")
    wrong = digest(algorithm, chunk[:-1] + bytes([chunk[-1] ^ 1]))
    response = await patch(client, url, token, 0, chunk, headers={"Upload-Checksum": wrong})
    await problem(response, 460, "checksum-mismatch")
    assert await offset_of(client, url, token) == 0
    assert await leftovers(client, s3_store, upload_id(url)) == []
    right = digest(algorithm, chunk)
    retry = await patch(client, url, token, 0, chunk, headers={"Upload-Checksum": right})
    assert retry.status == 204, await retry.text()
    assert retry.headers["Upload-Offset"] == str(len(chunk))


@pytest.mark.parametrize(
    "checksum",
    [
        pytest.param("md5 " + base64.b64encode(hashlib.md5(b"x").digest()).decode(), id="md5"),
        pytest.param("crc32 AAAAAA==", id="crc32"),
        pytest.param("sha1 !!!not-base64!!!", id="bad-base64"),
        pytest.param("sha256", id="no-digest"),
    ],
)
async def test_an_unsupported_or_malformed_checksum_is_400(
    client: Any, token: str, checksum: str
) -> None:
    url = await create_url(client, token, 1294)
    response = await patch(client, url, token, 0, jpeg_with_exif(),
                           headers={"Upload-Checksum": checksum})  # fmt: skip
    await problem(response, 400, "bad-request")
    assert await offset_of(client, url, token) == 0


# --- sniffing -------------------------------------------------------------------------

# (upload length, chunks sent, status of each)
HTML_UPLOADS = [
    pytest.param(len(html_page()), [html_page()], [415], id="whole-small-page"),
    pytest.param(64 * KiB, [long_html(8 * KiB)], [415], id="first-8-KiB-of-a-page"),
    pytest.param(64 * KiB, [long_html(8 * KiB)[: 2 * KiB], long_html(8 * KiB)[2 * KiB :]],
                 [204, 415], id="head-split-over-two-patches"),
]  # fmt: skip


@pytest.mark.parametrize(("length", "chunks", "statuses"), HTML_UPLOADS)
async def test_a_web_page_sent_as_a_photo_is_415_and_the_upload_ends(
    client: Any,
    s3_store: S3ObjectStore,
    token: str,
    length: int,
    chunks: list[bytes],
    statuses: list[int],
) -> None:
    url = await create_url(client, token, length, filename="photo.jpg", filetype="image/jpeg")
    offset = 0
    for chunk, status in zip(chunks, statuses, strict=True):
        response = await patch(client, url, token, offset, chunk)
        if status == 204:
            assert response.status == 204, await response.text()
            kept = await leftovers(client, s3_store, upload_id(url))
            assert kept, "the first bytes were not kept"
        else:
            body = await problem(response, 415, "unsupported-media-type")
            assert body["sniffed_type"] == "text/html"
        offset += len(chunk)
    assert (await head(client, url, token)).status in ENDED
    retry = await patch(client, url, token, 0, chunks[0])
    assert retry.status in ENDED
    assert await leftovers(client, s3_store, upload_id(url)) == []


# --- termination ----------------------------------------------------------------------


async def test_delete_ends_the_upload_and_frees_its_objects(
    client: Any, s3_store: S3ObjectStore, token: str
) -> None:
    data = video(64 * KiB)
    url = await create_url(client, token, len(data), filetype="video/mp4", filename="clip.mp4")
    await patch_ok(client, url, token, 0, data[: 8 * KiB])
    assert await tail_rows(client.server.app, upload_id(url))
    response = await client.delete(url, headers={**TUS, **bearer(token)})
    assert response.status == 204
    assert response.headers["Tus-Resumable"] == TUS_VERSION
    assert (await head(client, url, token)).status in ENDED
    assert (await patch(client, url, token, 8 * KiB, data[8 * KiB :])).status in ENDED
    assert (await client.delete(url, headers={**TUS, **bearer(token)})).status in ENDED
    assert await leftovers(client, s3_store, upload_id(url)) == []


async def test_delete_of_a_complete_upload_removes_its_object(
    client: Any, s3_store: S3ObjectStore, token: str
) -> None:
    url = await create_url(client, token, 1294)
    await patch_ok(client, url, token, 0, jpeg_with_exif())
    assert await leftovers(client, s3_store, upload_id(url))
    assert (await client.delete(url, headers={**TUS, **bearer(token)})).status == 204
    assert await leftovers(client, s3_store, upload_id(url)) == []


@pytest.mark.parametrize("who", ["other-draft", "no-token"])
async def test_delete_by_anyone_but_the_owner_is_404(client: Any, token: str, who: str) -> None:
    url = await create_url(client, token, 100)
    used = (await new_draft(client))["submitter_token"] if who == "other-draft" else None
    response = await client.delete(url, headers={**TUS, **bearer(used)})
    await problem(response, 404, "not-found")
    assert await offset_of(client, url, token) == 0


async def test_delete_after_submitting_is_403(
    client: Any, draft: dict[str, Any], token: str
) -> None:
    url = await create_url(client, token, 1294)
    await patch_ok(client, url, token, 0, jpeg_with_exif())
    assert (await submit(client, draft)).status == 202
    response = await client.delete(url, headers={**TUS, **bearer(token)})
    await problem(response, 403, "forbidden")


# --- X-HTTP-Method-Override -----------------------------------------------------------


async def test_post_with_override_patch_works_like_patch(client: Any, token: str) -> None:
    data = jpeg_with_exif()
    url = await create_url(client, token, len(data))
    headers = {**TUS, **bearer(token), "X-HTTP-Method-Override": "PATCH",
               "Content-Type": CHUNK_TYPE, "Upload-Offset": "0"}  # fmt: skip
    response = await client.post(url, headers=headers, data=data[:500])
    assert response.status == 204
    assert response.headers["Upload-Offset"] == "500"
    mismatch = await client.post(url, headers=headers, data=data[500:])
    await problem(mismatch, 409, "conflict")
    assert await offset_of(client, url, token) == 500


async def test_post_with_override_head_works_like_head(client: Any, token: str) -> None:
    url = await create_url(client, token, 1294)
    await patch_ok(client, url, token, 0, jpeg_with_exif()[:300])
    headers = {**TUS, **bearer(token), "X-HTTP-Method-Override": "HEAD"}
    response = await client.post(url, headers=headers)
    assert response.status == 200
    assert response.headers["Upload-Offset"] == "300"
    assert response.headers["Upload-Length"] == "1294"
    assert response.headers["Cache-Control"] == "no-store"


async def test_post_with_override_delete_works_like_delete(client: Any, token: str) -> None:
    url = await create_url(client, token, 1294)
    headers = {**TUS, **bearer(token), "X-HTTP-Method-Override": "DELETE"}
    assert (await client.post(url, headers=headers)).status == 204
    assert (await head(client, url, token)).status in ENDED


@pytest.mark.parametrize("override", [None, "GET", "PUT"])
async def test_post_to_an_upload_without_a_usable_override_is_405(
    client: Any, token: str, override: str | None
) -> None:
    url = await create_url(client, token, 1294)
    headers = {**TUS, **bearer(token)}
    if override:
        headers["X-HTTP-Method-Override"] = override
    response = await client.post(url, headers=headers)
    await problem(response, 405, "method-not-allowed")
    assert "PATCH" in response.headers["Allow"]


# --- concatenation --------------------------------------------------------------------


class CopyCounter:
    """The real store, counting UploadPartCopy calls."""

    def __init__(self, store: S3ObjectStore) -> None:
        self._store = store
        self.copies = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def copy_part(self, *args: Any, **kwargs: Any) -> Any:
        self.copies += 1
        return await self._store.copy_part(*args, **kwargs)


async def partial(client: Any, token: str, data: bytes) -> str:
    url = await create_url(client, token, len(data), metadata={},
                           headers={"Upload-Concat": "partial"})  # fmt: skip
    await patch_ok(client, url, token, 0, data)
    return url


async def create_final(client: Any, token: str, urls: list[str], **metadata: str) -> Any:
    headers = {**TUS, **bearer(token), "Upload-Concat": "final;" + " ".join(urls)}
    if metadata:
        headers["Upload-Metadata"] = encode_metadata(metadata)
    return await client.post(UPLOADS, headers=headers)


async def stored_object(store: S3ObjectStore, draft_id: str, file_id: str) -> bytes:
    (key,) = [k for k in await store.list_keys("submissions/") if f"/{draft_id}/{file_id}/" in k]
    info = await store.head(key)
    return await store.get_range(key, 0, info.size - 1)


def split_jpeg() -> list[bytes]:
    data = jpeg_with_exif()
    return [data[:500], data[500:900], data[900:]]


def split_video() -> list[bytes]:
    return [video(6 * MiB), os.urandom(6 * MiB)]


@pytest.mark.parametrize(
    ("env", "make_parts", "filename", "media_type", "copied"),
    [
        pytest.param({}, split_jpeg, "photo.jpg", "image/jpeg", False, id="small-partials"),
        # Sealed partials are re-read and sealed again: blocks sealed for one object open
        # for no other, so no part is copied inside the store.
        pytest.param({"s3_part_size": "5 MiB"}, split_video, "clip.mp4", "video/mp4", False,
                     id="6-MiB-partials"),
    ],
)  # fmt: skip
async def test_partials_concatenate_into_the_final_upload(
    make_client: Any,
    s3_store: S3ObjectStore,
    env: dict[str, str],
    make_parts: Any,
    filename: str,
    media_type: str,
    copied: bool,
) -> None:
    store = CopyCounter(s3_store)
    client = await make_client(object_store=store, **env)
    draft = await new_draft(client)
    token = draft["submitter_token"]
    parts: list[bytes] = make_parts()
    urls = [await partial(client, token, part) for part in parts]
    for url in urls:
        assert (await head(client, url, token)).headers["Upload-Concat"] == "partial"
    joined = b"".join(parts)

    response = await create_final(client, token, urls, filename=filename, filetype=media_type)
    assert response.status == 201, await response.text()
    final = response.headers["Location"]
    answer = await head(client, final, token)
    assert answer.status == 200
    assert answer.headers["Upload-Concat"] == "final;" + " ".join(urls)
    assert answer.headers["Upload-Offset"] == answer.headers["Upload-Length"] == str(len(joined))
    assert (store.copies > 0) is copied

    refused = await patch(client, final, token, len(joined), b"more")
    await problem(refused, 403, "forbidden")

    submitted = await submit(client, draft)
    assert submitted.status == 202, await submitted.text()
    (stored,) = (await submitted.json())["files"]
    assert stored["id"] == upload_id(final)
    assert stored["size"] == len(joined)
    assert stored["sha256"] == hashlib.sha256(joined).hexdigest()
    assert stored["media_type"] == media_type
    assert (
        await stored_object(client.server.app[OBJECT_STORE], draft["id"], upload_id(final))
        == joined
    )


async def test_partials_may_be_named_by_absolute_url(client: Any, token: str) -> None:
    parts = split_jpeg()
    urls = [str(client.make_url(await partial(client, token, p))) for p in parts]
    response = await create_final(client, token, urls, filename="a.jpg", filetype="image/jpeg")
    assert response.status == 201, await response.text()
    answer = await head(client, response.headers["Location"], token)
    assert answer.headers["Upload-Length"] == str(len(jpeg_with_exif()))


@pytest.mark.parametrize("bad", ["incomplete", "not-partial", "unknown", "other-draft", "none"])
async def test_a_final_upload_needs_complete_partials_of_this_draft(
    client: Any, token: str, bad: str
) -> None:
    first = await partial(client, token, split_jpeg()[0])
    if bad == "incomplete":
        second = await create_url(client, token, 100, metadata={},
                                  headers={"Upload-Concat": "partial"})  # fmt: skip
        await patch_ok(client, second, token, 0, b"\x00" * 10)
    elif bad == "not-partial":
        second = await create_url(client, token, len(jpeg_with_exif()))
        await patch_ok(client, second, token, 0, jpeg_with_exif())
    elif bad == "unknown":
        second = f"{UPLOADS}/{NO_SUCH_ID}"
    elif bad == "other-draft":
        other = (await new_draft(client))["submitter_token"]
        second = await partial(client, other, jpeg_with_exif()[500:])
    urls = [first] if bad == "none" else [first, second]
    headers = {**TUS, **bearer(token)}
    headers["Upload-Concat"] = "final;" if bad == "none" else "final;" + " ".join(urls)
    response = await client.post(UPLOADS, headers=headers)
    await problem(response, 400, "bad-request")
    assert (await head(client, first, token)).headers["Upload-Concat"] == "partial"


@pytest.mark.parametrize("value", ["partial;x", "final", "concat", "final;   "])
async def test_a_malformed_upload_concat_is_400(client: Any, token: str, value: str) -> None:
    response = await client.post(
        UPLOADS,
        headers={**TUS, **bearer(token), "Upload-Length": "10", "Upload-Concat": value},
    )
    await problem(response, 400, "bad-request")


async def test_a_concatenated_file_counts_toward_the_allowance(make_client: Any) -> None:
    client = await make_client(limits_max_total_bytes="100 KiB")
    draft = await new_draft(client)
    token = draft["submitter_token"]
    first = await partial(client, token, video(60 * KiB))
    final = await create_final(client, token, [first], filename="a.mp4", filetype="video/mp4")
    assert final.status == 201
    second = await create(client, token, 60 * KiB, filename="b.mp4", filetype="video/mp4")
    body = await problem(second, 413, "payload-too-large")
    assert body["limit_bytes"] == 40 * KiB


async def test_a_partial_listed_twice_cannot_exceed_the_allowance(make_client: Any) -> None:
    client = await make_client(limits_max_total_bytes="100 KiB")
    draft = await new_draft(client)
    token = draft["submitter_token"]
    first = await partial(client, token, video(60 * KiB))
    final = await create_final(
        client, token, [first, first], filename="a.mp4", filetype="video/mp4"
    )
    assert final.status in (400, 413), "a 120 KiB file in a submission of at most 100 KiB"


async def test_partial_uploads_are_not_files_of_the_draft(
    client: Any, draft: dict[str, Any], token: str
) -> None:
    await partial(client, token, jpeg_with_exif())
    response = await submit(client, draft)
    body = await problem(response, 422, "validation-failed")
    assert body["errors"][0]["field"] == "files"


# --- expiration -----------------------------------------------------------------------


async def test_upload_expires_is_a_future_http_date_on_every_answer(
    make_client: Any,
) -> None:
    client = await make_client(uploads_expire_seconds="3600")
    token = (await new_draft(client))["submitter_token"]
    data = jpeg_with_exif()
    created = await create(client, token, len(data))
    url = created.headers["Location"]
    moments = [future_http_date(created.headers["Upload-Expires"])]
    patched = await patch_ok(client, url, token, 0, data[:100])
    moments.append(future_http_date(patched.headers["Upload-Expires"]))
    moments.append(future_http_date((await head(client, url, token)).headers["Upload-Expires"]))
    limit = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3600 + 5)
    assert all(moment <= limit for moment in moments)
    assert moments == sorted(moments), "a chunk does not bring the expiry closer"
