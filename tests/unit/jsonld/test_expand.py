"""Strict mode never drops a term, type or IRI silently; lenient mode drops as jsonld.js does."""

from __future__ import annotations

from typing import Any

import pytest

from edc_issue import to_nquads
from edc_issue.errors import JsonLdError

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EDC = "http://data.europa.eu/snb/model/context/edc-ap"


def _credential(**extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2, OB3],
        "id": "urn:uuid:7d3f2a8e-4c61-4d39-9b0e-7a1b2c3d4e5f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": "Profile", "name": "Uni"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://example.edu/achievements/1",
                "type": "Achievement",
                "name": "MOOC design",
                "criteria": {"narrative": "Complete the course."},
            },
        },
    }
    doc.update(extra)
    return doc


def test_a_well_formed_credential_passes_strict_mode() -> None:
    nquads = to_nquads(_credential())
    assert "<https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement>" in nquads


def test_undefined_nested_term_is_named_by_its_path() -> None:
    doc = _credential()
    doc["credentialSubject"]["achievement"]["nmae"] = "typo"
    with pytest.raises(JsonLdError) as info:
        to_nquads(doc)
    err = info.value
    assert err.code == "jsonld.undefined_term"
    assert err.pointer == "credentialSubject.achievement.nmae"
    assert '"nmae"' in str(err)
    # lenient mode drops it, as jsonld.js does
    assert "typo" not in to_nquads(doc, strict=False)


def test_every_problem_is_listed() -> None:
    doc = _credential(foo=1, bar=2)
    with pytest.raises(JsonLdError) as info:
        to_nquads(doc)
    assert [p for p, _ in info.value.problems] == ["bar", "foo"]


def test_undefined_type_is_refused() -> None:
    doc = _credential(type=["VerifiableCredential", "OpenBadgeCredential", "MadeUpType"])
    with pytest.raises(JsonLdError) as info:
        to_nquads(doc)
    assert info.value.pointer == "type[2]"
    lenient = to_nquads(doc, strict=False)
    assert "MadeUpType" not in lenient
    assert "example.org/base" not in lenient


def test_relative_iri_value_is_refused_with_path_and_value() -> None:
    doc = _credential()
    doc["credentialSubject"]["achievement"]["id"] = "achievements/1"
    with pytest.raises(JsonLdError) as info:
        to_nquads(doc)
    assert info.value.code == "jsonld.relative_iri"
    assert info.value.pointer == "credentialSubject.achievement.id"
    assert "achievements/1" in str(info.value)


def test_edc_date_modified_defect_is_named() -> None:
    doc = {
        "@context": [V1, EDC],
        "id": "urn:credential:1",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialSubject": {
            "id": "urn:epass:person:1",
            "type": "Person",
            "dateModified": "2024-09-22T05:21:31Z",
        },
    }
    with pytest.raises(JsonLdError) as info:
        to_nquads(doc)
    assert info.value.pointer == "credentialSubject.dateModified"
    assert "2024-09-22T05:21:31Z" in str(info.value)
    assert "2024-09-22" not in to_nquads(doc, strict=False)


def test_document_without_context_is_refused_in_strict_mode() -> None:
    with pytest.raises(JsonLdError) as info:
        to_nquads({"name": "x", "id": "urn:x"})
    assert [p for p, _ in info.value.problems] == ["id", "name"]


def test_invalid_json_ld_is_a_clear_error() -> None:
    with pytest.raises(JsonLdError) as info:
        to_nquads({"@context": {"@version": 2.0}, "@id": "urn:x"})
    assert info.value.code == "jsonld.invalid"


def test_not_an_object_is_refused() -> None:
    with pytest.raises(JsonLdError):
        to_nquads([{"@id": "urn:x"}])  # type: ignore[arg-type]


def test_no_base_is_invented_for_relative_identifiers() -> None:
    doc = {"@context": {"@vocab": "https://example.org/v#"}, "@id": "relative", "p": "o"}
    assert to_nquads(doc, strict=False) == ""


def test_paths_are_exact_and_only_the_outermost_undefined_property_is_named() -> None:
    doc = {
        "@context": [V1, EDC],
        "id": "urn:credential:2",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialSubject": {
            "id": "urn:epass:person:2",
            "type": "Person",
            "givenName": {"en": "Ana", "de": "Ana"},
            "degreeProgramme": {"type": "Programme", "programmeTitle": {"en": "MOOC design"}},
        },
    }
    with pytest.raises(JsonLdError) as info:
        to_nquads(doc)
    # not credentialSubject.givenName.en (a language map), nor anything inside the
    # undefined property
    assert [p for p, _ in info.value.problems] == ["credentialSubject.degreeProgramme"]
