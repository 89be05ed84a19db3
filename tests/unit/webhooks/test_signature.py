from __future__ import annotations

import datetime as dt
import time

from intake.core.settings.loading import load_settings
from intake.webhooks.dispatcher import DispatchRules
from intake.webhooks.signature import sign, signature, verify

BODY = b'{"id": "e1", "type": "submission.approved"}'


def test_a_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    header = sign("s3cret", BODY, timestamp=1764320000)
    assert header == f"t=1764320000,v1={signature('s3cret', 1764320000, BODY)}"
    # the documented recipe, by hand
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b"1764320000." + BODY, hashlib.sha256).hexdigest()
    assert header.endswith(expected)


def test_verify_refuses_tampering_other_keys_and_old_timestamps() -> None:
    now = int(time.time())
    header = sign("s3cret", BODY, timestamp=now)
    assert verify("s3cret", header, BODY)
    assert not verify("s3cret", header, BODY + b" ")
    assert not verify("other", header, BODY)
    assert not verify("s3cret", sign("s3cret", BODY, timestamp=now - 3600), BODY)
    assert not verify("s3cret", "garbage", BODY)


def test_backoff_doubles_up_to_the_cap() -> None:
    rules = DispatchRules(
        "k", dt.timedelta(seconds=60), dt.timedelta(seconds=5), dt.timedelta(seconds=60)
    )
    waits = [rules.backoff(n).total_seconds() for n in (1, 2, 3, 10)]
    assert 5 <= waits[0] <= 6 and 10 <= waits[1] <= 12 and 20 <= waits[2] <= 24
    assert 60 <= waits[3] <= 72


def test_the_webhook_secret_never_shows() -> None:
    settings = load_settings(
        None,
        {
            "INTAKE_WEBHOOKS_SECRET": "do-not-print-me",
            "INTAKE_WEBHOOKS_URLS": "https://hooks.example.org/a",
        },
    )
    assert settings.webhooks.secret == "do-not-print-me"
    assert "do-not-print-me" not in repr(settings) and "do-not-print-me" not in str(settings)
