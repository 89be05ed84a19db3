import pytest

from intake.adapters.s3 import signs_payload


@pytest.mark.parametrize(
    ("endpoint", "signed"),
    [
        (None, False),  # AWS over https
        ("https://s3.eu-central-1.amazonaws.com", False),
        ("http://127.0.0.1:8333", False),
        ("http://[::1]:8333", False),
        ("http://localhost:9000", False),
        ("http://minio.newsroom.lan:9000", True),
        ("http://10.0.0.5:9000", True),
    ],
)
def test_bodies_are_signed_only_on_plain_http_to_another_host(
    endpoint: str | None, signed: bool
) -> None:
    assert signs_payload(endpoint) is signed
