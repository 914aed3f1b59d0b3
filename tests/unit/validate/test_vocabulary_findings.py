"""edc-generic-full: a concept must really be in the controlled vocabulary it claims."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from edc_issue.validate.edc import vocabulary_findings

ROOT = Path(__file__).resolve().parents[3]
ISCED_TEACHER_TRAINING = "http://data.europa.eu/snb/isced-f/0114"


@pytest.fixture(scope="module")
def credential(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("mc")
    subprocess.run([sys.executable, str(ROOT / "examples" / "build_edc_microcredential.py"),
                    str(out)], check=True, capture_output=True)
    data = json.loads((out / "edc-microcredential.json").read_text())
    assert isinstance(data, dict)
    return data


def _concepts(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        if node.get("type") == "Concept":
            found.append((path, node))
        for key, value in node.items():
            found.extend(_concepts(value, f"{path}.{key}" if path else key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_concepts(value, f"{path}[{i}]"))
    return found


def test_the_built_micro_credential_uses_only_listed_concepts(credential: dict[str, Any]) -> None:
    assert vocabulary_findings(credential) == []


def test_a_concept_of_another_scheme_is_an_error_with_its_path(
    credential: dict[str, Any],
) -> None:
    doc = copy.deepcopy(credential)
    path, country = next((p, c) for p, c in _concepts(doc) if p.endswith("countryCode"))
    country["id"] = ISCED_TEACHER_TRAINING  # an ISCED-F field, claimed to be a country
    findings = vocabulary_findings(doc, prefix="credential")
    assert [(f.path, f.severity, f.code) for f in findings] == [
        (f"credential.{path}", "error", "validate.concept_not_in_scheme")]
    assert ISCED_TEACHER_TRAINING in findings[0].message
    assert findings[0].value == ISCED_TEACHER_TRAINING


@pytest.mark.parametrize(("suffix", "iri"), [
    ("countryCode", "http://publications.europa.eu/resource/authority/country/XXZ"),
    ("thematicArea[0]", "http://data.europa.eu/snb/isced-f/1234"),
])
def test_an_unknown_concept_of_an_enumerated_vocabulary_is_an_error(
        credential: dict[str, Any], suffix: str, iri: str) -> None:
    """docs/errors.md: a concept not in the controlled vocabulary it claims is an error.
    The bundled country and ISCED-F lists are the ELM's own enumerations (complete)."""
    doc = copy.deepcopy(credential)
    path, concept = next((p, c) for p, c in _concepts(doc) if p.endswith(suffix))
    concept["id"] = iri
    (finding,) = vocabulary_findings(doc)
    assert (finding.path, finding.severity, finding.value) == (path, "error", iri)


def test_an_unknown_concept_of_a_partial_list_is_a_warning(credential: dict[str, Any]) -> None:
    """The verification-check scheme is bundled only as far as the EDCI code names it (and
    the accreditation types are a snapshot the EU's own samples go beyond): a concept
    missing from such a list may be a real one, so it is a warning."""
    from edc_issue import vocab

    scheme = "http://data.europa.eu/snb/verification/25831c2"
    assert vocab.knows_scheme(scheme) and not vocab.is_enumerated(scheme)
    assert vocab.is_enumerated("http://data.europa.eu/snb/isced-f/25831c2")
    assert not vocab.is_enumerated("http://data.europa.eu/snb/accreditation/25831c2")
    doc = copy.deepcopy(credential)
    doc["credentialSubject"]["extraConcept"] = {
        "id": "http://data.europa.eu/snb/verification/not-listed", "type": "Concept",
        "inScheme": {"id": scheme, "type": "ConceptScheme"}}
    (finding,) = vocabulary_findings(doc)
    assert finding.severity == "warning"


def test_the_profiles_decide(credential: dict[str, Any]) -> None:
    """ISCED-F 1234: invalid under edc-generic-full, accepted under edc-generic-no-cv."""
    from edc_issue import validate

    doc = copy.deepcopy(credential)
    path, concept = next((p, c) for p, c in _concepts(doc) if p.endswith("thematicArea[0]"))
    concept["id"] = "http://data.europa.eu/snb/isced-f/1234"

    def errors(document: dict[str, Any], profile: str) -> list[tuple[str, str]]:
        report = validate(document, profile=profile)
        return [(f.path, f.code) for f in report.findings if f.severity == "error"]

    # (the built credential has no issuer yet: sealing fills it in; that error stays alike)
    assert errors(doc, "edc-generic-full") == [
        *errors(credential, "edc-generic-full"), (path, "validate.concept_not_in_scheme")]
    assert errors(doc, "edc-generic-no-cv") == errors(credential, "edc-generic-no-cv")
    assert "validate.concept_not_in_scheme" not in {
        f.code for f in validate(doc, profile="edc-generic-no-cv").findings}
