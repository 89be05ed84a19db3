from __future__ import annotations

import re
import time
import uuid

from intake.core.ids import (
    hash_token,
    new_id,
    new_reference,
    new_token,
    normalize_reference,
    token_matches,
)


def test_ids_are_uuid7_in_creation_order() -> None:
    first = new_id()
    time.sleep(0.002)
    second = new_id()
    assert uuid.UUID(first).version == 7
    assert first < second


def test_references_are_readable_and_normalised_from_what_people_type() -> None:
    reference = new_reference()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", reference)
    assert normalize_reference(reference.lower().replace("-", " ")) == reference
    assert normalize_reference("ab0o1-il234") == "AB001-11234"


def test_tokens_are_stored_hashed_and_compared_safely() -> None:
    token = new_token()
    stored = hash_token(token)
    assert token not in stored
    assert token_matches(token, stored)
    assert not token_matches(new_token(), stored)
