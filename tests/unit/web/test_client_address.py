from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from intake.web.client_address import client_address, networks


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.9", "198.51.100.1", [], "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", ["10.0.0.0/8"], "203.0.113.9"),
        ("10.0.0.5", "198.51.100.1", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.5", "6.6.6.6, 198.51.100.1, 10.0.0.7", ["10.0.0.0/8"], "198.51.100.1"),
        ("10.0.0.5", "", ["10.0.0.0/8"], "10.0.0.5"),
    ],
)
def test_only_trusted_proxies_name_the_client(
    peer: str, forwarded: str, proxies: list[str], expected: str
) -> None:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("POST", "/api/v1/submissions", headers=headers)
    request = request.clone(remote=peer)
    assert client_address(request, networks(proxies)) == expected
