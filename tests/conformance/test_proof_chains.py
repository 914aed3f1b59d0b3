"""Proof chains (vc-data-integrity §2.1.2): ``previousProof`` (a string or a list) links a
proof to earlier ones; the chain verifies in order, and a link fails when a proof it
names is missing or fails. The vectors are vc-di-eddsa's proof-set-chain ones."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue import verify

CHAIN = Path(__file__).resolve().parents[1] / "fixtures" / "vc-di" / "eddsa" / "proof-set-chain"


def _json(name: str) -> Any:
    return json.loads((CHAIN / name).read_text(encoding="utf-8"))


def _links(result: Any) -> dict[str, Any]:
    return {c.check: c for c in result.checks if c.check.endswith(".previousProof")}


@pytest.mark.parametrize("name", ["signedProofChain1.json", "signedProofChain2.json"])
def test_chain_vectors_verify_link_by_link(name: str, fixed_clock: Any) -> None:
    signed = _json(name)
    result = verify(signed, clock=fixed_clock)
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    chained = [i for i, p in enumerate(signed["proof"]) if "previousProof" in p]
    links = _links(result)
    assert sorted(links) == [f"proof[{i}].previousProof" for i in chained]
    assert all(link.ok for link in links.values())


def test_a_missing_previous_proof_fails_the_link(fixed_clock: Any) -> None:
    signed = _json("signedProofChain2.json")
    # drop the proof that proof[3] names (urn:uuid:d94f...)
    del signed["proof"][2]
    result = verify(signed, clock=fixed_clock)
    assert not result.ok
    link = _links(result)["proof[2].previousProof"]
    assert not link.ok and link.code == "proof.previous_missing"
    assert link.path == "proof[2].previousProof"
    assert "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23" in link.message


def test_a_failing_first_proof_breaks_every_later_link(fixed_clock: Any) -> None:
    signed = _json("signedProofChain2.json")
    proof0 = signed["proof"][0]
    # another valid-looking signature: proof[1]'s, which does not verify as proof[0]'s
    proof0["proofValue"] = signed["proof"][1]["proofValue"]
    result = verify(signed, clock=fixed_clock)
    assert not result.ok
    links = _links(result)
    # proof[2] names proof[0] directly, proof[3] names proof[2]: both fail, in order
    assert links["proof[2].previousProof"].code == "proof.previous_failed"
    assert links["proof[3].previousProof"].code == "proof.previous_failed"
    # proof[1] is not part of the broken link and still verifies on its own
    assert next(c for c in result.checks if c.check == "proof[1].eddsa-rdfc-2022.signature").ok


def test_a_previous_proof_that_is_no_id_is_a_failed_check(fixed_clock: Any) -> None:
    signed = _json("signedProofChain2.json")
    for bad in (5, [1, 2], {"id": "x"}, []):
        doc = copy.deepcopy(signed)
        doc["proof"][3]["previousProof"] = bad
        result = verify(doc, clock=fixed_clock)  # never raises
        assert not result.ok
        link = _links(result)["proof[3].previousProof"]
        assert link.code == "proof.malformed", (bad, link)


def test_a_proof_naming_itself_fails(fixed_clock: Any) -> None:
    signed = _json("signedProofChain2.json")
    signed["proof"][2]["previousProof"] = "urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23"
    result = verify(signed, clock=fixed_clock)
    assert not result.ok
    assert _links(result)["proof[2].previousProof"].code == "proof.previous_failed"


# ---- a co-signer's proof that the issuer's proof covers ----------------------------------
# The shape of the W3C vc-di-eddsa suite's "previousProof ... a string" fixtures
# (data-integrity-test-suite-assertion inputs/eddsa-rdfc-2022/*-previousProof*Ok): proof[0]
# by another key than the issuer's, proof[1] by the issuer naming it as previousProof. The
# suite expects it to verify.

COSIGNED = {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "urn:uuid:6a9c6a2e-3f0b-4c36-9a53-8f2f0cbe6d11",
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:subject"}}


def _cosigned(previous: Any = "urn:uuid:cosigner-proof") -> tuple[Any, Any, Any]:
    from edc_issue import sign
    from edc_issue.keys import generate_key

    issuer, cosigner = generate_key("ed25519"), generate_key("ed25519")
    credential = dict(COSIGNED, issuer=issuer.controller)
    first = sign(credential, cosigner, proof_id="urn:uuid:cosigner-proof",
                 created="2024-01-01T00:00:00Z")
    both = sign(first, issuer, previous_proof=previous, created="2024-01-01T00:01:00Z")
    return both, issuer, cosigner


@pytest.mark.parametrize("previous", ["urn:uuid:cosigner-proof", ["urn:uuid:cosigner-proof"]])
def test_a_cosigners_proof_covered_by_the_issuers_verifies(previous: Any,
                                                           fixed_clock: Any) -> None:
    signed, _issuer, _cosigner = _cosigned(previous)
    result = verify(signed, clock=fixed_clock)
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    binding = next(c for c in result.checks
                   if c.check == "proof[0].eddsa-rdfc-2022.key_binding")
    assert binding.ok and "co-signature" in binding.message and "proof[1]" in binding.message
    assert _links(result)["proof[1].previousProof"].ok


def test_a_cosigners_proof_alone_or_uncovered_still_fails(fixed_clock: Any) -> None:
    signed, _issuer, _cosigner = _cosigned()
    # the co-signer's proof alone: nothing of the issuer's covers it
    alone = dict(signed, proof=[signed["proof"][0]])
    result = verify(alone, clock=fixed_clock)
    assert not result.ok
    assert "proof.key_binding_mismatch" in {c.code for c in result.checks if not c.ok}
    # side by side in a proof set (no previousProof): not covered either
    from edc_issue import sign

    side = sign(alone, _issuer, created="2024-01-01T00:01:00Z")
    result = verify(side, clock=fixed_clock)
    assert not result.ok
    assert "proof.key_binding_mismatch" in {c.code for c in result.checks if not c.ok}


def test_a_cosigners_bad_signature_is_not_rescued(fixed_clock: Any) -> None:
    signed, _issuer, _cosigner = _cosigned()
    broken = copy.deepcopy(signed)
    broken["proof"][0]["proofValue"] = broken["proof"][1]["proofValue"]
    result = verify(broken, clock=fixed_clock)
    assert not result.ok
    failed = {c.code for c in result.checks if not c.ok}
    assert "proof.bad_signature" in failed and "proof.previous_failed" in failed
