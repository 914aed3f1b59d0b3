"""VC-API / VCALM issuing and verifying, with the bodies the W3C test suites send.

The issuer cases are those of w3c-ccg/vc-api-issuer-test-suite (tests/10-issuer.js, its
validVc.json and createRequestBody: a VC 1.1 credential whose issuer the suite sets to the
issuer's id, with options {type, cryptosuite}); every malformed request must be 400 or
422. The verifier cases are those of w3c-ccg/vc-api-verifier-test-suite (tests/10-vc-di.js):
a malformed credential is 400/422, a valid one 200.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from svc_helpers import App, badge_02, issue_body, not_verified

from edc_issue import verify

SUITE_VALID_VC = {
    "@context": ["https://www.w3.org/2018/credentials/v1"],
    "type": ["VerifiableCredential"],
    "credentialSubject": {"id": "did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r"},
}
SUITE_OPTIONS = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}

#: the verifier suite's valid vector (tests/vectors.js): an Ed25519Signature2020 proof
ED25519_2020_VECTOR = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://www.w3.org/ns/credentials/examples/v2",
                 "https://w3id.org/security/suites/ed25519-2020/v1"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    "proof": {
        "type": "Ed25519Signature2020",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#"
                              "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "proofPurpose": "assertionMethod",
        "proofValue": "z57Mm1vboMtZiCyJ4aReZsv8co4Re64Y8GEjL1ZARzMbXZgkARFLqFs1P345NpPGG2h"
                      "gCrS4nNdvJhpwnrNyG3kEF",
    },
}


def suite_body(app: App) -> dict[str, Any]:
    credential = copy.deepcopy(SUITE_VALID_VC)
    credential["issuanceDate"] = "2026-01-01T00:00:00Z"
    credential["id"] = f"urn:uuid:{uuid.uuid4()}"
    credential["issuer"] = app.issuer
    return {"credential": credential, "options": dict(SUITE_OPTIONS)}


def test_issue_the_suites_credential(app: App) -> None:
    response = app.client.post("/credentials/issue", json=suite_body(app), headers=app.auth())
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert "VerifiableCredential" in vc["type"] and isinstance(vc["id"], str)
    assert vc["issuer"] == app.issuer and isinstance(vc["proof"], dict)
    assert vc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert verify(vc).ok


def test_issue_expiration_date_is_allowed(app: App) -> None:
    body = suite_body(app)
    body["credential"]["expirationDate"] = "2099-01-01T00:00:00Z"
    assert app.client.post("/credentials/issue", json=body,
                           headers=app.auth()).status_code == 201


def _mutations() -> list[tuple[str, Any]]:
    cases: list[tuple[str, Any]] = []

    def rename(body: dict[str, Any]) -> None:
        body["verifiableCredential"] = body.pop("credential")

    cases.append(("no credential property", rename))
    for name in ("@context", "type", "issuer", "credentialSubject"):
        cases.append((f"no {name}", lambda b, n=name: b["credential"].pop(n)))
    cases.append(("@context not an array", lambda b: b["credential"].__setitem__("@context", 4)))
    for bad in ({"foo": True}, 4, False, None):
        cases.append((f"@context {bad!r}",
                      lambda b, v=bad: b["credential"].__setitem__("@context", v)))
    cases.append(("type not an array", lambda b: b["credential"].__setitem__("type", 4)))
    for bad in (None, True, 4, []):
        cases.append((f"type {bad!r}", lambda b, v=bad: b["credential"].__setitem__("type", v)))
    for bad in (None, True, 4, []):
        cases.append((f"issuer {bad!r}",
                      lambda b, v=bad: b["credential"].__setitem__("issuer", v)))
    for bad in (None, True, 4, [], "did:example:1234"):
        cases.append((f"credentialSubject {bad!r}",
                      lambda b, v=bad: b["credential"].__setitem__("credentialSubject", v)))
    return cases


@pytest.mark.parametrize("name,mutate", _mutations(), ids=[n for n, _ in _mutations()])
def test_issuer_suite_invalid_input(app: App, name: str, mutate: Any) -> None:
    body = suite_body(app)
    mutate(body)
    response = app.client.post("/credentials/issue", json=body, headers=app.auth())
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == response.status_code and problem["code"].startswith(
        ("service.", "vcdm.", "jsonld.", "input."))


def test_issuer_mismatch_is_refused(app: App) -> None:
    body = suite_body(app)
    body["credential"]["issuer"] = "did:example:someone-else"
    response = app.client.post("/credentials/issue", json=body, headers=app.auth())
    assert response.status_code == 400
    assert response.json()["code"] == "service.issuer_mismatch"
    assert response.json()["pointer"] == "/credential/issuer"


def test_undefined_term_is_422_with_its_pointer(app: App) -> None:
    body = issue_body(app)
    body["credential"]["credentialSubject"]["nmae"] = "typo"
    response = app.client.post("/credentials/issue", json=body, headers=app.auth())
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "jsonld.undefined_term"
    assert "nmae" in problem["detail"]


def test_issue_vc_jwt_as_enveloped_credential(app: App) -> None:
    response = app.client.post("/credentials/issue", json=issue_body(app, options={
        "format": "vc-jwt"}), headers=app.auth())
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["type"] == "EnvelopedVerifiableCredential"
    jwt = vc["id"].split(",", 1)[1]
    assert verify(jwt).ok
    answer = app.client.post("/credentials/verify", json={"verifiableCredential": vc}).json()
    assert answer["verified"] is True, answer


def test_unsupported_options_are_400(app: App) -> None:
    for options, pointer in (({"type": "Ed25519Signature2020"}, "/options/type"),
                             ({"cryptosuite": "bbs-2023"}, "/options/cryptosuite"),
                             ({"format": "mso_mdoc"}, "/options/format")):
        response = app.client.post("/credentials/issue", json=issue_body(app, options=options),
                                   headers=app.auth())
        assert response.status_code == 400 and response.json()["pointer"] == pointer


# ---- verify --------------------------------------------------------------------------------


def _issued(app: App) -> dict[str, Any]:
    response = app.client.post("/credentials/issue", json=issue_body(app), headers=app.auth())
    assert response.status_code == 201, response.text
    return dict(response.json()["verifiableCredential"])


def _verify(app: App, vc: Any) -> Any:
    return app.client.post("/credentials/verify",
                           json={"verifiableCredential": vc, "options": {"checks": ["proof"]}})


def test_verify_an_issued_badge(app: App) -> None:
    response = _verify(app, _issued(app))
    assert response.status_code == 200
    answer = response.json()
    assert answer["verified"] is True and answer["problemDetails"] == []
    assert answer["results"]["proof"][0]["verified"] is True
    assert answer["results"]["credentialStatus"][0] == {
        "verified": True, "input": answer["results"]["credentialStatus"][0]["input"],
        "value": 0}


def test_verify_a_tampered_badge_is_400_not_verified(app: App) -> None:
    # the W3C suites and Digital Bazaar's verifier answer a failed verification with 400;
    # the problem also carries the VCALM result, so nothing of the 200 form is lost
    vc = _issued(app)
    vc["credentialSubject"]["achievement"]["name"] = "Something else"
    answer = not_verified(_verify(app, vc))
    assert answer["problemDetails"][0]["title"] == "proof.bad_signature"
    assert answer["pointer"] == "/verifiableCredential" + answer["problemDetails"][0]["pointer"]
    assert answer["results"]["proof"][0]["verified"] is False
    assert answer["instance"] == "/credentials/verify"


def test_verify_the_suites_vector(app: App) -> None:
    response = _verify(app, ED25519_2020_VECTOR)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["verified"] is True, answer["problemDetails"]
    changed = copy.deepcopy(ED25519_2020_VECTOR)
    changed["credentialSubject"]["alumniOf"] = "Another School"
    answer = not_verified(_verify(app, changed))
    assert answer["problemDetails"]


def _verifier_mutations() -> list[tuple[str, Any]]:
    cases: list[tuple[str, Any]] = []
    for name in ("@context", "type", "issuer", "credentialSubject", "proof"):
        cases.append((f"no {name}", lambda vc, n=name: vc.pop(n)))
    for name in ("type", "created", "verificationMethod", "proofValue", "proofPurpose"):
        cases.append((f"no proof.{name}", lambda vc, n=name: vc["proof"].pop(n)))
    for bad in ("string", {}, None, 10, True):
        cases.append((f"@context {bad!r}", lambda vc, v=bad: vc.__setitem__("@context", v)))
    for bad in ([], None, 10, True):
        cases.append((f"@context item {bad!r}",
                      lambda vc, v=bad: vc.__setitem__("@context", [v])))
    for bad in ("string", {}, None, 10, True):
        cases.append((f"type {bad!r}", lambda vc, v=bad: vc.__setitem__("type", v)))
    for bad in ([], {}, None, 10, True):
        cases.append((f"type item {bad!r}", lambda vc, v=bad: vc.__setitem__("type", [v])))
    for bad in ([], None, 10, True):
        cases.append((f"issuer {bad!r}", lambda vc, v=bad: vc.__setitem__("issuer", v)))
    for bad in ("string", None, 10, True, []):
        cases.append((f"credentialSubject {bad!r}",
                      lambda vc, v=bad: vc.__setitem__("credentialSubject", v)))
    for bad in ("string", None, 10, True, []):
        cases.append((f"proof {bad!r}", lambda vc, v=bad: vc.__setitem__("proof", v)))
    return cases


@pytest.mark.parametrize("name,mutate", _verifier_mutations(),
                         ids=[n for n, _ in _verifier_mutations()])
def test_verifier_suite_bad_request(app: App, name: str, mutate: Any) -> None:
    vc = copy.deepcopy(ED25519_2020_VECTOR)
    mutate(vc)
    response = _verify(app, vc)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_verify_needs_verifiable_credential(app: App) -> None:
    response = app.client.post("/credentials/verify", json={"credential": badge_02()})
    assert response.status_code == 400
    assert response.json()["pointer"] == "/verifiableCredential"


def test_challenges(app: App) -> None:
    first = app.client.post("/challenges").json()["challenge"]
    second = app.client.post("/instance/default/challenges").json()["challenge"]
    assert isinstance(first, str) and len(first) >= 32 and first != second
