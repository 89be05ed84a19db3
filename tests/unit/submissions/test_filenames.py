from __future__ import annotations

import pytest

from intake.submissions.filenames import MAX_FILENAME_CHARS, sanitize_filename


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("IMG_0001.JPG", "IMG_0001.JPG"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\Desktop\\photo.jpg", "photo.jpg"),
        ("bad\x00name\r\n.jpg", "badname.jpg"),
        (".hidden.mov", "hidden.mov"),
        ("عکس من.jpg", "عکس من.jpg"),
        ("خانه\u200cها.jpg", "خانه\u200cها.jpg"),
        ("\u200fعکس\u200e.jpg", "\u200fعکس\u200e.jpg"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("\u2066clip\u2069.mp4", "clip.mp4"),
        ("a\u202ab\u202bc\u202cd\u202de\u2067f\u2068g.png", "abcdefg.png"),
        ("", ""),
        (None, ""),
    ],
)
def test_filenames_lose_paths_and_control_characters(given: str | None, kept: str) -> None:
    assert sanitize_filename(given) == kept


def test_long_filenames_keep_their_extension() -> None:
    name = sanitize_filename("x" * 500 + ".mp4")
    assert len(name) == MAX_FILENAME_CHARS
    assert name.endswith(".mp4")
