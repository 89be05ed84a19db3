"""What keeps the embedded SeaweedFS closed to everyone but intake.

``weed mini`` opens a dozen loopback ports: S3, and the HTTP and gRPC ports of its master,
volume server, filer and admin. Left as they come, the filer's HTTP port lists and serves
every object to anyone on the machine. Each start writes, beside the data (every file
0600, in a 0700 directory):

- ``security.toml`` with fresh JWT signing keys for volume writes and reads
  (``[jwt.signing]``, ``[jwt.signing.read]``) and for the filer
  (``[jwt.filer_signing]``, ``[jwt.filer_signing.read]``): a volume server or filer
  request without a token signed by them is refused (401);
- a certificate authority made for this start, whose key is never written: every gRPC
  port requires a client certificate it signed (mutual TLS), and only the node
  certificate in ``tls/`` has one.

``weed mini`` also runs with ``-disableHttp``, which takes the master's and the filer's
HTTP APIs away (the master would otherwise hand a read token to anyone naming a file id)
and ``umask 077``, so that what it creates is private too (its unix sockets in ``/tmp``
included). The S3 port answers only requests signed with the key pair in
``credentials.json``. The keys are made anew at each start: nothing but ``weed`` itself
needs them, and a copy of an old data directory holds none that still opens anything.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from intake.adapters.private_files import private_directory, write_private

SECURITY_FILE = "security.toml"
TLS_DIR = "tls"
JWT_SECTIONS = ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read")
GRPC_COMPONENTS = ("master", "volume", "filer", "s3", "admin", "worker", "msg_broker",
                   "msg_agent", "mq", "client")  # fmt: skip
WEED_ARGUMENTS = ("-disableHttp", "-filer.exposeDirectoryData=false")
"""Arguments that close what ``security.toml`` cannot: the master's and filer's HTTP APIs."""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificates(now: dt.datetime) -> tuple[bytes, bytes, bytes]:
    """A throwaway CA (its key is dropped) and a node certificate it signed, usable as
    server and as client: ``(ca_pem, node_pem, node_key_pem)``."""
    valid = (now - dt.timedelta(minutes=5), now + dt.timedelta(days=3650))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("intake embedded SeaweedFS CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0]).not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    node = (
        x509.CertificateBuilder()
        .subject_name(_name("intake-seaweedfs")).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(valid[0]).not_valid_after(valid[1])
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ca.public_bytes(pem), node.public_bytes(pem), key_pem


def security_toml(tls: Path, jwt_keys: dict[str, str]) -> str:
    """The text of ``security.toml``: the JWT keys, no UI, mutual TLS on every gRPC port."""
    lines = []
    for section in JWT_SECTIONS:
        lines += [f"[{section}]", f'key = "{jwt_keys[section]}"', "expires_after_seconds = 10", ""]
    lines += ["[access]", "ui = false", "", "[filer.expose_directory_metadata]",
              "enabled = false", "", "[grpc]", f'ca = "{tls / "ca.crt"}"', ""]  # fmt: skip
    for component in GRPC_COMPONENTS:
        lines += [f"[grpc.{component}]", f'cert = "{tls / "node.crt"}"',
                  f'key = "{tls / "node.key"}"', ""]  # fmt: skip
    return "\n".join(lines)


def write_security(directory: Path) -> Path:
    """Write this start's ``security.toml`` and TLS files into ``directory`` (``weed``
    reads ``./security.toml``: run it there); return the file's path."""
    tls = private_directory(directory / TLS_DIR)
    ca, node, key = _certificates(dt.datetime.now(dt.UTC))
    write_private(tls / "ca.crt", ca)
    write_private(tls / "node.crt", node)
    write_private(tls / "node.key", key)
    jwt_keys = {section: secrets.token_hex(32) for section in JWT_SECTIONS}
    path = directory / SECURITY_FILE
    write_private(path, security_toml(tls, jwt_keys).encode())
    return path


def weed_environment() -> dict[str, str]:
    """This process's environment without ``WEED_*`` variables: a stray
    ``WEED_JWT_SIGNING_KEY=`` would win over ``security.toml`` and open the door again."""
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("WEED_")}
