"""Interoperability with the reference implementation, vc-js (``@digitalbazaar/vc`` with
the eddsa-rdfc-2022 and ecdsa-rdfc-2019 cryptosuites), both ways:

- what edc_issue signs, vc-js verifies;
- what vc-js signs, edc_issue verifies.

vc-js gets our bundled contexts (and the did:key documents) through its document
loader, and nothing else. The npm packages are installed once into
``tests/interop/.node_modules_cache`` (git-ignored). Tests do not use the network unless
asked: when the cache is empty the install runs only with ``EDC_ISSUE_INTEROP_INSTALL=1``;
otherwise, and where ``node``/``npm`` are missing, the tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from edc_issue._api import sign, verify
from edc_issue.jsonld.loader import bundled_contexts, context_file
from edc_issue.keys import Key, did_key_document, generate_key

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".node_modules_cache"
FIXTURES = HERE.parent / "fixtures"
PACKAGES = [
    "@digitalbazaar/vc@7", "@digitalbazaar/data-integrity@2",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite@1", "@digitalbazaar/ecdsa-rdfc-2019-cryptosuite@1",
    "@digitalbazaar/ed25519-multikey@1", "@digitalbazaar/ecdsa-multikey@1",
]

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
const docs = input.documents;
const documentLoader = async url => {
  const document = docs[url];
  if(document === undefined) {
    throw new Error(`Document loader unable to load URL "${url}".`);
  }
  return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
};
try {
  if(input.mode === 'sign') {
    const isEd = input.key.publicKeyMultibase.startsWith('z6Mk');
    const keyPair = isEd ? await Ed25519Multikey.from(input.key) :
      await EcdsaMultikey.from(input.key);
    const suite = new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: isEd ? eddsa : ecdsa, date: input.created
    });
    const signed = await vc.issue({credential: input.credential, suite, documentLoader});
    console.log(JSON.stringify({signed}));
  } else {
    const suite = [new DataIntegrityProof({cryptosuite: eddsa}),
                   new DataIntegrityProof({cryptosuite: ecdsa})];
    const result = await vc.verifyCredential({credential: input.credential, suite,
                                              documentLoader});
    console.log(JSON.stringify({verified: result.verified,
      error: result.error ? String(result.error.message || result.error) : null,
      errors: (result.error && result.error.errors || []).map(e => String(e.message || e))}));
  }
} catch(e) {
  console.log(JSON.stringify({exception: String(e && e.stack || e)}));
}
"""


def _peer_ready() -> str | None:
    """Return None when vc-js can run, else the reason to skip."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are not installed"
    if (CACHE / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        return None
    if os.environ.get("EDC_ISSUE_INTEROP_INSTALL") != "1":
        return (f"vc-js is not installed in {CACHE}; set EDC_ISSUE_INTEROP_INSTALL=1 to "
                "npm-install it (needs the network)")
    CACHE.mkdir(exist_ok=True)
    (CACHE / "package.json").write_text(
        '{"name": "edc-issue-interop", "private": true, "type": "module"}\n')
    try:
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                        *PACKAGES], cwd=CACHE, check=True, capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"npm install of vc-js failed: {exc}"
    return None


@pytest.fixture(scope="module")
def peer() -> Any:
    reason = _peer_ready()
    if reason:
        pytest.skip(reason)
    script = CACHE / "peer.mjs"
    script.write_text(PEER)
    contexts = {url: json.loads(context_file(url).read_text()) for url in bundled_contexts()}

    def call(mode: str, credential: dict[str, Any], owner: Key, **extra: Any) -> Any:
        documents = dict(contexts)
        did_doc = did_key_document(owner.to_did_key())
        documents[did_doc["id"]] = did_doc
        for method in did_doc["verificationMethod"]:
            documents[method["id"]] = {"@context": "https://w3id.org/security/multikey/v1",
                                       **method}
        payload = {"mode": mode, "credential": credential, "documents": documents, **extra}
        done = subprocess.run(["node", str(script)], input=json.dumps(payload), cwd=CACHE,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        assert "exception" not in answer, answer["exception"]
        return answer

    return call


def _credentials() -> dict[str, dict[str, Any]]:
    return {
        "w3c-alumni": json.loads((FIXTURES / "vc-di" / "eddsa" / "unsigned.json").read_text()),
        "ob3": json.loads((FIXTURES / "ob3-vectors" / "obv3p0-eddsa-rdfc-2022" /
                           "unsigned.json").read_text()),
        "clr2": json.loads((FIXTURES / "ob3-vectors" / "clrv2p0-eddsa-rdfc-2022" /
                            "unsigned.json").read_text()),
    }


CASES = [(kind, name) for kind in ("ed25519", "p256", "p384") for name in _credentials()]


@pytest.mark.parametrize("kind,name", CASES)
def test_vcjs_verifies_what_we_sign(peer: Any, kind: str, name: str) -> None:
    key = generate_key(kind)
    signed = sign(_credentials()[name], key, issuer_from_key=True,
                  created="2024-05-01T10:00:00Z")
    answer = peer("verify", signed, key)
    assert answer["verified"], answer


@pytest.mark.parametrize("kind,name", CASES)
def test_we_verify_what_vcjs_signs(peer: Any, kind: str, name: str) -> None:
    key = generate_key(kind)
    credential = _credentials()[name]
    issuer = credential.get("issuer")
    credential["issuer"] = (dict(issuer, id=key.controller) if isinstance(issuer, dict)
                            else key.controller)
    answer = peer("sign", credential, key, key=key.to_multikey(include_secret=True),
                  created="2024-05-01T10:00:00Z")
    signed = answer["signed"]
    result = verify(signed)
    assert result.ok, [c.to_json() for c in result.checks]
    assert not result.warnings  # did:key issuer: the binding is confirmed
    # and a change made after vc-js signed is caught
    signed["credentialSubject"]["id"] = "did:example:someone-else"
    assert not verify(signed).ok


def test_vcjs_rejects_our_tampered_credential(peer: Any) -> None:
    key = generate_key("ed25519")
    signed = sign(_credentials()["ob3"], key, issuer_from_key=True)
    assert isinstance(signed, dict)
    signed["name"] = "Tampered"
    assert not peer("verify", signed, key)["verified"]
