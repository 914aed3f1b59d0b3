"""The ELM models: errors name the path, forms and lexical values survive a round trip."""

from __future__ import annotations

import copy
from datetime import date, datetime, timezone
from typing import Any

import pytest

from edc_issue.errors import EdcIssueError, ModelError
from edc_issue.models.edc import (
    Concept,
    EuropeanDigitalCredential,
    LearningAchievement,
    Note,
    Organisation,
    Person,
    ShaclValidator,
    ShaclValidator2017,
)


def _credential() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1",
                     "http://data.europa.eu/snb/model/context/edc-ap"],
        "id": "urn:credential:1",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": {"id": "http://data.europa.eu/snb/credential/e34929035b",
                               "type": "Concept"},
        "credentialSchema": {"id": "http://data.europa.eu/snb/model/ap/edc-generic-full",
                             "type": "ShaclValidator2017"},
        "displayParameter": "urn:epass:displayParameter:1",
        "validFrom": "2024-01-01T00:00:00+01:00",
        "credentialSubject": {
            "id": "urn:epass:person:1",
            "type": "Person",
            "dateOfBirth": "2000-12-31T00:00:00.000Z",
            "hasClaim": [{
                "id": "urn:epass:learningAchievement:1",
                "type": "LearningAchievement",
                "title": {"en": ["Designing MOOCs"]},
                "awardedBy": {"id": "urn:epass:awardingProcess:1", "type": "AwardingProcess",
                              "awardingBody": "urn:epass:org:1"},
            }],
        },
    }


def _problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ModelError) as info:
        EuropeanDigitalCredential.model_validate(data)
    assert isinstance(info.value, EdcIssueError)
    assert info.value.code == "model.invalid"
    return info.value.problems


def test_reads_and_writes_back_identically() -> None:
    data = _credential()
    model = EuropeanDigitalCredential.model_validate(data)
    assert model.to_jsonld() == data
    assert data == _credential()  # input untouched


def test_claims_are_typed_by_their_type() -> None:
    model = EuropeanDigitalCredential.model_validate(_credential())
    subject = model.credential_subject
    assert isinstance(subject, Person)
    claim = subject.has_claim[0]
    assert isinstance(claim, LearningAchievement)
    assert claim.title == {"en": ["Designing MOOCs"]}
    assert claim.awarded_by.awarding_body == ["urn:epass:org:1"]  # type: ignore[union-attr]


def test_missing_title_names_its_path() -> None:
    data = _credential()
    del data["credentialSubject"]["hasClaim"][0]["title"]
    assert _problems(data) == [("credentialSubject.hasClaim[0].title",
                                "required property is missing")]


def test_wrong_date_type_names_its_path() -> None:
    data = _credential()
    data["validFrom"] = "next Monday"
    ((path, message),) = _problems(data)
    assert path == "validFrom"
    assert "xsd:dateTime" in message and "next Monday" in message


def test_number_where_a_date_belongs() -> None:
    data = _credential()
    data["credentialSubject"]["dateOfBirth"] = 2000
    ((path, message),) = _problems(data)
    assert path == "credentialSubject.dateOfBirth"
    assert "xsd:dateTime" in message


def test_string_where_a_language_map_belongs() -> None:
    data = _credential()
    data["credentialSubject"]["hasClaim"][0]["title"] = "Designing MOOCs"
    ((path, message),) = _problems(data)
    assert path == "credentialSubject.hasClaim[0].title"
    assert "language map" in message


def test_error_message_names_path_and_count() -> None:
    data = _credential()
    del data["credentialSubject"]["hasClaim"][0]["title"]
    data["validFrom"] = "x"
    with pytest.raises(ModelError) as info:
        EuropeanDigitalCredential.model_validate(data)
    assert len(info.value.problems) == 2
    assert info.value.pointer in {p for p, _ in info.value.problems}
    assert "1 more" in str(info.value)


def test_dates_keep_their_lexical_form_and_are_datetimes() -> None:
    model = EuropeanDigitalCredential.model_validate(_credential())
    assert isinstance(model.valid_from, datetime)
    assert model.valid_from.utcoffset() is not None
    expected = datetime(2023, 12, 31, 23, tzinfo=timezone.utc)
    assert model.valid_from.astimezone(timezone.utc) == expected
    subject = model.credential_subject
    assert isinstance(subject, Person)
    assert model.to_jsonld()["credentialSubject"]["dateOfBirth"] == "2000-12-31T00:00:00.000Z"


def test_dates_built_in_python_are_written_iso() -> None:
    note = Note(note_literal={"en": "x"})
    assert note.to_jsonld() == {"type": "Note", "noteLiteral": {"en": "x"}}
    person = Person(has_claim=[], date_of_birth=datetime(1990, 5, 1, tzinfo=timezone.utc))
    assert person.to_jsonld()["dateOfBirth"] == "1990-05-01T00:00:00Z"
    assert isinstance(person.date_of_birth, date)


def test_single_and_list_forms_are_kept() -> None:
    data = _credential()
    data["credentialProfiles"] = [data["credentialProfiles"]]  # list form this time
    data["credentialSubject"]["hasClaim"] = data["credentialSubject"]["hasClaim"][0]  # bare
    model = EuropeanDigitalCredential.model_validate(data)
    assert isinstance(model.credential_profiles, list)
    assert model.to_jsonld() == data


def test_built_nodes_use_the_eu_form() -> None:
    concept = Concept(id="http://data.europa.eu/snb/eqf/6", in_scheme=["urn:scheme"])
    assert concept.to_jsonld()["inScheme"] == "urn:scheme"  # bare, as the EU writes it
    org = Organisation(legal_name={"en": "U"}, location=["urn:epass:location:1"],
                       alt_label={"en": "a"}, additional_note=[Note(note_literal={"en": "n"})])
    written = org.to_jsonld()
    assert written["location"] == "urn:epass:location:1"
    assert written["type"] == "Organisation"


def test_absent_type_is_not_added_on_writing() -> None:
    note = Note.model_validate({"noteLiteral": {"en": "x"}})
    assert note.to_jsonld() == {"noteLiteral": {"en": "x"}}


def test_unknown_properties_are_kept_and_reported() -> None:
    data = _credential()
    data["credentialSubject"]["studentNumber"] = "42"
    data["cnf"] = {"jwk": {"kty": "EC"}}
    model = EuropeanDigitalCredential.model_validate(data)
    assert model.unknown_properties() == ["cnf", "credentialSubject.studentNumber"]
    assert model.to_jsonld() == data


def test_building_with_a_misspelled_keyword_suggests_the_name() -> None:
    with pytest.raises(ModelError) as info:
        Note(note_literal={"en": "x"}, note_litral={"en": "y"})
    assert info.value.problems == [
        ("note_litral", "unknown property 'note_litral'; did you mean 'note_literal'?")
    ]


def test_building_with_a_bad_value_raises_model_error() -> None:
    with pytest.raises(ModelError) as info:
        LearningAchievement(title="Designing MOOCs", awarded_by="urn:x")
    assert info.value.problems[0][0] == "title"


def test_fields_accept_json_ld_terms_and_python_names() -> None:
    by_alias = Note.model_validate({"noteLiteral": {"en": "x"}})
    by_name = Note.model_validate({"note_literal": {"en": "x"}})
    assert by_alias.note_literal == by_name.note_literal


def test_shacl_validator_has_both_names() -> None:
    assert ShaclValidator is ShaclValidator2017


def test_model_validate_does_not_change_its_input() -> None:
    data = _credential()
    before = copy.deepcopy(data)
    EuropeanDigitalCredential.model_validate(data).to_jsonld()
    assert data == before
