"""The suite registry: allowlist, lookup by proof, defaults, did-you-mean."""

from __future__ import annotations

import pytest

from edc_issue.errors import ConfigError, KeyMaterialError, ProofFormatError
from edc_issue.proofs.ecdsa_rdfc_2019 import EcdsaRdfc2019
from edc_issue.proofs.eddsa_rdfc_2022 import EddsaRdfc2022
from edc_issue.proofs.registry import SuiteRegistry, default_registry, suite_name_of


def test_default_registry_names() -> None:
    assert default_registry().names() == [
        "Ed25519Signature2020", "ecdsa-rdfc-2019", "eddsa-2022", "eddsa-rdfc-2022"]


def test_lookup_by_proof() -> None:
    reg = default_registry()
    assert reg.for_proof({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}).name \
        == "eddsa-rdfc-2022"
    assert reg.for_proof({"type": "Ed25519Signature2020"}).name == "Ed25519Signature2020"
    assert suite_name_of({"type": "DataIntegrityProof"}) is None


def test_unknown_suite_has_did_you_mean() -> None:
    with pytest.raises(ProofFormatError) as info:
        default_registry().get("eddsa-rdfc-2023")
    assert info.value.code == "proof.unknown_suite"
    assert info.value.hint == 'did you mean "eddsa-rdfc-2022"?'


def test_missing_suite_in_proof() -> None:
    with pytest.raises(ProofFormatError) as info:
        default_registry().for_proof({"type": "DataIntegrityProof"})
    assert info.value.code == "proof.unknown_suite"


def test_allowlist_refuses_known_but_not_allowed() -> None:
    reg = SuiteRegistry([EddsaRdfc2022(), EcdsaRdfc2019()], allowed=["eddsa-rdfc-2022"])
    assert reg.names() == ["eddsa-rdfc-2022"]
    with pytest.raises(ConfigError) as info:
        reg.get("ecdsa-rdfc-2019")
    assert info.value.code == "config.suite_not_allowed"


def test_default_suite_per_key_type() -> None:
    reg = default_registry()
    assert reg.default_for("ed25519").name == "eddsa-rdfc-2022"
    assert reg.default_for("p384").name == "ecdsa-rdfc-2019"
    with pytest.raises(KeyMaterialError) as info:
        reg.default_for("rsa")
    assert info.value.code == "proof.algorithm_mismatch"


def test_p384_hashes_with_sha384() -> None:
    suite = EcdsaRdfc2019()
    assert suite.hash_algorithm("p384") == "sha384"
    assert suite.hash_algorithm("p256") == "sha256"
    assert len(suite.hash("a", "b", kind="p384")) == 96
