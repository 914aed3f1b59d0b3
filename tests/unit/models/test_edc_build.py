"""Building an EDC from Python, filling the issuer from a seal certificate, and SHACL.

The certificates here are generated in the test, self-signed, and named as test material.
"""

from __future__ import annotations

import copy
import json
import runpy
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyshacl
import pytest
import rdflib
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID, ObjectIdentifier

from edc_issue import edc
from edc_issue._resources import schemas_dir
from edc_issue.errors import KeyMaterialError
from edc_issue.jsonld import to_nquads
from edc_issue.models.edc import EuropeanDigitalCredential, Person

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
SAMPLES = ROOT / "tests" / "fixtures" / "edc-samples"
NOW = datetime(2026, 1, 1, 9, 30, tzinfo=timezone.utc)
ORGANIZATION_IDENTIFIER = ObjectIdentifier("2.5.4.97")


def _name(*, org_id: bool = True) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "AL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST University of Tirana (test only)"),
        x509.NameAttribute(NameOID.COMMON_NAME, "TEST e-seal, not for production"),
    ]
    if org_id:
        attributes.append(x509.NameAttribute(ORGANIZATION_IDENTIFIER, "VATAL-L00000000T"))
    return x509.Name(attributes)


def _certificates(*, org_id: bool = True) -> tuple[x509.Certificate, x509.Certificate]:
    """A test CA and an e-seal certificate it issued."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST CA (test only)"),
                         x509.NameAttribute(NameOID.COUNTRY_NAME, "AL")])
    start = NOW - timedelta(days=1)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(start).not_valid_after(start + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    seal_key = ec.generate_private_key(ec.SECP256R1())
    seal = (x509.CertificateBuilder().subject_name(_name(org_id=org_id)).issuer_name(ca_name)
            .public_key(seal_key.public_key()).serial_number(2)
            .not_valid_before(start).not_valid_after(start + timedelta(days=30))
            .sign(ca_key, hashes.SHA256()))
    return ca, seal


@pytest.fixture(scope="module")
def seal_certificate() -> x509.Certificate:
    return _certificates()[1]


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl"):
        graph.parse(schemas_dir() / "shacl" / "elm-3.2" / name)
    return graph


def _conforms(document: dict[str, Any], shapes: rdflib.Graph) -> tuple[bool, str]:
    data = rdflib.Graph().parse(data=to_nquads(document), format="nquads")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes)
    return bool(conforms), str(text)


SCRIPTS = [
    "build_edc_microcredential.py",
    "build_edc_transcript.py",
    "build_edc_certificate_of_participation.py",
]


def _microcredential(script: str = "build_edc_microcredential.py") -> EuropeanDigitalCredential:
    sys.path.insert(0, str(EXAMPLES))
    try:
        module = runpy.run_path(str(EXAMPLES / script))
    finally:
        sys.path.remove(str(EXAMPLES))
    credential = module["build"]()
    assert isinstance(credential, EuropeanDigitalCredential)
    return credential


def test_new_credential_has_the_envelope_defaults() -> None:
    person = Person(full_name={"en": "Arta Hoxha"}, has_claim=["urn:epass:claim:1"])
    document = edc.new_credential(person, title={"en": "Test"}, now=NOW).to_jsonld()
    assert document["@context"] == list(edc.EDC_CONTEXTS)
    assert document["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert document["id"].startswith("urn:credential:")
    assert document["credentialSchema"] == {"id": edc.EDC_GENERIC_FULL,
                                            "type": "ShaclValidator2017"}
    assert document["credentialProfiles"]["id"] == edc.PROFILE_GENERIC
    assert document["validFrom"] == document["issued"] == "2026-01-01T09:30:00Z"
    assert document["displayParameter"]["title"] == {"en": "Test"}
    assert "issuer" not in document


@pytest.mark.parametrize("script", SCRIPTS)
def test_built_credentials_with_seal_certificate_conform(
    script: str, seal_certificate: x509.Certificate, shapes: rdflib.Graph
) -> None:
    document = edc.apply_seal_certificate(_microcredential(script).to_jsonld(),
                                          seal_certificate, now=NOW)
    conforms, report = _conforms(document, shapes)
    assert conforms, report
    # and the model reads its own output back unchanged
    assert EuropeanDigitalCredential.model_validate(document).to_jsonld() == document


def test_built_microcredential_without_issuer_does_not_conform(shapes: rdflib.Graph) -> None:
    conforms, report = _conforms(_microcredential().to_jsonld(), shapes)
    assert not conforms
    assert "issuer" in report or "credentials#issuer" in report


def test_eu_upload_payload_plus_test_certificate_conforms(
    seal_certificate: x509.Certificate, shapes: rdflib.Graph
) -> None:
    payload = edc.load_json(SAMPLES / "eu-elm-support" / "AA-Annex1-MC-unsigned.json")
    conforms, _ = _conforms(payload, shapes)
    assert not conforms
    sealed = edc.apply_seal_certificate(payload, seal_certificate, now=NOW)
    conforms, report = _conforms(sealed, shapes)
    assert conforms, report


def test_apply_seal_certificate_fills_the_issuer(seal_certificate: x509.Certificate) -> None:
    person = Person(full_name={"en": "A"}, has_claim=["urn:epass:claim:1"])
    original = edc.new_credential(person, title={"en": "T"}, now=NOW).to_jsonld()
    before = copy.deepcopy(original)
    sealed = edc.apply_seal_certificate(original, seal_certificate, now=NOW)
    assert original == before
    issuer = sealed["issuer"]
    assert issuer["id"].startswith("urn:epass:org:")
    assert issuer["type"] == "Organisation"
    assert issuer["legalName"] == {"en": "TEST University of Tirana (test only)"}
    assert issuer["altLabel"] == {"en": "TEST e-seal, not for production"}
    country = "http://publications.europa.eu/resource/authority/country/ALB"
    assert issuer["location"]["address"]["countryCode"]["id"] == country
    legal = issuer["eIDASIdentifier"]
    assert legal["type"] == "LegalIdentifier"
    assert legal["notation"] == "VATAL-L00000000T"
    assert legal["spatial"]["id"] == country
    assert sealed["issued"] == sealed["issuanceDate"] == "2026-01-01T09:30:00Z"


def test_apply_seal_certificate_keeps_an_existing_issuer_id(
    seal_certificate: x509.Certificate,
) -> None:
    document = {"issuer": {"id": "urn:epass:org:mine", "type": "Organisation"}}
    sealed = edc.apply_seal_certificate(document, seal_certificate, now=NOW)
    assert sealed["issuer"]["id"] == "urn:epass:org:mine"
    assert sealed["@context"] == list(edc.EDC_CONTEXTS)


def test_certificate_without_organization_identifier_is_refused() -> None:
    _, seal = _certificates(org_id=False)
    with pytest.raises(KeyMaterialError) as info:
        edc.apply_seal_certificate({}, seal, now=NOW)
    assert info.value.code == "key.unsupported"
    assert "organizationIdentifier" in str(info.value)


@pytest.mark.parametrize("script", SCRIPTS)
def test_examples_write_credentials_the_model_reads(
    script: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [script, str(tmp_path)])
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    assert info.value.code == 0
    (written,) = tmp_path.glob("*.json")
    document = json.loads(written.read_text(encoding="utf-8"))
    assert EuropeanDigitalCredential.model_validate(document).to_jsonld() == document
