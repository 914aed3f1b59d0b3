"""EDC and Open Badge to the EUDI Learning Credential: the EU samples, CRED4TEACH, and the
list of what does not map (never dropped silently)."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from edc_issue.keys import generate_key
from edc_issue.oid4vci.errors import OID4VCIError
from edc_issue.oid4vci.eudi import LEARNING_VCT, edc_to_eudi_learning, ob3_to_eudi_learning
from edc_issue.proofs.sd_jwt import issue_sd_jwt, verify_sd_jwt

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "tests" / "fixtures" / "edc-samples"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def test_eu_micro_credential_sample() -> None:
    mapped = edc_to_eudi_learning(sample("eu-elm-support/AA-Annex1-MC-unsigned.json"))
    assert mapped.claims == {
        "issuing_authority": "Learning Provider",
        "issuing_country": "IE",
        "date_of_issuance": "2024-05-28",
        "family_name": "Andromeda",
        "given_name": "Ana",
        "achievement_title": "Digital micro-credential creation",
        "learning_outcomes": ["Communication, collaboration and creativity",
                              "Developing digital content"],
        "assessment_grade": "Pass",
        "language_of_classes": ["en"],
        "learner_identification": "87654321",
        "expected_study_time": "2 days 12 hours",
        "level_of_learning_experience": 6,
        "prerequisites_to_enroll": [
            "The learner needs to have an EDC Online Credential Builder account, that "
            "requires an EU Login ID."],
    }
    assert mapped.missing == []
    assert mapped.absent_mandatory == ["types_of_quality_assurance"]
    unmapped = dict(mapped.unmapped)
    # what the Learning Credential has no claim for is listed, by path
    for path in ("credentialSubject.dateOfBirth", "credentialSubject.nationalID",
                 "credentialSubject.hasClaim[0].specifiedBy.creditPoint",
                 "credentialSubject.hasClaim[0].specifiedBy.nqfLevel",
                 "credentialSubject.hasClaim[0].specifiedBy.thematicArea",
                 "credentialSubject.hasClaim[0].specifiedBy.learningOutcome[0].relatedESCOSkill",
                 "credentialSubject.hasClaim[0].provenBy[0].specifiedBy",
                 "displayParameter"):
        assert path in unmapped, path
    assert unmapped["credentialSubject.hasClaim[0].specifiedBy.creditPoint"] == "2"
    # and nothing that was mapped is listed
    for path in ("credentialSubject.familyName", "credentialSubject.givenName",
                 "credentialSubject.hasClaim[0].title",
                 "credentialSubject.hasClaim[0].specifiedBy.eqfLevel",
                 "credentialSubject.hasClaim[0].provenBy[0].grade",
                 "credentialSubject.hasClaim[0].specifiedBy.learningOutcome[0].title"):
        assert not any(p == path or p.startswith(path + ".") for p in unmapped), path


def test_masters_degree_with_accreditation() -> None:
    mapped = edc_to_eudi_learning(sample("eu-elm-support/Sample-MastersDegree-unsigned.json"))
    assert mapped.claims["issuing_authority"] == "Umea university"
    assert mapped.claims["issuing_country"] == "SE"
    assert mapped.claims["level_of_learning_experience"] == 7
    assert mapped.claims["types_of_quality_assurance"] == ["Institutional License"]
    assert len(mapped.claims["learning_outcomes"]) == 7
    assert mapped.missing == []


@pytest.mark.parametrize("name", [
    "elm-repo-3.1/Sample-MC-Annex1-unsigned.jsonld",
    "eu-elm-support/Sample-CertOfPart-unsigned.json",
    "eu-elm-support/Sample-JointDegree-unsigned.json",
    "eu-elm-support/Sample-TranscriptOfRecords-unsigned.json",
    "elm-repo-3.1/Sample-MC-Annex1-unsigned-uploadable.json",
])
def test_every_eu_sample_maps_and_issues(name: str) -> None:
    mapped = edc_to_eudi_learning(sample(name))
    claims = mapped.require()
    assert claims["issuing_country"].isalpha() and len(claims["issuing_country"]) == 2
    assert datetime.fromisoformat(claims["date_of_issuance"])
    assert mapped.unmapped  # an EDC always holds more than the Learning Credential
    key = generate_key("p256")
    token = issue_sd_jwt({"vct": LEARNING_VCT, "iss": key.controller, "iat": 0, **claims}, key)
    result = verify_sd_jwt(token)
    assert result.ok
    assert result.claims is not None
    assert {k: v for k, v in result.claims.items() if k in claims} == claims


def test_a_sample_without_family_name_says_so() -> None:
    mapped = edc_to_eudi_learning(sample("velocert/edc-mc-example.json"))
    assert mapped.missing == ["family_name"]
    assert ("credentialSubject.fullName", "Joe Doe") in mapped.unmapped
    with pytest.raises(OID4VCIError) as caught:
        mapped.require()
    assert caught.value.code == "oid4vci.not_mappable"
    assert edc_to_eudi_learning(sample("velocert/edc-mc-example.json"), family_name="Doe",
                                given_name="Joe").require()["family_name"] == "Doe"


def _cred4teach(tmp_path: Path) -> Any:
    script = ROOT / "examples" / "build_edc_microcredential.py"
    spec = importlib.util.spec_from_file_location("build_edc_microcredential", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main([str(tmp_path)])
    (found,) = [p for p in tmp_path.iterdir() if p.suffix == ".json"]
    return json.loads(found.read_text(encoding="utf-8"))


def test_cred4teach_example(tmp_path: Path) -> None:
    mapped = edc_to_eudi_learning(_cred4teach(tmp_path))
    claims = mapped.claims
    assert claims["issuing_authority"] == "University of Tirana"
    assert claims["issuing_country"] == "AL"
    assert claims["family_name"] == "Hoxha" and claims["given_name"] == "Arta"
    assert claims["achievement_title"] == "Designing MOOCs"
    assert claims["level_of_learning_experience"] == 6
    assert claims["expected_study_time"] == "90 hours"
    assert len(claims["learning_outcomes"]) == 3
    assert claims["assessment_grade"]
    assert mapped.missing == []
    unmapped = [path for path, _ in mapped.unmapped]
    assert any(p.endswith("creditPoint") for p in unmapped)  # 3 ECTS: no claim for it
    assert any(p.endswith("thematicArea") for p in unmapped)  # ISCED-F 0114


def test_an_edc_without_claims() -> None:
    with pytest.raises(OID4VCIError) as caught:
        edc_to_eudi_learning({"credentialSubject": {"id": "urn:x"}})
    assert caught.value.code == "oid4vci.not_mappable"
    with pytest.raises(OID4VCIError):
        edc_to_eudi_learning([])  # type: ignore[arg-type]
    with pytest.raises(OID4VCIError):
        edc_to_eudi_learning(sample("eu-elm-support/AA-Annex1-MC-unsigned.json"),
                             achievement_id="urn:none")


def test_open_badge() -> None:
    path = ROOT / "tests" / "fixtures" / "ob3-vectors" / "obv3p0-eddsa-rdfc-2022" / \
        "unsigned.json"
    badge = json.loads(path.read_text())
    badge["issuer"]["address"] = {"type": ["Address"], "addressCountryCode": "de"}
    badge["credentialSubject"]["result"] = [{"type": ["Result"], "value": "A"}]
    badge["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "EQF level 5",
         "targetUrl": "http://data.europa.eu/snb/eqf/5"},
        {"type": ["Alignment"], "targetName": "Plan a lesson", "targetUrl": "https://x"}]
    mapped = ob3_to_eudi_learning(badge, clock=lambda: datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert mapped.claims["issuing_country"] == "DE"
    assert mapped.claims["issuing_authority"] == badge["issuer"]["name"]
    assert mapped.claims["achievement_title"] == badge["credentialSubject"]["achievement"]["name"]
    assert mapped.claims["assessment_grade"] == "A"
    assert mapped.claims["level_of_learning_experience"] == 5
    assert mapped.claims["learning_outcomes"] == ["Plan a lesson"]
    assert mapped.missing == ["family_name"]  # an Open Badge names no learner
    assert ob3_to_eudi_learning(badge, family_name="Doe").missing == []
    unmapped = [p for p, _ in mapped.unmapped]
    assert "credentialSubject.achievement.criteria" in unmapped
