"""Presentations with the reference implementation, vc-js (``@digitalbazaar/vc``), both ways:

- a presentation edc_issue signs (``sign_presentation``, purpose ``authentication``,
  challenge and domain) verifies in vc-js (``vc.verify``: the presentation's proof and
  every credential's), and vc-js refuses it with another challenge or domain;
- a presentation vc-js signs (``vc.signPresentation`` over credentials ``vc.issue``
  signed) verifies here, with its challenge and domain, and not with others.

vc-js gets our bundled contexts and the did:key documents through its document loader,
nothing else; the npm packages are those of ``test_vcjs.py`` (``npm_cache.VCJS``), skipped
with the reason when they are not installed.
"""

from __future__ import annotations

from typing import Any

import pytest

from edc_issue import build_presentation, sign, sign_presentation, verify
from edc_issue.keys import Key, generate_key

from .npm_cache import VCJS, loader_documents, ready, run_node

pytestmark = pytest.mark.interop

PEER = r"""
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsa} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const documentLoader = async url => {
  const document = input.documents[url];
  if(document === undefined) {
    throw new Error(`Document loader unable to load URL "${url}".`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
};
const suiteOf = async key => {
  const isEd = key.publicKeyMultibase.startsWith('z6Mk');
  const keyPair = isEd ? await Ed25519Multikey.from(key) : await EcdsaMultikey.from(key);
  return new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: isEd ? eddsa : ecdsa});
};
try {
  if(input.mode === 'sign') {
    const credential = await vc.issue({credential: input.credential,
      suite: await suiteOf(input.issuer), documentLoader});
    const presentation = vc.createPresentation({verifiableCredential: [credential],
      holder: input.holder.controller});
    const signed = await vc.signPresentation({presentation,
      suite: await suiteOf(input.holder), challenge: input.challenge, domain: input.domain,
      documentLoader});
    console.log(JSON.stringify({signed}));
  } else {
    const suite = [new DataIntegrityProof({cryptosuite: eddsa}),
                   new DataIntegrityProof({cryptosuite: ecdsa})];
    const result = await vc.verify({presentation: input.presentation, suite,
      challenge: input.challenge, domain: input.domain, documentLoader});
    const errors = [];
    const collect = e => { if(e) errors.push(String(e.message || e)); };
    collect(result.error);
    for(const r of (result.presentationResult?.results || [])) collect(r.error);
    for(const c of (result.credentialResults || [])) collect(c.error);
    console.log(JSON.stringify({verified: result.verified,
      presentationVerified: result.presentationResult?.verified ?? null,
      credentialsVerified: (result.credentialResults || []).map(c => c.verified),
      errors}));
  }
} catch(e) {
  console.log(JSON.stringify({exception: String(e && e.stack || e)}));
}
"""

CREDENTIAL = {"@context": ["https://www.w3.org/ns/credentials/v2"],
              "type": ["VerifiableCredential"], "issuer": "did:example:replaced",
              "credentialSubject": {"id": "did:example:replaced"}}
CHALLENGE = "u7yQ3c2pRk8xv0s1Lw9aZbQ"
DOMAIN = "verifier.example"


@pytest.fixture(scope="module")
def npm() -> None:
    reason = ready(VCJS)
    if reason:
        pytest.skip(reason)


def _vcjs_verify(presentation: Any, *keys: Key, challenge: str = CHALLENGE,
                 domain: str = DOMAIN) -> Any:
    answer = run_node("vp_peer.mjs", PEER, {"mode": "verify", "presentation": presentation,
                                            "challenge": challenge, "domain": domain,
                                            "documents": loader_documents(*keys)})
    assert "exception" not in answer, answer["exception"]
    return answer


@pytest.mark.parametrize("kinds", [("ed25519", "ed25519"), ("p256", "ed25519"),
                                   ("ed25519", "p384")])
def test_vcjs_verifies_a_presentation_we_sign(npm: None, kinds: tuple[str, str]) -> None:
    issuer, holder = (generate_key(k) for k in kinds)
    credential = dict(CREDENTIAL, credentialSubject={"id": holder.controller})
    signed_vc = sign(credential, issuer, issuer_from_key=True)
    assert isinstance(signed_vc, dict)
    vp = sign_presentation(build_presentation([signed_vc], holder=holder.controller), holder,
                           challenge=CHALLENGE, domain=DOMAIN)
    assert verify(vp, challenge=CHALLENGE, domain=DOMAIN).ok
    answer = _vcjs_verify(vp, issuer, holder)
    assert answer["verified"], answer["errors"]
    assert answer["presentationVerified"] and answer["credentialsVerified"] == [True]
    # vc-js checks the challenge and the domain: others fail there too
    assert not _vcjs_verify(vp, issuer, holder, challenge="another")["verified"]
    assert not _vcjs_verify(vp, issuer, holder, domain="elsewhere.example")["verified"]


def test_vcjs_rejects_a_presentation_changed_after_we_signed(npm: None) -> None:
    issuer, holder = generate_key("ed25519"), generate_key("ed25519")
    signed_vc = sign(dict(CREDENTIAL, credentialSubject={"id": holder.controller}), issuer,
                     issuer_from_key=True)
    assert isinstance(signed_vc, dict)
    vp = sign_presentation(build_presentation([signed_vc], holder=holder.controller), holder,
                           challenge=CHALLENGE, domain=DOMAIN)
    assert isinstance(vp, dict)
    vp["holder"] = issuer.controller
    answer = _vcjs_verify(vp, issuer, holder)
    assert not answer["verified"] and not answer["presentationVerified"]
    assert not verify(vp, challenge=CHALLENGE, domain=DOMAIN).ok


@pytest.mark.parametrize("kind", ["ed25519", "p256"])
def test_we_verify_a_presentation_vcjs_signs(npm: None, kind: str) -> None:
    issuer, holder = generate_key("ed25519"), generate_key(kind)
    credential = dict(CREDENTIAL, issuer=issuer.controller,
                      credentialSubject={"id": holder.controller})
    answer = run_node("vp_peer.mjs", PEER, {
        "mode": "sign", "credential": credential, "challenge": CHALLENGE, "domain": DOMAIN,
        "issuer": issuer.to_multikey(include_secret=True),
        "holder": holder.to_multikey(include_secret=True),
        "documents": loader_documents(issuer, holder)})
    assert "exception" not in answer, answer["exception"]
    vp = answer["signed"]
    assert vp["proof"]["proofPurpose"] == "authentication"
    assert vp["proof"]["challenge"] == CHALLENGE
    result = verify(vp, challenge=CHALLENGE, domain=DOMAIN)
    assert result.ok, [c.to_json() for c in result.checks if not c.ok]
    assert result.format == "presentation"
    [inner] = result.credentials  # type: ignore[attr-defined]
    assert inner.ok
    binding = next(c for c in result.checks if c.check == "verifiableCredential[0].holder_binding")
    assert binding.ok
    assert not verify(vp, challenge="another", domain=DOMAIN).ok
    assert not verify(vp, challenge=CHALLENGE, domain="elsewhere.example").ok
