"""Interoperability with the reference implementation, vc-js (``@digitalbazaar/vc`` with
the eddsa-rdfc-2022 and ecdsa-rdfc-2019 cryptosuites), both ways:

- what edc_issue signs, vc-js verifies (signed with a Key, or with a Signer that is not
  one: credentials, status lists);
- what vc-js signs, edc_issue verifies;
- VC-JWTs edc_issue signs (with a Key or a Signer), ``jose`` (panva/jose) verifies.

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

from edc_issue import Issuer, sign, verify
from edc_issue.jsonld.loader import bundled_contexts, context_file
from edc_issue.keys import Key, did_key_document, generate_key
from edc_issue.status import MemoryStatusListStore, StatusList

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".node_modules_cache"
FIXTURES = HERE.parent / "fixtures"
PACKAGES = [
    "@digitalbazaar/vc@7", "@digitalbazaar/data-integrity@2",
    "@digitalbazaar/eddsa-rdfc-2022-cryptosuite@1", "@digitalbazaar/ecdsa-rdfc-2019-cryptosuite@1",
    "@digitalbazaar/ed25519-multikey@1", "@digitalbazaar/ecdsa-multikey@1", "jose@6",
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
  if(input.mode === 'verify-jwt') {
    const jose = await import('jose');
    const key = await jose.importJWK(input.jwk, input.alg);
    const {protectedHeader} = await jose.compactVerify(input.token, key,
                                                      {algorithms: [input.alg]});
    console.log(JSON.stringify({verified: true, header: protectedHeader}));
  } else if(input.mode === 'verify-jwt-expect-failure') {
    const jose = await import('jose');
    const key = await jose.importJWK(input.jwk, input.alg);
    let verified = true;
    try {
      await jose.compactVerify(input.token, key, {algorithms: [input.alg]});
    } catch(e) {
      verified = false;
    }
    console.log(JSON.stringify({verified}));
  } else if(input.mode === 'sign') {
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


def _installed(name: str) -> bool:
    """Is the npm package *name* (no version) in the cache?"""
    return (CACHE / "node_modules" / name).is_dir()


def _peer_ready(needed: tuple[str, ...] = ("@digitalbazaar/vc",)) -> str | None:
    """Return None when the *needed* npm packages can run, else the reason to skip."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "node and npm are not installed"
    if all(_installed(p.rsplit("@", 1)[0]) for p in PACKAGES):
        return None
    if os.environ.get("EDC_ISSUE_INTEROP_INSTALL") != "1":
        missing = [name for name in needed if not _installed(name)]
        if not missing:
            return None
        return (f"{', '.join(missing)} is not installed in {CACHE}; set "
                "EDC_ISSUE_INTEROP_INSTALL=1 to npm-install it (needs the network)")
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


class CountingSigner:
    """A Signer that is not a Key: it wraps one and counts its calls (an HSM stand-in)."""

    def __init__(self, key: Key) -> None:
        self._key = key
        self.id = key.id
        self.controller = key.controller
        self.algorithm = key.algorithm
        self.calls = 0

    def sign(self, data: bytes) -> bytes:
        self.calls += 1
        return self._key.sign(data)


@pytest.mark.parametrize("kind", ["ed25519", "p256", "p384"])
def test_vcjs_verifies_what_a_signer_signs(peer: Any, kind: str) -> None:
    key = generate_key(kind)
    signer = CountingSigner(key)
    signed = sign(_credentials()["ob3"], signer, issuer_from_key=True,
                  created="2024-05-01T10:00:00Z")
    assert signer.calls == 1
    answer = peer("verify", signed, key)
    assert answer["verified"], answer


def test_vcjs_verifies_a_status_list_a_signer_signed(peer: Any) -> None:
    key = generate_key("ed25519")
    signer = CountingSigner(key)
    store = MemoryStatusListStore()
    status_list = StatusList.create(store, list_id="https://example.edu/status/9",
                                    issuer=signer.controller, sign=signer)
    assert peer("verify", store.load_credential(), key)["verified"]
    status_list.revoke([7], sign=signer)
    assert signer.calls == 2
    assert peer("verify", store.load_credential(), key)["verified"]


@pytest.fixture(scope="module")
def jose_peer(peer: Any) -> Any:
    reason = _peer_ready(("jose",))
    if reason:
        pytest.skip(reason)
    return peer


@pytest.mark.parametrize("kind,alg", [("ed25519", "EdDSA"), ("p256", "ES256"),
                                      ("p384", "ES384"), ("rsa", "RS256")])
@pytest.mark.parametrize("with_signer", [False, True], ids=["key", "signer"])
def test_jose_verifies_our_vc_jwt(jose_peer: Any, kind: str, alg: str,
                                  with_signer: bool) -> None:
    key = generate_key(kind)
    if kind == "rsa":
        key = key.with_id("https://example.edu/keys#1", "https://example.edu/keys")
    signer: Any = CountingSigner(key) if with_signer else key
    token = Issuer(signer, suite="vc-jwt", issuer_from_key=True).issue(_credentials()["ob3"])
    jwk = key.public_only().to_jwk()
    answer = jose_peer("verify-jwt", {}, generate_key("ed25519"), token=token, jwk=jwk,
                       alg=alg)
    assert answer["verified"] and answer["header"]["alg"] == alg, answer
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    done = jose_peer("verify-jwt-expect-failure", {}, generate_key("ed25519"), token=tampered,
                     jwk=jwk, alg=alg)
    assert done["verified"] is False
