"""SD-JWT VC cross-checks with the OpenWallet Foundation's ``@sd-jwt/sd-jwt-vc``, both ways:

- what edc_issue issues, sd-jwt-js verifies: plain, and presented with a key-binding JWT
  (with the nonce it expects; a wrong nonce and a tampered disclosure are refused);
- what sd-jwt-js issues and presents with key binding, edc_issue verifies.

The npm packages are installed as described in ``npm_cache.py``.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from edc_issue.keys import Key, generate_key
from edc_issue.proofs.sd_jwt import issue_sd_jwt, present_sd_jwt, verify_sd_jwt

from .npm_cache import SD_JWT, ready, run_node

pytestmark = pytest.mark.interop

PEER = r"""
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {digest, generateSalt} from '@sd-jwt/crypto-nodejs';
import * as crypto from 'node:crypto';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const b64 = s => Buffer.from(s, 'base64url');
const verifyWith = jwk => async (data, sig) => {
  const key = crypto.createPublicKey({key: jwk, format: 'jwk'});
  const ec = jwk.kty === 'EC';
  return crypto.verify(ec ? (jwk.crv === 'P-384' ? 'sha384' : 'sha256') : null,
                       Buffer.from(data), ec ? {key, dsaEncoding: 'ieee-p1363'} : key,
                       b64(sig));
};
const signWith = jwk => async data => {
  const key = crypto.createPrivateKey({key: jwk, format: 'jwk'});
  const ec = jwk.kty === 'EC';
  return crypto.sign(ec ? 'sha256' : null, Buffer.from(data),
                     ec ? {key, dsaEncoding: 'ieee-p1363'} : key).toString('base64url');
};
const kbVerifier = async (data, sig, payload) => verifyWith(payload.cnf.jwk)(data, sig);

try {
  if (input.mode === 'verify') {
    const sdjwt = new SDJwtVcInstance({verifier: verifyWith(input.issuer), kbVerifier,
                                       hasher: digest});
    const options = input.nonce ? {keyBindingNonce: input.nonce} : {};
    const result = await sdjwt.verify(input.token, options);
    const claims = await sdjwt.getClaims(input.token);
    console.log(JSON.stringify({verified: true, claims, kb: result.kb ? result.kb.payload : null}));
  } else {
    const sdjwt = new SDJwtVcInstance({
      signer: signWith(input.issuer), signAlg: input.alg, verifier: verifyWith(input.issuer),
      hasher: digest, hashAlg: 'sha-256', saltGenerator: generateSalt,
      kbSigner: signWith(input.holder), kbSignAlg: 'ES256', kbVerifier});
    const {d, ...holderPublic} = input.holder;
    const token = await sdjwt.issue(
      {...input.claims, cnf: {jwk: holderPublic}},
      {_sd: ['family_name', 'given_name', 'achievement_title', 'learning_outcomes']},
      {header: {kid: input.kid}});
    const presented = await sdjwt.present(token, {given_name: true, achievement_title: true},
      {kb: {payload: {iat: input.iat, aud: input.aud, nonce: input.nonce}}});
    console.log(JSON.stringify({token, presented}));
  }
} catch (e) {
  console.log(JSON.stringify({verified: false, error: String(e && e.message || e)}));
}
"""

CLAIMS: dict[str, Any] = {
    "vct": "urn:eu.europa.ec.eudi:learning:credential:1",
    "issuing_authority": "University of Tirana",
    "issuing_country": "AL",
    "date_of_issuance": "2025-06-30",
    "family_name": "Hoxha",
    "given_name": "Arta",
    "achievement_title": "Designing MOOCs",
    "learning_outcomes": ["Plan a MOOC", "Assess learners online"],
    "assessment_grade": "9/10",
}


@pytest.fixture(scope="module")
def peer() -> Any:
    reason = ready(SD_JWT)
    if reason:
        pytest.skip(reason)
    return lambda payload: run_node("sd_jwt_peer.mjs", PEER, payload)


def _issue(issuer: Key, holder: Key | None) -> str:
    now = int(time.time())
    claims = {**CLAIMS, "iss": issuer.controller, "iat": now, "exp": now + 3600}
    return issue_sd_jwt(claims, issuer,
                        holder_jwk=holder.public_only().to_jwk() if holder else None)


@pytest.mark.parametrize("kind", ["p256", "ed25519", "p384"])
def test_sd_jwt_js_verifies_what_we_issue(peer: Any, kind: str) -> None:
    issuer = generate_key(kind)
    token = _issue(issuer, None)
    answer = peer({"mode": "verify", "token": token, "issuer": issuer.public_only().to_jwk()})
    assert answer["verified"], answer
    for name, value in CLAIMS.items():
        assert answer["claims"][name] == value
    assert "_sd" not in answer["claims"]


def test_a_tampered_disclosure_never_shows(peer: Any) -> None:
    issuer = generate_key("p256")
    token = _issue(issuer, None)
    jwt, first, *rest = token.split("~")
    import base64
    import json
    salt, name, _value = json.loads(base64.urlsafe_b64decode(first + "=="))
    forged = base64.urlsafe_b64encode(json.dumps([salt, name, "forged"]).encode()) \
        .rstrip(b"=").decode()
    tampered = "~".join([jwt, forged, *rest])
    answer = peer({"mode": "verify", "token": tampered, "issuer": issuer.public_only().to_jwk()})
    # sd-jwt-js ignores a disclosure no digest names (the forged value never shows);
    # RFC 9901 section 7.1 step 5 says to reject the SD-JWT, and we do
    assert "forged" not in answer.get("claims", {}).values()
    assert name not in answer.get("claims", {})
    result = verify_sd_jwt(tampered, key=issuer.public_only())
    assert not result.ok
    assert "sdjwt.unreferenced_disclosure" in {c.code for c in result.checks}


@pytest.mark.parametrize("holder_kind", ["p256", "ed25519"])
def test_sd_jwt_js_verifies_our_key_binding(peer: Any, holder_kind: str) -> None:
    issuer, holder = generate_key("p256"), generate_key(holder_kind)
    token = _issue(issuer, holder)
    presented = present_sd_jwt(token, disclose=["given_name", "achievement_title"],
                               holder=holder, audience="https://verifier.example",
                               nonce="n-0S6_WzA2Mj")
    issuer_jwk = issuer.public_only().to_jwk()
    answer = peer({"mode": "verify", "token": presented, "issuer": issuer_jwk,
                   "nonce": "n-0S6_WzA2Mj"})
    assert answer["verified"], answer
    assert answer["kb"]["aud"] == "https://verifier.example"
    assert answer["claims"]["given_name"] == "Arta"
    assert "family_name" not in answer["claims"]  # not disclosed
    # the nonce it expects is another: refused
    other = peer({"mode": "verify", "token": presented, "issuer": issuer_jwk, "nonce": "n-2"})
    assert not other["verified"]


def test_we_verify_what_sd_jwt_js_issues_and_presents(peer: Any) -> None:
    issuer, holder = generate_key("p256"), generate_key("p256")
    now = int(time.time())
    answer = peer({"mode": "issue", "alg": "ES256", "kid": issuer.id,
                   "issuer": issuer.to_jwk(include_secret=True),
                   "holder": holder.to_jwk(include_secret=True),
                   "claims": {**CLAIMS, "iss": issuer.controller, "iat": now,
                              "exp": now + 3600},
                   "iat": now, "aud": "https://verifier.example", "nonce": "abc123"})
    assert "error" not in answer, answer
    whole = verify_sd_jwt(answer["token"])  # kid is the issuer's did:key URL
    assert whole.ok, [c.to_json() for c in whole.checks]
    assert whole.claims is not None and whole.claims["family_name"] == "Hoxha"
    shown = verify_sd_jwt(answer["presented"], require_key_binding=True,
                          audience="https://verifier.example", nonce="abc123")
    assert shown.ok, [c.to_json() for c in shown.checks]
    assert shown.key_binding
    assert shown.claims is not None
    assert shown.claims["given_name"] == "Arta" and "family_name" not in shown.claims
    replayed = verify_sd_jwt(answer["presented"], require_key_binding=True,
                             audience="https://verifier.example", nonce="another")
    assert not replayed.ok
    assert "sdjwt.kb_nonce" in {c.code for c in replayed.checks}
