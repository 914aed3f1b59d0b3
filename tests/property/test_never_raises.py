"""``verify()`` and ``validate()`` answer every JSON input with a result; nothing escapes.

Random JSON values, and valid credentials (Data Integrity, VC-JWT, a sealed EDC) with one
value replaced by a random JSON value of another type, or one key removed, at every path.
A bad credential is a failed check or a finding with a path, never an exception.

The number of examples is small by default (CI time); ``EDC_ISSUE_PROPERTY_EXAMPLES=10000``
runs 10,000 cases in all, spread over the tests below by their weights.
"""

from __future__ import annotations

import base64
import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edc_issue import Verifier, generate_key, sign, validate
from edc_issue.errors import InputError, ReadError
from edc_issue.results import ValidationReport, VerificationResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOTAL = int(os.environ.get("EDC_ISSUE_PROPERTY_EXAMPLES", "400"))
#: each test's share of TOTAL
WEIGHTS = {"json": 0.2, "di": 0.35, "jwt": 0.2, "jades": 0.15, "status": 0.1}


def _settings(name: str) -> Any:
    return settings(max_examples=max(10, round(TOTAL * WEIGHTS[name])), deadline=None,
                    suppress_health_check=list(HealthCheck), database=None)


KEY = generate_key("ed25519")
V2 = "https://www.w3.org/ns/credentials/v2"
DI_SIGNED: list[dict[str, Any]] = [
    json.loads((FIXTURES / "openbadges" / "spec-signed" /
                "02-sample-openbadgecredential.eddsa-rdfc-2022.json").read_text()),
    sign({"@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
          "type": ["VerifiableCredential", "ExampleDegreeCredential"],
          "issuer": {"id": KEY.controller, "name": "ACME"}, "validFrom": "2024-01-01T00:00:00Z",
          "credentialSubject": [{"id": "did:example:alice", "name": "Alice"}],
          "relatedResource": [{"id": V2, "digestSRI": "sha384-x"}],
          "credentialSchema": {"id": "https://example.org/s.json", "type": "JsonSchema"},
          "evidence": [{"type": "Evidence", "id": "https://example.org/e/1"}]},
         KEY, created="2024-01-01T00:00:00Z", proof_id="urn:uuid:1"),  # type: ignore[list-item]
]
# a proof chain: a second proof whose previousProof names the first
DI_SIGNED.append(sign(DI_SIGNED[1], KEY, created="2024-01-02T00:00:00Z",  # type: ignore[arg-type]
                      proof_id="urn:uuid:2", previous_proof="urn:uuid:1"))
JWT = sign({k: v for k, v in DI_SIGNED[1].items() if k != "proof"}, KEY, suite="vc-jwt",
           check_data_model=False)  # its relatedResource digest is made up
SEALED = json.loads((FIXTURES / "edc-sealed" / "eu-elm-support" /
                     "Sample-CertOfPart-signed.jsonld").read_text())
STATUS = json.loads((FIXTURES / "validate" / "vcdm2" / "credential-status-ok.json").read_text())

VERIFIER = Verifier()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["", "did:key:z6Mk", V2, "urn:uuid:1", "2024-01-01T00:00:00Z",
                       "https://example.org/x", "VerifiableCredential", "z3abc", "@id"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.sampled_from(
        ["@context", "type", "id", "proof", "issuer", "credentialSubject", "@type",
         "previousProof", "@value", "@list"]), children, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.extend(_paths(item, (*path, index)))
    return out


def _mutate(doc: Any, data: st.DataObject) -> Any:
    """*doc* with the value at one path replaced by a random JSON value, or removed."""
    doc = copy.deepcopy(doc)
    paths = _paths(doc)
    path = data.draw(st.sampled_from(paths[1:] if len(paths) > 1 else paths))
    if not path:
        return data.draw(json_values)
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        old = parent[path[-1]]
        new = data.draw(json_values.filter(lambda v: type(v) is not type(old)))
        parent[path[-1]] = new
    return doc


def _answers(document: Any) -> None:
    try:
        result = VERIFIER.verify(document)
    except InputError as exc:
        # only a top-level value that is no document at all has no answer: documented
        assert not isinstance(document, dict), exc
        assert exc.code == "input.invalid"
    else:
        assert isinstance(result, VerificationResult)
        assert result.checks
        if isinstance(document, dict) and not result.ok:
            failed = [c for c in result.checks if not c.ok and c.severity == "error"]
            assert failed and all(isinstance(c.message, str) for c in failed)


def _validates(document: Any) -> None:
    try:
        report = validate(document)
    except ReadError as exc:
        # validate() reads a str as a file's text (JSON or a JWT): documented
        assert isinstance(document, str) and exc.code == "io.not_json", exc
        return
    assert isinstance(report, ValidationReport)


@_settings("json")
@given(json_values)
def test_random_json_values(value: Any) -> None:
    _answers(value)
    _validates(value)


@_settings("di")
@given(st.sampled_from(DI_SIGNED), st.data())
def test_data_integrity_credentials_mutated(doc: dict[str, Any], data: st.DataObject) -> None:
    mutated = _mutate(doc, data)
    _answers(mutated)
    _validates(mutated)


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _jwt_parts() -> tuple[dict[str, Any], dict[str, Any], str]:
    assert isinstance(JWT, str)
    head, body, signature = JWT.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(head))),
            json.loads(base64.urlsafe_b64decode(pad(body))), signature)


@_settings("jwt")
@given(st.data())
def test_vc_jwts_mutated(data: st.DataObject) -> None:
    header, payload, signature = _jwt_parts()
    if data.draw(st.booleans()):
        header = _mutate(header, data)
    else:
        payload = _mutate(payload, data)
    token = f"{_b64(header)}.{_b64(payload)}.{signature}"
    _answers(token)
    _validates(token)


@_settings("jades")
@given(st.data())
def test_sealed_edcs_mutated(data: st.DataObject) -> None:
    envelope = copy.deepcopy(SEALED)
    if data.draw(st.booleans()):
        payload = _mutate(json.loads(envelope["payload"]), data)
        envelope["payload"] = json.dumps(payload)
    else:
        envelope = _mutate({k: v for k, v in envelope.items() if k != "payload"}, data)
        if isinstance(envelope, dict):
            envelope["payload"] = SEALED["payload"]
    _answers(envelope)
    _validates(envelope)


@_settings("status")
@given(st.data())
def test_credentials_with_status_mutated(data: st.DataObject) -> None:
    doc = _mutate(dict(STATUS, issuer=KEY.controller, proof=DI_SIGNED[1]["proof"]), data)
    _answers(doc)
    _validates(doc)


def test_the_known_escapes() -> None:
    """The two escapes the issue names: both are now failed checks with a path."""
    chained = copy.deepcopy(DI_SIGNED[2])
    chained["proof"][1]["previousProof"] = 5
    result = VERIFIER.verify(chained)
    assert not result.ok
    assert ("proof.malformed", True) in [
        (c.code, (c.path or "").startswith("proof[1]"))
        for c in result.checks if not c.ok and "previousProof" in c.message]
    context = copy.deepcopy(DI_SIGNED[1])
    context["@context"] = "string"
    result = VERIFIER.verify(context)
    assert not result.ok
    assert ("@context", "vcdm.context_not_list") in [(c.path, c.code) for c in result.checks]


@pytest.mark.parametrize("value", [5, None, [], "not a jwt", 1.5, True])
def test_a_value_that_is_no_document_is_an_input_error(value: Any) -> None:
    with pytest.raises(InputError) as info:
        VERIFIER.verify(value)
    assert info.value.code == "input.invalid"
    _validates(value)


def test_a_null_type_in_a_value_is_a_finding() -> None:
    """Found by the 10,000-case run: pyld raised AttributeError turning a node with a null
    ``@type`` into RDF (validate() let it escape); it is a ``jsonld.invalid`` finding."""
    header, payload, signature = _jwt_parts()
    payload["credentialSubject"][0]["name"] = {"type": None, "@type": None}
    token = f"{_b64(header)}.{_b64(payload)}.{signature}"
    report = validate(token)
    assert not report.ok and "jsonld.invalid" in [f.code for f in report.findings]
    assert not VERIFIER.verify(token).ok
