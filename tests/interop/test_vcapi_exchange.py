"""A VC-API exchange driven as the Learner Credential Wallet drives it, over HTTP on
127.0.0.1: the deep link parsed back to its parts, ``POST {}`` for the DIDAuth request,
a presentation signed by vc-js with a did:key (proof purpose authentication, the
exchange's challenge and domain), then the credential, which vc-js verifies. The same
exchange again is refused (single use)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edc_issue.jsonld.loader import bundled_contexts, context_file
from edc_issue.keys import Key, did_key_document, generate_key
from edc_issue.oid4vci.exchanges import ExchangeService, parse_dcc_deep_link
from edc_issue.oid4vci.issuance import CredentialIssuer
from edc_issue.oid4vci.metadata import CredentialConfiguration

from .npm_cache import VCJS, ready, run_node
from .oid4vci_http import serve

pytestmark = [pytest.mark.interop, pytest.mark.enable_socket]

LCW = r"""
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const documentLoader = async url => {
  const document = input.documents[url];
  if (document === undefined) throw new Error(`Document loader unable to load URL "${url}".`);
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
};
const post = async body => {
  const response = await fetch(input.vc_request_url, {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  return {status: response.status, body: await response.json()};
};
const out = {};
try {
  const first = await post({});
  const request = first.body.verifiablePresentationRequest;
  out.request = request;
  const key = await Ed25519Multikey.from(input.holder);
  const presentation = vc.createPresentation({holder: input.holder.controller});
  presentation['@context'] = ['https://www.w3.org/ns/credentials/v2'];
  const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsa});
  const signed = await vc.signPresentation({presentation, suite, documentLoader,
    challenge: request.challenge, domain: request.domain});
  const second = await post({verifiablePresentation: signed});
  out.status = second.status;
  out.credential = second.body.verifiablePresentation.verifiableCredential[0];
  const result = await vc.verifyCredential({credential: out.credential, documentLoader,
    suite: new DataIntegrityProof({cryptosuite: eddsa})});
  out.verified = result.verified;
  out.error = result.error ? String(result.error.message || result.error) : null;
  out.again = await post({verifiablePresentation: signed});
  // a presentation made for another challenge is refused
  out.forged = await vc.signPresentation({presentation, suite, documentLoader,
    challenge: 'not-the-challenge', domain: request.domain});
} catch (e) { out.exception = String(e && e.stack || e); }
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def npm() -> None:
    reason = ready(VCJS)
    if reason:
        pytest.skip(reason)


def _documents(*keys: Key) -> dict[str, Any]:
    documents = {url: json.loads(context_file(url).read_text()) for url in bundled_contexts()}
    for key in keys:
        did_doc = did_key_document(key.to_did_key())
        documents[did_doc["id"]] = did_doc
        for method in did_doc["verificationMethod"]:
            documents[method["id"]] = {"@context": "https://w3id.org/security/multikey/v1",
                                       **method}
    return documents


@pytest.fixture
def running() -> Iterator[tuple[str, Any]]:
    signer = generate_key("ed25519")

    def make(base: str) -> tuple[CredentialIssuer, ExchangeService]:
        issuer = CredentialIssuer(f"{base}/instance/uni",
                                  [CredentialConfiguration("badge", "ldp_vc", signer)])
        exchanges = ExchangeService(f"{base}/instance/uni", signer,
                                    issuer_name="University of Tirana")
        return issuer, exchanges

    with serve(make) as (base, made):
        yield base, (signer, *made)


def test_the_learner_credential_wallet_flow(npm: None, running: Any) -> None:
    base, (signer, _, exchanges) = running
    path = Path(__file__).resolve().parents[1] / "fixtures" / "ob3-vectors" / \
        "obv3p0-eddsa-rdfc-2022" / "unsigned.json"
    created = exchanges.create_exchange("didauth-issue", json.loads(path.read_text()))
    parts = parse_dcc_deep_link(created.deep_link)
    assert parts["vc_request_url"] == created.url and parts["challenge"] == created.challenge
    assert parts["vc_request_url"].startswith(f"{base}/instance/uni/workflows/didauth-issue/")
    holder = generate_key("ed25519")
    answer = run_node("lcw_exchange.mjs", LCW, {
        "vc_request_url": parts["vc_request_url"], "holder": holder.to_multikey(
            include_secret=True), "documents": _documents(signer, holder)})
    assert "exception" not in answer, answer
    assert answer["request"]["query"][0]["type"] == "DIDAuthentication"
    assert answer["request"]["challenge"] == created.challenge
    assert answer["status"] == 200
    assert answer["credential"]["credentialSubject"]["id"] == holder.controller
    assert answer["verified"], answer["error"]
    assert answer["again"]["status"] == 409  # single use
    assert answer["again"]["body"]["title"] == "exchange.completed"
    # the presentation signed for another challenge, sent to a fresh exchange: refused
    fresh = exchanges.create_exchange("didauth-issue", json.loads(path.read_text()))
    from edc_issue.oid4vci.errors import ExchangeError

    with pytest.raises(ExchangeError) as caught:
        exchanges.participate("didauth-issue", fresh.id,
                              {"verifiablePresentation": answer["forged"]})
    assert caught.value.code == "exchange.invalid_presentation"
