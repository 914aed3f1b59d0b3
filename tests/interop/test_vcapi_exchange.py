"""A VC-API exchange driven as the Learner Credential Wallet drives it, against a real
``edc-issue serve`` on 127.0.0.1: the exchange opened by an LMS (``POST
/instance/default/workflows/didauth-issue/exchanges`` with the tenant's token), the deep
link parsed back to its parts, ``POST {}`` for the DIDAuth request, a presentation signed
by vc-js with a did:key (proof purpose authentication, the exchange's challenge and
domain), then the credential, which vc-js verifies (with its status list, fetched from the
service). The same exchange again is refused (single use), and a presentation made for
another challenge is refused by a fresh exchange."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from edc_issue.keys import generate_key
from edc_issue.oid4vci.exchanges import parse_dcc_deep_link

from .edc_serve import Served, edc_serve
from .npm_cache import VCJS, loader_documents, ready, run_node

pytestmark = [pytest.mark.interop, pytest.mark.enable_socket]

LCW = r"""
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as zlib from 'node:zlib';

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
  const verifySuite = new DataIntegrityProof({cryptosuite: eddsa});
  // the status list fetched from the service, its proof verified, the bit read
  const checkStatus = async ({credential}) => {
    for (const entry of [].concat(credential.credentialStatus)) {
      const list = await (await fetch(entry.statusListCredential)).json();
      const listResult = await vc.verifyCredential({credential: list, documentLoader,
        suite: verifySuite});
      if (!listResult.verified) return {verified: false, error: listResult.error};
      const bits = zlib.gunzipSync(Buffer.from(list.credentialSubject.encodedList.slice(1),
                                               'base64url'));
      const i = Number(entry.statusListIndex);
      if ((bits[i >> 3] >> (7 - (i & 7))) & 1) return {verified: false, error: 'status set'};
    }
    return {verified: true};
  };
  const result = await vc.verifyCredential({credential: out.credential, documentLoader,
    suite: verifySuite, checkStatus});
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


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One real ``edc-issue serve`` for the module."""
    with edc_serve(tmp_path_factory.mktemp("edc-serve")) as running:
        yield running


def _badge() -> Any:
    path = Path(__file__).resolve().parents[1] / "fixtures" / "ob3-vectors" / \
        "obv3p0-eddsa-rdfc-2022" / "unsigned.json"
    return json.loads(path.read_text())


def _open_exchange(served: Served) -> Any:
    import httpx

    response = httpx.post(f"{served.issuer}/workflows/didauth-issue/exchanges",
                          headers=served.auth(), json={"variables": {"credential": _badge()}},
                          timeout=60)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == response.json()["url"]
    return response.json()


def test_the_learner_credential_wallet_flow(npm: None, served: Served) -> None:
    import httpx

    created = _open_exchange(served)
    parts = parse_dcc_deep_link(created["deepLink"])
    assert parts["vc_request_url"] == created["url"]
    assert parts["vc_request_url"].startswith(
        f"{served.issuer}/workflows/didauth-issue/exchanges/")
    assert parse_dcc_deep_link(created["lcwLink"]) == parts
    interaction = httpx.get(created["interactionUrl"], timeout=30).json()
    assert interaction["protocols"]["vcapi"] == created["url"]
    from urllib.parse import unquote

    offer_link = interaction["protocols"]["oid4vci-1.0"]
    offer_uri = unquote(offer_link.split("credential_offer_uri=", 1)[1])
    assert httpx.get(offer_uri, timeout=30).status_code == 200
    holder = generate_key("ed25519")
    answer = run_node("lcw_exchange.mjs", LCW, {
        "vc_request_url": parts["vc_request_url"], "holder": holder.to_multikey(
            include_secret=True), "documents": loader_documents(served.key, holder)})
    assert "exception" not in answer, answer
    assert answer["request"]["query"][0]["type"] == "DIDAuthentication"
    assert answer["request"]["challenge"] == parts["challenge"]
    assert answer["request"]["domain"] == f"127.0.0.1:{served.url.rsplit(':', 1)[1]}"
    assert answer["status"] == 200
    assert answer["credential"]["credentialSubject"]["id"] == holder.controller
    assert answer["credential"]["issuer"]["id"] == served.key.controller
    assert answer["verified"], answer["error"]
    assert answer["again"]["status"] == 409  # single use
    assert answer["again"]["body"]["title"] == "exchange.completed"
    state = httpx.get(created["url"], timeout=30).json()
    assert state["exchange"]["state"] == "complete"
    # collected by VC-API: its OpenID4VCI offer is withdrawn
    assert httpx.get(offer_uri, timeout=30).status_code == 404
    # the presentation signed for another challenge, sent to a fresh exchange: refused
    fresh = _open_exchange(served)
    httpx.post(fresh["url"], json={}, timeout=30)
    refused = httpx.post(fresh["url"], json={"verifiablePresentation": answer["forged"]},
                         timeout=30)
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "exchange.invalid_presentation"
    assert httpx.get(fresh["url"], timeout=30).json()["exchange"]["state"] == "active"
