"""The EU's sample EDCs against the official ELM shapes (see FINDINGS in the reference notes).

- the signed EU samples conform to the profile each declares (JointDegree and
  MastersDegree: edc-accredited; the rest: edc-generic-full);
- the EU upload payloads fail only on the missing issuer (sealing adds it);
- the ELM 3.1 unsigned samples fail only on ``issued`` and the issuer's eIDAS
  legal identifier, each with its JSON path, reported as the inner cause;
- the EDCI test credential meant to fail fails, and Velocert's microcredential
  fails on its ESCO and specification findings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edc_issue.jsonld import OfflineLoader
from edc_issue.validate import validate, validate_file

EDC = Path(__file__).parent.parent / "fixtures" / "validate" / "edc"
EU = EDC / "eu-elm-support"
ELM31 = EDC / "elm-repo-3.1"
ACCREDITED = {"Sample-JointDegree-signed.jsonld", "Sample-MastersDegree-signed.jsonld",
              "Sample-MastersDegree-unsigned.json"}


def errors(report):
    return [f for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("path", sorted(EU.glob("*-signed.jsonld")), ids=lambda p: p.name)
def test_eu_signed_samples_conform(path: Path) -> None:
    report = validate_file(path)
    expected = "edc-accredited@3.2" if path.name in ACCREDITED else "edc-generic-full@3.2"
    assert report.profile == expected
    assert report.format == "edc+jades"
    assert report.ok, [(f.path, f.message) for f in errors(report)]


def test_generic_sample_against_accredited_adds_evidence_violation() -> None:
    # profile selection matters: the accredited shapes want evidence a generic EDC lacks
    report = validate_file(EU / "AA-Annex1-MC-signed.jsonld", profile="edc-accredited")
    assert not report.ok
    assert any("evidence" in f.path or "evidence" in f.message for f in errors(report))


@pytest.mark.parametrize("path", sorted(EU.glob("*-unsigned.json")), ids=lambda p: p.name)
def test_eu_upload_payloads_fail_only_on_missing_issuer(path: Path) -> None:
    report = validate_file(path)
    assert report.format == "edc+upload"
    assert [(f.path, f.code) for f in errors(report)] == [("credential.issuer",
                                                           "shacl.min_count")]


@pytest.mark.parametrize("path", sorted(ELM31.glob("*-signed.jsonld")), ids=lambda p: p.name)
@pytest.mark.parametrize("version", ["3.2", "3.1"])
def test_elm31_signed_samples_conform(path: Path, version: str) -> None:
    report = validate_file(path, profile=f"edc-generic-full@{version}")
    assert report.ok, [(f.path, f.message) for f in errors(report)]


@pytest.mark.parametrize("path", sorted(ELM31.glob("*-unsigned*")), ids=lambda p: p.name)
def test_elm31_unsigned_fail_on_issued_and_eidas(path: Path) -> None:
    report = validate_file(path)
    prefix = "credential." if path.name.endswith("uploadable.json") else ""
    got = sorted((f.path, f.code) for f in errors(report))
    assert got == [(f"{prefix}issued", "shacl.min_count"),
                   (f"{prefix}issuer.eIDASIdentifier", "shacl.min_count")]
    eidas = next(f for f in errors(report) if f.path.endswith("eIDASIdentifier"))
    # the inner cause, not "does not conform to IssuerNodeShape"
    assert "issuer lacks" in eidas.message and "legal identifier" in eidas.message
    assert "IssuerNodeShape" not in eidas.message


def test_cred_no_legal_name_fails_on_its_unknown_context() -> None:
    report = validate_file(EDC / "edci-tests" / "cred_noLegalName_shouldFail.jsonld")
    assert not report.ok
    assert any(f.code == "jsonld.context_not_allowed" for f in report.findings)


def test_cred_no_legal_name_fails_shacl_with_its_context_mapped() -> None:
    # EDCI's test context was a development copy of the EDC context: map it and look deeper
    from edc_issue.jsonld import default_loader

    edc_ctx = default_loader().get("http://data.europa.eu/snb/model/context/edc-ap")
    loader = OfflineLoader({"http://dev.everisdx.io/datamodel/test/edc-ap-context.jsonld":
                            edc_ctx})
    doc = json.loads((EDC / "edci-tests" / "cred_noLegalName_shouldFail.jsonld").read_text())
    report = validate(doc, loader=loader)
    shacl = [f for f in errors(report) if f.code and f.code.startswith("shacl.")]
    assert shacl
    assert all(f.path and f.rule for f in shacl)


def test_velocert_microcredential_fails_on_esco_and_specification() -> None:
    report = validate_file(EDC / "velocert" / "edc-mc-signed.jsonld")
    assert not report.ok
    errs = errors(report)
    esco = [f for f in errs if "relatedESCOSkill" in f.path]
    spec = [f for f in errs if f.path.endswith("specifiedBy") and f.code == "shacl.class"]
    assert esco and all("esco" in f.message for f in esco)
    assert spec and "LearningAssessmentSpecification" in spec[0].message


def test_empty_graph_never_passes() -> None:
    doc = {"@context": ["https://www.w3.org/2018/credentials/v1",
                        "http://data.europa.eu/snb/model/context/edc-ap"],
           "type": ["VerifiableCredential", "EuropeanDigitalCredential"]}
    assert not validate(doc).ok
    bare = {"type": "EuropeanDigitalCredential"}  # no @context: an empty graph
    report = validate(bare)
    assert not report.ok
    assert any(f.code == "validate.empty_graph" for f in report.findings)
