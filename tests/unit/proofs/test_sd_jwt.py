"""SD-JWT VC: issue, present and verify; every refusal has its code (RFC 9901 §7)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from typing import Any

import pytest

from edc_issue.keys import Key, generate_key
from edc_issue.proofs.sd_jwt import (
    SdJwtError,
    decode_jws,
    is_sd_jwt,
    issue_sd_jwt,
    present_sd_jwt,
    sign_jws,
    verify_sd_jwt,
)

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
T = int(NOW.timestamp())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def digest(disclosure: str) -> str:
    return b64(hashlib.sha256(disclosure.encode()).digest())


def claims(issuer: Key, **extra: Any) -> dict[str, Any]:
    return {"vct": "urn:eu.europa.ec.eudi:learning:credential:1", "iss": issuer.controller,
            "iat": T, "exp": T + 3600, "given_name": "Arta", "family_name": "Hoxha",
            "learning_outcomes": ["Plan a MOOC", "Assess online"],
            "address": {"country": "AL", "locality": "Tirana"}, **extra}


@pytest.fixture(scope="module")
def issuer() -> Key:
    return generate_key("p256")


@pytest.fixture(scope="module")
def holder() -> Key:
    return generate_key("ed25519")


def codes(result: Any) -> set[str]:
    return {c.code for c in result.checks if not c.ok}


def test_rfc9901_disclosure_digests() -> None:
    # RFC 9901 section 4.2.1 (object property) and 4.2.2 (array element) examples
    assert digest("WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0") \
        == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"
    assert digest("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0") \
        == "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs"


def test_the_spec_example_disclosures_are_processed(issuer: Key) -> None:
    # a payload carrying the RFC's digests, presented with the RFC's disclosures
    family = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
    fr = "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0"
    payload = {"vct": "urn:x", "_sd": [digest(family)], "_sd_alg": "sha-256",
               "nationalities": [{"...": digest(fr)}, "DE"]}
    jwt = sign_jws({"typ": "dc+sd-jwt"}, payload, issuer)
    result = verify_sd_jwt(f"{jwt}~{family}~{fr}~", key=issuer.public_only(), now=NOW)
    assert result.ok, [c.to_json() for c in result.checks]
    assert result.claims == {"vct": "urn:x", "family_name": "Möbius",
                             "nationalities": ["FR", "DE"]}


def test_issue_hides_every_claim_but_the_visible_ones(issuer: Key, holder: Key) -> None:
    token = issue_sd_jwt(claims(issuer), issuer, holder_jwk=holder.public_only().to_jwk())
    assert is_sd_jwt(token) and token.endswith("~")
    header, payload = decode_jws(token.split("~")[0])
    assert header["typ"] == "dc+sd-jwt" and header["alg"] == "ES256"
    assert header["kid"] == issuer.id
    assert set(payload) == {"vct", "iss", "iat", "exp", "cnf", "_sd", "_sd_alg"}
    assert payload["cnf"]["jwk"]["kty"] == "OKP" and "d" not in payload["cnf"]["jwk"]
    # 4 top-level claims, 2 array elements, 2 address members
    assert len(token.split("~")) - 2 == 8
    result = verify_sd_jwt(token, now=NOW)
    assert result.ok, [c.to_json() for c in result.checks]
    assert result.claims is not None
    assert result.claims["learning_outcomes"] == ["Plan a MOOC", "Assess online"]
    assert result.claims["address"] == {"country": "AL", "locality": "Tirana"}
    assert result.holder_key is not None and not result.key_binding


def test_salts_are_fresh_and_digests_sorted(issuer: Key) -> None:
    one = issue_sd_jwt(claims(issuer), issuer, nested=False)
    two = issue_sd_jwt(claims(issuer), issuer, nested=False)
    assert set(one.split("~")[1:-1]).isdisjoint(two.split("~")[1:-1])
    sd = decode_jws(one.split("~")[0])[1]["_sd"]
    assert sd == sorted(sd)
    salt = json.loads(base64.urlsafe_b64decode(one.split("~")[1] + "=="))[0]
    assert len(base64.urlsafe_b64decode(salt + "==")) == 16


def test_a_signer_that_is_not_a_key(issuer: Key) -> None:
    class Remote:
        id = issuer.id
        algorithm = "ES256"

        def sign(self, data: bytes) -> bytes:
            return issuer.sign(data)

    token = issue_sd_jwt(claims(issuer), Remote())
    assert verify_sd_jwt(token, now=NOW).ok


def test_issue_refusals(issuer: Key) -> None:
    with pytest.raises(SdJwtError) as caught:
        issue_sd_jwt(claims(issuer), issuer, disclosable=["vct", "given_name"])
    assert caught.value.code == "sdjwt.not_disclosable"
    with pytest.raises(SdJwtError) as caught:
        issue_sd_jwt(claims(issuer), issuer, disclosable=["nickname"])
    assert caught.value.code == "sdjwt.bad_claims"
    with pytest.raises(SdJwtError) as caught:
        issue_sd_jwt({**claims(issuer), "_sd": []}, issuer)
    assert caught.value.code == "sdjwt.bad_claims"
    with pytest.raises(SdJwtError) as caught:
        issue_sd_jwt(claims(issuer), issuer, hash_alg="md5")
    assert caught.value.code == "sdjwt.unsupported_sd_alg"
    with pytest.raises(SdJwtError) as caught:
        issue_sd_jwt(claims(issuer), issuer, holder_jwk=issuer.to_jwk(include_secret=True))
    assert caught.value.code == "sdjwt.bad_claims"


def test_presentation_with_key_binding(issuer: Key, holder: Key) -> None:
    token = issue_sd_jwt(claims(issuer), issuer, holder_jwk=holder.public_only().to_jwk())
    shown = present_sd_jwt(token, disclose=["given_name", "address"], holder=holder,
                           audience="https://verifier.example", nonce="n1", iat=T)
    result = verify_sd_jwt(shown, now=NOW, require_key_binding=True,
                           audience="https://verifier.example", nonce="n1")
    assert result.ok, [c.to_json() for c in result.checks]
    assert result.key_binding
    assert result.claims is not None
    assert result.claims["given_name"] == "Arta"
    assert result.claims["address"] == {"country": "AL", "locality": "Tirana"}
    assert "family_name" not in result.claims and "learning_outcomes" not in result.claims
    assert ("given_name", "Arta") in result.disclosed

    def check(**options: Any) -> set[str]:
        kwargs: dict[str, Any] = {"now": NOW, "require_key_binding": True,
                                  "audience": "https://verifier.example", "nonce": "n1"}
        kwargs.update(options)
        return codes(verify_sd_jwt(shown, **kwargs))

    assert check(audience="https://other.example") == {"sdjwt.kb_audience"}
    assert check(nonce="n0") == {"sdjwt.kb_nonce"}
    assert check(now=datetime(2026, 1, 1, 1, tzinfo=timezone.utc)) == {"sdjwt.kb_stale"}
    # a disclosure dropped after the KB-JWT was made: its sd_hash no longer matches
    parts = shown.split("~")
    assert codes(verify_sd_jwt("~".join([parts[0], *parts[2:]]), now=NOW,
                               require_key_binding=True, audience="https://verifier.example",
                               nonce="n1")) == {"sdjwt.kb_sd_hash"}
    # signed by another key than the one bound in cnf
    other = present_sd_jwt(token, holder=generate_key("ed25519"), audience="a", nonce="n",
                           iat=T)
    assert codes(verify_sd_jwt(other, now=NOW)) == {"sdjwt.kb_invalid"}
    # required but absent
    plain = present_sd_jwt(token, disclose=["given_name"])
    assert codes(verify_sd_jwt(plain, now=NOW, require_key_binding=True)) == {"sdjwt.kb_missing"}
    # a KB-JWT without a key bound in cnf
    unbound = issue_sd_jwt(claims(issuer), issuer)
    assert codes(verify_sd_jwt(present_sd_jwt(unbound, holder=holder, audience="a",
                                              nonce="n", iat=T), now=NOW)) == {"sdjwt.no_cnf"}
    # a KB-JWT with another typ
    kb = sign_jws({"typ": "JWT"}, {"iat": T, "aud": "a", "nonce": "n", "sd_hash": "x"}, holder)
    assert codes(verify_sd_jwt(plain + kb, now=NOW)) == {"sdjwt.kb_invalid"}


def _forge(issuer: Key, payload: dict[str, Any], disclosures: list[str],
           typ: str = "dc+sd-jwt") -> str:
    return "~".join([sign_jws({"typ": typ, "kid": issuer.id}, payload, issuer),
                     *disclosures]) + "~"


def disclosure(*parts: Any) -> str:
    return b64(json.dumps(list(parts)).encode())


def test_verification_refusals(issuer: Key) -> None:
    good = issue_sd_jwt(claims(issuer), issuer)
    other = generate_key("p256")
    assert codes(verify_sd_jwt("not an sd-jwt", now=NOW)) == {"sdjwt.malformed"}
    assert codes(verify_sd_jwt(good.split("~")[0], now=NOW)) == {"sdjwt.malformed"}
    assert codes(verify_sd_jwt(good, key=other.public_only(), now=NOW)) == \
        {"sdjwt.bad_signature"}
    jwt, *rest = good.split("~")
    head, body, sig = jwt.split(".")
    assert codes(verify_sd_jwt("~".join([f"{head}.{body}.{sig[:-4]}AAAA", *rest]), now=NOW)) \
        == {"sdjwt.bad_signature"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x"}, [], typ="JWT"), now=NOW)) == \
        {"sdjwt.bad_typ"}
    unsigned_kid = sign_jws({"typ": "dc+sd-jwt"}, {"vct": "x"}, issuer) + "~"
    assert codes(verify_sd_jwt(unsigned_kid, now=NOW)) == {"sdjwt.key_unresolved"}
    # a kid that is not a key of the did:key issuer
    stolen = "~".join([sign_jws({"typ": "dc+sd-jwt", "kid": other.id},
                                {"vct": "x", "iss": issuer.controller}, other)]) + "~"
    assert codes(verify_sd_jwt(stolen, now=NOW)) == {"sdjwt.key_unresolved"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "_sd_alg": "md5"}, []),
                               now=NOW)) == {"sdjwt.unsupported_sd_alg"}
    d = disclosure("salt", "name", "Arta")
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "_sd": [digest(d)]}, [d, d]),
                               now=NOW)) == {"sdjwt.duplicate_digest"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "_sd": [digest(d), digest(d)]},
                                      [d]), now=NOW)) == {"sdjwt.duplicate_digest"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "name": "B", "_sd": [digest(d)]},
                                      [d]), now=NOW)) == {"sdjwt.claim_collision"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x"}, [d]), now=NOW)) == \
        {"sdjwt.unreferenced_disclosure"}
    bad = disclosure("salt", "_sd", [])
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "_sd": [digest(bad)]}, [bad]),
                               now=NOW)) == {"sdjwt.bad_disclosure"}
    element = disclosure("salt", "x", "y")  # three parts where an array needs two
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "a": [{"...": digest(element)}]},
                                      [element]), now=NOW)) == {"sdjwt.bad_disclosure"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x"}, ["%%%"]), now=NOW)) == \
        {"sdjwt.bad_disclosure"}
    assert codes(verify_sd_jwt(_forge(issuer, {"iss": "x"}, []), now=NOW)) == {"sdjwt.no_vct"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "exp": T - 120}, []), now=NOW)) \
        == {"sdjwt.expired"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "nbf": T + 120}, []), now=NOW)) \
        == {"sdjwt.not_yet_valid"}
    assert codes(verify_sd_jwt(_forge(issuer, {"vct": "x", "iat": "today"}, []), now=NOW)) \
        == {"sdjwt.bad_claims"}


def test_decoys_are_ignored_and_undisclosed_claims_stay_hidden(issuer: Key) -> None:
    d = disclosure("salt", "name", "Arta")
    decoy = b64(hashlib.sha256(b"decoy").digest())
    decoy2 = b64(hashlib.sha256(b"decoy 2").digest())
    result = verify_sd_jwt(_forge(issuer, {"vct": "x", "_sd": [decoy, digest(d)],
                                           "list": [{"...": decoy2}, 1]}, [d]), now=NOW)
    assert result.ok
    assert result.claims == {"vct": "x", "name": "Arta", "list": [1]}
    assert verify_sd_jwt(_forge(issuer, {"vct": "x", "_sd": [digest(d)]}, []),
                         now=NOW).claims == {"vct": "x"}


def test_vc_rules_can_be_off_for_plain_sd_jwts(issuer: Key) -> None:
    token = _forge(issuer, {"sub": "x"}, [], typ="example+sd-jwt")
    assert verify_sd_jwt(token, now=NOW, vc=False).ok
    assert not verify_sd_jwt(token, now=NOW).ok
