"""The Signer seam: a signer that is not a Key (here: one that wraps a key and counts its
calls, as an HSM or KMS client would stand in front of a key it never shows) signs every
suite and a status list, and what it signs verifies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue import Issuer, Key, Signer, generate_key, sign, verify
from edc_issue.errors import KeyMaterialError, SignerError, StatusError
from edc_issue.status import MemoryStatusListStore, StatusList

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
UNSIGNED = json.loads((FIXTURES / "vc-di" / "eddsa" / "unsigned.json").read_text())
CREATED = "2024-05-01T10:00:00Z"
LIST_ID = "https://example.edu/status/3"


class CountingSigner:
    """A signer in front of a key: only ``id``, ``algorithm`` and ``sign`` are visible."""

    def __init__(self, key: Key, *, algorithm: str | None = None) -> None:
        self._key = key
        self.id = key.id
        self.controller = key.controller
        self.algorithm = algorithm or key.algorithm
        self.calls = 0

    def sign(self, data: bytes) -> bytes:
        self.calls += 1
        return self._key.sign(data)


def _signer(kind: str) -> CountingSigner:
    return CountingSigner(generate_key(kind))


def test_a_key_is_a_signer_and_the_wrapper_is_not_a_key() -> None:
    key = generate_key("p384")
    assert isinstance(key, Signer) and key.algorithm == "ES384"
    wrapper = CountingSigner(key)
    assert isinstance(wrapper, Signer) and not isinstance(wrapper, Key)
    assert {generate_key(k).algorithm for k in ("ed25519", "p256")} == {"Ed25519", "ES256"}


@pytest.mark.parametrize("kind,suite", [("ed25519", "eddsa-rdfc-2022"),
                                        ("p256", "ecdsa-rdfc-2019"),
                                        ("p384", "ecdsa-rdfc-2019")])
def test_data_integrity_with_a_signer(kind: str, suite: str) -> None:
    signer = _signer(kind)
    signed = sign(UNSIGNED, signer, issuer_from_key=True, created=CREATED)
    assert isinstance(signed, dict) and signer.calls == 1
    assert signed["proof"]["cryptosuite"] == suite
    assert signed["proof"]["verificationMethod"] == signer.id
    result = verify(signed)
    assert result.ok and not result.warnings, [c.to_json() for c in result.checks]
    signed["credentialSubject"]["id"] = "did:example:someone-else"
    assert not verify(signed).ok


def test_an_ed25519_signer_signs_exactly_what_its_key_signs() -> None:
    key = generate_key("ed25519")
    through_signer = sign(UNSIGNED, CountingSigner(key), created=CREATED)
    assert through_signer == sign(UNSIGNED, key, created=CREATED)  # Ed25519 is deterministic


@pytest.mark.parametrize("kind,alg", [("ed25519", "EdDSA"), ("p256", "ES256"),
                                      ("p384", "ES384")])
def test_vc_jwt_with_a_signer(kind: str, alg: str) -> None:
    signer = _signer(kind)
    token = Issuer(signer, suite="vc-jwt", issuer_from_key=True).issue(UNSIGNED)
    assert isinstance(token, str) and signer.calls == 1
    from edc_issue.formats.detect import decode_jwt

    header, _payload = decode_jwt(token)
    assert header == {"alg": alg, "typ": "JWT", "kid": signer.id}
    result = verify(token)
    assert result.ok and not result.warnings, [c.to_json() for c in result.checks]


def test_an_rsa_signer_signs_vc_jwt_only() -> None:
    key = generate_key("rsa")
    key = key.with_id("https://example.edu/keys/1", "https://example.edu/keys")
    signer = CountingSigner(key)
    token = sign(UNSIGNED, signer, suite="vc-jwt")
    assert isinstance(token, str)
    method = {"id": key.id, "type": "JsonWebKey", "controller": key.controller,
              "publicKeyJwk": key.public_only().to_jwk()}
    assert verify(token, controllers=[method]).checks[0].ok
    with pytest.raises(KeyMaterialError) as info:
        sign(UNSIGNED, signer)
    assert info.value.code == "proof.algorithm_mismatch"


def test_a_status_list_signed_and_re_signed_by_a_signer() -> None:
    signer = _signer("ed25519")
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id=LIST_ID, issuer=signer.controller,
                                    sign=signer)
    assert signer.calls == 1 and verify(store.load_credential()).ok
    issuer = Issuer(signer, status_list=status_list, issuer_from_key=True)
    credential = issuer.issue(UNSIGNED, created=CREATED)
    assert isinstance(credential, dict) and signer.calls == 2
    assert credential["credentialStatus"]["statusListCredential"] == LIST_ID
    [index] = status_list.indexes_of(credential)
    assert verify(credential, status_lists=[store.load_credential()]).ok
    status_list.revoke([index], sign=signer, only_allocated=True)
    assert signer.calls == 3 and verify(store.load_credential()).ok
    result = verify(credential, status_lists=[store.load_credential()])
    assert not result.ok and "status.revoked" in {c.code for c in result.checks}
    with pytest.raises(StatusError) as info:
        status_list.revoke([(index + 1) % status_list.size], sign=signer, only_allocated=True)
    assert info.value.code == "status.not_allocated" and signer.calls == 3


def test_a_failing_backend_is_a_signer_error_with_its_cause() -> None:
    class Broken(CountingSigner):
        def sign(self, data: bytes) -> bytes:
            raise ConnectionError("token=secret-value kms unreachable")

    with pytest.raises(SignerError) as info:
        sign(UNSIGNED, Broken(generate_key("ed25519")))
    assert info.value.code == "signer.failed"
    assert isinstance(info.value.__cause__, ConnectionError)
    assert "secret-value" not in str(info.value)  # the backend's text is not repeated

    class NoBytes(CountingSigner):
        def sign(self, data: bytes) -> Any:
            return "not bytes"

    with pytest.raises(SignerError):
        sign(UNSIGNED, NoBytes(generate_key("ed25519")), suite="vc-jwt")


@pytest.mark.parametrize("algorithm,hint", [("EdDSA", "Ed25519"), ("ES265", "ES256"),
                                            ("HS256", None)])
def test_an_algorithm_we_cannot_use_is_refused_at_once(algorithm: str, hint: str | None
                                                       ) -> None:
    signer = CountingSigner(generate_key("ed25519"), algorithm=algorithm)
    with pytest.raises(KeyMaterialError) as info:
        Issuer(signer)
    assert info.value.code == "key.unsupported" and signer.calls == 0
    if hint:
        assert hint in (info.value.hint or "")


def test_a_signer_that_claims_the_wrong_algorithm_does_not_verify() -> None:
    # says ES256, signs with Ed25519: the proof names a P-256 suite the key cannot meet
    liar = CountingSigner(generate_key("ed25519"), algorithm="ES256")
    signed = sign(UNSIGNED, liar)
    assert isinstance(signed, dict) and not verify(signed).ok


def test_sign_refuses_what_is_not_a_signer() -> None:
    from edc_issue.errors import InputError

    with pytest.raises(InputError):
        sign(UNSIGNED, object())  # type: ignore[arg-type]
    with pytest.raises(KeyMaterialError) as info:
        sign(UNSIGNED, generate_key("ed25519").public_only())
    assert info.value.code == "key.no_secret"
