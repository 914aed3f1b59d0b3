"""Multibase/multicodec codecs, did:key and did:web identifiers."""

from __future__ import annotations

import pytest

from edc_issue.errors import KeyMaterialError
from edc_issue.keys import (
    decode_public_multibase,
    did_key_document,
    did_web_document,
    did_web_from_domain,
    did_web_url,
    encode_public_multibase,
    generate_key,
    public_key_from_did_key,
)
from edc_issue.keys._base58 import b58decode, b58encode, multibase_decode
from edc_issue.keys.multikey import decode_secret_multibase, encode_secret_multibase

ED = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
P256 = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
P384 = "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ"


@pytest.mark.parametrize("data", [b"", b"\0", b"\0\0\x01", b"hello world", bytes(range(256))])
def test_base58_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


def test_base58_known_value() -> None:
    # draft-msporny-base58 example
    assert b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"


@pytest.mark.parametrize("kind,value", [("ed25519", ED), ("p256", P256), ("p384", P384)])
def test_public_multibase_round_trip(kind: str, value: str) -> None:
    got_kind, key = decode_public_multibase(value)
    assert got_kind == kind
    assert encode_public_multibase(key) == value


@pytest.mark.parametrize("kind", ["ed25519", "p256", "p384"])
def test_secret_multibase_round_trip(kind: str) -> None:
    key = generate_key(kind)
    text = encode_secret_multibase(key.private_key)  # type: ignore[arg-type]
    got_kind, private = decode_secret_multibase(text)
    assert got_kind == kind
    assert encode_public_multibase(private.public_key()) == key.public_multibase


@pytest.mark.parametrize("bad,code", [
    ("", "key.malformed"),
    ("f00", "key.malformed"),
    ("z0OIl", "key.malformed"),  # characters outside the base58 alphabet
    ("z" + "1" * 10, "key.unsupported"),
    ("z" + b58encode(b58decode(ED[1:])[:-3]), "key.malformed"),  # truncated key bytes
])
def test_corrupt_multibase_is_a_clear_error(bad: str, code: str) -> None:
    with pytest.raises(KeyMaterialError) as info:
        decode_public_multibase(bad)
    assert info.value.code == code


def test_multibase_decode_refuses_other_prefix() -> None:
    with pytest.raises(KeyMaterialError, match="prefix"):
        multibase_decode("mAAAA")


def test_p256_point_not_on_curve() -> None:
    raw = multibase_decode(P256)
    bad = raw[:2] + b"\x02" + b"\xff" * 32
    from edc_issue.keys._base58 import multibase_encode

    with pytest.raises(KeyMaterialError) as info:
        decode_public_multibase(multibase_encode(bad))
    assert info.value.code == "key.malformed"


def test_did_key_resolution_offline() -> None:
    kind, public, vm = public_key_from_did_key(f"did:key:{ED}")
    assert kind == "ed25519"
    assert vm == f"did:key:{ED}#{ED}"
    assert encode_public_multibase(public) == ED
    doc = did_key_document(f"did:key:{ED}")
    assert doc["assertionMethod"] == [vm]
    assert doc["verificationMethod"][0]["publicKeyMultibase"] == ED


def test_did_key_fragment_must_name_the_key() -> None:
    with pytest.raises(KeyMaterialError, match="fragment"):
        public_key_from_did_key(f"did:key:{ED}#{P256}")


@pytest.mark.parametrize("domain,did,url", [
    ("example.edu", "did:web:example.edu", "https://example.edu/.well-known/did.json"),
    ("example.edu:8443", "did:web:example.edu%3A8443",
     "https://example.edu:8443/.well-known/did.json"),
    ("example.edu/users/alice", "did:web:example.edu:users:alice",
     "https://example.edu/users/alice/did.json"),
])
def test_did_web(domain: str, did: str, url: str) -> None:
    assert did_web_from_domain(domain) == did
    assert did_web_url(did + "#key-1") == url


@pytest.mark.parametrize("bad", ["", "https://example.edu", "exa mple.edu"])
def test_did_web_refuses_bad_domains(bad: str) -> None:
    with pytest.raises(KeyMaterialError):
        did_web_from_domain(bad)


def test_did_web_document_lists_method_for_assertion() -> None:
    method = {"id": "did:web:example.edu#k", "type": "Multikey",
              "controller": "did:web:example.edu", "publicKeyMultibase": ED}
    doc = did_web_document("did:web:example.edu", [method])
    assert doc["assertionMethod"] == ["did:web:example.edu#k"]
    assert "https://w3id.org/security/multikey/v1" in doc["@context"]
