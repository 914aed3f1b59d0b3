"""The EU's own sealed credentials verify: signature, certificate digest, time-stamp
imprints and CMS signatures, chain, revocation data; one changed byte fails SEAL.

Fixtures (tests/fixtures/edc-sealed/, see PROVENANCE.json): the 5 signed ELM-support
samples and the 2 signed ELM 3.1 samples (ANF *test* e-seal, Zetes / DSS test TSA),
the 7 Velocert credentials (a real Halcom e-seal), and EDCI test envelopes.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from cryptography import x509

from edc_issue.seal import LocalSigner, verify_envelope

HERE = Path(__file__).resolve().parents[1] / "fixtures" / "edc-sealed"
EU = sorted((HERE / "eu-elm-support").glob("*-signed.jsonld"))
ELM31 = sorted((HERE / "elm-repo-3.1").glob("*-signed.jsonld"))
VELOCERT = sorted((HERE / "velocert").glob("*-signed.jsonld"))
EDCI = sorted((HERE / "edci-tests").glob("*.json*"))
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)

SEAL_CHECKS = {"SEAL.header", "SEAL.certificate", "SEAL.signature", "SEAL.x5t#S256",
               "SEAL.kid", "SEAL.key_usage", "SEAL.validity", "SEAL.chain", "SEAL"}


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _checks(result) -> dict[str, object]:
    return {c.check: c for c in result.checks}


def _halcom_root(envelope: dict) -> x509.Certificate:
    """Velocert's trust anchor, taken from its own xVals (a test decides to trust it)."""
    for item in envelope["signatures"][0]["header"]["etsiU"]:
        value = json.loads(base64.urlsafe_b64decode(item + "=="))
        for cert in value.get("xVals", []):
            c = x509.load_der_x509_certificate(base64.b64decode(cert["x509Cert"]["val"]))
            if c.subject == c.issuer and "Halcom Root" in c.subject.rfc4514_string():
                return c
    raise AssertionError("no Halcom root in xVals")


@pytest.mark.parametrize("path", EU + ELM31, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_eu_sample_seal_verifies(path: Path) -> None:
    result = verify_envelope(_load(path), now=NOW)
    checks = _checks(result)
    assert result.ok, [c for c in result.checks if not c.ok]
    assert SEAL_CHECKS <= {name for name, c in checks.items() if c.ok}
    assert checks["SEAL.adoTst[0]"].ok and checks["SEAL.sigTst[0]"].ok
    # the chain ends at the bundled TEST-ONLY anchor, and the result says so
    assert "TEST-ONLY" in checks["SEAL.chain"].message
    assert checks["SEAL.trust"].severity == "warning" and not checks["SEAL.trust"].ok


@pytest.mark.parametrize("path", EU[1:] + ELM31, ids=lambda p: p.name)
def test_eu_samples_carry_long_term_data(path: Path) -> None:
    checks = _checks(verify_envelope(_load(path), now=NOW))
    assert checks["SEAL.arcTst[0]"].ok
    assert checks["REVOCATION"].ok and "OCSP" in checks["REVOCATION"].message


@pytest.mark.parametrize("path", VELOCERT, ids=lambda p: p.name)
def test_velocert_seal_verifies_with_its_root_as_anchor(path: Path) -> None:
    envelope = _load(path)
    result = verify_envelope(envelope, trust=[_halcom_root(envelope)], now=NOW)
    checks = _checks(result)
    assert result.ok, [c for c in result.checks if not c.ok]
    assert SEAL_CHECKS <= {name for name, c in checks.items() if c.ok}
    assert checks["SEAL.sigTst[0]"].ok and checks["SEAL.arcTst[0]"].ok
    assert checks["REVOCATION"].ok


@pytest.mark.parametrize("path", VELOCERT[:1], ids=lambda p: p.name)
def test_velocert_without_trust_list_is_only_a_warning(path: Path) -> None:
    result = verify_envelope(_load(path), now=NOW)
    chain = _checks(result)["SEAL.chain"]
    assert not chain.ok and chain.severity == "warning"
    assert result.ok


@pytest.mark.parametrize("path", EDCI, ids=lambda p: p.name)
def test_edci_test_envelopes_seal_verifies(path: Path) -> None:
    checks = _checks(verify_envelope(_load(path), now=NOW))
    assert checks["SEAL"].ok, checks["SEAL"].message


def test_an_expired_edci_credential_fails_expiry_but_not_seal() -> None:
    checks = _checks(verify_envelope(_load(HERE / "edci-tests" / "credential-signed.jsonld"),
                                     now=NOW))
    assert checks["SEAL"].ok and not checks["EXPIRY"].ok


# --- one changed byte -------------------------------------------------------------

SAMPLE = HERE / "eu-elm-support" / "Sample-CertOfPart-signed.jsonld"


def _seal_fails(envelope: dict, expect: str) -> None:
    result = verify_envelope(envelope, now=NOW)
    checks = _checks(result)
    assert not result.ok
    assert not checks["SEAL"].ok
    assert expect in checks["SEAL"].message, checks["SEAL"].message


def test_one_payload_byte() -> None:
    envelope = _load(SAMPLE)
    payload = envelope["payload"]
    i = payload.index("urn:credential:") + len("urn:credential:")
    envelope["payload"] = payload[:i] + ("0" if payload[i] != "0" else "1") + payload[i + 1:]
    _seal_fails(envelope, "SEAL.signature")


def test_one_protected_header_byte() -> None:
    envelope = _load(SAMPLE)
    entry = envelope["signatures"][0]
    header = json.loads(base64.urlsafe_b64decode(entry["protected"] + "=="))
    header["sigT"] = header["sigT"].replace(":45Z", ":46Z")
    entry["protected"] = _b64url(json.dumps(header, separators=(",", ":")).encode())
    _seal_fails(envelope, "SEAL.signature")


def test_one_adotst_byte() -> None:
    """adoTst is signed (protected header): changing it breaks the signature and the token."""
    envelope = _load(SAMPLE)
    entry = envelope["signatures"][0]
    header = json.loads(base64.urlsafe_b64decode(entry["protected"] + "=="))
    token = bytearray(base64.b64decode(header["adoTst"]["tstTokens"][0]["val"]))
    token[-20] ^= 0x01
    header["adoTst"]["tstTokens"][0]["val"] = base64.b64encode(bytes(token)).decode()
    entry["protected"] = _b64url(json.dumps(header, separators=(",", ":")).encode())
    result = verify_envelope(envelope, now=NOW)
    checks = _checks(result)
    assert not checks["SEAL.adoTst[0]"].ok and not checks["SEAL.signature"].ok
    assert not checks["SEAL"].ok


@pytest.mark.parametrize("which", ["sigTst", "arcTst"])
def test_one_unsigned_timestamp_byte(which: str) -> None:
    envelope = _load(SAMPLE)
    etsi_u = envelope["signatures"][0]["header"]["etsiU"]
    for n, item in enumerate(etsi_u):
        value = json.loads(base64.urlsafe_b64decode(item + "=="))
        if which in value:
            token = bytearray(base64.b64decode(value[which]["tstTokens"][0]["val"]))
            token[len(token) // 2] ^= 0x01
            value[which]["tstTokens"][0]["val"] = base64.b64encode(bytes(token)).decode()
            etsi_u[n] = _b64url(json.dumps(value).encode())
    _seal_fails(envelope, f"SEAL.{which}[0]")


def test_swapping_the_sigtst_of_another_sample_fails() -> None:
    envelope = _load(SAMPLE)
    other = _load(HERE / "eu-elm-support" / "Sample-JointDegree-signed.jsonld")
    envelope["signatures"][0]["header"]["etsiU"][0] = other["signatures"][0]["header"]["etsiU"][0]
    _seal_fails(envelope, "SEAL.sigTst[0]")


# --- sealing an unsigned EU sample ---------------------------------------------------

@pytest.mark.parametrize("name", ["Sample-CertOfPart-unsigned.json", "AA-Annex1-MC-unsigned.json"])
def test_unsigned_eu_sample_sealed_with_a_test_certificate_conforms(
        pki_for_conformance, name: str) -> None:
    validate_mod = pytest.importorskip("edc_issue.validate")
    if not hasattr(validate_mod, "validate"):
        pytest.skip("edc_issue.validate.validate is not there yet")
    from edc_issue import verify
    from edc_issue.edc import seal_edc

    ca, leaf, key = pki_for_conformance
    # the ELM-support "unsigned" files are EDCI upload wrappers: {"credential", "deliveryDetails"}
    upload = _load(HERE / "eu-elm-support" / name)
    envelope = seal_edc(upload, LocalSigner(key, [leaf, ca]), now=NOW).envelope
    result = verify(envelope, trust=[ca], clock=lambda: NOW)
    checks = _checks(result)
    assert checks["FORMAT.shacl"].ok, checks["FORMAT.shacl"].message
    assert "edc-generic-full" in checks["FORMAT.shacl"].message
    assert result.ok, [c for c in result.checks if not c.ok]
    report = validate_mod.validate(json.loads(envelope["payload"]), profile="edc-generic-full")
    assert report.ok, report.findings[:3]


@pytest.fixture(scope="module")
def pki_for_conformance():
    """A TEST-ONLY CA and e-seal certificate (organizationIdentifier VATAL-...)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    def name(cn: str, org_id: str | None = None) -> x509.Name:
        attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
                 x509.NameAttribute(NameOID.ORGANIZATION_NAME, "edc-issue TEST organisation"),
                 x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org_id:
            attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id))
        return x509.Name(attrs)

    def build(subject, issuer, key, signer, ca):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(datetime(2025, 1, 1, tzinfo=timezone.utc))
                .not_valid_after(datetime(2031, 1, 1, tzinfo=timezone.utc))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(
                    digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=ca,
                    crl_sign=ca, encipher_only=False, decipher_only=False), critical=True)
                .sign(signer, hashes.SHA256()))

    ca_key = rsa.generate_private_key(65537, 2048)
    ca = build(name("edc-issue TEST CA (test only)"), name("edc-issue TEST CA (test only)"),
               ca_key, ca_key, True)
    key = rsa.generate_private_key(65537, 2048)
    leaf = build(name("edc-issue TEST SEAL", "VATAL-TEST00000"), ca.subject, key, ca_key, False)
    return ca, leaf, key
