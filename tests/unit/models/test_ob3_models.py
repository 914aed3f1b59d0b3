"""Open Badges 3.0 and CLR 2.0 models: defaults, forms kept, errors with paths, the schema."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from edc_issue.errors import InputError, ModelError
from edc_issue.jsonld import to_nquads
from edc_issue.models.clr import Association, ClrCredential
from edc_issue.models.ob3 import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    CREDENTIALS_V2,
    JSON_SCHEMA_VALIDATOR_2019,
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
    Achievement,
    AchievementCredential,
    Alignment,
    Criteria,
    EndorsementCredential,
    IdentityObject,
    Image,
    OpenBadgeCredential,
    Profile,
    new_achievement_credential,
    new_endorsement_credential,
)

OB = Path(__file__).resolve().parents[2] / "fixtures" / "openbadges"
SCHEMAS = OB / "schemas-ob-v3p0"
NOW = datetime(2026, 1, 1, 9, 30, 15, 123456, tzinfo=timezone.utc)
PROOF = {
    "type": "DataIntegrityProof",
    "created": "2026-01-01T09:30:15Z",
    "verificationMethod": "did:key:z6Mkexample#z6Mkexample",
    "cryptosuite": "eddsa-rdfc-2022",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKiW",
}


def _schema(name: str) -> Draft201909Validator:
    schema = json.loads((SCHEMAS / name).read_text())
    return Draft201909Validator(schema)


def _errors(validator: Draft201909Validator, document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]


def _badge(**kwargs: Any) -> AchievementCredential:
    return new_achievement_credential(
        issuer={"id": "did:key:z6Mkexample", "name": "Example University"},
        achievement={
            "id": "https://example.edu/achievements/python-101",
            "name": "Python 101",
            "description": "Programming in Python, first steps.",
            "criteria": {"narrative": "Pass the final exam."},
            "alignment": [{"type": "Alignment", "targetName": "EQF level 5",
                           "targetUrl": "http://data.europa.eu/snb/eqf/5"}],
        },
        recipient="did:example:learner",
        clock=lambda: NOW,
        **kwargs,
    )


# --------------------------------------------------------------------------- names


def test_open_badge_credential_is_the_same_class() -> None:
    assert OpenBadgeCredential is AchievementCredential


# --------------------------------------------------------------------------- defaults


def test_new_credential_defaults() -> None:
    data = _badge().to_jsonld()
    assert data["@context"] == [CREDENTIALS_V2, OB3_CONTEXT]
    assert data["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", data["id"])
    assert data["validFrom"] == "2026-01-01T09:30:15Z"
    assert data["name"] == "Python 101"
    assert data["issuer"]["type"] == ["Profile"]
    subject = data["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["type"] == ["Achievement"]
    assert subject["achievement"]["alignment"][0]["type"] == ["Alignment"]  # schema's list form
    assert "credentialSchema" not in data
    assert "proof" not in data


def test_two_new_credentials_get_different_ids() -> None:
    assert _badge().id != _badge().id


def test_naive_clock_is_taken_as_utc() -> None:
    badge = new_achievement_credential(
        issuer="did:key:z6Mkexample",
        achievement=_badge().credential_subject.achievement,  # type: ignore[union-attr]
        clock=lambda: datetime(2026, 5, 1, 12, 0, 0),
    )
    assert badge.to_jsonld()["validFrom"] == "2026-05-01T12:00:00Z"
    assert badge.to_jsonld()["issuer"] == "did:key:z6Mkexample"


def test_credential_schema_when_asked() -> None:
    data = _badge(with_schema=True).to_jsonld()
    assert data["credentialSchema"] == [
        {"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": JSON_SCHEMA_VALIDATOR_2019}
    ]
    # the extensions context defines 1EdTechJsonSchemaValidator2019
    assert data["@context"] == [CREDENTIALS_V2, OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT]


@pytest.mark.parametrize("with_schema", [False, True])
def test_defaults_expand_without_undefined_terms(with_schema: bool) -> None:
    nquads = to_nquads(_badge(with_schema=with_schema).to_jsonld())  # strict by default
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement" in nquads


@pytest.mark.parametrize("with_schema", [False, True])
def test_defaults_pass_the_official_json_schema(with_schema: bool) -> None:
    validator = _schema("ob_v3p0_achievementcredential_schema.json")
    data = _badge(with_schema=with_schema).to_jsonld()
    assert _errors(validator, data) == []
    signed = {**data, "proof": [PROOF]}
    assert _errors(validator, signed) == []


def test_a_single_proof_object_fails_the_schema_so_we_write_an_array() -> None:
    validator = _schema("ob_v3p0_achievementcredential_schema.json")
    single = {**_badge().to_jsonld(), "proof": PROOF}
    assert any(e.startswith("proof:") for e in _errors(validator, single))
    # a proof list read into the model is written back as a list
    model = AchievementCredential.model_validate({**_badge().to_jsonld(), "proof": [PROOF]})
    assert isinstance(model.to_jsonld()["proof"], list)


def test_endorsement_defaults_pass_the_official_json_schema() -> None:
    endorsement = new_endorsement_credential(
        issuer={"id": "did:key:z6Mkendorser", "name": "Accreditation Body"},
        endorsed="https://example.edu/achievements/python-101",
        comment="A solid course.",
        name="Endorsement of Python 101",
        with_schema=True,
        clock=lambda: NOW,
    )
    data = {**endorsement.to_jsonld(), "proof": [PROOF]}
    assert data["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert _errors(_schema("ob_v3p0_endorsementcredential_schema.json"), data) == []
    assert EndorsementCredential.model_validate(data).to_jsonld() == data
    to_nquads(data)


def test_a_built_credential_reads_back_identically() -> None:
    data = _badge(with_schema=True).to_jsonld()
    assert AchievementCredential.model_validate(data).to_jsonld() == data


def test_building_from_python_objects() -> None:
    achievement = Achievement(
        id="https://example.edu/achievements/1",
        name="Teamwork",
        description="Works well in a team.",
        criteria=Criteria(narrative="Nominated by peers."),
        image=Image(id="https://example.edu/teamwork.png", caption="Teamwork"),
    )
    badge = new_achievement_credential(
        issuer=Profile(id="https://example.edu/issuer", name="Example"),
        achievement=achievement,
        identifier=[IdentityObject(hashed=False, identity_hash="a@example.edu",
                                   identity_type="emailAddress")],
        clock=lambda: NOW,
    )
    data = badge.to_jsonld()
    assert "id" not in data["credentialSubject"]
    assert data["credentialSubject"]["identifier"][0]["type"] == "IdentityObject"
    assert data["credentialSubject"]["achievement"]["image"]["type"] == "Image"
    assert _errors(_schema("ob_v3p0_achievementcredential_schema.json"), data) == []


# --------------------------------------------------------------------------- forms kept


def test_forms_as_read_are_written_back() -> None:
    document = json.loads((OB / "ob30" / "simple.json").read_text())
    document["validFrom"] = "2010-01-01T00:00:00.000+01:00"
    document["credentialSubject"]["achievement"]["type"] = "Achievement"  # one value, no list
    document["proof"] = document["proof"][0]  # one object, not an array
    document["credentialSubject"]["x-extension"] = {"kept": True}
    model = AchievementCredential.model_validate(document)
    assert json.dumps(model.to_jsonld()) == json.dumps(document)
    assert model.valid_from == datetime(2009, 12, 31, 23, 0, tzinfo=timezone.utc)
    assert model.unknown_properties() == ["credentialSubject.x-extension"]


def test_credential_status_one_or_several() -> None:
    document = json.loads((OB / "ob30" / "simple.json").read_text())
    entry = {"id": "https://example.com/status/1#5", "type": "BitstringStatusListEntry",
             "statusPurpose": "revocation", "statusListIndex": "5",
             "statusListCredential": "https://example.com/status/1"}
    for status in (entry, [entry], [entry, {**entry, "statusPurpose": "suspension"}]):
        doc = {**document, "credentialStatus": copy.deepcopy(status)}
        assert AchievementCredential.model_validate(doc).to_jsonld() == doc


# --------------------------------------------------------------------------- errors


def _problems(document: dict[str, Any], model: Any = AchievementCredential) -> dict[str, str]:
    with pytest.raises(ModelError) as info:
        model.model_validate(document)
    assert isinstance(info.value, InputError)
    assert info.value.code == "model.invalid"
    return dict(info.value.problems)


def test_missing_required_properties_are_named() -> None:
    document = _badge().to_jsonld()
    del document["credentialSubject"]["achievement"]["name"]
    del document["issuer"]
    problems = _problems(document)
    assert problems["credentialSubject.achievement.name"] == "required property is missing"
    assert problems["issuer"] == "required property is missing"


def test_a_wrong_date_is_named() -> None:
    problems = _problems({**_badge().to_jsonld(), "validFrom": "yesterday"})
    assert "xsd:dateTime" in problems["validFrom"]


def test_closed_classes_suggest_the_right_term() -> None:
    document = _badge().to_jsonld()
    document["credentialSubject"]["identifier"] = [
        {"type": "IdentityObject", "hashed": False, "identityHsh": "x", "identityType": "name"}
    ]
    problems = _problems(document)
    assert "did you mean 'identityHash'" in problems["credentialSubject.identifier[0].identityHsh"]


def test_credential_type_must_name_an_open_badge() -> None:
    problems = _problems({**_badge().to_jsonld(), "type": ["VerifiableCredential"]})
    assert "OpenBadgeCredential" in problems["type"]
    problems = _problems({**_badge().to_jsonld(), "type": ["OpenBadgeCredential"]})
    assert "VerifiableCredential" in problems["type"]


def test_first_context_must_be_a_vc_context() -> None:
    problems = _problems({**_badge().to_jsonld(), "@context": [OB3_CONTEXT]})
    assert CREDENTIALS_V2 in problems["@context"]


def test_errors_from_python_construction_are_model_errors() -> None:
    with pytest.raises(ModelError) as info:
        Alignment(target_name="x")  # type: ignore[call-arg]
    assert "targetUrl" in dict(info.value.problems)


def test_not_an_object() -> None:
    with pytest.raises(ModelError):
        AchievementCredential.model_validate(["not", "an", "object"])


# --------------------------------------------------------------------------- CLR


def test_clr_embedded_credentials_are_open_badges() -> None:
    document = json.loads((OB / "clr20" / "complex.json").read_text())
    clr = ClrCredential.model_validate(document)
    embedded = clr.credential_subject.verifiable_credential
    assert len(embedded) == 6
    assert all(isinstance(c, AchievementCredential) for c in embedded)
    assert all(isinstance(a, Association) for a in clr.credential_subject.association or [])
    assert clr.to_jsonld() == document


def test_clr_accepts_a_vc_jwt_and_other_credentials() -> None:
    document = json.loads((OB / "clr20" / "simple.json").read_text())
    token = (OB / "ob30" / "simple.jwt").read_text().strip()
    other = {"@context": [CREDENTIALS_V2], "type": ["VerifiableCredential", "Other"],
             "issuer": "did:example:x", "credentialSubject": {"id": "did:example:y"}}
    document["credentialSubject"]["verifiableCredential"] += [token, other]
    clr = ClrCredential.model_validate(document)
    assert clr.credential_subject.verifiable_credential[-2] == token
    assert clr.to_jsonld() == document


def test_clr_problems_have_paths() -> None:
    document = json.loads((OB / "clr20" / "simple.json").read_text())
    document["credentialSubject"]["association"][0]["type"] = "Relation"
    document["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["type"] = ["X"]
    problems = _problems(document, ClrCredential)
    assert "credentialSubject.association[0].type" in problems
    assert "credentialSubject.verifiableCredential[0].credentialSubject.type" in problems
    del document["credentialSubject"]["verifiableCredential"]
    assert "credentialSubject.verifiableCredential" in _problems(document, ClrCredential)


def test_every_model_is_built_once_at_import() -> None:
    # a class left with unresolved forward references is rebuilt on every validation
    # (AchievementSubject was: a badge's validation cost twice what it should)
    import edc_issue.models.clr as clr
    import edc_issue.models.ob3 as ob3
    from edc_issue.models._base import JsonLdModel

    models = [value for module in (ob3, clr) for value in vars(module).values()
              if isinstance(value, type) and issubclass(value, JsonLdModel)]
    assert len(models) > 15
    incomplete = [m.__name__ for m in models if not m.__pydantic_complete__]
    assert not incomplete, incomplete
