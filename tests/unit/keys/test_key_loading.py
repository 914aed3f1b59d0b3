"""Key files in every accepted form, generation, JWK/PEM, and secrets never shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from edc_issue.errors import KeyMaterialError, ReadError
from edc_issue.keys import Key, generate_key, key_from_pem, load_key

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EDDSA_KEY = FIXTURES / "vc-di" / "eddsa" / "keyPair.json"
P256_KEY = FIXTURES / "vc-di" / "ecdsa" / "p256KeyPair.json"
P384_KEY = FIXTURES / "vc-di" / "ecdsa" / "p384KeyPair.json"
OB_KEY = FIXTURES / "ob3-vectors" / "obv3p0-eddsa-rdfc-2022" / "keyPair.json"


@pytest.mark.parametrize("path,kind", [
    (EDDSA_KEY, "ed25519"), (P256_KEY, "p256"), (P384_KEY, "p384"), (OB_KEY, "ed25519"),
])
def test_vector_key_files_load(path: Path, kind: str) -> None:
    key = load_key(path)
    doc = json.loads(path.read_text())
    assert key.kind == kind
    assert key.has_secret
    assert key.public_multibase == doc["publicKeyMultibase"]
    if "id" in doc:
        assert key.id == doc["id"]
        assert key.controller == doc["controller"]
    else:
        assert key.id == f"did:key:{doc['publicKeyMultibase']}#{doc['publicKeyMultibase']}"


@pytest.mark.parametrize("kind", ["ed25519", "p256", "p384"])
def test_multikey_key_file_round_trip(kind: str, tmp_path: Path) -> None:
    key = generate_key(kind)
    doc = key.to_multikey(include_secret=True)
    assert doc["type"] == "Multikey"
    assert set(doc) >= {"id", "controller", "publicKeyMultibase", "secretKeyMultibase"}
    path = tmp_path / "key.json"
    path.write_text(json.dumps(doc))
    again = load_key(path)
    assert again.id == key.id and again.controller == key.controller
    assert again.verify(key.sign(b"data"), b"data")


@pytest.mark.parametrize("kind", ["ed25519", "p256", "p384", "rsa"])
def test_jwk_round_trip(kind: str) -> None:
    key = generate_key(kind)
    private = key.to_jwk(include_secret=True)
    public = key.to_jwk()
    assert "d" in private and "d" not in public
    assert public["kid"] == key.id
    signer = load_key(private)
    verifier = load_key(public)
    assert not verifier.has_secret
    assert verifier.verify(signer.sign(b"m"), b"m")
    assert not verifier.verify(signer.sign(b"m"), b"other")


@pytest.mark.parametrize("kind", ["ed25519", "p256", "p384", "rsa"])
def test_pem_import(kind: str, tmp_path: Path) -> None:
    key = generate_key(kind)
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path = tmp_path / "key.pem"
    path.write_bytes(pem)
    loaded = load_key(path)
    assert loaded.kind == kind and loaded.has_secret
    pub = key.public_key.public_bytes(serialization.Encoding.PEM,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    assert not key_from_pem(pub).has_secret


def test_pem_garbage(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert info.value.code == "key.malformed"
    assert str(path) in str(info.value)


def test_secret_that_does_not_match_public_key() -> None:
    doc = json.loads(EDDSA_KEY.read_text())
    doc["publicKeyMultibase"] = json.loads(OB_KEY.read_text())["publicKeyMultibase"]
    with pytest.raises(KeyMaterialError) as info:
        load_key(doc)
    assert info.value.code == "key.mismatch"


def test_corrupt_secret_names_file_and_field(tmp_path: Path) -> None:
    doc = json.loads(P256_KEY.read_text())
    doc["secretKeyMultibase"] = doc["secretKeyMultibase"][:-4] + "0OIl"
    path = tmp_path / "k.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert info.value.pointer == f"{path}: secretKeyMultibase"
    assert doc["secretKeyMultibase"] not in str(info.value)


def test_missing_and_empty_key_files(tmp_path: Path) -> None:
    with pytest.raises(ReadError):
        load_key(tmp_path / "nope.json")
    (tmp_path / "e.json").write_text("{}")
    with pytest.raises(KeyMaterialError, match="no key found"):
        load_key(tmp_path / "e.json")


def test_unsupported_jwk() -> None:
    with pytest.raises(KeyMaterialError) as info:
        load_key({"kty": "OKP", "crv": "X25519", "x": "AAAA"})
    assert info.value.code == "key.unsupported"
    with pytest.raises(KeyMaterialError) as info:
        load_key({"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"})
    assert info.value.code == "key.malformed"


def test_generate_unknown_kind() -> None:
    with pytest.raises(KeyMaterialError) as info:
        generate_key("dsa")
    assert info.value.code == "key.unsupported"


def test_secret_never_in_repr_or_str() -> None:
    doc = json.loads(EDDSA_KEY.read_text())
    key = load_key(doc)
    for text in (repr(key), str(key), f"{key}"):
        assert doc["privateKeyMultibase"] not in text
        assert "secret=present" in text
    assert "secretKeyMultibase" not in key.to_multikey()


def test_public_only_key_cannot_sign() -> None:
    key = load_key(EDDSA_KEY).public_only()
    with pytest.raises(KeyMaterialError) as info:
        key.sign(b"x")
    assert info.value.code == "key.no_secret"


def test_key_type_is_checked() -> None:
    with pytest.raises(KeyMaterialError):
        Key("dsa", public=generate_key("ed25519").public_key)  # type: ignore[arg-type]


def test_ecdsa_signature_is_raw_r_s() -> None:
    assert len(generate_key("p256").sign(b"x")) == 64
    assert len(generate_key("p384").sign(b"x")) == 96


def test_short_rsa_keys_are_refused_from_pem_as_from_jwk(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from edc_issue.errors import KeyMaterialError
    from edc_issue.keys import load_key

    short = rsa.generate_private_key(65537, 1024)
    pem = tmp_path / "short.pem"
    pem.write_bytes(short.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
    with pytest.raises(KeyMaterialError) as info:
        load_key(pem)
    assert info.value.code == "key.unsupported"
    assert "1024 bits" in str(info.value)
