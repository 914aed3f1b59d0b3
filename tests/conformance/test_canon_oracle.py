"""to_nquads + canonicalize_nquads equal the reference stack byte for byte.

The reference stack is jsonld.js + rdf-canonize, which vc-js signs with.

The oracle holds the canonical N-Quads, SHA-256 and SHA-384, of 66 documents: every
OB 3.0 example and fixture, the test vectors and the EU EDC samples. A signature
over anything else will not verify in vc-js.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue import canonicalize_nquads, to_nquads
from edc_issue.errors import JsonLdError
from edc_issue.formats.envelopes import unwrap_credential

ORACLE = Path(__file__).resolve().parents[1] / "fixtures" / "canon-oracle"
INDEX: dict[str, dict[str, Any]] = json.loads((ORACLE / "index.json").read_text())
VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "jsonld"

#: Documents that strict mode must refuse: each uses terms or types that no context
#: defines, or (JointDegree, MastersDegree) a date where the EDC context expects an IRI.
STRICT_REFUSES = {
    "ob3fx-complete_v1": "jsonld.undefined_term",
    "ob3fx-simple-err-context": "jsonld.undefined_term",
    "ob3fx-simple-err-credential-subject-achievement-result-description-type":
        "jsonld.undefined_term",
    "ob3fx-simple-err-credential-subject-identifier-type": "jsonld.undefined_term",
    "ob3fx-simple-err-credential-subject-profile-type": "jsonld.undefined_term",
    "ob3fx-simple-err-credential-subject-result-type": "jsonld.undefined_term",
    "ob3fx-simple-err-credential-subject-type": "jsonld.undefined_term",
    "ob3fx-simple-err-evidence-type": "jsonld.undefined_term",
    "ob3fx-simple-err-issuer-otheridentifier-type": "jsonld.undefined_term",
    "ob3fx-simple-err-issuer-parentorg-type": "jsonld.undefined_term",
    "ob3fx-simple-err-issuer-type": "jsonld.undefined_term",
    "ob3fx-simple-err-proof-method-no-scheme": "jsonld.relative_iri",
    "ob3fx-simple-err-type": "jsonld.undefined_term",
    "ob3fx-simple-multiple-proofs": "jsonld.undefined_term",
    "edc-Sample-JointDegree-signed": "jsonld.relative_iri",
    "edc-Sample-JointDegree-unsigned": "jsonld.relative_iri",
    "edc-Sample-MastersDegree-signed": "jsonld.relative_iri",
    "edc-Sample-MastersDegree-unsigned": "jsonld.relative_iri",
}


def _document(name: str) -> dict[str, Any]:
    raw = json.loads((ORACLE / INDEX[name]["document"]).read_text(encoding="utf-8"))
    document, _kind = unwrap_credential(raw, source=name)
    return document


def test_the_oracle_is_complete() -> None:
    assert len(INDEX) == 66
    assert set(STRICT_REFUSES) <= set(INDEX)


@pytest.mark.parametrize("name", sorted(INDEX))
def test_lenient_mode_matches_the_reference_stack(name: str) -> None:
    nquads = to_nquads(_document(name), strict=False)
    expected = (ORACLE / f"{name}.nq").read_text(encoding="utf-8")
    canonical = canonicalize_nquads(nquads)
    assert canonical == expected
    assert len(canonical.splitlines()) == INDEX[name]["quads"]


@pytest.mark.parametrize("name", sorted(INDEX))
def test_lenient_mode_matches_the_reference_stack_sha384(name: str) -> None:
    nquads = to_nquads(_document(name), strict=False)
    expected = (ORACLE / f"{name}.sha384.nq").read_text(encoding="utf-8")
    assert canonicalize_nquads(nquads, hash_algorithm="sha384") == expected


@pytest.mark.parametrize("name", sorted(INDEX))
def test_strict_mode_matches_or_refuses_with_a_path(name: str) -> None:
    document = _document(name)
    if name in STRICT_REFUSES:
        with pytest.raises(JsonLdError) as info:
            to_nquads(document)
        assert info.value.code == STRICT_REFUSES[name]
        assert info.value.pointer
        assert info.value.problems
        return
    canonical = canonicalize_nquads(to_nquads(document))
    assert canonical == (ORACLE / f"{name}.nq").read_text(encoding="utf-8")


@pytest.mark.parametrize("vector", ["obv3p0", "clrv2p0"])
def test_open_badges_test_vector_document_canon(vector: str) -> None:
    unsigned = json.loads((VECTORS / f"{vector}-unsigned.json").read_text())
    expected = (VECTORS / f"{vector}-document-canon.nq").read_text()
    assert canonicalize_nquads(to_nquads(unsigned)) == expected


@pytest.mark.parametrize("name", ["ob3-03-complete-openbadgecredential.eddsa-rdfc-2022",
                                  "edc-AA-Annex1-MC-signed"])
def test_canonical_nquads_is_the_same_without_the_text_round_trip(name: str) -> None:
    from edc_issue.jsonld import canonical_nquads

    document = _document(name)
    for algorithm, suffix in (("sha256", ".nq"), ("sha384", ".sha384.nq")):
        expected = (ORACLE / f"{name}{suffix}").read_text(encoding="utf-8")
        assert canonical_nquads(document, strict=False, hash_algorithm=algorithm) == expected
