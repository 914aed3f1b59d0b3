"""Verification-method resolution: did:key, supplied documents, network opt-in, fragments."""

from __future__ import annotations

from typing import Any

import pytest

from edc_issue.errors import KeyMaterialError
from edc_issue.keys import generate_key
from edc_issue.proofs.resolver import VerificationMethodResolver, key_from_method

ED = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


def test_did_key_offline() -> None:
    resolved = VerificationMethodResolver().resolve(f"did:key:{ED}#{ED}")
    assert resolved.source == "did:key"
    assert resolved.controller == f"did:key:{ED}"
    assert resolved.is_authorized("assertionMethod") is True


def test_did_key_without_fragment() -> None:
    resolved = VerificationMethodResolver().resolve(f"did:key:{ED}")
    assert resolved.key.id == f"did:key:{ED}#{ED}"


def test_https_fragment_key_is_unconfirmed() -> None:
    resolved = VerificationMethodResolver().resolve(f"https://example.edu/issuers/1#{ED}")
    assert resolved.source == "fragment"
    assert resolved.controller_document is None
    assert resolved.is_authorized("assertionMethod") is None


@pytest.mark.parametrize("vm", ["did:web:example.edu#key-1", "https://example.edu/i#key-1"])
def test_no_network_is_a_clear_error(vm: str) -> None:
    with pytest.raises(KeyMaterialError) as info:
        VerificationMethodResolver().resolve(vm)
    assert info.value.code == "key.unresolved"
    # the library names its parameter; the command line says --allow-network instead
    assert "allow_network=True" in (info.value.hint or "")


@pytest.mark.parametrize("vm", ["did:example:123#k", "xxx:abc", ED, ""])
def test_unsupported_methods(vm: str) -> None:
    with pytest.raises(KeyMaterialError):
        VerificationMethodResolver().resolve(vm)


def _did_web_doc(key_mb: str, listed: bool = True) -> dict[str, Any]:
    vm = f"did:web:example.edu#{'k1'}"
    return {"id": "did:web:example.edu",
            "verificationMethod": [{"id": "#k1", "type": "Multikey",
                                    "controller": "did:web:example.edu",
                                    "publicKeyMultibase": key_mb}],
            "assertionMethod": [vm] if listed else []}


def test_supplied_did_document() -> None:
    key = generate_key("ed25519")
    resolver = VerificationMethodResolver([_did_web_doc(key.public_multibase)])
    resolved = resolver.resolve("did:web:example.edu#k1")
    assert resolved.source == "document"
    assert resolved.key.public_multibase == key.public_multibase
    assert resolved.is_authorized("assertionMethod") is True
    unlisted = VerificationMethodResolver([_did_web_doc(key.public_multibase, listed=False)])
    assert unlisted.resolve("did:web:example.edu#k1").is_authorized("assertionMethod") is False


def test_network_only_when_allowed() -> None:
    key = generate_key("p256")
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        return _did_web_doc(key.public_multibase)

    offline = VerificationMethodResolver(fetch=fetch)
    with pytest.raises(KeyMaterialError):
        offline.resolve("did:web:example.edu#k1")
    assert fetched == []
    online = VerificationMethodResolver(allow_network=True, fetch=fetch)
    resolved = online.resolve("did:web:example.edu#k1")
    assert fetched == ["https://example.edu/.well-known/did.json"]
    assert resolved.source == "network" and resolved.key.kind == "p256"


def test_method_documents_in_other_forms() -> None:
    key = generate_key("p384")
    jwk = key.public_only().to_jwk()
    from_jwk = key_from_method({"id": "x#1", "type": "JsonWebKey", "publicKeyJwk": jwk})
    assert from_jwk.public_multibase == key.public_multibase
    with pytest.raises(KeyMaterialError):
        key_from_method({"id": "x#1", "type": "JsonWebKey",
                         "publicKeyJwk": key.to_jwk(include_secret=True)})
    with pytest.raises(KeyMaterialError) as info:
        key_from_method({"id": "x#1", "type": "Unknown"})
    assert info.value.code == "key.unsupported"


def test_controller_document_with_wrong_id() -> None:
    doc = _did_web_doc(generate_key("ed25519").public_multibase)
    resolver = VerificationMethodResolver(allow_network=True, fetch=lambda url: doc)
    with pytest.raises(KeyMaterialError) as info:
        resolver.resolve("did:web:other.edu#k1")
    assert info.value.code == "key.mismatch"
