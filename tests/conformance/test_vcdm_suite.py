"""The W3C VC Data Model 2.0 test suite's credential inputs: ``*-ok`` pass, ``*-fail`` fail.

The suite posts these inputs to an *issuer*, which adds ``issuer`` and the proof;
so they are checked as issuer input (``issuer`` may be missing). Source:
w3c/vc-data-model-2.0-test-suite ``tests/input`` (see PROVENANCE.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edc_issue.errors import ContextError, JsonLdError
from edc_issue.jsonld import to_nquads
from edc_issue.validate.edc import jsonld_findings
from edc_issue.validate.vcdm import check_vcdm

FIXTURES = Path(__file__).parent.parent / "fixtures" / "validate" / "vcdm2"
CASES = sorted(p for p in FIXTURES.rglob("credential-*.json")) + sorted(
    p for p in FIXTURES.rglob("issuer-*.json"))

#: Inputs whose verdict depends on more than the data model's form, each with why.
SKIP = {
    "credential-id-not-url-fail.json": "its id https://not-a-url/... is a syntactically valid "
    "URL; the suite expects the issuer to refuse it for reasons outside the data model's form",
    "credential-type-mapped-nonurl-fail.json": "maps a type to https://not-a-url#..., a "
    "syntactically valid URL (same reason)",
    "credential-proof-ok.json": "its proof is an Ed25519Signature2020 without that suite's "
    "context; checked by test_proof_terms_without_their_suite_context below",
}

#: The suite replaces these placeholders with real dates before posting.
PLACEHOLDERS = {"PAST DATE": "2020-01-01T00:00:00Z", "PASTDATE": "2020-01-01T00:00:00Z",
                "FUTURE DATE": "2099-01-01T00:00:00Z", "FUTUREDATE": "2099-01-01T00:00:00Z"}


def findings_of(doc: dict) -> list:
    out = check_vcdm(doc, as_issuer_input=True)
    try:
        to_nquads(doc, strict=True)
    except (JsonLdError, ContextError) as exc:
        out.extend(jsonld_findings(exc, prefix="", edc=False))
    return [f for f in out if f.severity == "error"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_vcdm_input(path: Path) -> None:
    if path.name in SKIP:
        pytest.skip(SKIP[path.name])
    text = path.read_text()
    for placeholder, date in PLACEHOLDERS.items():
        text = text.replace(f'"{placeholder}"', f'"{date}"')
    doc = json.loads(text)
    errors = findings_of(doc)
    if "-fail" in path.name:
        assert errors, f"{path.name} should fail"
        assert all(f.path is not None and f.rule for f in errors)
    else:
        assert not errors, [(f.path, f.message) for f in errors]


def test_proof_terms_without_their_suite_context() -> None:
    """credential-proof-ok: the data model's form is fine, but the proof's terms are undefined.

    The pinned credentials/v2 context has no ``@vocab`` (VCDM 2.0 moved it to
    ``undefined-terms/v2``), and nothing defines ``created``, ``proofPurpose`` or
    ``proofValue`` for a proof typed Ed25519Signature2020 without its suite context:
    jsonld.js drops them. Strict mode names each one; the form rules accept the input.
    """
    doc = json.loads((FIXTURES / "credential-proof-ok.json").read_text())
    assert not [f for f in check_vcdm(doc, as_issuer_input=True) if f.severity == "error"]
    with pytest.raises(JsonLdError) as info:
        to_nquads(doc, strict=True)
    assert sorted(path for path, _ in info.value.problems) == [
        "proof.created", "proof.proofPurpose", "proof.proofValue"]
    lenient = to_nquads(doc, strict=False)
    assert "2023-03-01T16:53:26Z" not in lenient
