"""Videos opened with PyAV: facts read, copies remuxed bare, crafted inputs refused."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import av
import av.error
import pytest

from intake.core.errors import MediaRejected
from intake.media.results import Inspected, VideoLimits
from intake.media.video_metadata import parse_iso6709
from intake.media.videos import inspect_video
from tests import media

LIMITS = VideoLimits(max_seconds=7200, max_side=8192, thumbnail_side=480, poster_seconds=1)
CREATION = media.CAPTURED_AT.strftime("%Y-%m-%dT%H:%M:%S")


def run(tmp_path: Path, data: bytes, mime: str, limits: VideoLimits = LIMITS) -> Inspected:
    original = tmp_path / "original"
    original.write_bytes(data)
    return inspect_video(str(original), mime, str(tmp_path), limits)


@pytest.mark.parametrize(
    ("make", "mime", "codec", "container"),
    [
        (media.mp4_h264, "video/mp4", "h264", "mov"),
        (media.mov_h264, "video/quicktime", "h264", "mov"),
        (media.webm_vp9, "video/webm", "vp9", "matroska"),
        (media.threegp_h263, "video/3gpp", "h263", "mov"),
    ],
)
def test_facts_are_read_and_the_public_copy_has_no_metadata(
    tmp_path: Path, make: Callable[[], bytes], mime: str, codec: str, container: str
) -> None:
    found = run(tmp_path, make(), mime)
    facts = found.extracted
    assert facts["container"] == container
    assert facts["video_codec"] == codec
    assert (facts["width"], facts["height"]) in (media.VIDEO_SIZE, (176, 144))
    assert facts["duration_seconds"] == pytest.approx(1.0, abs=0.25)
    assert facts["frame_rate"] == pytest.approx(media.VIDEO_FPS, abs=0.5)
    assert facts["rotation"] == 0
    if mime != "video/webm":  # the WebM muxer keeps neither tag of the generator
        assert facts["creation_time"].startswith(CREATION)
        assert facts["location_iso6709"] == media.LOCATION_ISO6709
        assert facts["gps"] == {"latitude": media.LATITUDE, "longitude": media.LONGITUDE}
    raw = Path(found.public.path).read_bytes()
    assert media.LOCATION_ISO6709.encode() not in raw
    with av.open(found.public.path) as public:
        # left: the file-type brands and the muxer's bare name (no version, no date)
        assert set(public.metadata) <= {"major_brand", "minor_version", "compatible_brands",
                                        "encoder"}  # fmt: skip
        assert public.metadata.get("encoder", "Lavf") == "Lavf"
        for stream in public.streams:
            assert "creation_time" not in stream.metadata
        assert public.streams.video[0].codec_context.name == codec
        frames = sum(1 for _ in public.decode(video=0))
    assert frames == media.VIDEO_FPS  # every packet copied, nothing re-encoded
    assert Path(found.thumbnail.path).stat().st_size > 0


def test_a_truncated_mp4_is_refused(tmp_path: Path) -> None:
    data = media.mp4_h264()
    with pytest.raises(MediaRejected):
        run(tmp_path, data[: len(data) // 2], "video/mp4")


def test_an_mp4_without_a_video_stream_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MediaRejected, match="no video stream"):
        run(tmp_path, media.mp4_audio_only(), "video/mp4")


def test_the_duration_and_size_limits_apply(tmp_path: Path) -> None:
    short = VideoLimits(max_seconds=0.5, max_side=8192, thumbnail_side=480, poster_seconds=1)
    with pytest.raises(MediaRejected, match="longer than"):
        run(tmp_path, media.mp4_h264(), "video/mp4", short)
    narrow = VideoLimits(max_seconds=60, max_side=100, thumbnail_side=480, poster_seconds=1)
    with pytest.raises(MediaRejected, match="larger than 100 pixels"):
        run(tmp_path, media.mp4_h264(), "video/mp4", narrow)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback that records every request it gets."""
    seen: list[str] = []
    handler = type("Handler", (_Recorder,), {"requests": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mime", ["video/mp4", "video/quicktime", "video/webm"])
@pytest.mark.parametrize("craft", [media.hls_playlist, media.ffconcat_list])
def test_a_playlist_or_concat_list_is_refused_and_fetches_nothing(
    tmp_path: Path,
    http_server: tuple[str, list[str]],
    craft: Callable[[str], bytes],
    mime: str,
) -> None:
    base, seen = http_server
    secret = tmp_path / "other.mp4"
    secret.write_bytes(media.mp4_h264())
    for target in (f"{base}/segment.ts", str(secret)):
        with pytest.raises(MediaRejected):
            run(tmp_path, craft(target), mime)
    assert seen == []


def test_the_crafted_playlist_would_be_followed_if_ffmpeg_were_left_to_probe(
    tmp_path: Path,
) -> None:
    """The check above means something: FFmpeg's own probing follows the playlist to
    another local file."""
    secret = tmp_path / "other.ts"
    with av.open(str(secret), mode="w", format="mpegts") as out:
        stream = out.add_stream("mpeg2video", rate=5)
        stream.width, stream.height = media.VIDEO_SIZE
        stream.pix_fmt = "yuv420p"
        for frame in media._video_frames(media.VIDEO_SIZE, 5):
            out.mux(stream.encode(frame.reformat(format="yuv420p")))
        out.mux(stream.encode(None))
    playlist = tmp_path / "clip.m3u8"
    playlist.write_bytes(media.hls_playlist(str(secret)))
    with av.open(str(playlist)) as followed:
        assert followed.format.name == "hls"
        assert followed.streams.video
    with pytest.raises(MediaRejected):
        run(tmp_path, media.hls_playlist(str(secret)), "video/mp4")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+32.0929+034.8620+028.516/", {"latitude": 32.0929, "longitude": 34.862,
                                        "altitude": 28.516}),
        ("+51.4169-000.0806/", {"latitude": 51.4169, "longitude": -0.0806}),
        ("-33.8688+151.2093/", {"latitude": -33.8688, "longitude": 151.2093}),
        ("somewhere", None),
        ("+99.0000+000.0000/", None),
    ],
)  # fmt: skip
def test_iso6709_locations_are_parsed(value: str, expected: dict[str, float] | None) -> None:
    assert parse_iso6709(value) == expected
