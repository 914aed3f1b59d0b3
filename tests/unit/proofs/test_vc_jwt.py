"""VC-JWT (Open Badges 3.0 JWT proof format): the 8 signed spec examples verify, our JWTs
round-trip for every key type, and bad JWTs are failed checks, never exceptions."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from edc_issue._api import sign, verify
from edc_issue.errors import InputError
from edc_issue.keys import generate_key, load_key

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SPEC_SIGNED = FIXTURES / "openbadges" / "spec-signed"
EXAMPLES = sorted(p.name for p in SPEC_SIGNED.glob("*.vc-jwt.txt"))
UNSIGNED = json.loads((SPEC_SIGNED / "02-sample-openbadgecredential.unsigned.json").read_text())


def _parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    def dec(part: str) -> Any:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))

    h, p, s = token.split(".")
    return dec(h), dec(p), s


def _enc(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def _failed(result: Any) -> list[str | None]:
    return [c.code for c in result.checks if not c.ok]


@pytest.mark.parametrize("name", EXAMPLES)
def test_spec_example_verifies(name: str, fixed_clock: Any) -> None:
    result = verify((SPEC_SIGNED / name).read_text(), clock=fixed_clock)
    assert result.ok, [c.to_json() for c in result.checks]
    assert result.format == "vc-jwt"
    # the RSA key travels in the jwk header: its binding is a warning, said plainly;
    # so is a credentialStatus whose list was not given (nothing is fetched offline)
    expected = ["proof.key_binding_unconfirmed"]
    if "credentialStatus" in json.dumps(result.document):
        expected.append("status.list_not_given")
    assert _failed(result) == expected
    assert all(w.severity == "warning" for w in result.warnings)


@pytest.mark.parametrize("name", EXAMPLES)
def test_spec_example_tampered_payload_fails(name: str) -> None:
    _, payload, signature = _parts((SPEC_SIGNED / name).read_text().strip())
    token = (SPEC_SIGNED / name).read_text().strip().split(".")
    payload["name"] = "Tampered"
    result = verify(f"{token[0]}.{_enc(payload)}.{signature}")
    assert "proof.bad_signature" in _failed(result)


@pytest.mark.parametrize("kind,alg", [("ed25519", "EdDSA"), ("p256", "ES256"),
                                      ("p384", "ES384"), ("rsa", "RS256")])
def test_sign_and_verify_each_key_type(kind: str, alg: str, fixed_clock: Any) -> None:
    key = generate_key(kind)
    token = sign(UNSIGNED, key, suite="vc-jwt", issuer_from_key=kind != "rsa")
    assert isinstance(token, str)
    header, payload, _ = _parts(token)
    assert header["alg"] == alg and header["typ"] == "JWT"
    assert payload["iss"] == (key.controller if kind != "rsa" else UNSIGNED["issuer"]["id"])
    assert payload["jti"] == UNSIGNED["id"]
    assert payload["sub"] == UNSIGNED["credentialSubject"]["id"]
    assert payload["nbf"] == 1262304000  # validFrom 2010-01-01T00:00:00Z
    result = verify(token, clock=fixed_clock)
    assert result.ok, [c.to_json() for c in result.checks]
    if kind == "rsa":
        assert "jwk" in header and "d" not in header["jwk"]
    else:
        assert header["kid"] == key.id
        assert not result.warnings  # did:key issuer controls the key


def test_rsa_jwk_key_file_signs(tmp_path: Path) -> None:
    key = generate_key("rsa")
    path = tmp_path / "rsa.json"
    path.write_text(json.dumps(key.to_jwk(include_secret=True)))
    token = sign(UNSIGNED, load_key(path), suite="vc-jwt")
    assert isinstance(token, str) and verify(token).ok


@pytest.mark.parametrize("mutate,code", [
    (lambda h, p: ({**h, "alg": "none"}, p), "proof.algorithm_mismatch"),
    (lambda h, p: ({**h, "alg": "HS256"}, p), "proof.algorithm_mismatch"),
    (lambda h, p: ({"alg": "EdDSA", "typ": "JWT"}, p), "key.unresolved"),
    (lambda h, p: ({**h, "kid": "did:web:example.edu#k"}, p), "key.unresolved"),
    (lambda h, p: (h, {**p, "iss": "did:example:other"}), "jwt.claim_mismatch"),
    (lambda h, p: (h, {**p, "exp": 1}), "credential.expired"),
])
def test_bad_headers_and_claims(mutate: Any, code: str) -> None:
    key = generate_key("ed25519")
    token = sign(UNSIGNED, key, suite="vc-jwt", issuer_from_key=True)
    assert isinstance(token, str)
    header, payload, signature = _parts(token)
    header, payload = mutate(header, payload)
    result = verify(f"{_enc(header)}.{_enc(payload)}.{signature}")
    assert not result.ok and code in _failed(result)


@pytest.mark.parametrize("token", ["a.b.c", "..", "eyJhbGciOiJub25lIn0.e30.", "x.y.z "])
def test_garbage_is_a_failed_check(token: str) -> None:
    result = verify(token)
    assert not result.ok and result.checks


def test_text_that_is_no_jws_is_an_input_error() -> None:
    with pytest.raises(InputError):
        verify("not a token")


def test_validator_fixture_without_key_reference(fixed_clock: Any) -> None:
    result = verify((FIXTURES / "openbadges" / "ob30" / "simple.jwt").read_text(),
                    clock=fixed_clock)
    assert not result.ok
    assert "neither kid nor jwk" in result.checks[0].message
