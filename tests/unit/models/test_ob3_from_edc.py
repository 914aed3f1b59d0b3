"""edc_to_ob3: one award issued both as a European Digital Credential and as an Open Badge."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from edc_issue.baking import bake, unbake
from edc_issue.errors import InputError
from edc_issue.jsonld import to_nquads
from edc_issue.models.ob3 import AchievementCredential
from edc_issue.ob3 import EQF_FRAMEWORK, ESCO_FRAMEWORK, ISCED_F_FRAMEWORK, edc_to_ob3

OB = Path(__file__).resolve().parents[2] / "fixtures" / "openbadges"
MC = json.loads((OB / "edc" / "Sample-MC-Annex1-unsigned.jsonld").read_text())
UPLOAD = json.loads((OB / "edc" / "AA-Annex1-MC-unsigned.json").read_text())
ISSUER = {"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
          "name": "University of Zed"}
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
SCHEMA = Draft201909Validator(
    json.loads((OB / "schemas-ob-v3p0" / "ob_v3p0_achievementcredential_schema.json").read_text())
)


def _convert(edc: dict[str, Any] = MC, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("issuer", ISSUER)
    return edc_to_ob3(edc, clock=lambda: NOW, **kwargs)


def _alignments(badge: dict[str, Any], framework: str) -> list[dict[str, Any]]:
    return [a for a in badge["credentialSubject"]["achievement"]["alignment"]
            if a["targetFramework"] == framework]


def test_title_description_and_name() -> None:
    badge = _convert()
    achievement = badge["credentialSubject"]["achievement"]
    assert badge["name"] == "Digital micro-credential creation"
    assert achievement["name"] == "Digital micro-credential creation"
    assert achievement["description"]
    assert achievement["achievementType"] == "MicroCredential"
    assert badge["issuer"] == {**ISSUER, "type": ["Profile"]}


def test_learning_outcomes_become_criteria_and_esco_alignments() -> None:
    achievement = _convert()["credentialSubject"]["achievement"]
    narrative = achievement["criteria"]["narrative"]
    assert "- Communication, collaboration and creativity" in narrative
    assert "- Developing digital content" in narrative
    esco = _alignments(_convert(), ESCO_FRAMEWORK)
    assert {"stimulate creativity in the team", "develop digital content"} <= {
        a["targetName"] for a in esco
    }
    assert all(a["targetUrl"].startswith("http://data.europa.eu/esco/skill/") for a in esco)


def test_eqf_and_isced_become_alignments() -> None:
    badge = _convert()
    (eqf,) = _alignments(badge, EQF_FRAMEWORK)
    assert eqf == {
        "type": ["Alignment"],
        "targetCode": "6",
        "targetName": "Level 6",
        "targetFramework": EQF_FRAMEWORK,
        "targetUrl": "http://data.europa.eu/snb/eqf/6",
    }
    isced = _alignments(badge, ISCED_F_FRAMEWORK)
    assert [a["targetCode"] for a in isced] == ["003", "0688"]
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["fieldOfStudy"] == "Personal skills and development"


def test_labels_come_from_the_vocabularies_when_the_edc_gives_none() -> None:
    edc = copy.deepcopy(MC)
    spec = edc["credentialSubject"]["hasClaim"]["specifiedBy"]
    spec["eqfLevel"] = "http://data.europa.eu/snb/eqf/4"  # a bare IRI, no prefLabel
    (eqf,) = _alignments(_convert(edc), EQF_FRAMEWORK)
    assert eqf["targetName"] == "Level 4"


def test_credits_language_creator_results_and_dates() -> None:
    badge = _convert()
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["creditsAvailable"] == 2.0
    assert achievement["inLanguage"] == "en"
    assert achievement["creator"]["name"] == "University of Zed"
    assert achievement["creator"]["url"] == "https://uniz.edu"
    subject = badge["credentialSubject"]
    assert subject["result"][0]["value"] == "Pass"
    assert subject["result"][0]["resultDescription"] == achievement["resultDescription"][0]["id"]
    assert subject["activityStartDate"] == "2023-05-05T07:00:00Z"
    assert subject["identifier"][0]["identityHash"] == "ana.andromeda@email.com"


def test_links_back_to_the_edc() -> None:
    badge = _convert()
    assert badge["evidence"][0]["id"] == MC["id"]
    assert "evidence" not in _convert(link_edc=False)


@pytest.mark.parametrize("edc", [MC, UPLOAD], ids=["elm-3.1-sample", "eu-upload-payload"])
@pytest.mark.parametrize("with_schema", [False, True])
def test_result_is_a_valid_open_badge(edc: dict[str, Any], with_schema: bool) -> None:
    badge = _convert(edc, with_schema=with_schema)
    assert [e.message for e in SCHEMA.iter_errors(badge)] == []
    to_nquads(badge)  # every term defined: it can be signed
    assert AchievementCredential.model_validate(badge).to_jsonld() == badge


def test_default_issuer_is_the_edc_issuer_or_awarding_body() -> None:
    assert edc_to_ob3(MC, clock=lambda: NOW)["issuer"]["id"] == "urn:epass:org:1"
    upload_badge = edc_to_ob3(UPLOAD, clock=lambda: NOW)  # no issuer: the awarding body
    assert upload_badge["issuer"]["name"]


def test_choosing_a_claim_and_overrides() -> None:
    badge = _convert(achievement_id="urn:epass:learningAchievement:1", badge_id="https://x.example/b",
                     credential_id="urn:uuid:00000000-0000-4000-8000-000000000000",
                     recipient="did:example:ana", achievement_type="Course", language="es")
    assert badge["id"] == "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert badge["credentialSubject"]["id"] == "did:example:ana"
    achievement = badge["credentialSubject"]["achievement"]
    assert achievement["id"] == "https://x.example/b"
    assert achievement["achievementType"] == "Course"
    assert "- Contento digital" in achievement["criteria"]["narrative"]  # Spanish where given


@pytest.mark.parametrize(
    ("edc", "message"),
    [
        ({"credentialSubject": {"id": "x"}}, "no claim"),
        ({}, "no credentialSubject"),
        ({"credentialSubject": {"hasClaim": {"id": "c", "type": "LearningAchievement"}}},
         "no title"),
    ],
    ids=["no-claim", "no-subject", "no-title"],
)
def test_what_cannot_be_converted(edc: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as info:
        _convert(edc)
    assert info.value.code == "ob3.not_convertible"
    assert message in str(info.value)


def test_unknown_claim_id() -> None:
    with pytest.raises(InputError, match="no claim with id"):
        _convert(achievement_id="urn:nope")


def test_the_badge_can_be_baked(tmp_path: Path) -> None:
    from PIL import Image as PILImage

    path = tmp_path / "badge.png"
    PILImage.new("RGB", (8, 8), "navy").save(path)
    badge = _convert(with_schema=True)
    assert unbake(bake(path.read_bytes(), badge)) == badge
