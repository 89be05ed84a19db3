from __future__ import annotations

import hashlib

import pytest

from intake.core.errors import PayloadTooLarge
from intake.uploads.filters import (
    HeadCollector,
    ResumableSha256,
    Sha256,
    SizeLimit,
    describe_size,
)


def test_size_limit_cuts_off_the_moment_it_is_passed() -> None:
    limit = SizeLimit(10, "photo.jpg")
    limit.feed(b"12345")
    limit.feed(b"12345")
    with pytest.raises(PayloadTooLarge) as caught:
        limit.feed(b"1")
    assert caught.value.extra["limit_bytes"] == 10
    assert "photo.jpg" in caught.value.detail


def test_head_collector_keeps_only_the_head() -> None:
    head = HeadCollector(4)
    head.feed(b"ab")
    assert not head.full
    head.feed(b"cdef")
    assert head.full and head.head == b"abcd"


def test_sha256_over_chunks_equals_the_whole() -> None:
    digest = Sha256()
    for chunk in (b"a" * 1000, b"b" * 7, b""):
        digest.feed(chunk)
    assert digest.hexdigest == hashlib.sha256(b"a" * 1000 + b"b" * 7).hexdigest()


@pytest.mark.parametrize(
    ("size", "text"),
    [(30 * 2**20, "30 MiB"), (2 * 2**30, "2 GiB"), (1536, "1.5 KiB"), (12, "12 bytes")],
)
def test_sizes_are_described_for_people(size: int, text: str) -> None:
    assert describe_size(size) == text


def test_sha256_state_resumes_in_another_hasher() -> None:
    first = ResumableSha256()
    first.feed(b"part one, ")
    resumed = ResumableSha256(first.state)
    resumed.feed(b"part two")
    assert resumed.hexdigest == hashlib.sha256(b"part one, part two").hexdigest()
