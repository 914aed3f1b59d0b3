"""Open Badges 3.0 and CLR 2.0: the 1EdTech eddsa-rdfc-2022 vectors byte for byte, every
signed spec example and valid validator fixture verifies, and any tampering fails.

Vectors: ``tests/fixtures/ob3-vectors`` (OB 3.0 Implementation Guide, "Linked Data Proof
Test Vector"). Signed spec examples and validator fixtures: ``tests/fixtures/openbadges``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edc_issue._api import sign, verify
from edc_issue.keys import load_key
from edc_issue.proofs.eddsa_rdfc_2022 import suite as eddsa

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VECTORS = FIXTURES / "ob3-vectors"
SPEC_SIGNED = FIXTURES / "openbadges" / "spec-signed"
OB30 = FIXTURES / "openbadges" / "ob30"
GUIDE = "https://www.imsglobal.org/spec/ob/v3p0/impl#linked-data-proof-test-vector"

VECTOR_CASES = {
    f"{GUIDE}/obv3p0": "obv3p0-eddsa-rdfc-2022",
    f"{GUIDE}/clrv2p0": "clrv2p0-eddsa-rdfc-2022",
}
SIGNED_EXAMPLES = sorted(p.name for p in SPEC_SIGNED.glob("*.eddsa-rdfc-2022.json"))
#: Validator fixtures whose signature is valid (status, schema or network-only
#: checks are other issues' business).
VALID_FIXTURES = [
    "complete.json", "credential-status-revoked.json", "endorsement-valid.json",
    "simple-context-alias.json", "simple-context-version.json", "simple-did-key-method.json",
    "simple-did-web-method.json", "simple-eddsa-2022.json", "simple-multiple-proofs.json",
    "simple.json", "simple_v1.json",
]
#: Broken fixtures: what verification must say.
BROKEN_FIXTURES = {
    "simple-err-proof-value.json": "proof.bad_signature",
    "simple-err-proof-method.json": "key.unsupported",
    "simple-err-proof-method-no-scheme.json": "key.unresolved",
    "simple-err-proof-method-unknown-did-method.json": "key.unresolved",
    "simple-err-proof-method-unknown-scheme.json": "key.unresolved",
    "simple-err-expired.json": "credential.expired",
    "simple-err-issued.json": "credential.not_yet_valid",
    "simple-err-context.json": "proof.bad_signature",
    "simple-err-type.json": "proof.bad_signature",
    "simple-noproof.json": "proof.missing",
    "complete_v1.json": "key.unresolved",  # https …#key-1 needs the issuer's document
}


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _signature_checks(result: Any) -> list[Any]:
    return [c for c in result.checks if c.check.endswith(".signature")]


@pytest.mark.parametrize("case", VECTOR_CASES, ids=list(VECTOR_CASES))
def test_vector_steps(case: str) -> None:
    d = VECTORS / VECTOR_CASES[case]
    key = load_key(d / "keyPair.json")
    expected = _json(d / "hashes-and-signature.json")
    unsigned = _json(d / "unsigned.json")
    canon_doc = eddsa.transform(unsigned, kind="ed25519", strict=True)
    assert canon_doc == (d / "document-canon.nq").read_text()
    config = eddsa.proof_configuration(_json(d / "proofConfig.json"), unsigned["@context"])
    canon_proof = eddsa.transform(config, kind="ed25519", strict=True)
    assert canon_proof == (d / "proof-canon.nq").read_text()
    assert hashlib.sha256(canon_doc.encode()).hexdigest() == expected["documentHashHex"]
    assert hashlib.sha256(canon_proof.encode()).hexdigest() == expected["proofHashHex"]
    data = eddsa.hash(canon_doc, canon_proof, kind="ed25519")
    assert data.hex() == expected["dataToSignHex (proofHash||docHash)"]
    assert eddsa.sign(key, data).hex() == expected["signatureHex"]


@pytest.mark.parametrize("case", VECTOR_CASES, ids=list(VECTOR_CASES))
def test_vector_signed_byte_for_byte(case: str) -> None:
    d = VECTORS / VECTOR_CASES[case]
    expected = _json(d / "signed.json")
    signed = sign(_json(d / "unsigned.json"), load_key(d / "keyPair.json"),
                  created="2010-01-01T19:23:24Z",
                  proof_as_list=isinstance(expected["proof"], list))
    assert signed == expected


@pytest.mark.parametrize("name", SIGNED_EXAMPLES)
def test_signed_spec_example_verifies(name: str, fixed_clock: Any) -> None:
    result = verify(_json(SPEC_SIGNED / name), clock=fixed_clock)
    assert result.ok, [c.to_json() for c in result.checks]
    assert all(c.ok for c in _signature_checks(result))
    # honest: the key came from the URL fragment, and the result says so
    binding = [c for c in result.checks if c.check.endswith("key_binding")]
    assert binding and all(not c.ok and c.severity == "warning" for c in binding)
    assert result.warnings


@pytest.mark.parametrize("name", SIGNED_EXAMPLES)
def test_signed_spec_example_fails_with_required_key_binding(name: str, fixed_clock: Any) -> None:
    credential = _json(SPEC_SIGNED / name)
    result = verify(credential, clock=fixed_clock, require_key_binding=True)
    assert not result.ok
    assert [c.code for c in result.checks if not c.ok] == ["proof.key_binding_unconfirmed",
                                                            *_status_warning(credential)]


def _controller_document(credential: dict[str, Any]) -> dict[str, Any]:
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    vm = proofs[0]["verificationMethod"]
    controller, fragment = vm.split("#")
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": controller,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": controller,
                                "publicKeyMultibase": fragment}],
        "assertionMethod": [vm],
    }


@pytest.mark.parametrize("name", SIGNED_EXAMPLES)
def test_key_binding_passes_with_controller_document(name: str, fixed_clock: Any) -> None:
    credential = _json(SPEC_SIGNED / name)
    result = verify(credential, clock=fixed_clock, require_key_binding=True,
                    controllers=[_controller_document(credential)])
    assert result.ok, [c.to_json() for c in result.checks]
    # the only warning left: a credentialStatus whose list was not given (offline)
    assert [w.code for w in result.warnings] == _status_warning(credential)


def _status_warning(credential: dict[str, Any]) -> list[str]:
    return ["status.list_not_given"] if "credentialStatus" in credential else []


def test_controller_document_that_does_not_list_the_method(fixed_clock: Any) -> None:
    credential = _json(SPEC_SIGNED / "02-sample-openbadgecredential.eddsa-rdfc-2022.json")
    doc = _controller_document(credential)
    doc["assertionMethod"] = []
    result = verify(credential, clock=fixed_clock, controllers=[doc])
    assert not result.ok
    assert "proof.method_not_authorized" in [c.code for c in result.checks if not c.ok]


@pytest.mark.parametrize("name", VALID_FIXTURES)
def test_valid_validator_fixture_verifies(name: str, fixed_clock: Any) -> None:
    result = verify(_json(OB30 / name), clock=fixed_clock, check_dates=False)
    assert result.ok, [c.to_json() for c in result.checks]
    assert any(c.ok for c in _signature_checks(result))


@pytest.mark.parametrize("name", sorted(BROKEN_FIXTURES))
def test_broken_validator_fixture_fails_with_reason(name: str, fixed_clock: Any) -> None:
    result = verify(_json(OB30 / name), clock=fixed_clock)
    assert not result.ok
    codes = [c.code for c in result.checks if not c.ok]
    assert BROKEN_FIXTURES[name] in codes, [c.to_json() for c in result.checks]
    assert all(c.message for c in result.checks)


def _tamper_name(d: dict[str, Any]) -> None:
    d["name"] = d["name"] + " "


def _tamper_date(d: dict[str, Any]) -> None:
    d["validFrom"] = d["validFrom"].replace("2010", "2011")


def _tamper_nested(d: dict[str, Any]) -> None:
    d["credentialSubject"]["achievement"]["criteria"]["narrative"] += "."


def _tamper_created(d: dict[str, Any]) -> None:
    d["proof"][0]["created"] = d["proof"][0]["created"].replace(":24Z", ":25Z").replace(
        ":29Z", ":30Z")


def _tamper_issuer(d: dict[str, Any]) -> None:
    d["issuer"]["name"] = "Someone Else"


def _tamper_type(d: dict[str, Any]) -> None:
    d["credentialSubject"]["type"] = ["AchievementSubject", "Person"]


def _tamper_purpose(d: dict[str, Any]) -> None:
    d["proof"][0]["proofPurpose"] = "authentication"


def _tamper_value(d: dict[str, Any]) -> None:
    value = d["proof"][0]["proofValue"]
    d["proof"][0]["proofValue"] = value[:10] + ("A" if value[10] != "A" else "B") + value[11:]


TAMPERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "name": _tamper_name, "validFrom": _tamper_date, "achievement.criteria": _tamper_nested,
    "proof.created": _tamper_created, "issuer.name": _tamper_issuer,
    "credentialSubject.type": _tamper_type, "proof.proofPurpose": _tamper_purpose,
    "proof.proofValue": _tamper_value,
}


@pytest.mark.parametrize("what", TAMPERS)
def test_changing_any_value_fails(what: str, fixed_clock: Any) -> None:
    original = _json(SPEC_SIGNED / "02-sample-openbadgecredential.eddsa-rdfc-2022.json")
    assert verify(original, clock=fixed_clock).ok
    tampered = copy.deepcopy(original)
    TAMPERS[what](tampered)
    assert tampered != original
    result = verify(tampered, clock=fixed_clock)
    assert not result.ok


def test_every_string_value_of_a_large_example_is_covered(fixed_clock: Any) -> None:
    """Change each string value of example 03 in turn: every change is detected."""
    original = _json(SPEC_SIGNED / "03-complete-openbadgecredential.eddsa-rdfc-2022.json")

    def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("@context", "proofValue"):
                    out += paths(v, (*prefix, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                out += paths(v, (*prefix, i))
        elif isinstance(node, str):
            out.append(prefix)
        return out

    all_paths = paths(original)
    assert len(all_paths) > 100
    for path in all_paths[::7]:  # a spread of values, fast enough for every run
        tampered = copy.deepcopy(original)
        node = tampered
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = node[path[-1]] + "x"
        assert not verify(tampered, clock=fixed_clock).ok, path
