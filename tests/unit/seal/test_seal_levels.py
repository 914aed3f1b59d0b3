"""JAdES baseline T, LT and LTA against a real OCSP responder, CRL and RFC 3161 TSA on
127.0.0.1 (examples/local_trust_services.py), and ``extend``.

LT and LTA seals verify offline (the services are stopped first) with REVOCATION passed;
a certificate revoked before sealing is refused at sealing, and fails REVOCATION when its
revocation data is embedded; one changed byte in xVals, rVals or arcTst fails SEAL; the
LTA structure is the EU issuer's (compared with the EU samples).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from edc_issue._net import UrllibFetcher
from edc_issue.errors import InputError, KeyMaterialError, SignerError
from edc_issue.seal import LocalSigner, extend, seal, seal_level, verify_envelope

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

EU_LTA = (Path(__file__).resolve().parents[2] / "fixtures" / "edc-sealed" / "eu-elm-support"
          / "Sample-CertOfPart-signed.jsonld")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _entry(envelope: dict, name: str) -> tuple[int, dict]:
    for i, item in enumerate(envelope["signatures"][0]["header"]["etsiU"]):
        value = json.loads(base64.urlsafe_b64decode(item + "=="))
        if name in value:
            return i, value
    raise AssertionError(f"no {name}")


def _checks(result) -> dict:
    return {c.check: c for c in result.checks}


@pytest.fixture
def signer(trust_services):
    pki = trust_services.pki
    return LocalSigner(pki.eseal_key, [pki.eseal, pki.ca])


@pytest.fixture
def credential():
    return {"@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"], "credentialSubject": {"name": "Ëndi Test"}}


def _seal(trust_services, signer, credential, level):
    return seal(credential, signer, level=level, tsa=f"{trust_services.url}/tsa")


def _verify_offline(trust_services, envelope):
    trust_services.stop()  # nothing can be fetched any more
    return verify_envelope(envelope, trust=[trust_services.pki.ca])


def test_lt_seal_embeds_revocation_data_and_verifies_offline(trust_services, signer,
                                                             credential, etsi_names) -> None:
    envelope = _seal(trust_services, signer, credential, "LT")
    header = json.loads(base64.urlsafe_b64decode(envelope["signatures"][0]["protected"] + "=="))
    assert header["crit"] == ["b64", "sigT", "adoTst"]
    assert etsi_names(envelope) == ["sigTst", "xVals", "rVals"]
    _, rvals = _entry(envelope, "rVals")
    assert len(rvals["rVals"]["ocspVals"]) >= 1
    assert trust_services.counts["ocsp"] >= 1 and trust_services.counts["tsa"] == 2
    assert seal_level(envelope) == "LT"
    result = _verify_offline(trust_services, envelope)
    checks = _checks(result)
    assert result.ok, [c for c in result.checks if not c.ok]
    assert checks["REVOCATION"].ok and "OCSP" in checks["REVOCATION"].message
    assert checks["SEAL.adoTst[0]"].ok and checks["SEAL.sigTst[0]"].ok


def test_lta_seal_has_the_eu_issuers_structure(trust_services, signer, credential,
                                               etsi_names) -> None:
    envelope = _seal(trust_services, signer, credential, "LTA")
    eu = json.loads(EU_LTA.read_text(encoding="utf-8"))
    assert etsi_names(envelope) == etsi_names(eu) == ["sigTst", "xVals", "rVals", "arcTst"]
    ours = json.loads(base64.urlsafe_b64decode(envelope["signatures"][0]["protected"] + "=="))
    theirs = json.loads(base64.urlsafe_b64decode(eu["signatures"][0]["protected"] + "=="))
    assert list(ours) == list(theirs)  # alg, cty, kid, x5t#S256, x5c, typ, b64, sigT, adoTst, crit
    assert ours["crit"] == theirs["crit"]
    # the archive time-stamp's imprint, recomputed by hand: SHA-256 of
    # payload '.' protected '.' signature '.' etsiU[0] etsiU[1] etsiU[2]
    entry = envelope["signatures"][0]
    data = ".".join([envelope["payload"], entry["protected"], entry["signature"],
                     "".join(entry["header"]["etsiU"][:3])]).encode()
    _, arc = _entry(envelope, "arcTst")
    token = cms.ContentInfo.load(base64.b64decode(arc["arcTst"]["tstTokens"][0]["val"]))
    info = token["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(data).digest()
    result = _verify_offline(trust_services, envelope)
    checks = _checks(result)
    assert result.ok, [c for c in result.checks if not c.ok]
    assert checks["SEAL.arcTst[0]"].ok and checks["REVOCATION"].ok


@pytest.mark.parametrize("name", ["xVals", "rVals", "arcTst"])
def test_one_changed_byte_of_the_lta_data_fails_seal(trust_services, signer, credential,
                                                     name) -> None:
    envelope = _seal(trust_services, signer, credential, "LTA")
    trust_services.stop()
    index, value = _entry(envelope, name)
    if name == "xVals":
        holder = value["xVals"][0]["x509Cert"]
    elif name == "rVals":
        holder = value["rVals"]["ocspVals"][0]
    else:
        holder = value["arcTst"]["tstTokens"][0]
    der = bytearray(base64.b64decode(holder["val"]))
    der[len(der) // 2] ^= 0x01
    holder["val"] = base64.b64encode(bytes(der)).decode()
    envelope["signatures"][0]["header"]["etsiU"][index] = _b64url(
        json.dumps(value, separators=(",", ":")).encode())
    result = verify_envelope(envelope, trust=[trust_services.pki.ca])
    seal_check = _checks(result)["SEAL"]
    assert not result.ok and not seal_check.ok
    assert "SEAL.arcTst[0]" in seal_check.message, seal_check.message


def test_a_certificate_revoked_before_sealing_is_refused_at_lt(trust_services, signer,
                                                               credential) -> None:
    pki = trust_services.pki
    trust_services.revoked[pki.eseal.serial_number] = datetime.now(timezone.utc) - timedelta(
        hours=1)
    with pytest.raises(KeyMaterialError) as info:
        _seal(trust_services, signer, credential, "LT")
    assert info.value.code == "key.revoked"
    assert "revoked" in str(info.value)
    # baseline B and T fetch nothing, so they seal (and fail REVOCATION once the data is in)
    assert seal_level(_seal(trust_services, signer, credential, "T")) == "T"


def test_embedded_revocation_before_the_seal_fails_revocation(trust_services, signer,
                                                              credential) -> None:
    """An OCSP response fetched by the test itself (cryptography's request builder)."""
    pki = trust_services.pki
    envelope = _seal(trust_services, signer, credential, "T")
    trust_services.revoked[pki.eseal.serial_number] = datetime.now(timezone.utc) - timedelta(
        days=1)
    request = (ocsp.OCSPRequestBuilder().add_certificate(pki.eseal, pki.ca, hashes.SHA1())
               .build().public_bytes(serialization.Encoding.DER))
    response = UrllibFetcher().fetch(f"{trust_services.url}/ocsp", accept="*/*",
                                     max_bytes=1 << 20, timeout=10, data=request,
                                     content_type="application/ocsp-request")
    assert ocsp.load_der_ocsp_response(response).certificate_status == \
        ocsp.OCSPCertStatus.REVOKED
    rvals = {"rVals": {"ocspVals": [{"val": base64.b64encode(response).decode()}]}}
    envelope["signatures"][0]["header"]["etsiU"].append(
        _b64url(json.dumps(rvals).encode()))
    result = verify_envelope(envelope, trust=[pki.ca])
    check = _checks(result)["REVOCATION"]
    assert not check.ok and check.code == "seal.revoked" and check.severity == "error"
    assert not result.ok


def test_crl_when_the_certificate_names_no_ocsp_responder(trust_services, credential) -> None:
    from edc_issue.seal.testpki import make_test_pki

    pki = make_test_pki(crl_url=f"{trust_services.url}/crl")
    trust_services.use(pki, csc=False)
    trust_services.pki = pki
    envelope = seal(credential, LocalSigner(pki.eseal_key, [pki.eseal, pki.ca]), level="LT",
                    tsa=f"{trust_services.url}/tsa")
    _, rvals = _entry(envelope, "rVals")
    assert list(rvals["rVals"]) == ["crlVals"]
    result = _verify_offline(trust_services, envelope)
    assert result.ok and "CRL" in _checks(result)["REVOCATION"].message


def test_lt_needs_a_revocation_source(trust_services, credential) -> None:
    from edc_issue.seal.testpki import make_test_pki

    pki = make_test_pki()  # no OCSP responder, no CRL
    with pytest.raises(SignerError) as info:
        seal(credential, LocalSigner(pki.eseal_key, [pki.eseal, pki.ca]), level="LT",
             tsa=f"{trust_services.url}/tsa")
    assert info.value.code == "seal.revocation_unavailable"


def test_every_call_goes_through_the_fetcher_given(trust_services, signer, credential) -> None:
    class Counting(UrllibFetcher):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[str] = []

        def fetch(self, url, **kw):
            self.urls.append(url)
            return super().fetch(url, **kw)

    fetcher = Counting()
    seal(credential, signer, level="LTA", tsa=f"{trust_services.url}/tsa", fetcher=fetcher)
    paths = sorted({u.rsplit("/", 1)[1] for u in fetcher.urls})
    assert paths == ["ocsp", "tsa"]
    assert len(fetcher.urls) == sum(trust_services.counts.values())


@pytest.mark.parametrize(("start", "target", "names"), [
    ("B", "LT", ["sigTst", "xVals", "rVals"]),
    ("B", "LTA", ["sigTst", "xVals", "rVals", "arcTst"]),
    ("T", "LTA", ["sigTst", "xVals", "rVals", "arcTst"]),
    ("LT", "LTA", ["sigTst", "xVals", "rVals", "arcTst"]),
    ("LTA", "LTA", ["sigTst", "xVals", "rVals", "arcTst", "arcTst"]),
])
def test_extend(trust_services, signer, credential, etsi_names, start, target, names) -> None:
    tsa = f"{trust_services.url}/tsa"
    envelope = seal(credential, signer, level=start, tsa=tsa if start != "B" else None)
    extended = extend(envelope, level=target, tsa=tsa, trust=[trust_services.pki.ca])
    assert etsi_names(extended) == names
    assert extended["payload"] == envelope["payload"]
    assert seal_level(extended) == target
    result = _verify_offline(trust_services, extended)
    assert result.ok, [c for c in result.checks if not c.ok]
    checks = _checks(result)
    assert checks["REVOCATION"].ok
    if names.count("arcTst") == 2:
        assert checks["SEAL.arcTst[0]"].ok
        assert sum(1 for c in result.checks if c.check == "SEAL.arcTst[0]" and c.ok) == 2


def test_extend_refuses_a_seal_that_does_not_verify(trust_services, signer, credential) -> None:
    envelope = seal(credential, signer)
    envelope["payload"] = envelope["payload"].replace("Ëndi", "Endi")
    with pytest.raises(InputError) as info:
        extend(envelope, level="LT", tsa=f"{trust_services.url}/tsa")
    assert info.value.code == "seal.not_extendable"
    assert trust_services.counts.get("tsa", 0) == 0


def test_extend_does_not_lower_a_level(trust_services, signer, credential) -> None:
    envelope = _seal(trust_services, signer, credential, "LT")
    with pytest.raises(InputError) as info:
        extend(envelope, level="T", tsa=f"{trust_services.url}/tsa")
    assert info.value.code == "seal.level"
    assert extend(envelope, level="LT", tsa=f"{trust_services.url}/tsa") is envelope


def test_extend_refuses_a_certificate_revoked_before_the_seal(trust_services, signer,
                                                              credential) -> None:
    pki = trust_services.pki
    envelope = _seal(trust_services, signer, credential, "T")
    trust_services.revoked[pki.eseal.serial_number] = datetime.now(timezone.utc) - timedelta(
        days=1)
    with pytest.raises(KeyMaterialError) as info:
        extend(envelope, level="LT", tsa=f"{trust_services.url}/tsa")
    assert info.value.code == "key.revoked"


def test_revoked_after_the_seal_still_extends(trust_services, signer, credential) -> None:
    pki = trust_services.pki
    envelope = _seal(trust_services, signer, credential, "T")
    later = datetime.now(timezone.utc) + timedelta(seconds=30)
    trust_services.revoked[pki.eseal.serial_number] = later
    extended = extend(envelope, level="LT", tsa=f"{trust_services.url}/tsa")
    result = _verify_offline(trust_services, extended)
    check = _checks(result)["REVOCATION"]
    assert check.ok and "after the seal's time" in check.message


@pytest.mark.parametrize(("level", "tsa"), [("LT", None), ("T", None), ("X", "http://x")])
def test_levels_need_a_tsa_and_a_known_name(signer, credential, level, tsa) -> None:
    with pytest.raises(InputError) as info:
        seal(credential, signer, level=level, tsa=tsa)
    assert info.value.code == "seal.level"


def test_a_tsa_that_is_down_fails_cleanly(signer, credential, trust_services) -> None:
    url = f"{trust_services.url}/tsa"
    trust_services.stop()
    with pytest.raises(SignerError) as info:
        seal(credential, signer, level="T", tsa=url)
    assert info.value.code == "seal.tsa_failed"
