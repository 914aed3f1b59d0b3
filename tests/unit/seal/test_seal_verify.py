"""verify_envelope on crafted envelopes: each defect gives a named failed check, never
an exception (expired certificate, no digitalSignature, missing x5c, b64 true, unknown
critical header, truncation, tampering, untrusted chain, revocation, expiry)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from edc_issue.seal import LocalSigner, seal, verify_envelope

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _verify(envelope, **kw):
    kw.setdefault("now", NOW)
    return verify_envelope(envelope, **kw)


def _check(result, name):
    matches = [c for c in result.checks if c.check == name]
    assert matches, f"no {name} check in {[c.check for c in result.checks]}"
    return matches[0]


def _seal_failed(result) -> str:
    assert not result.ok
    seal_check = _check(result, "SEAL")
    assert not seal_check.ok
    assert seal_check.message
    return seal_check.message


@pytest.fixture
def sealed(pki, credential):
    return seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert, pki.ca.cert]), now=NOW)


def test_our_envelope_verifies(sealed, pki) -> None:
    result = _verify(sealed, trust=[pki.ca.cert])
    assert result.ok
    assert result.document["credentialSubject"]["name"] == "Ëndi Test"


def test_one_changed_payload_byte_fails_seal(sealed, pki) -> None:
    payload = sealed["payload"]
    i = payload.index("Ëndi")
    tampered = {**sealed, "payload": payload[:i] + "Endi" + payload[i + 4:]}
    result = _verify(tampered, trust=[pki.ca.cert])
    assert "SEAL.signature" in _seal_failed(result)
    assert _check(result, "SEAL.signature").code == "seal.bad_signature"


def test_changed_protected_header_fails_seal(sealed, pki) -> None:
    entry = sealed["signatures"][0]
    header = json.loads(base64.urlsafe_b64decode(entry["protected"] + "=="))
    header["sigT"] = "2026-03-01T12:00:01Z"  # one character
    forged = {**sealed, "signatures": [{**entry, "protected": _b64url(
        json.dumps(header, separators=(",", ":")).encode())}]}
    assert "SEAL.signature" in _seal_failed(_verify(forged, trust=[pki.ca.cert]))


def test_one_flipped_character_of_the_protected_header_fails_seal(sealed, pki) -> None:
    entry = sealed["signatures"][0]
    p = entry["protected"]
    for pos in (5, len(p) // 2, len(p) - 3):
        flipped = p[:pos] + ("A" if p[pos] != "A" else "B") + p[pos + 1:]
        forged = {**sealed, "signatures": [{**entry, "protected": flipped}]}
        _seal_failed(_verify(forged, trust=[pki.ca.cert]))


def test_changed_sigtst_fails_seal(pki, credential, memory_tsa) -> None:
    envelope = seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert]), now=NOW,
                    tsa=memory_tsa)
    entry = envelope["signatures"][0]
    item = json.loads(base64.urlsafe_b64decode(entry["header"]["etsiU"][0] + "=="))
    token = bytearray(base64.b64decode(item["sigTst"]["tstTokens"][0]["val"]))
    token[-40] ^= 0x01  # inside the TSA's signature
    item["sigTst"]["tstTokens"][0]["val"] = base64.b64encode(bytes(token)).decode()
    entry = {**entry, "header": {"etsiU": [_b64url(json.dumps(item).encode())]}}
    result = _verify({**envelope, "signatures": [entry]}, trust=[pki.ca.cert])
    assert "SEAL.sigTst[0]" in _seal_failed(result)
    assert "does not verify" in _check(result, "SEAL.sigTst[0]").message


def test_sigtst_over_another_signature_fails(pki, credential, token_maker) -> None:
    envelope = seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert]), now=NOW)
    token = token_maker(b"\1" * 32, pki.tsa)
    item = {"sigTst": {"tstTokens": [{"val": base64.b64encode(token).decode()}]}}
    envelope["signatures"][0]["header"] = {"etsiU": [_b64url(json.dumps(item).encode())]}
    result = _verify(envelope, trust=[pki.ca.cert])
    assert "message imprint" in _check(result, "SEAL.sigTst[0]").message


def test_expired_certificate_at_sigt(pki, sealer, credential) -> None:
    result = _verify(sealer(credential, pki.expired), trust=[pki.ca.cert])
    check = _check(result, "SEAL.validity")
    assert not check.ok and "expired" in check.message
    assert check.code == "seal.certificate_expired"
    _seal_failed(result)


def test_certificate_without_digital_signature(pki, sealer, credential) -> None:
    result = _verify(sealer(credential, pki.no_ds), trust=[pki.ca.cert])
    check = _check(result, "SEAL.key_usage")
    assert not check.ok and "digitalSignature" in check.message
    _seal_failed(result)


def test_missing_x5c(pki, sealer, header_maker, credential) -> None:
    header = header_maker(pki.eseal)
    del header["x5c"]
    result = _verify(sealer(credential, pki.eseal, header))
    assert _check(result, "SEAL.header").code == "seal.no_certificate"
    assert "x5c" in _seal_failed(result)


@pytest.mark.parametrize("b64", [True, None])
def test_encoded_payload_is_refused(pki, sealer, header_maker, credential, b64) -> None:
    header = header_maker(pki.eseal, b64=b64, crit=["sigT"])
    result = _verify(sealer(credential, pki.eseal, header))
    check = _check(result, "SEAL.header")
    assert check.code == "seal.encoded_payload"
    assert "unencoded" in check.message


def test_b64_false_must_be_critical(pki, sealer, header_maker, credential) -> None:
    header = header_maker(pki.eseal, crit=["sigT"])
    assert "crit" in _seal_failed(_verify(sealer(credential, pki.eseal, header)))


def test_unknown_critical_header_fails(pki, sealer, header_maker, credential) -> None:
    header = header_maker(pki.eseal, crit=["b64", "sigT", "exp42"], exp42=1)
    result = _verify(sealer(credential, pki.eseal, header))
    check = _check(result, "SEAL.header")
    assert check.code == "seal.unknown_critical" and "exp42" in check.message


def test_unknown_non_critical_header_is_fine(pki, sealer, header_maker, credential) -> None:
    header = header_maker(pki.eseal, vendorNote="hello")
    assert _verify(sealer(credential, pki.eseal, header), trust=[pki.ca.cert]).ok


def test_alg_none_and_hmac_are_refused(pki, sealer, header_maker, credential) -> None:
    for alg in ("none", "HS256"):
        header = header_maker(pki.eseal, alg=alg)
        assert _check(_verify(sealer(credential, pki.eseal, header)),
                      "SEAL.header").code == "seal.algorithm"


def test_x5t_that_names_another_certificate(pki, sealer, header_maker, credential) -> None:
    other = base64.urlsafe_b64encode(pki.ca.cert.fingerprint(hashes.SHA256())).rstrip(b"=")
    header = header_maker(pki.eseal, **{"x5t#S256": other.decode()})
    result = _verify(sealer(credential, pki.eseal, header), trust=[pki.ca.cert])
    assert _check(result, "SEAL.x5t#S256").code == "seal.digest_mismatch"


@pytest.mark.parametrize("mangle", [
    lambda e: {"payload": e["payload"]},
    lambda e: {"signatures": e["signatures"]},
    lambda e: {**e, "signatures": []},
    lambda e: {**e, "signatures": [{"protected": e["signatures"][0]["protected"]}]},
    lambda e: {**e, "signatures": [{**e["signatures"][0],
                                    "signature": e["signatures"][0]["signature"][:40]}]},
    lambda e: {**e, "payload": e["payload"][: len(e["payload"]) // 2]},
    lambda e: {**e, "payload": {"not": "a string"}},
    lambda e: "not even an object",
], ids=["no-signatures", "no-payload", "empty-signatures", "no-signature-value",
        "truncated-signature", "truncated-payload", "payload-object", "string"])
def test_truncated_or_malformed_envelopes_fail_cleanly(sealed, pki, mangle) -> None:
    result = _verify(mangle(sealed), trust=[pki.ca.cert])
    assert not result.ok
    assert not _check(result, "SEAL").ok or not _check(result, "FORMAT").ok


def test_chain_to_the_given_anchor_or_not(sealed, pki) -> None:
    assert _check(_verify(sealed, trust=[pki.ca.cert]), "SEAL.chain").ok
    untrusted = _verify(sealed, trust=[pki.other_ca.cert])
    check = _check(untrusted, "SEAL.chain")
    assert not check.ok and check.code == "seal.chain_untrusted"
    assert not untrusted.ok
    # no anchors at all: reported, but only as a warning
    no_list = _verify(sealed)
    check = _check(no_list, "SEAL.chain")
    assert not check.ok and check.severity == "warning"
    assert no_list.ok


def _crl(pki, revoked_serial: int | None, when: datetime) -> bytes:
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(pki.ca.cert.subject)
               .last_update(when).next_update(when + timedelta(days=7)))
    if revoked_serial is not None:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(revoked_serial)
            .revocation_date(when).build())
    return builder.sign(pki.ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _with_rvals(envelope, crl: bytes):
    item = {"rVals": {"crlVals": [{"val": base64.b64encode(crl).decode()}]}}
    entry = {**envelope["signatures"][0], "header": {"etsiU": [_b64url(json.dumps(item).encode())]}}
    return {**envelope, "signatures": [entry]}


def test_revocation_from_an_embedded_crl(sealed, pki) -> None:
    before = NOW - timedelta(days=1)
    revoked = _verify(_with_rvals(sealed, _crl(pki, pki.eseal.cert.serial_number, before)),
                      trust=[pki.ca.cert])
    check = _check(revoked, "REVOCATION")
    assert not check.ok and check.code == "seal.revoked"
    assert not revoked.ok
    good = _verify(_with_rvals(sealed, _crl(pki, None, before)), trust=[pki.ca.cert])
    assert _check(good, "REVOCATION").ok
    later = _verify(_with_rvals(sealed, _crl(pki, pki.eseal.cert.serial_number,
                                             NOW + timedelta(days=1))), trust=[pki.ca.cert])
    assert _check(later, "REVOCATION").ok  # revoked after the seal was made
    none = _check(_verify(sealed, trust=[pki.ca.cert]), "REVOCATION")
    assert not none.ok and none.severity == "warning"


def test_expired_credential_fails_expiry(pki, credential) -> None:
    credential = {**credential, "expirationDate": "2026-06-01T00:00:00Z"}
    envelope = seal(credential, LocalSigner(pki.eseal.key, [pki.eseal.cert]), now=NOW)
    assert _check(_verify(envelope, trust=[pki.ca.cert]), "EXPIRY").ok
    late = _verify(envelope, trust=[pki.ca.cert], now=NOW + timedelta(days=365))
    check = _check(late, "EXPIRY")
    assert not check.ok and check.code == "credential.expired"
    assert _check(late, "SEAL").ok


def test_flattened_serialization_is_read(sealed, pki) -> None:
    entry = sealed["signatures"][0]
    flat = {"payload": sealed["payload"], **entry}
    assert _verify(flat, trust=[pki.ca.cert]).ok


def test_every_check_serializes_to_the_contract_shape(sealed, pki) -> None:
    out = _verify(sealed, trust=[pki.ca.cert]).to_json()
    assert out["ok"] is True
    for check in out["checks"]:
        assert {"check", "ok", "message", "path"} <= set(check)
