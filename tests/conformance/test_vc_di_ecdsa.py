"""vc-di-ecdsa test vectors: ecdsa-rdfc-2019 with P-256 and P-384 (and the employ variants).

ECDSA signatures are randomised: the vectors' signatures are verified, and the
intermediate values (canonical forms, hashes) are compared byte for byte. With P-384,
SHA-384 is used inside RDFC-1.0 and for both hashes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue._api import sign, verify
from edc_issue.keys import load_key
from edc_issue.proofs.ecdsa_rdfc_2019 import suite as ecdsa

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "vc-di" / "ecdsa"
SPEC = "https://www.w3.org/TR/vc-di-ecdsa/"

#: id → (key file, unsigned document, folder, file-name suffix, hash)
CASES = {
    f"{SPEC}#representation-ecdsa-rdfc-2019-with-curve-p-256": (
        "p256KeyPair.json", "unsigned.json", "ecdsa-rdfc-2019-p256", "ECDSAP256", "sha256"),
    f"{SPEC}#representation-ecdsa-rdfc-2019-with-curve-p-256-employ": (
        "p256KeyPair.json", "employmentAuth.json", "ecdsa-rdfc-2019-p256/employ", "ECDSAP256",
        "sha256"),
    f"{SPEC}#representation-ecdsa-rdfc-2019-with-curve-p-384": (
        "p384KeyPair.json", "unsigned.json", "ecdsa-rdfc-2019-p384", "ECDSAP384", "sha384"),
    f"{SPEC}#representation-ecdsa-rdfc-2019-with-curve-p-384-employ": (
        "p384KeyPair.json", "employmentAuth.json", "ecdsa-rdfc-2019-p384/employ", "ECDSAP384",
        "sha384"),
}


def _assert_verified(result: Any, document: Any) -> None:
    """All checks pass; the employ vectors name an issuer (a did:key) that is not the
    signing key's controller, which verify reports as a key-binding mismatch, as vc-js
    would refuse it."""
    failed = [c for c in result.checks if not c.ok]
    issuer = document["issuer"]["id"] if isinstance(document["issuer"], dict) else None
    if issuer and issuer.startswith("did:key:zDnaegE6RR3"):
        assert [c.code for c in failed] == ["proof.key_binding_mismatch"]
        assert any(c.check.endswith("signature") and c.ok for c in result.checks)
    else:
        assert result.ok, [c.to_json() for c in result.checks]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_intermediate_values(case: str) -> None:
    key_file, unsigned_name, folder, suffix, hash_name = CASES[case]
    d = VECTORS / folder
    key = load_key(VECTORS / key_file)
    assert ecdsa.hash_algorithm(key.kind) == hash_name
    canon_doc = ecdsa.transform(_json(VECTORS / unsigned_name), kind=key.kind, strict=True)
    assert canon_doc == _text(d / f"canonDoc{suffix}.txt")
    canon_proof = ecdsa.transform(_json(d / f"proofConfig{suffix}.json"), kind=key.kind,
                                  strict=True)
    assert canon_proof == _text(d / f"proofCanon{suffix}.txt")
    assert (hashlib.new(hash_name, canon_doc.encode()).hexdigest()
            == _text(d / f"docHash{suffix}.txt").strip())
    assert (hashlib.new(hash_name, canon_proof.encode()).hexdigest()
            == _text(d / f"proofHash{suffix}.txt").strip())
    data = ecdsa.hash(canon_doc, canon_proof, kind=key.kind)
    assert data.hex() == _text(d / f"combinedHash{suffix}.txt").strip()
    # the vector's own signature verifies over these bytes, and so does ours
    signature = bytes.fromhex(_text(d / f"sigHex{suffix}.txt").strip())
    assert ecdsa.verify(key.public_only(), signature, data)
    assert ecdsa.decode(_text(d / f"sigBTC58{suffix}.txt").strip()) == signature
    assert ecdsa.verify(key.public_only(), ecdsa.sign(key, data), data)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_signed_vector_verifies(case: str, fixed_clock: Any) -> None:
    _, _, folder, suffix, _ = CASES[case]
    signed = _json(VECTORS / folder / f"signed{suffix}.json")
    _assert_verified(verify(signed, clock=fixed_clock), signed)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_sign_gives_the_vector_but_for_the_signature(case: str, fixed_clock: Any) -> None:
    key_file, unsigned_name, folder, suffix, _ = CASES[case]
    key = load_key(VECTORS / key_file)
    signed = sign(_json(VECTORS / unsigned_name), key, created="2023-02-24T23:36:38Z")
    assert isinstance(signed, dict)
    expected = _json(VECTORS / folder / f"signed{suffix}.json")
    assert signed["proof"]["proofValue"] != expected["proof"]["proofValue"]  # randomised
    for name in ("proofValue",):
        signed["proof"].pop(name)
        expected["proof"].pop(name)
    assert signed == expected
    resigned = sign(_json(VECTORS / unsigned_name), key, created="2023-02-24T23:36:38Z")
    _assert_verified(verify(resigned, clock=fixed_clock), resigned)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_tampered_vector_fails(case: str, fixed_clock: Any) -> None:
    _, _, folder, suffix, _ = CASES[case]
    signed = _json(VECTORS / folder / f"signed{suffix}.json")
    signed["name"] = signed.get("name", "") + "!"
    assert not verify(signed, clock=fixed_clock).ok
