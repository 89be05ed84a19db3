"""What a reader can send: every accepted photo and video format is stored byte for
byte and recorded, and everything else is refused with a problem saying what
to change, leaving nothing in the bucket or the database."""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import FormData
from sqlalchemy import func, select

from intake.adapters.db.schema import files, submissions
from intake.adapters.s3 import S3ObjectStore
from intake.media.sniff import sniff_mime
from intake.media.types import KNOWN_TYPES
from intake.web.keys import OBJECT_STORE, REPOSITORIES, REPOSITORY
from tests import media
from tests.conftest import samples_dir

URL = "/api/v1/submissions"
KiB = 1024
MiB = 1024 * KiB
ALL_LABELS = sorted({t.label for t in KNOWN_TYPES.values()})

MediaFactory = Callable[[], bytes]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def form(*parts: tuple[str, bytes], consent: str | None = "true") -> FormData:
    """The form a browser sends: ``consent_terms`` then file parts named ``files``,
    each declared with the type its name suggests (which the service must ignore)."""
    data = FormData()
    if consent is not None:
        data.add_field("consent_terms", consent)
    for filename, content in parts:
        declared = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        # A stream, not bytes: aiohttp warns about bodies over 1 MiB given as bytes.
        data.add_field("files", io.BytesIO(content), filename=filename, content_type=declared)
    return data


async def read_object(store: S3ObjectStore, key: str) -> bytes:
    info = await store.head(key)
    return await store.get_range(key, 0, info.size - 1) if info.size else b""


async def submission_keys(store: S3ObjectStore, submission_id: str) -> list[str]:
    return [k for k in await store.list_keys("submissions/") if f"/{submission_id}/" in k]


async def assert_stored(app: Any, body: dict[str, Any], sent: list[tuple[bytes, str]]) -> None:
    """Each sent file (bytes, sniffed type) is in the bucket as the answer describes it,
    under ``submissions/yyyy/mm/dd/<id>/``, and recorded in the database row by row."""
    store = app[OBJECT_STORE]
    submission_id = body["id"]
    day = body["created_at"][:10].replace("-", "/")
    prefix = f"submissions/{day}/{submission_id}/"
    keys = await submission_keys(store, submission_id)
    assert keys, f"nothing stored for submission {submission_id}"
    assert all(k.startswith(prefix) for k in keys), keys
    recorded = {f.id: f for f in await app[REPOSITORY].files_of(submission_id)}
    assert len(body["files"]) == len(sent) == len(recorded)

    for answered, (data, mime) in zip(body["files"], sent, strict=True):
        key = f"{prefix}{answered['id']}/original"
        assert key in keys
        info = await store.head(key)
        assert info.size == len(data)
        assert info.content_type == mime
        expected_metadata = {
            "submission-id": submission_id,
            "file-id": answered["id"],
            "sniffed-type": mime,
        }
        assert dict(info.metadata) == expected_metadata
        assert sha256(await read_object(store, key)) == sha256(data)
        row = recorded[answered["id"]]
        assert (row.sha256, row.size, row.media_type, row.object_key) == (
            sha256(data), len(data), mime, key,
        )  # fmt: skip


async def post(client: Any, data: FormData) -> tuple[int, dict[str, Any]]:
    response = await client.post(URL, data=data)
    body: dict[str, Any] = await response.json()
    return response.status, body


# --- every accepted type --------------------------------------------------------------

GENERATED = [
    pytest.param("photo.jpg", media.jpeg_with_exif, "image/jpeg", "photo", id="jpeg"),
    pytest.param("photo.png", media.png_image, "image/png", "photo", id="png"),
    pytest.param("photo.webp", media.webp_with_exif, "image/webp", "photo", id="webp"),
    pytest.param("IMG_0001.HEIC", media.heic_with_exif, "image/heic", "photo", id="heic"),
    pytest.param("loop.gif", media.animated_gif, "image/gif", "photo", id="gif"),
    pytest.param("clip.mp4", media.mp4_h264, "video/mp4", "video", id="mp4-h264"),
    pytest.param("clip-hevc.mp4", media.mp4_hevc, "video/mp4", "video", id="mp4-hevc"),
    pytest.param("IMG_0002.MOV", media.mov_h264, "video/quicktime", "video", id="mov-h264"),
    pytest.param("clip.webm", media.webm_vp9, "video/webm", "video", id="webm-vp9"),
    pytest.param("clip.mkv", media.mkv_h264, "video/x-matroska", "video", id="mkv-h264"),
    pytest.param("clip.3gp", media.threegp_h263, "video/3gpp", "video", id="3gp-h263"),
]


@pytest.mark.parametrize(("filename", "make", "mime", "kind"), GENERATED)
async def test_each_accepted_type_is_stored_byte_for_byte(
    client: Any, s3_store: S3ObjectStore, filename: str, make: MediaFactory, mime: str, kind: str
) -> None:
    data = make()
    assert sniff_mime(data[:4096]) == mime, "the factory made what it claims"

    status, body = await post(client, form((filename, data)))

    assert status == 201, body
    [answered] = body["files"]
    assert answered["filename"] == filename
    assert answered["media_type"] == mime
    assert answered["kind"] == kind
    assert answered["size"] == len(data)
    assert answered["sha256"] == sha256(data)
    await assert_stored(client.server.app, body, [(data, mime)])


async def test_photos_and_videos_in_one_submission_keep_their_order(
    client: Any, s3_store: S3ObjectStore
) -> None:
    sent = [
        ("a.mov", media.mov_h264(), "video/quicktime"),
        ("b.jpg", media.jpeg_with_exif(), "image/jpeg"),
        ("c.heic", media.heic_with_exif(), "image/heic"),
        ("d.webm", media.webm_vp9(), "video/webm"),
    ]

    status, body = await post(client, form(*[(name, data) for name, data, _ in sent]))

    assert status == 201, body
    assert [f["filename"] for f in body["files"]] == ["a.mov", "b.jpg", "c.heic", "d.webm"]
    assert [f["kind"] for f in body["files"]] == ["video", "photo", "photo", "video"]
    await assert_stored(client.server.app, body, [(data, mime) for _, data, mime in sent])


async def test_a_video_larger_than_one_part_is_stored_whole(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    client = await make_client(s3_part_size="5 MiB")
    data = media.mp4_head_then_random(12 * MiB)

    status, body = await post(client, form(("long.mp4", data)))

    assert status == 201, body
    assert body["files"][0]["size"] == len(data)
    assert body["files"][0]["sha256"] == sha256(data)
    await assert_stored(client.server.app, body, [(data, "video/mp4")])


async def test_a_photo_exactly_at_its_cap_is_accepted(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    data = media.jpeg_with_exif()
    client = await make_client(limits_photo_max_bytes=str(len(data)))

    status, body = await post(client, form(("photo.jpg", data)))

    assert status == 201, body
    await assert_stored(client.server.app, body, [(data, "image/jpeg")])


# --- real device files ----------------------------------------------------------------

SAMPLE_TYPES = {
    "animated_42frames.gif": "image/gif",
    "chrome_mediarecorder_webcam.webm": "video/webm",
    "htc_desire_exif_gps.webp": "image/webp",
    "htc_desire_gps.jpg": "image/jpeg",
    "imagemagick_text_chunks.png": "image/png",
    "iphone13pro_gps_depth.heic": "image/heic",
    "iphone4_gps.jpg": "image/jpeg",
    "iphone6_iso6709_rot90.mov": "video/quicktime",
    "iphonexs_gps_two_images.heic": "image/heic",
    "nikon_p7000_exif_xmp_orientation6.webp": "image/webp",
    "samsung_android_xyz_location.mp4": "video/mp4",
    "samsung_sm-j327t1_orientation6.jpg": "image/jpeg",
    "sony_dsc-hx5v_gps.jpg": "image/jpeg",
    "xiaomi_poco_f3_gps.heic": "image/heic",
}


@pytest.mark.samples
def test_every_device_sample_has_an_expected_type() -> None:
    present = {p.name for p in samples_dir().iterdir() if p.name != "README.md"}
    assert present == set(SAMPLE_TYPES), "add new samples to SAMPLE_TYPES"


@pytest.mark.samples
@pytest.mark.parametrize(("filename", "mime"), sorted(SAMPLE_TYPES.items()))
async def test_each_device_sample_is_accepted_as_sent(
    client: Any, s3_store: S3ObjectStore, filename: str, mime: str
) -> None:
    data = (samples_dir() / filename).read_bytes()

    status, body = await post(client, form((filename, data)))

    assert status == 201, body
    [answered] = body["files"]
    assert answered["media_type"] == mime
    assert answered["kind"] == ("photo" if mime.startswith("image/") else "video")
    assert answered["sha256"] == sha256(data)
    await assert_stored(client.server.app, body, [(data, mime)])


# --- refusals -------------------------------------------------------------------------


async def bucket_state(store: S3ObjectStore) -> tuple[set[str], set[tuple[str, str]]]:
    return set(await store.list_keys("submissions/")), set(await store.list_multipart_uploads(""))


async def row_counts(client: Any) -> tuple[int, int]:
    async with client.server.app[REPOSITORIES].engine.connect() as conn:
        counted = [
            (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in (submissions, files)
        ]
    return counted[0], counted[1]


async def refused(
    client: Any, store: S3ObjectStore, data: FormData, status: int, slug: str
) -> dict[str, Any]:
    """Post ``data``, check the problem answer, and that the refusal left nothing:
    no object, no multipart upload, no row."""
    keys_before, uploads_before = await bucket_state(store)
    response = await client.post(URL, data=data)
    text = await response.text()
    assert response.status == status, text
    assert response.content_type == "application/problem+json"
    body: dict[str, Any] = json.loads(text)
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["title"]
    keys_after, uploads_after = await bucket_state(store)
    assert keys_after == keys_before, "the refused submission left objects behind"
    assert uploads_after - uploads_before == set(), "multipart uploads were left open"
    assert await row_counts(client) == (0, 0)
    return body


class MultipartCounter:
    """The real store, counting the multipart uploads started through it."""

    def __init__(self, real: S3ObjectStore) -> None:
        self._real = real
        self.started = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    async def create_multipart(self, key: str, **kwargs: Any) -> str:
        self.started += 1
        upload_id: str = await self._real.create_multipart(key, **kwargs)
        return upload_id


def empty_file() -> bytes:
    return b""


NOT_MEDIA = [
    pytest.param("photo.jpg", media.html_page, "text/html", id="html-named-photo.jpg"),
    pytest.param("drawing.svg", media.svg_image, "image/svg+xml", id="svg"),
    pytest.param("statement.pdf", media.minimal_pdf, "application/pdf", id="pdf"),
    pytest.param("video.mp4", media.zip_archive, "application/zip", id="zip-named-video.mp4"),
    pytest.param("camera-app", media.elf_binary, "application/x-executable", id="elf"),
    pytest.param("photo.jpg", media.truncated_header, "text/plain", id="truncated-jpeg-header"),
]


@pytest.mark.parametrize(("filename", "make", "sniffed"), NOT_MEDIA)
async def test_files_that_are_not_photos_or_videos_are_refused(
    client: Any, s3_store: S3ObjectStore, filename: str, make: MediaFactory, sniffed: str
) -> None:
    body = await refused(client, s3_store, form((filename, make())), 415, "unsupported-media-type")
    assert body["sniffed_type"] == sniffed
    assert body["filename"] == filename
    assert filename in body["detail"]
    assert sniffed in body["detail"]
    assert all(label in body["detail"] for label in ALL_LABELS), body["detail"]
    assert body["accepted_types"] == sorted(KNOWN_TYPES)


async def test_a_refused_file_after_an_accepted_one_removes_both(
    client: Any, s3_store: S3ObjectStore
) -> None:
    data = form(("first.jpg", media.jpeg_with_exif()), ("second.pdf", media.minimal_pdf()))
    body = await refused(client, s3_store, data, 415, "unsupported-media-type")
    assert body["filename"] == "second.pdf"


async def test_an_empty_file_is_refused(client: Any, s3_store: S3ObjectStore) -> None:
    body = await refused(client, s3_store, form(("empty.jpg", empty_file())), 422, "empty-file")
    assert body["type"].endswith("empty-file")
    assert "empty.jpg" in body["detail"]
    assert "choose the file again" in body["detail"]


OVER_THE_CAP = [
    pytest.param(
        {"limits_photo_max_bytes": "64 KiB"},
        "big.jpg",
        lambda: media.large_jpeg(128 * KiB),
        "photo",
        64 * KiB,
        0,
        id="photo-over-64KiB",
    ),
    pytest.param(
        {"limits_video_max_bytes": "64 KiB"},
        "long.mp4",
        lambda: media.mp4_head_then_random(256 * KiB),
        "video",
        64 * KiB,
        0,
        id="video-over-64KiB",
    ),
    pytest.param(
        {"limits_video_max_bytes": "6 MiB", "s3_part_size": "5 MiB"},
        "longer.mp4",
        lambda: media.mp4_head_then_random(7 * MiB),
        "video",
        6 * MiB,
        1,
        id="video-over-6MiB-after-a-multipart-part",
    ),
]


@pytest.mark.parametrize(
    ("settings", "filename", "make", "kind", "limit", "multipart_uploads"), OVER_THE_CAP
)
async def test_a_file_over_its_cap_is_refused(
    make_client: Any,
    s3_store: S3ObjectStore,
    settings: dict[str, str],
    filename: str,
    make: MediaFactory,
    kind: str,
    limit: int,
    multipart_uploads: int,
) -> None:
    store = MultipartCounter(s3_store)
    client = await make_client(object_store=store, **settings)
    data = make()
    assert len(data) > limit

    body = await refused(client, s3_store, form((filename, data)), 413, "payload-too-large")

    assert body["limit_bytes"] == limit
    assert f"{filename} ({kind})" in body["detail"]
    assert "send a smaller or shorter file" in body["detail"]
    assert store.started == multipart_uploads, "the case took the storage path it names"


async def test_files_each_under_their_cap_but_over_the_total_are_refused(
    make_client: Any, s3_store: S3ObjectStore
) -> None:
    client = await make_client(limits_max_total_bytes="100 KiB")
    data = form(
        ("first.mp4", media.mp4_head_then_random(60 * KiB)),
        ("second.mp4", media.mp4_head_then_random(60 * KiB)),
    )

    body = await refused(client, s3_store, data, 413, "payload-too-large")

    assert body["limit_bytes"] == 100 * KiB
    assert "This submission is larger than 100 KiB" in body["detail"]


async def test_too_many_files_are_refused(make_client: Any, s3_store: S3ObjectStore) -> None:
    client = await make_client(limits_max_files="2")
    photo = media.jpeg_with_exif()
    data = form(("1.jpg", photo), ("2.jpg", photo), ("3.jpg", photo))

    body = await refused(client, s3_store, data, 413, "payload-too-large")

    assert body["max_files"] == 2
    assert "at most 2 files" in body["detail"]


@pytest.mark.parametrize(
    ("consent", "code"),
    [
        pytest.param(None, "required", id="missing"),
        pytest.param("false", "required", id="declined"),
        pytest.param("perhaps", "not_boolean", id="not-a-boolean"),
    ],
)
async def test_a_submission_without_consent_is_refused(
    client: Any, s3_store: S3ObjectStore, consent: str | None, code: str
) -> None:
    data = form(("photo.jpg", media.jpeg_with_exif()), consent=consent)

    body = await refused(client, s3_store, data, 422, "validation-failed")

    assert "consent_terms" in body["detail"]
    errors = [e for e in body["errors"] if e["field"] == "consent_terms"]
    assert len(errors) == 1, body["errors"]
    assert errors[0]["code"] == code
    assert errors[0]["detail"]
