"""The embedded SeaweedFS that `intake serve` runs opens to no one without credentials,
and what intake keeps under ``server.data_dir`` is private to its owner."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import socket
import ssl
import stat
import time
import tomllib
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from tests.integration.serving import JPEG_HEAD

H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes.fromhex("000000040000000000")


def _weed_ports(weed: psutil.Process) -> dict[int, str]:
    """Every TCP port the process listens on, named by the flag that chose it."""
    named = {}
    for arg in weed.cmdline():
        name, _, value = arg.lstrip("-").partition("=")
        if name.endswith((".port", ".port.grpc")) and value.isdigit():
            named[int(value)] = name
    listening = {c.laddr.port for c in weed.net_connections("tcp") if c.status == "LISTEN"}
    return {port: named.get(port, "unnamed") for port in listening}


def _file_ids(volumes: Path) -> list[str]:
    """The SeaweedFS file ids of every needle in the volume files (index entry: needle id,
    5-byte offset in 8-byte units, size; the needle's header starts with its cookie)."""
    ids = []
    for index in volumes.glob("*.idx"):
        volume = int(index.stem.rsplit("_", 1)[-1])
        raw, data = index.read_bytes(), index.with_suffix(".dat").read_bytes()
        for at in range(0, len(raw) - 16, 17):
            needle = int.from_bytes(raw[at : at + 8], "big")
            offset = (int.from_bytes(raw[at + 8 : at + 12], "big") + (raw[at + 12] << 32)) * 8
            if offset:
                cookie = int.from_bytes(data[offset : offset + 4], "big")
                ids.append(f"{volume},{needle:x}{cookie:08x}")
    return ids


def _jwt(key: str, claims: dict[str, Any]) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


async def _get(http: aiohttp.ClientSession, url: str, token: str = "") -> tuple[int, bytes, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with http.get(url, headers=headers, allow_redirects=False) as response:
            return response.status, await response.read(), response.headers.get("Authorization", "")
    except (aiohttp.ClientError, OSError):
        return 0, b"", ""


def _h2_settings(port: int, context: ssl.SSLContext | None) -> bytes:
    """What the port answers to an HTTP/2 preface, in clear or over TLS: the first bytes,
    or ``b""`` when it closes the connection or refuses the handshake."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            if context is None:
                raw.sendall(H2_PREFACE)
                return raw.recv(64)
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(H2_PREFACE)
                return tls.recv(64)
    except (OSError, ssl.SSLError):
        return b""


def _tls(certificates: Path | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    if certificates is not None:
        context.load_cert_chain(certificates / "node.crt", certificates / "node.key")
    return context


async def _a_submission(base: str, marker: str) -> str:
    """Send one; return its manifest's key once the manifest is in the bucket."""
    form = aiohttp.FormData()
    form.add_field("consent_terms", "true")
    form.add_field("name", marker)
    form.add_field("files", JPEG_HEAD + os.urandom(5000), filename="p.jpg")
    async with (
        aiohttp.ClientSession() as http,
        http.post(base + "/api/v1/submissions", data=form) as response,
    ):
        assert response.status == 201
        created = await response.json()
    day = dt.datetime.fromisoformat(created["created_at"].replace("Z", "+00:00"))
    return f"submissions/{day:%Y/%m/%d}/{created['id']}/manifest.json"


async def test_no_port_of_the_embedded_storage_serves_an_object_without_credentials(
    served: dict[str, Any],
) -> None:
    marker = "Zarmina-" + secrets.token_hex(6)
    key = await _a_submission(served["base"], marker)
    (weed,) = served["weed"]
    store = served["data"] / "seaweedfs"
    file_ids = _file_ids(store / "data")
    assert file_ids, "the volume holds the objects just written"
    ports = _weed_ports(weed)
    assert {"s3.port", "filer.port", "filer.port.grpc", "volume.port", "master.port"} <= set(
        ports.values()
    )
    paths = ["/intake?list-type=2", f"/intake/{key}", "/buckets/intake/?limit=1000",
             f"/buckets/intake/{key}", "/buckets/intake/submissions/"]  # fmt: skip
    paths += [f"/{fid}" for fid in file_ids]
    paths += [f"/dir/lookup?fileId={fid}&read=yes" for fid in file_ids]
    async with aiohttp.ClientSession() as http:
        for port, name in sorted(ports.items()):
            for path in paths:
                status, body, token = await _get(http, f"http://127.0.0.1:{port}{path}")
                assert not 200 <= status < 300, (name, path, status, body[:200])
                assert marker.encode() not in body, (name, path)
                if key not in path:  # an error may name the key it was asked for
                    assert key.encode() not in body, f"{name} listed the key at {path}"
                assert not token, f"{name} handed out a token for {path}"
            if name.endswith(".grpc"):
                assert await asyncio.to_thread(_h2_settings, port, None) == b"", name
                assert await asyncio.to_thread(_h2_settings, port, _tls(None)) == b"", name
                assert await asyncio.to_thread(_h2_settings, port, _tls(store / "tls")), name

        # The same requests do work with the credentials intake gave SeaweedFS.
        security = tomllib.loads((store / "security.toml").read_text())
        read_key = security["jwt"]["signing"]["read"]["key"]
        volume = next(port for port, name in ports.items() if name == "volume.port")
        fid = file_ids[0]
        token = _jwt(read_key, {"fid": fid, "exp": int(time.time()) + 60})
        status, _, _ = await _get(http, f"http://127.0.0.1:{volume}/{fid}", token)
        assert status == 200


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


async def test_everything_under_the_data_directory_is_private(served: dict[str, Any]) -> None:
    await _a_submission(served["base"], "Zarmina")
    data: Path = served["data"]
    assert _mode(data) == 0o700
    loose = []
    for path in data.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir():
            if _mode(path) != 0o700:
                loose.append((str(path), oct(_mode(path))))
        elif _mode(path) & 0o077 and path.suffix != ".vif":
            # SeaweedFS writes each volume's info file (.vif: version, replication; no
            # object data) 0644 whatever the umask; the directories above it are 0700.
            loose.append((str(path), oct(_mode(path))))
    assert not loose
    assert (data / "intake.db").is_file()
    assert (data / "intake.db-wal").is_file()
    assert (data / "seaweedfs" / "security.toml").is_file()
    sockets = [c.laddr for c in served["weed"][0].net_connections("unix") if c.laddr]
    assert sockets, "weed mini listens on unix sockets in /tmp"
    for path in {Path(s) for s in sockets if Path(s).exists()}:
        assert _mode(path) & 0o077 == 0, path
