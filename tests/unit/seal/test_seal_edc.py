"""edc.seal_edc: sealing as the EU issuer does.

Every EU upload payload ({"credential", "deliveryDetails"}) and every ELM 3.1 unsigned
sample, sealed with a TEST certificate, conforms to its profile, verifies (FORMAT, SEAL,
EXPIRY) and keeps its deliveryDetails beside the seal; a non-conforming mutation is
refused with the finding's path; what is not an EDC is refused; the issuer's own
(multilingual) legal names are kept.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from edc_issue import verify
from edc_issue.edc import apply_seal_certificate, seal_edc
from edc_issue.errors import InputError, ValidationError
from edc_issue.seal import LocalSigner
from edc_issue.validate import validate

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "edc-samples"
EU_UPLOADS = sorted((SAMPLES / "eu-elm-support").glob("*-unsigned.json"))
ELM31_UNSIGNED = sorted((SAMPLES / "elm-repo-3.1").glob("*-unsigned*"))


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def signer(pki):
    return LocalSigner(pki.eseal.key, [pki.eseal.cert, pki.ca.cert])


def _sealed_and_verified(document: dict, signer, pki) -> tuple:
    sealed = seal_edc(document, signer)
    result = verify(sealed.envelope, trust=[pki.ca.cert])
    checks = {c.check: c for c in result.checks}
    for name in ("FORMAT", "FORMAT.shacl", "SEAL", "EXPIRY"):
        assert checks[name].ok, (name, checks[name].message)
    assert result.ok, [c for c in result.checks if not c.ok]
    return sealed, checks


def test_the_five_eu_upload_payloads_are_in_the_fixtures() -> None:
    assert [p.name for p in EU_UPLOADS] == [
        "AA-Annex1-MC-unsigned.json", "Sample-CertOfPart-unsigned.json",
        "Sample-JointDegree-unsigned.json", "Sample-MastersDegree-unsigned.json",
        "Sample-TranscriptOfRecords-unsigned.json"]


@pytest.mark.parametrize("path", EU_UPLOADS, ids=lambda p: p.name)
def test_eu_upload_payload_sealed_conforms_verifies_and_keeps_delivery_details(
        path: Path, signer, pki) -> None:
    upload = _load(path)
    assert set(upload) == {"credential", "deliveryDetails"}
    sealed, checks = _sealed_and_verified(upload, signer, pki)
    assert sealed.delivery_details == upload["deliveryDetails"]
    payload = json.loads(sealed.envelope["payload"])
    assert "deliveryDetails" not in payload and "credential" not in payload
    assert payload["@context"] == ["https://www.w3.org/2018/credentials/v1",
                                   "http://data.europa.eu/snb/model/context/edc-ap"]
    assert payload["credentialSubject"] == upload["credential"]["credentialSubject"]
    assert payload["issuer"]["eIDASIdentifier"]["notation"] == "VATAL-TEST00000"
    expected = "edc-accredited" if "Degree" in path.name else "edc-generic-full"
    assert expected in checks["FORMAT.shacl"].message
    assert sealed.report is not None and sealed.report.ok
    # the profile the credential names, checked on its own
    assert validate(payload).ok


@pytest.mark.parametrize("path", ELM31_UNSIGNED, ids=lambda p: p.name)
def test_elm31_unsigned_sample_sealed_conforms_and_verifies(path: Path, signer, pki) -> None:
    sealed, _ = _sealed_and_verified(_load(path), signer, pki)
    payload = json.loads(sealed.envelope["payload"])
    # the sample's own issuer names are kept (not the certificate's O, tagged en)
    original = _load(path)
    original = original.get("credential", original)
    assert payload["issuer"]["legalName"] == original["issuer"]["legalName"]
    assert sealed.warnings and "edc-issue TEST organisation" in sealed.warnings[0]
    assert sealed.delivery_details is None


@pytest.mark.parametrize(("mutate", "path_fragment"), [
    (lambda c: c["credentialSubject"].pop("hasClaim"), "credentialSubject"),
    (lambda c: c.update(validFrom="not a date"), "validFrom"),
    (lambda c: c.pop("displayParameter"), "displayParameter"),
])
def test_a_non_conforming_credential_is_refused_with_the_findings_path(
        signer, mutate, path_fragment) -> None:
    upload = _load(SAMPLES / "eu-elm-support" / "Sample-CertOfPart-unsigned.json")
    mutate(upload["credential"])
    with pytest.raises(ValidationError) as info:
        seal_edc(upload, signer)
    error = info.value
    assert error.code == "validation.failed"
    assert any(path_fragment in path for path, _ in error.problems), error.problems
    assert error.pointer
    # --no-validate seals it anyway
    assert seal_edc(upload, signer, validate=False).envelope["payload"]


@pytest.mark.parametrize(("document", "why"), [
    ({"@context": ["https://www.w3.org/ns/credentials/v2",
                   "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
      "type": ["VerifiableCredential", "OpenBadgeCredential"]}, "Open Badge"),
    ({"@context": ["https://www.w3.org/2018/credentials/v1", "https://example.org/mine"],
      "type": ["VerifiableCredential", "EuropeanDigitalCredential"]}, "example.org/mine"),
    ({"@context": ["https://www.w3.org/2018/credentials/v1"],
      "type": ["VerifiableCredential"]}, "EDC context"),
    ({"@context": ["https://www.w3.org/2018/credentials/v1",
                   "http://data.europa.eu/snb/model/context/edc-ap"],
      "type": ["VerifiableCredential"]}, "EuropeanDigitalCredential"),
])
def test_only_edcs_are_sealed(signer, document, why) -> None:
    with pytest.raises(InputError) as info:
        seal_edc(document, signer)
    assert info.value.code == "seal.not_edc"
    assert why in str(info.value)


def test_a_sealed_envelope_is_not_sealed_again(signer) -> None:
    sealed = seal_edc(_load(SAMPLES / "eu-elm-support" / "Sample-CertOfPart-unsigned.json"),
                      signer)
    with pytest.raises(InputError) as info:
        seal_edc(sealed.envelope, signer)
    assert info.value.code == "seal.already_sealed"


def test_multilingual_legal_names_are_kept_and_checked(pki) -> None:
    base = _load(SAMPLES / "eu-elm-support" / "Sample-CertOfPart-unsigned.json")["credential"]
    credential = copy.deepcopy(base)
    credential["issuer"] = {"id": "urn:epass:org:1", "type": "Organisation",
                            "legalName": {"sq": "Universiteti i Tiranës",
                                          "en": "edc-issue TEST organisation"}}
    warnings: list[str] = []
    filled = apply_seal_certificate(credential, pki.eseal.cert, warnings=warnings)
    assert filled["issuer"]["legalName"] == {"sq": "Universiteti i Tiranës",
                                             "en": "edc-issue TEST organisation"}
    assert filled["issuer"]["eIDASIdentifier"]["notation"] == "VATAL-TEST00000"
    assert warnings == []  # one of the names is the certificate's O
    credential["issuer"]["legalName"] = {"sq": "Universiteti i Tiranës"}
    filled = apply_seal_certificate(credential, pki.eseal.cert, warnings=warnings)
    assert filled["issuer"]["legalName"] == {"sq": "Universiteti i Tiranës"}
    assert len(warnings) == 1 and "Universiteti i Tiranës" in warnings[0]
    assert "edc-issue TEST organisation" in warnings[0]


def test_names_match_across_case_spacing_and_unicode_forms(pki) -> None:
    from edc_issue._edc_sealing import names_matching

    assert names_matching({"en": "EDC-ISSUE  test Organisation"}, "edc-issue TEST organisation")
    assert names_matching({"sq": "Tiran\u0065\u0308"}, "Tiran\u00eb")  # NFD vs NFC
    assert not names_matching({"en": "Another"}, "edc-issue TEST organisation")
