"""A form part's names, read once from its Content-Disposition: always what aiohttp's own
``name`` and ``filename`` answer, and without aiohttp's parser for the plain shape."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from aiohttp.multipart import BodyPartReader
from multidict import CIMultiDict, CIMultiDictProxy

from intake.web.submissions import disposition
from intake.web.submissions.disposition import part_names

HEADERS = [
    'form-data; name="story"',
    'form-data; name="file"; filename="clip.mp4"',
    'form-data; name="file"; filename=""',
    'form-data; name="file"; filename="عکس‌های کابل.jpg"',  # ZWNJ in a Dari name
    'form-data; name="file"; filename="د کابل انځور.heic"',
    'form-data; name="/story"',
    'form-data; name="file"; filename="//etc/passwd"',
    'form-data; name="file"; filename="a;b.jpg"',
    'form-data; name="file"; filename="say \\"hi\\".jpg"',
    'form-data; name="file"; filename="C:\\\\photos\\\\a.jpg"',
    "form-data; name=\"file\"; filename*=UTF-8''%D8%B9%DA%A9%D8%B3.jpg",
    'form-data; NAME="story"',
    'Form-Data; name="story"',
    "form-data; name=story",
    'form-data; name="file"; filename="x.jpg"; size=3',
    'form-data;name="story"',
    'form-data; name="story";',
    'form-data; name="a"; name="b"',
    "attachment",
    "",
    "form-data; name=\"file\"; filename='quoted.jpg'",
]


def _part(header: str | None) -> BodyPartReader:
    headers: CIMultiDict[str] = CIMultiDict()
    if header is not None:
        headers["Content-Disposition"] = header
    content: Any = None  # names never read the body
    return BodyPartReader(b"b", CIMultiDictProxy(headers), content)


@pytest.mark.parametrize("header", [*HEADERS, None])
def test_names_are_aiohttps(header: str | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = (_part(header).name, _part(header).filename)
        assert part_names(_part(header)) == expected


@pytest.mark.parametrize(
    ("header", "names"),
    [
        ('form-data; name="story"', ("story", None)),
        ('form-data; name="file"; filename="عکس‌های کابل.jpg"', ("file", "عکس‌های کابل.jpg")),
        ('form-data; name="file"; filename="/x.jpg"', ("file", "x.jpg")),
    ],
)
def test_the_plain_shape_is_read_without_aiohttps_parser(
    header: str, names: tuple[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(header: str | None) -> Any:
        raise AssertionError("parsed by aiohttp")

    monkeypatch.setattr(disposition, "parse_content_disposition", refuse)
    assert part_names(_part(header)) == names
