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


def test_an_unknown_concept_is_only_a_warning(credential: dict[str, Any]) -> None:
    doc = copy.deepcopy(credential)
    _path, country = next((p, c) for p, c in _concepts(doc) if p.endswith("countryCode"))
    country["id"] = "http://publications.europa.eu/resource/authority/country/XXZ"
    (finding,) = vocabulary_findings(doc)
    assert finding.severity == "warning"
