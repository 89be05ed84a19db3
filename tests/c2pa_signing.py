"""Content credentials (C2PA) made in the tests: a root of our own, a signer under it,
and files signed with ``c2pa-python`` (valid, AI-generated, signed by a stranger)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AI_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
CAMERA_SOURCE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
TOOL = "Intake Test Camera"


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Intake Tests"),
    ])  # fmt: skip


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool,
) -> x509.Certificate:  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_usage(ca=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not ca:  # C2PA signers need an end-entity certificate with a signing EKU
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass(frozen=True)
class SigningAuthority:
    """A root certificate and a signer certified by it."""

    root_pem: str
    chain_pem: str
    key_pem: bytes
    signer_name: str

    @classmethod
    def new(
        cls, root_name: str = "Intake Test Root", signer: str = "Intake Test Signer"
    ) -> SigningAuthority:
        root_key = ec.generate_private_key(ec.SECP256R1())
        root = _certificate(root_name, root_key, _name(root_name), root_key, ca=True)
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _certificate(signer, key, root.subject, root_key, ca=False)
        key_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())  # fmt: skip
        return cls(_pem(root), _pem(leaf) + _pem(root), key_pem, signer)

    def sign(
        self, data: bytes, mime: str, actions: list[dict[str, Any]] | None = None,
        ingredients: tuple[str, ...] = (),
    ) -> bytes:  # fmt: skip
        """``data`` with a C2PA manifest embedded, recording ``actions`` (a capture by
        default) and, for each of ``ingredients``, a parent ingredient of that title."""
        actions = actions or [{"action": "c2pa.created", "digitalSourceType": CAMERA_SOURCE,
                               "when": "2026-12-01T10:00:00Z"}]  # fmt: skip
        manifest = {
            "claim_generator_info": [{"name": TOOL, "version": "2.0"}],
            "title": "signed", "format": mime,
            "assertions": [{"label": "c2pa.actions", "data": {"actions": actions}}],
        }  # fmt: skip
        info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, self.chain_pem.encode(),
                                   self.key_pem, None)  # fmt: skip
        signer = c2pa.Signer.from_info(info)
        builder = c2pa.Builder(manifest)
        for title in ingredients:
            builder.add_ingredient({"title": title, "relationship": "parentOf"}, mime,
                                   io.BytesIO(data))  # fmt: skip
        out = io.BytesIO()
        builder.sign(signer, mime, io.BytesIO(data), out)
        return out.getvalue()


def tamper(data: bytes) -> bytes:
    """A signed file with one byte of its picture changed after signing (near the end,
    inside the compressed picture, past the manifest)."""
    changed = bytearray(data)
    changed[len(changed) - 64] ^= 0x55
    return bytes(changed)
