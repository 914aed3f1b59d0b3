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
