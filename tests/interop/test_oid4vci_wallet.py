"""A real OpenID4VCI wallet library against a real ``edc-issue serve`` on 127.0.0.1.

``@openid4vc/openid4vci`` (the OpenWallet Foundation's oid4vc-ts) acts as the wallet and
runs the whole pre-authorized code flow for each of ``ldp_vc``, ``jwt_vc_json`` and
``dc+sd-jwt`` against the service's routes: the offer made by an LMS
(``POST /instance/default/offers`` with the tenant's bearer token), the offer link,
issuer and authorization server metadata, token (with a tx_code), nonce,
``openid4vci-proof+jwt``, credential. Then:

- the Open Badge it received verifies with vc-js (its status list fetched from the
  service and verified too); the VC-JWT with edc_issue, against the same list;
- the SD-JWT VC verifies with ``@sd-jwt/sd-jwt-vc``, without and with a key-binding JWT
  made by the wallet's key;
- the same offer redeemed twice: the second is refused (invalid_grant);
- a proof replayed with its old nonce: refused (invalid_nonce); and nothing is issued twice
  (the service reports the first offer issued, the second only redeemed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from edc_issue import verify
from edc_issue.jsonld.loader import bundled_contexts, context_file
from edc_issue.keys import Key, did_key_document, generate_key
from edc_issue.proofs.sd_jwt import verify_sd_jwt

from .edc_serve import Served, edc_serve
from .npm_cache import CACHE, OID4VCI, SD_JWT, VCJS, ready, run_node

pytestmark = [pytest.mark.interop, pytest.mark.enable_socket]

WALLET = r"""
import {Openid4vciClient} from '@openid4vc/openid4vci';
import {setGlobalConfig} from '@openid4vc/utils';
import {clientAuthenticationAnonymous} from '@openid4vc/oauth2';
import * as crypto from 'node:crypto';

setGlobalConfig({allowInsecureUrls: true});  // http://127.0.0.1 in this test only
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const {d, ...publicJwk} = input.holder;
const privateKey = crypto.createPrivateKey({key: input.holder, format: 'jwk'});

const callbacks = {
  fetch: globalThis.fetch,
  clientAuthentication: clientAuthenticationAnonymous(),
  generateRandom: n => crypto.randomBytes(n),
  hash: (data, alg) => crypto.createHash(alg.replace('-', '')).update(data).digest(),
  signJwt: async (signer, {header, payload}) => {
    const b64 = o => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${b64(header)}.${b64(payload)}`;
    const sig = crypto.sign('sha256', Buffer.from(input),
                            {key: privateKey, dsaEncoding: 'ieee-p1363'});
    return {jwt: `${input}.${sig.toString('base64url')}`, signerJwk: publicJwk};
  },
};
const client = new Openid4vciClient({callbacks});
const out = {};
const errorOf = e => ({name: e.constructor.name, message: String(e.message),
  error: e.errorResponse?.error ?? e.response?.error ?? null,
  status: e.response?.status ?? e.statusCode ?? null});

try {
  const offer = await client.resolveCredentialOffer(input.link);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const configurationId = offer.credential_configuration_ids[0];
  const {accessTokenResponse} = await client.retrievePreAuthorizedCodeAccessTokenFromOffer(
    {credentialOffer: offer, issuerMetadata, txCode: input.txCode});
  const {c_nonce} = await client.requestNonce({issuerMetadata});
  const {jwt} = await client.createCredentialRequestJwtProof({
    issuerMetadata, credentialConfigurationId: configurationId, nonce: c_nonce,
    signer: {method: 'jwk', publicJwk, alg: 'ES256'}});
  const response = await client.retrieveCredentials({issuerMetadata, credentialConfigurationId:
    configurationId, accessToken: accessTokenResponse.access_token, proofs: {jwt: [jwt]}});
  out.format = issuerMetadata.credentialIssuer.credential_configurations_supported[
    configurationId].format;
  out.credential = response.credentialResponse.credentials[0].credential;
  out.proof = jwt;
  // the same offer again: a wallet that tries to redeem it twice
  try {
    await client.retrievePreAuthorizedCodeAccessTokenFromOffer(
      {credentialOffer: offer, issuerMetadata, txCode: input.txCode});
    out.second = {ok: true};
  } catch (e) { out.second = errorOf(e); }
  // the old proof (its nonce spent) on a second offer
  if (input.secondLink) {
    const second = await client.resolveCredentialOffer(input.secondLink);
    const token = await client.retrievePreAuthorizedCodeAccessTokenFromOffer(
      {credentialOffer: second, issuerMetadata, txCode: input.secondTxCode});
    try {
      await client.retrieveCredentials({issuerMetadata, credentialConfigurationId:
        configurationId, accessToken: token.accessTokenResponse.access_token,
        proofs: {jwt: [jwt]}});
      out.replay = {ok: true};
    } catch (e) { out.replay = errorOf(e); }
  }
} catch (e) {
  out.exception = String(e && e.stack || e);
  out.detail = errorOf(e);
}
console.log(JSON.stringify(out));
"""

VCJS_VERIFY = r"""
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
import * as zlib from 'node:zlib';
const documentLoader = async url => {
  const document = input.documents[url];
  if (document === undefined) throw new Error(`Document loader unable to load URL "${url}".`);
  return {contextUrl: null, documentUrl: url, document};
};
const suite = new DataIntegrityProof({cryptosuite: eddsa});
// the Bitstring Status List entry: the list fetched from the service, its own proof
// verified by vc-js, then the credential's bit read (most significant bit first)
const checkStatus = async ({credential}) => {
  const entries = [].concat(credential.credentialStatus);
  for (const entry of entries) {
    const list = await (await fetch(entry.statusListCredential)).json();
    const listResult = await vc.verifyCredential({credential: list, documentLoader, suite});
    if (!listResult.verified) return {verified: false, error: listResult.error};
    const encoded = list.credentialSubject.encodedList;
    const bits = zlib.gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
    const i = Number(entry.statusListIndex);
    if ((bits[i >> 3] >> (7 - (i & 7))) & 1) return {verified: false, error: 'status set'};
  }
  return {verified: true};
};
const result = await vc.verifyCredential({credential: input.credential, documentLoader,
  suite, checkStatus});
console.log(JSON.stringify({verified: result.verified,
  error: result.error ? String(result.error.message || result.error) : null}));
"""

SD_JWT_VERIFY = r"""
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {digest} from '@sd-jwt/crypto-nodejs';
import * as crypto from 'node:crypto';
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const verifyWith = jwk => async (data, sig) => {
  const key = crypto.createPublicKey({key: jwk, format: 'jwk'});
  if (jwk.kty === 'OKP')  // EdDSA (the service's default Ed25519 key)
    return crypto.verify(null, Buffer.from(data), key, Buffer.from(sig, 'base64url'));
  return crypto.verify('sha256', Buffer.from(data), {key, dsaEncoding: 'ieee-p1363'},
                       Buffer.from(sig, 'base64url'));
};
const signWith = jwk => async data => crypto.sign('sha256', Buffer.from(data),
  {key: crypto.createPrivateKey({key: jwk, format: 'jwk'}), dsaEncoding: 'ieee-p1363'})
  .toString('base64url');
const sdjwt = new SDJwtVcInstance({verifier: verifyWith(input.issuer), hasher: digest,
  kbSigner: signWith(input.holder), kbSignAlg: 'ES256',
  kbVerifier: async (data, sig, payload) => verifyWith(payload.cnf.jwk)(data, sig)});
const out = {};
try {
  const plain = await sdjwt.verify(input.token);
  out.plain = {verified: true, claims: await sdjwt.getClaims(input.token)};
  const presented = await sdjwt.present(input.token, {family_name: true,
    achievement_title: true}, {kb: {payload: {iat: Math.floor(Date.now() / 1000),
    aud: 'https://verifier.example', nonce: 'kb-nonce-1'}}});
  const bound = await sdjwt.verify(presented, {keyBindingNonce: 'kb-nonce-1'});
  out.bound = {verified: true, kb: bound.kb.payload, presented};
} catch (e) { out.error = String(e && e.message || e); }
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def npm() -> None:
    reason = ready([*OID4VCI, *SD_JWT, *VCJS])
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def holder() -> Key:
    return generate_key("p256")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One real ``edc-issue serve`` for the module."""
    with edc_serve(tmp_path_factory.mktemp("edc-serve")) as running:
        yield running


def badge() -> dict[str, Any]:
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "fixtures" / "ob3-vectors" / \
        "obv3p0-eddsa-rdfc-2022" / "unsigned.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


LEARNING = {"issuing_authority": "University of Tirana", "issuing_country": "AL",
            "date_of_issuance": "2025-06-30", "family_name": "Hoxha", "given_name": "Arta",
            "achievement_title": "Designing MOOCs",
            "learning_outcomes": ["Plan a MOOC", "Assess online"], "assessment_grade": "9/10"}


def _wallet(link: str, holder: Key, tx_code: str | None, second: Any = None) -> Any:
    payload: dict[str, Any] = {"link": link, "holder": holder.to_jwk(include_secret=True),
                               "txCode": tx_code}
    if second is not None:
        payload.update(secondLink=second["link"], secondTxCode=second["txCode"])
    answer = run_node("oid4vci_wallet.mjs", WALLET, payload)
    assert "exception" not in answer, answer
    return answer


def _vcjs(credential: dict[str, Any], issuer: Key) -> Any:
    documents = {url: json.loads(context_file(url).read_text()) for url in bundled_contexts()}
    did_doc = did_key_document(issuer.to_did_key())
    documents[did_doc["id"]] = did_doc
    for method in did_doc["verificationMethod"]:
        documents[method["id"]] = {"@context": "https://w3id.org/security/multikey/v1", **method}
    return run_node("vcjs_verify.mjs", VCJS_VERIFY,
                    {"credential": credential, "documents": documents})


def _status_lists(served: Served, document: Any) -> list[Any]:
    status = document.get("credentialStatus") if isinstance(document, dict) else None
    entries = status if isinstance(status, list) else [status] if status else []
    assert entries, "the service allocates a status entry for what wallets receive"
    return [served.get_json(e["statusListCredential"]) for e in entries]


@pytest.mark.parametrize("configuration", ["open-badge", "open-badge-jwt",
                                           "eudi-learning-credential"])
def test_the_wallet_library_runs_the_pre_authorized_flow(
        npm: None, served: Served, holder: Key, configuration: str) -> None:
    content = LEARNING if configuration == "eudi-learning-credential" else badge()
    offer = served.offer(content, configuration, txCode=True)
    second = served.offer(content, configuration, txCode=True)
    answer = _wallet(offer["link"], holder, offer["txCode"], second)
    # the offer redeemed twice: refused with invalid_grant
    assert answer["second"].get("ok") is not True, answer["second"]
    assert answer["second"]["error"] == "invalid_grant", answer["second"]
    assert answer["second"]["status"] == 400
    # the proof replayed with its old nonce: refused with invalid_nonce, nothing issued
    assert answer["replay"].get("ok") is not True, answer["replay"]
    assert re.search(r'"error":\s*"invalid_nonce"', answer["replay"]["message"]), \
        answer["replay"]
    assert served.offer_state(offer["id"]) == "issued"
    assert served.offer_state(second["id"]) == "redeemed"
    credential = answer["credential"]
    holder_jwk = holder.public_only().to_jwk()
    issuer_key = served.key.public_only()
    if configuration == "open-badge":
        assert answer["format"] == "ldp_vc"
        assert credential["credentialSubject"]["id"].startswith("did:jwk:")
        checked = _vcjs(credential, served.key)
        assert checked["verified"], checked
        result = verify(credential, status_lists=_status_lists(served, credential))
        assert result.ok, [c.to_json() for c in result.checks if not c.ok]
        assert any(c.check == "status" and c.ok and "not set" in c.message
                   for c in result.checks)
    elif configuration == "open-badge-jwt":
        assert answer["format"] == "jwt_vc_json"
        result = verify(credential)
        assert isinstance(result.document, dict)
        result = verify(credential, status_lists=_status_lists(served, result.document))
        assert result.ok, [c.to_json() for c in result.checks]
    else:
        assert answer["format"] == "dc+sd-jwt"
        ours = verify_sd_jwt(credential, key=issuer_key)
        assert ours.ok and ours.claims is not None
        assert ours.claims["cnf"]["jwk"]["x"] == holder_jwk["x"]
        assert ours.claims["iss"] == served.issuer
        theirs = run_node("sd_jwt_verify.mjs", SD_JWT_VERIFY, {
            "token": credential, "issuer": issuer_key.to_jwk(),
            "holder": holder.to_jwk(include_secret=True)})
        assert "error" not in theirs, theirs
        assert theirs["plain"]["claims"]["achievement_title"] == "Designing MOOCs"
        assert theirs["plain"]["claims"]["learning_outcomes"] == LEARNING["learning_outcomes"]
        assert theirs["bound"]["kb"]["aud"] == "https://verifier.example"
        # and the key-bound presentation the wallet made verifies here too
        bound = verify_sd_jwt(theirs["bound"]["presented"], key=issuer_key,
                              require_key_binding=True, audience="https://verifier.example",
                              nonce="kb-nonce-1")
        assert bound.ok and bound.key_binding
        assert bound.claims is not None and "given_name" not in bound.claims
        # a key-bound presentation for another nonce: refused
        wrong = verify_sd_jwt(theirs["bound"]["presented"], key=issuer_key,
                              require_key_binding=True, audience="https://verifier.example",
                              nonce="another-nonce")
        assert not wrong.ok
    assert (CACHE / "node_modules" / "@openid4vc" / "openid4vci").is_dir()
