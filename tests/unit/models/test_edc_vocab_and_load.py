"""Bundled vocabularies (lookups; a concept outside its scheme is a problem, not a crash)
and ``edc.load`` on the three file forms (bare, JAdES envelope, upload wrapper)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from edc_issue import edc, vocab
from edc_issue.errors import ModelError, ReadError
from edc_issue.models.edc import Concept, EuropeanDigitalCredential

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "edc-samples"
EQF6 = "http://data.europa.eu/snb/eqf/6"
ALB = "http://publications.europa.eu/resource/authority/country/ALB"


def test_concept_lookup_by_iri() -> None:
    found = vocab.concept(EQF6)
    assert found is not None
    assert (found.scheme, found.label) == (vocab.EQF, "Level 6")
    assert vocab.scheme_of(ALB) == vocab.COUNTRY
    assert vocab.labels(ALB) == {"en": "Albania"}
    assert vocab.label("urn:nothing") is None


def test_scheme_membership() -> None:
    assert vocab.is_in_scheme(EQF6, vocab.EQF)
    assert not vocab.is_in_scheme(EQF6, vocab.ISCED_F)
    assert {vocab.EQF, vocab.ISCED_F, vocab.LANGUAGE, vocab.COUNTRY} <= set(vocab.schemes())
    assert len(vocab.concepts_in(vocab.EQF)) == 8


def test_label_lookup() -> None:
    assert [c.iri for c in vocab.find("albania", scheme=vocab.COUNTRY)] == [ALB]
    assert vocab.find("Teacher training with subject specialization", scheme=vocab.ISCED_F)


def test_concept_outside_its_scheme_is_a_problem_with_a_suggestion() -> None:
    document = {"credentialSubject": {"citizenshipCountry": {
        "id": "http://publications.europa.eu/resource/authority/language/SQI",
        "type": "Concept",
        "inScheme": {"id": vocab.COUNTRY, "type": "ConceptScheme"},
    }}}
    (problem,) = vocab.check_concepts(document)
    assert problem.path == "credentialSubject.citizenshipCountry"
    assert problem.scheme == vocab.COUNTRY
    assert "belongs to scheme " + vocab.LANGUAGE in problem.message
    assert problem.severity == "error"


def test_unlisted_concept_of_a_closed_scheme_is_an_error() -> None:
    node = {"id": "http://data.europa.eu/snb/eqf/99", "type": "Concept",
            "inScheme": [{"id": vocab.EQF}]}
    (problem,) = vocab.check_concepts({"eqfLevel": node})
    assert (problem.path, problem.severity) == ("eqfLevel", "error")


def test_unlisted_concept_of_a_partly_bundled_scheme_is_a_warning() -> None:
    node = {"id": "http://data.europa.eu/snb/verification/unlisted", "type": "Concept",
            "inScheme": [{"id": vocab.VERIFICATION}]}
    (problem,) = vocab.check_concepts({"dcType": node})
    assert (problem.path, problem.severity) == ("dcType", "warning")


def test_unbundled_schemes_are_not_judged() -> None:
    esco = {"id": "http://data.europa.eu/esco/skill/x", "type": "Concept",
            "inScheme": "http://data.europa.eu/esco/concept-scheme/skills"}
    assert vocab.check_concepts({"relatedESCOSkill": esco}) == []


def test_concept_builder_takes_labels_from_the_vocabulary() -> None:
    level = edc.eqf_level(6)
    assert isinstance(level, Concept)
    assert level.to_jsonld() == {"id": EQF6, "type": "Concept", "prefLabel": {"en": "Level 6"},
                                 "inScheme": {"id": vocab.EQF, "type": "ConceptScheme"}}
    with pytest.raises(ModelError):
        edc.eqf_level(9)
    with pytest.raises(ModelError):
        edc.concept("urn:unknown:concept")


def test_load_bare_credential() -> None:
    credential = edc.load(SAMPLES / "elm-repo-3.1" / "Sample-CertOfPart-unsigned.jsonld")
    assert isinstance(credential, EuropeanDigitalCredential)


def test_load_jades_envelope_with_unencoded_payload() -> None:
    path = SAMPLES / "eu-elm-support" / "Sample-CertOfPart-signed.jsonld"
    envelope = json.loads(path.read_text(encoding="utf-8"))
    assert edc.load_json(path) == json.loads(envelope["payload"])
    assert edc.load(path).issuer is not None


def test_load_jades_envelope_with_base64url_or_object_payload(tmp_path: Path) -> None:
    path = SAMPLES / "eu-elm-support" / "Sample-CertOfPart-signed.jsonld"
    envelope = json.loads(path.read_text(encoding="utf-8"))
    payload = json.loads(envelope["payload"])
    encoded = base64.urlsafe_b64encode(envelope["payload"].encode()).decode().rstrip("=")
    for value in (encoded, payload):
        target = tmp_path / "sealed.json"
        target.write_text(json.dumps({**envelope, "payload": value}), encoding="utf-8")
        assert edc.load_json(target) == payload


def test_load_upload_wrapper_adds_the_edc_context() -> None:
    path = SAMPLES / "eu-elm-support" / "AA-Annex1-MC-unsigned.json"
    document = edc.load_json(path)
    assert document["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "http://data.europa.eu/snb/model/context/edc-ap",
    ]
    wrapper = json.loads(path.read_text(encoding="utf-8"))
    assert "@context" not in wrapper["credential"]
    assert edc.load(path).issuer is None


def test_load_reports_bad_files(tmp_path: Path) -> None:
    with pytest.raises(ReadError):
        edc.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"payload": "%%%", "signatures": []}), encoding="utf-8")
    with pytest.raises(ReadError):
        edc.load(bad)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"type": "EuropeanDigitalCredential"}), encoding="utf-8")
    with pytest.raises(ModelError) as info:
        edc.load(broken)
    assert str(broken) in str(info.value)
