"""A TEST-ONLY PKI for seal tests, generated at run time (no private key is committed).

- ``test_ca``: a self-signed CA, "edc-issue TEST CA (test only)".
- ``eseal``: an e-seal certificate with organizationIdentifier VATAL-TEST00000
  (digitalSignature + nonRepudiation), RSA-2048.
- ``eseal_ec``: the same for a P-256 key.
- ``expired``: an e-seal certificate valid 2020-2021 only.
- ``no_ds``: an e-seal certificate whose keyUsage lacks digitalSignature.
- ``tsa``: a time-stamping certificate (EKU timeStamping) and an in-memory
  :class:`TimeStampClient` that answers RFC 3161 tokens without a network.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import cms, tsp
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TEST_PASSWORD = "test-only-password-not-secret"
NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


@dataclass
class Issued:
    """A generated certificate and its private key (TEST ONLY)."""

    key: Any
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self, password: str | None = None) -> bytes:
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password.encode())
            if password else serialization.NoEncryption()
        )
        return self.key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8, enc)


def _name(cn: str, *, org_id: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue TEST organisation"),
             x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org_id:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
    return x509.Name(attrs)


def _issue(
    subject: x509.Name,
    key: Any,
    issuer: Issued | None,
    *,
    ca: bool = False,
    not_before: datetime = datetime(2025, 1, 1, tzinfo=timezone.utc),
    not_after: datetime = datetime(2031, 1, 1, tzinfo=timezone.utc),
    digital_signature: bool = True,
    eku: list[x509.ObjectIdentifier] | None = None,
) -> Issued:
    signer_key = issuer.key if issuer else key
    issuer_name = issuer.cert.subject if issuer else subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=digital_signature and not ca, content_commitment=not ca,
            key_encipherment=not digital_signature, data_encipherment=False,
            key_agreement=False, key_cert_sign=ca, crl_sign=ca,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
    )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    cert = builder.sign(signer_key, hashes.SHA256())
    return Issued(key, cert)


@dataclass
class SealPki:
    """Everything a seal test needs (TEST ONLY keys)."""

    ca: Issued
    other_ca: Issued
    eseal: Issued
    eseal_ec: Issued
    expired: Issued
    no_ds: Issued
    tsa: Issued

    def p12(self, issued: Issued | None = None, password: str = TEST_PASSWORD) -> bytes:
        issued = issued or self.eseal
        return pkcs12.serialize_key_and_certificates(
            b"edc-issue TEST seal", issued.key, issued.cert, [self.ca.cert],
            serialization.BestAvailableEncryption(password.encode()),
        )


@pytest.fixture(scope="session")
def pki() -> SealPki:
    """A generated TEST-ONLY PKI (keys live in memory for the test session only)."""
    rsa_key = lambda: rsa.generate_private_key(65537, 2048)  # noqa: E731
    ca = _issue(_name("edc-issue TEST CA (test only)"), rsa_key(), None, ca=True,
                not_before=datetime(2019, 1, 1, tzinfo=timezone.utc),
                not_after=datetime(2040, 1, 1, tzinfo=timezone.utc))
    other = _issue(_name("edc-issue OTHER TEST CA (test only)"), rsa_key(), None, ca=True)
    eseal = _issue(_name("edc-issue TEST SEAL", org_id="VATAL-TEST00000"), rsa_key(), ca)
    eseal_ec = _issue(_name("edc-issue TEST SEAL EC", org_id="VATAL-TEST00000"),
                      ec.generate_private_key(ec.SECP256R1()), ca)
    expired = _issue(_name("edc-issue EXPIRED TEST SEAL", org_id="VATAL-TEST00000"),
                     rsa_key(), ca, not_before=datetime(2020, 1, 1, tzinfo=timezone.utc),
                     not_after=datetime(2021, 1, 1, tzinfo=timezone.utc))
    no_ds = _issue(_name("edc-issue NO-DS TEST SEAL", org_id="VATAL-TEST00000"), rsa_key(),
                   ca, digital_signature=False)
    tsa = _issue(_name("edc-issue TEST TSA"), rsa_key(), ca,
                 eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    return SealPki(ca, other, eseal, eseal_ec, expired, no_ds, tsa)


def make_token(
    digest: bytes,
    tsa: Issued,
    *,
    gen_time: datetime = NOW,
    hash_algorithm: str = "sha256",
    nonce: int | None = None,
) -> bytes:
    """A real RFC 3161 TimeStampToken (CMS SignedData over TSTInfo), signed by *tsa*."""
    info: dict[str, Any] = {
        "version": "v1",
        "policy": "1.2.3.4.5",
        "message_imprint": {"hash_algorithm": {"algorithm": hash_algorithm},
                            "hashed_message": digest},
        "serial_number": 1,
        "gen_time": gen_time,
    }
    if nonce is not None:
        info["nonce"] = nonce
    tst_info = tsp.TSTInfo(info)
    tst_der = tst_info.dump()
    cert = a_x509.Certificate.load(tsa.der)
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": ["tst_info"]},
        {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
        {"type": "signing_certificate_v2",
         "values": [{"certs": [{"cert_hash": hashlib.sha256(tsa.der).digest()}]}]},
    ])
    signed = attrs.dump()
    signature = tsa.key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier(name="issuer_and_serial_number", value={
            "issuer": cert.issuer, "serial_number": cert.serial_number}),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": attrs,
        "signature_algorithm": {"algorithm": "sha256_rsa"},
        "signature": signature,
    })
    sd = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "tst_info", "content": tst_info},
        "certificates": [cert],
        "signer_infos": [signer_info],
    })
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump())


class MemoryTsa:
    """A :class:`edc_issue.seal.TimeStampClient` answering from memory (no network)."""

    def __init__(self, tsa: Issued, gen_time: datetime = NOW) -> None:
        self.tsa = tsa
        self.gen_time = gen_time
        self.requests: list[bytes] = []

    def timestamp(self, digest: bytes, hash_algorithm: str = "sha256") -> bytes:
        self.requests.append(digest)
        return make_token(digest, self.tsa, gen_time=self.gen_time,
                          hash_algorithm=hash_algorithm)


@pytest.fixture
def memory_tsa(pki: SealPki) -> MemoryTsa:
    """An in-memory TSA with the test PKI's time-stamping certificate."""
    return MemoryTsa(pki.tsa)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def std_header(issued: Issued, chain: list[Issued] | None = None, **extra: Any) -> dict[str, Any]:
    """A JAdES protected header built by hand (not by the code under test)."""
    certs = [issued, *(chain or [])]
    header: dict[str, Any] = {
        "alg": "RS256",
        "typ": "jose+json",
        "cty": "octet-stream",
        "x5t#S256": b64url(hashlib.sha256(issued.der).digest()),
        "x5c": [base64.b64encode(c.der).decode() for c in certs],
        "b64": False,
        "sigT": "2026-03-01T12:00:00Z",
        "crit": ["b64", "sigT"],
    }
    header.update(extra)
    return {k: v for k, v in header.items() if v is not None}


def hand_sealed(
    payload: dict[str, Any] | str,
    issued: Issued,
    header: dict[str, Any] | None = None,
    *,
    unprotected: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An envelope signed from first principles (RSA PKCS#1 v1.5 over RFC 7797 input)."""
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    protected = b64url_json(header if header is not None else std_header(issued))
    signing_input = protected.encode("ascii") + b"." + text.encode("utf-8")
    sig = issued.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    entry: dict[str, Any] = {"protected": protected, "signature": b64url(sig)}
    if unprotected is not None:
        entry["header"] = unprotected
    return {"payload": text, "signatures": [entry]}


@pytest.fixture
def sealer() -> Callable[..., dict[str, Any]]:
    """The :func:`hand_sealed` helper."""
    return hand_sealed


@pytest.fixture
def credential() -> dict[str, Any]:
    """A small credential-like JSON object with non-ASCII text."""
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issuer": {"id": "urn:epass:org:test", "legalName": {"sq": "Universiteti TEST — Tiranë"}},
        "credentialSubject": {"id": "urn:epass:person:1", "name": "Ëndi Test"},
        "issuanceDate": "2026-01-01T00:00:00Z",
    }



@pytest.fixture
def token_maker() -> Callable[..., bytes]:
    """The :func:`make_token` helper (an RFC 3161 token from the test TSA)."""
    return make_token


@pytest.fixture
def header_maker() -> Callable[..., dict[str, Any]]:
    """The :func:`std_header` helper (a JAdES header built by hand)."""
    return std_header


# --- local trust services (OCSP responder, CRL, RFC 3161 TSA, CSC v2 stand-in) ----------

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def load_example(name: str) -> Any:
    """Import ``examples/<name>.py`` (the local trust services live there, for the guides)."""
    module_name = f"edc_issue_examples_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def trust_services():
    """TEST trust services on 127.0.0.1 for a TEST PKI whose e-seal certificate names
    their OCSP responder and CRL (tests using it need ``enable_socket``)."""
    from edc_issue.seal.testpki import make_test_pki

    services = load_example("local_trust_services").TrustServices().start()
    pki = make_test_pki(organisation="Universiteti TEST — Tiranë", ocsp_url=f"{services.url}/ocsp",
                        crl_url=f"{services.url}/crl")
    services.use(pki)
    services.pki = pki
    try:
        yield services
    finally:
        services.stop()


def first_principles_verify(envelope: dict) -> dict:
    """Verify a JAdES envelope with plain `cryptography`, not edc_issue's code path.

    RFC 7797 §3: the signing input is ASCII(BASE64URL(protected)) || '.' || payload,
    the payload being the raw (unencoded) string.
    """
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    assert set(envelope) == {"payload", "signatures"}
    (entry,) = envelope["signatures"]
    header = json.loads(base64.urlsafe_b64decode(entry["protected"] + "=="))
    assert header["b64"] is False and "b64" in header["crit"]
    cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    digest = hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()
    assert header["x5t#S256"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    signing_input = entry["protected"].encode("ascii") + b"." + envelope["payload"].encode()
    signature = base64.urlsafe_b64decode(entry["signature"] + "=" * (-len(entry["signature"]) % 4))
    key = cert.public_key()
    if header["alg"] == "RS256":
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif header["alg"] == "PS256":
        key.verify(signature, signing_input,
                   padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    elif header["alg"] == "ES256":
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    else:  # pragma: no cover
        raise AssertionError(header["alg"])
    return header


def etsi_u_names(envelope: dict) -> list[str]:
    """The names of the etsiU entries of the first signature, in order."""
    entries = envelope["signatures"][0].get("header", {}).get("etsiU", [])
    return [next(iter(json.loads(base64.urlsafe_b64decode(e + "==")))) for e in entries]


@pytest.fixture
def first_principles() -> Callable[[dict], dict]:
    """The :func:`first_principles_verify` helper."""
    return first_principles_verify


@pytest.fixture
def etsi_names() -> Callable[[dict], list[str]]:
    """The :func:`etsi_u_names` helper."""
    return etsi_u_names
