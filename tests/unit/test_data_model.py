"""The VC Data Model on issue (``sign()``, ``Issuer.issue()``: :class:`DataModelError`) and on
verify (``vcdm.*`` checks, every format): each rule, with the path and code it names."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue import Issuer, Verifier, generate_key, sign, verify
from edc_issue.errors import DataModelError, InputError
from edc_issue.formats.baking import bake

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EX2 = "https://www.w3.org/ns/credentials/examples/v2"
EX1 = "https://www.w3.org/2018/credentials/examples/v1"
EX1_INLINE = {"@vocab": "https://example.org/vocab#"}
KEY = generate_key("ed25519")
ROOT = Path(__file__).resolve().parents[2]
CONTEXT_V2 = (ROOT / "schemas" / "contexts" / "credentials-v2.jsonld").read_bytes()
SRI_V2 = "sha384-" + base64.b64encode(hashlib.sha384(CONTEXT_V2).digest()).decode()
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def v2(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": [V2, EX2],
        "id": "urn:uuid:4bb1e2a2-6a0f-4b8a-9d4f-53c2d4a2a2a1",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": KEY.controller,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:alice", "name": "Alice"},
    }
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def v1(**changes: Any) -> dict[str, Any]:
    doc = v2(**changes)
    doc["@context"] = [V1, EX1_INLINE] if "@context" not in changes else changes["@context"]
    doc.pop("validFrom", None)
    doc.setdefault("issuanceDate", "2024-01-01T00:00:00Z")
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
    return doc


#: (name, credential, the (path, code) it must be refused with)
BROKEN: list[tuple[str, dict[str, Any], tuple[str, str]]] = [
    ("context reversed", v2(**{"@context": [EX2, V2]}),
     ("@context", "vcdm.base_context_not_first")),
    ("context a string", v2(**{"@context": V2}), ("@context", "vcdm.context_not_list")),
    ("context missing", v2(**{"@context": None}), ("@context", "vcdm.missing_context")),
    ("v1 context second", v1(**{"@context": [EX1, V1]}),
     ("@context", "vcdm.base_context_not_first")),
    ("no VerifiableCredential", v2(type=["ExampleDegreeCredential"]),
     ("type", "vcdm.missing_type")),
    ("no type", v2(type=None), ("type", "vcdm.missing_type")),
    ("issuer missing", v2(issuer=None), ("issuer", "vcdm.missing_issuer")),
    ("issuer not a URL", v2(issuer="ACME University"), ("issuer", "vcdm.invalid_issuer")),
    ("issuer object without id", v2(issuer={"name": "ACME"}),
     ("issuer.id", "vcdm.invalid_issuer")),
    ("issuer a number", v2(issuer=7), ("issuer", "vcdm.invalid_issuer")),
    ("subject missing", v2(credentialSubject=None),
     ("credentialSubject", "vcdm.missing_subject")),
    ("subject empty", v2(credentialSubject={}), ("credentialSubject", "vcdm.empty_subject")),
    ("subject list with an empty one", v2(credentialSubject=[{"name": "A"}, {}]),
     ("credentialSubject[1]", "vcdm.empty_subject")),
    ("subject a string", v2(credentialSubject="did:example:alice"),
     ("credentialSubject", "vcdm.empty_subject")),
    ("validFrom without a time zone", v2(validFrom="2024-01-01T00:00:00"),
     ("validFrom", "vcdm.date_without_timezone")),
    ("validUntil not a date", v2(validUntil="next year"), ("validUntil", "vcdm.invalid_date")),
    ("validUntil before validFrom", v2(validUntil="2023-01-01T00:00:00Z"),
     ("validUntil", "vcdm.dates_out_of_order")),
    ("v1 issuanceDate without a time zone", v1(issuanceDate="2024-01-01T00:00:00"),
     ("issuanceDate", "vcdm.date_without_timezone")),
    ("v1 expirationDate a date only", v1(expirationDate="2030-01-01"),
     ("expirationDate", "vcdm.invalid_date")),
    ("v1 issuanceDate missing", v1(issuanceDate=None),
     ("issuanceDate", "vcdm.missing_issuance_date")),
    ("id not a URL", v2(id="credential 1"), ("id", "vcdm.invalid_id")),
    ("subject id not a URL", v2(credentialSubject={"id": "alice", "name": "A"}),
     ("credentialSubject.id", "vcdm.invalid_id")),
    ("status without type", v2(credentialStatus={"id": "https://example.org/status#1"}),
     ("credentialStatus", "vcdm.missing_type")),
    ("status id not a URL", v2(credentialStatus={"id": "status 1", "type": "ExampleStatus"}),
     ("credentialStatus.id", "vcdm.invalid_id")),
    ("schema without id", v2(credentialSchema={"type": "JsonSchema"}),
     ("credentialSchema.id", "vcdm.invalid_id")),
    ("schema without type", v2(credentialSchema={"id": "https://example.org/schema.json"}),
     ("credentialSchema", "vcdm.missing_type")),
    ("evidence without type", v2(evidence=[{"id": "https://example.org/evidence/1"}]),
     ("evidence[0]", "vcdm.missing_type")),
    ("refreshService without type",
     v2(refreshService={"id": "https://example.org/refresh"}),
     ("refreshService", "vcdm.missing_type")),
    ("termsOfUse without type", v2(termsOfUse=[{"id": "https://example.org/tou"}]),
     ("termsOfUse[0]", "vcdm.missing_type")),
    ("relatedResource without a digest", v2(relatedResource=[{"id": V2}]),
     ("relatedResource[0]", "vcdm.related_resource_no_digest")),
    ("relatedResource without an id", v2(relatedResource=[{"digestSRI": SRI_V2}]),
     ("relatedResource[0].id", "vcdm.invalid_id")),
    ("relatedResource id twice", v2(relatedResource=[{"id": V2, "digestSRI": SRI_V2},
                                                     {"id": V2, "digestSRI": SRI_V2}]),
     ("relatedResource[1].id", "vcdm.related_resource_duplicate")),
    ("relatedResource a string", v2(relatedResource=[V2]),
     ("relatedResource[0]", "vcdm.related_resource")),
]


def test_a_conforming_credential_signs_and_verifies() -> None:
    for doc in (v2(), v1(), v2(relatedResource=[{"id": V2, "digestSRI": SRI_V2}])):
        signed = sign(doc, KEY)
        result = verify(signed)
        assert result.ok, [c for c in result.checks if not c.ok]
        assert [c.check for c in result.checks if c.check.startswith("vcdm")][:1] == ["vcdm"]


@pytest.mark.parametrize(("name", "doc", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_rule_refuses_signing_with_its_path(name: str, doc: dict[str, Any],
                                                 expected: tuple[str, str]) -> None:
    with pytest.raises(DataModelError) as info:
        sign(doc, KEY)
    error = info.value
    assert isinstance(error, InputError)  # exit 2 at the command line
    assert expected in [(f.path, f.code) for f in error.findings], error.problems
    assert len(error.problems) == len(error.findings)
    assert all(message.endswith("]") for _, message in error.problems)
    assert error.code.startswith("vcdm.") and error.pointer == error.findings[0].path


@pytest.mark.parametrize(("name", "doc", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_each_rule_fails_verification_with_its_path(name: str, doc: dict[str, Any],
                                                    expected: tuple[str, str]) -> None:
    # a proof made without the check (when JSON-LD can sign it at all), or a valid
    # credential's proof on the broken document: the vcdm check fails either way
    try:
        signed = sign(doc, KEY, check_data_model=False)
    except InputError:
        signed = dict(doc, proof=sign(v2(), KEY)["proof"])  # type: ignore[index]
    result = verify(signed)
    assert not result.ok
    failed = [(c.path, c.code) for c in result.checks
              if c.check.startswith("vcdm") and not c.ok and c.severity == "error"]
    assert expected in failed, [c for c in result.checks if not c.ok]
    skipped = verify(signed, check_data_model=False)
    assert not [c for c in skipped.checks if c.check.startswith("vcdm")]


def test_a_reversed_context_fails_verify_though_its_proof_is_valid() -> None:
    """Issue #13: a DI credential with its @context reversed verified before."""
    signed = sign(v2(**{"@context": [EX2, V2]}), KEY, check_data_model=False)
    assert isinstance(signed, dict)
    result = verify(signed)
    proofs = [c for c in result.checks if c.check.startswith("proof")]
    assert proofs and all(c.ok for c in proofs if c.severity == "error")  # the proof holds
    assert not result.ok
    [failed] = [c for c in result.checks if not c.ok and c.severity == "error"]
    assert (failed.check, failed.path, failed.code) == (
        "vcdm.context", "@context", "vcdm.base_context_not_first")


def test_every_problem_is_listed() -> None:
    doc = v2(issuer="ACME", credentialSubject={}, validFrom="2024-01-01")
    with pytest.raises(DataModelError) as info:
        sign(doc, KEY)
    assert [p for p, _ in info.value.problems] == ["issuer", "credentialSubject", "validFrom"]
    assert "(and 2 more problem(s))" in info.value.message


def test_the_issuer_checks_before_spending_a_status_index() -> None:
    from edc_issue.status import MemoryStatusListStore, StatusList

    status = StatusList.create(MemoryStatusListStore(), list_id="https://example.org/status/1",
                               issuer=KEY.controller, sign=KEY)
    issuer = Issuer(KEY, status_list=status)
    with pytest.raises(DataModelError):
        issuer.issue(v2(credentialSubject={}))
    assert status.allocated_count() == 0
    issuer.issue(v2())
    assert status.allocated_count() == 1


def test_check_data_model_false_signs_a_vector_that_breaks_the_rules() -> None:
    doc = v2(validFrom="2024-01-01T00:00:00")
    assert "proof" in Issuer(KEY, check_data_model=False).issue(doc)  # type: ignore[operator]
    with pytest.raises(DataModelError):
        Issuer(KEY).issue(doc)


def test_the_check_does_not_change_the_credential() -> None:
    doc = v2()
    before = copy.deepcopy(doc)
    sign(doc, KEY, created="2024-01-01T00:00:00Z")
    assert doc == before


def test_vc_jwt_is_checked_on_issue_and_verify() -> None:
    with pytest.raises(DataModelError):
        sign(v2(credentialSubject={}), KEY, suite="vc-jwt")
    token = sign(v2(credentialSubject={}), KEY, suite="vc-jwt", check_data_model=False)
    assert isinstance(token, str)
    result = verify(token)
    assert ("credentialSubject", "vcdm.empty_subject") in [
        (c.path, c.code) for c in result.checks if not c.ok]
    good = verify(sign(v2(), KEY, suite="vc-jwt"))
    assert good.ok and "vcdm" in [c.check for c in good.checks]


def test_a_baked_badge_is_checked() -> None:
    image = ROOT / "src" / "edc_issue" / "templates" / "ob3-badge.png"
    bad = sign(v2(**{"@context": [EX2, V2]}), KEY, check_data_model=False)
    baked = bake(image.read_bytes(), json.dumps(bad))
    result = verify(baked)
    assert result.format is not None and result.format.startswith("baked-png")
    assert ("@context", "vcdm.base_context_not_first") in [
        (c.path, c.code) for c in result.checks if not c.ok]


def test_related_resource_digests_on_verify() -> None:
    good = verify(sign(v2(relatedResource=[{"id": V2, "digestSRI": SRI_V2}]), KEY))
    [check] = [c for c in good.checks if c.check == "vcdm.relatedResource"]
    assert check.ok and check.path == "relatedResource[0].digestSRI"
    # the W3C suite's digest is of an older v2 context: it does not match the bundled one
    old = "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"
    bad = verify(sign(v2(relatedResource={"id": V2, "digestSRI": old}), KEY))
    assert not bad.ok
    assert [(c.path, c.code) for c in bad.checks if not c.ok] == [
        ("relatedResource.digestSRI", "vcdm.related_resource_digest")]
    multibase = "u" + base64.urlsafe_b64encode(
        b"\x12\x20" + hashlib.sha256(CONTEXT_V2).digest()).decode().rstrip("=")
    assert verify(sign(v2(relatedResource=[{"id": V2, "digestMultibase": multibase}]),
                       KEY)).ok
    # a resource that is not available offline: reported as not done, never as passed
    away = verify(sign(v2(relatedResource=[{"id": "https://example.org/logo.png",
                                            "digestSRI": SRI_V2}]), KEY))
    [check] = [c for c in away.checks if c.check == "vcdm.relatedResource"]
    assert not check.ok and check.severity == "warning"
    assert check.code == "vcdm.related_resource_unchecked"
    assert away.ok and check in away.warnings


def test_a_sealed_edc_is_checked() -> None:
    sealed = FIXTURES / "edc-sealed" / "eu-elm-support" / "Sample-CertOfPart-signed.jsonld"
    envelope = json.loads(sealed.read_text())
    result = Verifier().verify(envelope)
    assert "vcdm" in [c.check for c in result.checks]
    # the payload with its base context moved: the vcdm check fails (the seal too)
    payload = json.loads(envelope["payload"])
    payload["@context"] = list(reversed(payload["@context"]))
    broken = dict(envelope, payload=json.dumps(payload))
    failed = [(c.path, c.code) for c in Verifier().verify(broken).checks if not c.ok]
    assert ("@context", "vcdm.base_context_not_first") in failed


def test_a_jsonld_error_met_while_handling_another_is_its_own() -> None:
    """pyld's errors were searched for a loader's refusal through __context__, which also
    holds whatever the caller was handling: signing inside ``except DataModelError`` then
    re-raised that DataModelError instead of the JSON-LD error."""
    from edc_issue.errors import JsonLdError

    doc = v2(**{"@context": [V2, {"VerifiableCredential": "https://example.org/#Bad"}]})
    try:
        sign(v2(credentialSubject={}), KEY)
    except DataModelError:
        with pytest.raises(JsonLdError) as info:
            sign(doc, KEY, check_data_model=False)
        assert info.value.pointer == "@context"  # a protected term redefined
