"""sign() and verify(): defaults, options, proof sets, key binding, and every kind of
bad input giving a clear error or a failed check (never a traceback)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue._api import sign, verify
from edc_issue.errors import (
    ConfigError,
    ContextError,
    DataModelError,
    InputError,
    JsonLdError,
    KeyMaterialError,
    ProofFormatError,
)
from edc_issue.keys import generate_key, load_key

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ED_KEY = load_key(FIXTURES / "vc-di" / "eddsa" / "keyPair.json")
P256_KEY = load_key(FIXTURES / "vc-di" / "ecdsa" / "p256KeyPair.json")
UNSIGNED = json.loads((FIXTURES / "vc-di" / "eddsa" / "unsigned.json").read_text())
OB_UNSIGNED = json.loads((FIXTURES / "ob3-vectors" / "obv3p0-eddsa-rdfc-2022" /
                          "unsigned.json").read_text())


def _codes(result: Any) -> list[str | None]:
    return [c.code for c in result.checks if not c.ok]


def test_default_suite_follows_the_key(fixed_clock: Any) -> None:
    for key, suite in ((ED_KEY, "eddsa-rdfc-2022"), (P256_KEY, "ecdsa-rdfc-2019")):
        signed = sign(UNSIGNED, key, clock=fixed_clock)
        assert isinstance(signed, dict)
        assert signed["proof"]["cryptosuite"] == suite
        assert signed["proof"]["created"] == "2026-01-01T00:00:00Z"


def test_sign_does_not_change_its_input() -> None:
    before = copy.deepcopy(UNSIGNED)
    sign(UNSIGNED, ED_KEY)
    assert before == UNSIGNED


def test_open_badges_get_a_proof_array() -> None:
    signed = sign(OB_UNSIGNED, ED_KEY, created="2024-01-01T00:00:00Z")
    assert isinstance(signed, dict) and isinstance(signed["proof"], list)
    assert verify(signed).ok


def test_issuer_from_key(fixed_clock: Any) -> None:
    signed = sign(OB_UNSIGNED, ED_KEY, issuer_from_key=True)
    assert isinstance(signed, dict)
    assert signed["issuer"]["id"] == ED_KEY.controller
    assert signed["issuer"]["name"] == OB_UNSIGNED["issuer"]["name"]
    result = verify(signed, clock=fixed_clock)
    assert result.ok and not result.warnings  # did:key issuer: binding confirmed
    plain = sign(UNSIGNED, P256_KEY, issuer_from_key=True)
    assert isinstance(plain, dict) and plain["issuer"] == P256_KEY.controller


def test_issuer_did_that_does_not_control_the_key_fails(fixed_clock: Any) -> None:
    doc = dict(UNSIGNED, issuer=P256_KEY.controller)
    result = verify(sign(doc, ED_KEY), clock=fixed_clock)  # type: ignore[arg-type]
    assert _codes(result) == ["proof.key_binding_mismatch"]


def test_proof_set_of_two_keys(fixed_clock: Any) -> None:
    once = sign(UNSIGNED, ED_KEY, created="2024-01-01T00:00:00Z")
    twice = sign(once, P256_KEY, created="2024-01-01T00:00:00Z")  # type: ignore[arg-type]
    assert isinstance(twice, dict) and len(twice["proof"]) == 2
    result = verify(twice, clock=fixed_clock)
    assert result.ok
    assert sum(c.check.endswith("signature") and c.ok for c in result.checks) == 2
    twice["proof"][1]["created"] = "2024-01-01T00:00:01Z"
    assert not verify(twice, clock=fixed_clock).ok


def test_proof_options(fixed_clock: Any) -> None:
    signed = sign(UNSIGNED, ED_KEY, created="2025-01-01T00:00:00Z",
                  expires="2027-01-01T00:00:00Z", domain="example.org", challenge="abc")
    assert isinstance(signed, dict)
    assert verify(signed, clock=fixed_clock, domain="example.org", challenge="abc").ok
    assert "proof.domain_mismatch" in _codes(verify(signed, clock=fixed_clock, domain="x.org"))
    assert "proof.challenge_mismatch" in _codes(verify(signed, clock=fixed_clock,
                                                       challenge="zzz"))
    expired = sign(UNSIGNED, ED_KEY, expires="2025-06-01T00:00:00Z")
    assert "proof.expired" in _codes(verify(expired, clock=fixed_clock))  # type: ignore[arg-type]


def test_vc_1_1_document_gets_the_data_integrity_context() -> None:
    doc = {"@context": ["https://www.w3.org/2018/credentials/v1"],
           "type": ["VerifiableCredential"], "issuer": "did:example:1",
           "issuanceDate": "2024-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:2"}}
    signed = sign(doc, ED_KEY, issuer_from_key=True)
    assert isinstance(signed, dict)
    assert signed["@context"][-1] == "https://w3id.org/security/data-integrity/v2"
    assert verify(signed).ok


# ---- bad input -----------------------------------------------------------------------


def test_wrong_key_type_for_suite() -> None:
    with pytest.raises(KeyMaterialError) as info:
        sign(UNSIGNED, ED_KEY, suite="ecdsa-rdfc-2019")
    assert info.value.code == "proof.algorithm_mismatch"
    with pytest.raises(KeyMaterialError):
        sign(UNSIGNED, generate_key("rsa"))


def test_unknown_or_verify_only_suite_at_signing() -> None:
    with pytest.raises(ProofFormatError) as info:
        sign(UNSIGNED, ED_KEY, suite="eddsa-rdfc-2099")
    assert info.value.code == "proof.unknown_suite"
    with pytest.raises(ConfigError) as cfg:
        sign(UNSIGNED, ED_KEY, suite="Ed25519Signature2020")
    assert cfg.value.code == "config.suite_not_allowed"


def test_public_key_cannot_sign() -> None:
    with pytest.raises(KeyMaterialError) as info:
        sign(UNSIGNED, ED_KEY.public_only())
    assert info.value.code == "key.no_secret"


def test_signing_refuses_undefined_terms() -> None:
    # (the examples context of UNSIGNED has an @vocab that defines every term)
    doc = dict(OB_UNSIGNED, nmae="typo")
    with pytest.raises(JsonLdError) as info:
        sign(doc, ED_KEY)
    assert info.value.code == "jsonld.undefined_term"


def test_signing_refuses_unknown_context() -> None:
    doc = dict(UNSIGNED)
    doc["@context"] = [*UNSIGNED["@context"], "https://example.org/private/v1"]
    with pytest.raises(ContextError):
        sign(doc, ED_KEY)


def test_bad_created_and_no_context() -> None:
    with pytest.raises(ProofFormatError):
        sign(UNSIGNED, ED_KEY, created="yesterday")
    with pytest.raises(DataModelError) as info:
        sign({"type": "VerifiableCredential"}, ED_KEY)
    assert info.value.code == "vcdm.missing_context"
    with pytest.raises(ProofFormatError):  # the proof layer refuses it too
        sign({"type": "VerifiableCredential"}, ED_KEY, check_data_model=False)
    with pytest.raises(InputError):
        sign([], ED_KEY)  # type: ignore[arg-type]


def _signed() -> dict[str, Any]:
    signed = sign(UNSIGNED, ED_KEY, created="2024-01-01T00:00:00Z")
    assert isinstance(signed, dict)
    return signed


def test_missing_proof() -> None:
    result = verify(dict(UNSIGNED))
    assert not result.ok and _codes(result) == ["proof.missing"]


def test_corrupt_proof_value() -> None:
    signed = _signed()
    signed["proof"]["proofValue"] = "z0OIl"
    result = verify(signed)
    assert not result.ok and "proof.malformed" in _codes(result)
    signed["proof"]["proofValue"] = "uAAAA"
    assert "proof.malformed" in _codes(verify(signed))


def test_unknown_cryptosuite_fails_with_reason() -> None:
    signed = _signed()
    signed["proof"]["cryptosuite"] = "eddsa-jcs-2022"
    result = verify(signed)
    assert not result.ok
    assert _codes(result) == ["proof.unknown_suite", "proof.none_verified"]


def test_proof_key_of_wrong_type_for_suite() -> None:
    signed = _signed()
    signed["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    assert "proof.algorithm_mismatch" in _codes(verify(signed))


def test_did_web_without_network_is_a_failed_check() -> None:
    signed = _signed()
    signed["proof"]["verificationMethod"] = "did:web:example.edu#key-1"
    result = verify(signed)
    assert not result.ok and "key.unresolved" in _codes(result)


def test_proof_that_is_not_an_object_and_missing_fields() -> None:
    signed = _signed()
    signed["proof"] = ["not a proof"]
    assert "proof.malformed" in _codes(verify(signed))
    signed = _signed()
    del signed["proof"]["verificationMethod"]
    assert "proof.malformed" in _codes(verify(signed))


def test_undefined_term_added_after_signing_is_reported() -> None:
    signed = sign(OB_UNSIGNED, ED_KEY)
    assert isinstance(signed, dict)
    signed["credentialSubject"]["favouriteColour"] = "blue"
    result = verify(signed)
    assert not result.ok and "proof.unsigned_data" in _codes(result)
    coverage = next(c for c in result.checks if c.code == "proof.unsigned_data")
    assert coverage.path == "credentialSubject.favouriteColour"


def test_unsupported_input_kinds() -> None:
    with pytest.raises(InputError):
        verify(42)  # type: ignore[arg-type]
    assert not verify({}).ok


def test_verifiers_are_extensible() -> None:
    # the format table is held by a Verifier (no process-wide list); extra formats go first
    from edc_issue import Verifier

    names = [fmt.name for fmt in Verifier().formats]
    assert names[-1] == "data-integrity" and "vc-jwt" in names and "jades" in names


def test_verification_never_prints_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    secret = json.loads((FIXTURES / "vc-di" / "eddsa" / "keyPair.json").read_text())[
        "privateKeyMultibase"]
    result = verify(_signed())
    assert secret not in json.dumps(result.to_json())
    out = capsys.readouterr()
    assert secret not in out.out + out.err
