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
    assert _identities(badge)["emailAddress"]["identityHash"] == "ana.andromeda@email.com"


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


# ---- what the EDC builders write (ELM 3.2): educationLevel, a person with a name -------------


def _built_edc() -> dict[str, Any]:
    """An EDC made with the builders, as examples/build_edc_microcredential.py does."""
    import importlib.util

    path = Path(__file__).resolve().parents[3] / "examples" / "build_edc_microcredential.py"
    spec = importlib.util.spec_from_file_location("build_edc_microcredential", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    credential = module.build().to_jsonld() if hasattr(module, "build") else None
    assert credential is not None, "examples/build_edc_microcredential.py has no build()"
    return credential


def test_the_eqf_level_of_a_built_edc_is_kept() -> None:
    edc = _built_edc()
    claim = edc["credentialSubject"]["hasClaim"]
    spec = (claim[0] if isinstance(claim, list) else claim)["specifiedBy"]
    assert "eqfLevel" not in spec and spec["educationLevel"]  # what the builders write
    (eqf,) = _alignments(_convert(edc), EQF_FRAMEWORK)
    assert eqf["targetUrl"] == "http://data.europa.eu/snb/eqf/6" and eqf["targetCode"] == "6"


def test_education_levels_other_than_eqf_keep_their_scheme() -> None:
    edc = copy.deepcopy(MC)
    spec = edc["credentialSubject"]["hasClaim"]["specifiedBy"]
    spec.pop("eqfLevel", None)
    spec["educationLevel"] = [
        {"id": "http://data.europa.eu/snb/eqf/5", "type": "Concept"},
        {"id": "http://example.org/isced-2011/6", "type": "Concept",
         "prefLabel": {"en": "Bachelor's or equivalent"},
         "inScheme": {"id": "http://example.org/isced-2011", "type": "ConceptScheme",
                      "prefLabel": {"en": "ISCED 2011"}}},
    ]
    badge = _convert(edc)
    assert [a["targetCode"] for a in _alignments(badge, EQF_FRAMEWORK)] == ["5"]
    (other,) = _alignments(badge, "ISCED 2011")
    assert other["targetName"] == "Bachelor's or equivalent"


def _identities(badge: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["identityType"]: i for i in badge["credentialSubject"].get("identifier", [])}


def test_the_recipient_is_a_person_with_a_name_and_email() -> None:
    edc = _built_edc()
    badge = _convert(edc)
    ids = _identities(badge)
    assert ids["name"] == {"type": "IdentityObject", "hashed": False,
                           "identityHash": "Arta Hoxha", "identityType": "name"}
    assert "emailAddress" not in ids  # the builders' learner has no email
    assert badge["credentialSubject"]["id"] == edc["credentialSubject"]["id"]
    # the ELM 3.1 sample's learner has both
    ids = _identities(_convert())
    assert ids["emailAddress"]["identityHash"] == "ana.andromeda@email.com"
    assert ids["name"]["identityHash"]
    assert [e.message for e in SCHEMA.iter_errors(_convert(edc))] == []


def test_identities_can_be_hashed_as_ob3_defines() -> None:
    import hashlib

    badge = _convert(hash_identities=True)
    ids = _identities(badge)
    assert set(ids) == {"name", "emailAddress"}
    for identity in ids.values():
        assert identity["hashed"] is True and identity["salt"]
        algorithm, digest = identity["identityHash"].split("$")
        assert algorithm == "sha256" and len(digest) == 64
    email = ids["emailAddress"]
    expected = hashlib.sha256(("ana.andromeda@email.com" + email["salt"]).encode()).hexdigest()
    assert email["identityHash"] == "sha256$" + expected
    assert ids["name"]["salt"] != email["salt"]  # a salt of its own for each
    assert "ana.andromeda" not in json.dumps(badge)
    assert [e.message for e in SCHEMA.iter_errors(badge)] == []
    to_nquads(badge)


def test_the_ob3_identity_hash_example() -> None:
    """OB 3.0 IdentityHash: 'a@example.com' salted with 'Kosher' (the spec's own example)."""
    from edc_issue.ob3 import identity_hash

    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399")
    badge = _convert(hash_identities=True, salt="Kosher")
    assert {i["salt"] for i in _identities(badge).values()} == {"Kosher"}


def test_recipient_overrides_only_the_subject_id() -> None:
    badge = _convert(recipient="did:example:ana")
    assert badge["credentialSubject"]["id"] == "did:example:ana"
    assert set(_identities(badge)) == {"name", "emailAddress"}
