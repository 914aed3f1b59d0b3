"""Sealing: the envelope's shape, an independent first-principles check, baseline T,
pluggable signers, and refusals (expired certificate, no digitalSignature)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from edc_issue.errors import KeyMaterialError, SignerError
from edc_issue.seal import LocalSigner, seal, verify_envelope

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _first_principles_verify(envelope: dict) -> dict:
    """Verify a JAdES envelope with plain `cryptography`, not edc_issue's code path.

    RFC 7797 §3: the signing input is ASCII(BASE64URL(protected)) || '.' || payload,
    the payload being the raw (unencoded) string.
    """
    assert set(envelope) == {"payload", "signatures"}
    (entry,) = envelope["signatures"]
    header = json.loads(_b64url_decode(entry["protected"]))
    assert header["b64"] is False and "b64" in header["crit"]
    cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    digest = hashlib.sha256(cert.public_bytes(encoding=__import__(
        "cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER)
    ).digest()
    assert header["x5t#S256"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    signing_input = entry["protected"].encode("ascii") + b"." + envelope["payload"].encode()
    signature = _b64url_decode(entry["signature"])
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


@pytest.mark.parametrize("which,alg", [("eseal", None), ("eseal", "PS256"),
                                        ("eseal_ec", None)])
def test_sealed_credential_verifies_independently_and_with_our_verifier(
        pki, credential, which, alg) -> None:
    issued = getattr(pki, which)
    signer = LocalSigner(issued.key, [issued.cert, pki.ca.cert], algorithm=alg)
    envelope = seal(credential, signer, now=NOW)

    header = _first_principles_verify(envelope)
    assert header["alg"] == (alg or ("ES256" if which == "eseal_ec" else "RS256"))
    assert header["typ"] == "jose+json" and header["cty"] == "octet-stream"
    assert header["sigT"] == "2026-03-01T12:00:00Z"
    assert header["crit"] == ["b64", "sigT"]
    assert len(header["x5c"]) == 2
    assert json.loads(envelope["payload"]) == credential  # the credential, not base64

    result = verify_envelope(envelope, trust=[pki.ca.cert], now=NOW)
    failed = [c for c in result.checks if not c.ok]
    assert result.ok, failed
    names = {c.check for c in result.checks if c.ok}
    assert {"FORMAT", "SEAL", "SEAL.signature", "SEAL.x5t#S256", "SEAL.kid", "SEAL.chain",
            "SEAL.validity", "SEAL.key_usage", "EXPIRY"} <= names


def test_kid_is_the_der_issuer_serial_like_the_eu_issuer(pki, credential) -> None:
    from asn1crypto import cms

    envelope = seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert]), now=NOW)
    header = json.loads(_b64url_decode(envelope["signatures"][0]["protected"]))
    issuer_serial = cms.IssuerSerial.load(base64.b64decode(header["kid"]))
    assert issuer_serial["serial"].native == pki.eseal.cert.serial_number
    assert issuer_serial["issuer"][0].chosen.untag().dump() == pki.eseal.cert.issuer.public_bytes()


def test_baseline_t_adds_a_sigtst_over_the_signature_value(pki, credential, memory_tsa) -> None:
    envelope = seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert]), now=NOW,
                    tsa=memory_tsa)
    entry = envelope["signatures"][0]
    # the TSA was asked for SHA-256 of the ASCII base64url signature value
    assert memory_tsa.requests == [hashlib.sha256(entry["signature"].encode()).digest()]
    (etsi_u,) = entry["header"]["etsiU"]
    sig_tst = json.loads(_b64url_decode(etsi_u))["sigTst"]
    assert len(sig_tst["tstTokens"]) == 1
    result = verify_envelope(envelope, trust=[pki.ca.cert], now=NOW)
    assert result.ok, [c for c in result.checks if not c.ok]
    assert any(c.check == "SEAL.sigTst[0]" and c.ok for c in result.checks)


def test_a_tsa_token_over_other_data_is_refused(pki, credential, token_maker) -> None:
    class WrongTsa:
        def timestamp(self, digest: bytes, hash_algorithm: str = "sha256") -> bytes:
            return token_maker(b"\0" * 32, pki.tsa)

    with pytest.raises(SignerError) as info:
        seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert]), now=NOW,
             tsa=WrongTsa())
    assert info.value.code == "seal.tsa_failed"


def test_an_hsm_like_signer_plugs_in(pki, credential) -> None:
    class FakeHsm:
        """Implements the Signer protocol without exposing a key object."""

        algorithm = "RS256"

        def __init__(self) -> None:
            self._key = pki.eseal.key
            self.calls = 0

        @property
        def certificate_chain(self) -> list[x509.Certificate]:
            return [pki.eseal.cert]

        def sign(self, data: bytes) -> bytes:
            self.calls += 1
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    hsm = FakeHsm()
    envelope = seal(credential, hsm, now=NOW)
    assert hsm.calls == 1
    _first_principles_verify(envelope)


def test_a_failing_backend_becomes_signer_error_with_its_cause(pki, credential) -> None:
    class BrokenHsm:
        algorithm = "RS256"
        certificate_chain = (pki.eseal.cert,)

        def sign(self, data: bytes) -> bytes:
            raise ConnectionError("PKCS#11 token removed")

    with pytest.raises(SignerError) as info:
        seal(credential, BrokenHsm(), now=NOW)
    assert isinstance(info.value.__cause__, ConnectionError)


def test_a_backend_signing_with_another_key_is_caught(pki, credential) -> None:
    class WrongKeyHsm:
        algorithm = "RS256"
        certificate_chain = (pki.eseal.cert,)

        def sign(self, data: bytes) -> bytes:
            return pki.no_ds.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    with pytest.raises(SignerError):
        seal(credential, WrongKeyHsm(), now=NOW)


def test_expired_certificate_is_refused(pki, credential) -> None:
    with pytest.raises(KeyMaterialError) as info:
        seal(credential, LocalSigner(pki.expired.key, [pki.expired.cert]), now=NOW)
    assert info.value.code == "key.expired"


def test_certificate_without_digital_signature_is_refused(pki, credential) -> None:
    with pytest.raises(KeyMaterialError) as info:
        seal(credential, LocalSigner(pki.no_ds.key, [pki.no_ds.cert]), now=NOW)
    assert info.value.code == "key.usage"
    assert "digitalSignature" in str(info.value)


def test_only_json_objects_are_sealed(pki) -> None:
    from edc_issue.errors import ProofFormatError

    with pytest.raises(ProofFormatError):
        seal(["not", "an", "object"], LocalSigner(pki.eseal.key, [pki.eseal.cert]),  # type: ignore[arg-type]
             now=NOW)


def test_seal_seals_exactly_what_it_is_given(pki, credential) -> None:
    # filling in the EDC issuer is edc.seal_edc's job (tests/unit/seal/test_seal_edc.py)
    envelope = seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert]), now=NOW)
    assert json.loads(envelope["payload"]) == credential
