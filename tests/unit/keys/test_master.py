"""Master keys: parsed strictly, the current one wraps, every listed one unwraps."""

from __future__ import annotations

import os

import pytest

from intake.core.errors import ConfigurationError
from intake.keys.master import MasterKeys, UnwrapFailed, new_entry


def test_the_first_entry_wraps_and_an_older_one_still_unwraps() -> None:
    old_entry = new_entry("old")
    data_key = os.urandom(32)
    key_id, wrapped = MasterKeys.parse(old_entry).wrap(data_key, "s1")
    assert key_id == "old" and data_key not in wrapped
    both = MasterKeys.parse(f"{new_entry('new')},{old_entry}\n")
    assert both.current == "new" and both.wrap(data_key, "s1")[0] == "new"
    assert both.unwrap("old", wrapped, "s1") == data_key


def test_a_wrapped_key_opens_only_for_its_own_submission() -> None:
    keys = MasterKeys.parse(new_entry("k"))
    key_id, wrapped = keys.wrap(os.urandom(32), "s1")
    with pytest.raises(UnwrapFailed):
        keys.unwrap(key_id, wrapped, "s2")


@pytest.mark.parametrize(
    "text", ["", "nokey", "k:", "k:bm90IDMyIGJ5dGVz", "bad id:" + "A" * 44, "k:" + "!" * 44]
)
def test_bad_entries_are_refused_with_what_to_do(text: str) -> None:
    with pytest.raises(ConfigurationError, match=r"keys\.master_key"):
        MasterKeys.parse(text)


def test_an_unlisted_master_key_says_to_add_it_back() -> None:
    keys = MasterKeys.parse(new_entry("k"))
    with pytest.raises(ConfigurationError, match="add it back"):
        keys.unwrap("gone", b"\0" * 60, "s1")


def test_the_repr_shows_no_key() -> None:
    entry = new_entry("k")
    assert entry.split(":")[1] not in repr(MasterKeys.parse(entry))
