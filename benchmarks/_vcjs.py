"""vc-js, the reference implementation, run beside us (not a benchmark itself).

The packages are those the interop tests pin (``tests/interop/test_vcjs.py``). They are
taken from the interop tests' install when it exists; otherwise npm installs them from
the registry into a temporary folder (``$TMPDIR/edc-issue-bench-vcjs``, kept for the
next run; ``EDC_ISSUE_BENCH_VCJS=DIR`` picks another). Without Node.js and npm, or
when the install fails, the drivers print our figures alone and say why.

vc-js gets our bundled contexts and the did:key document through a static document
loader (jsonld.js caches resolved contexts by URL, so the loader is called once per
context per process), the same credential, key and N as we do.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from _common import ROOT

INTEROP_CACHE = ROOT / "tests" / "interop" / ".node_modules_cache"


def _packages() -> list[str]:
    """The interop tests' pinned package list (read from their source, not copied)."""
    text = (ROOT / "tests" / "interop" / "test_vcjs.py").read_text(encoding="utf-8")
    start = text.index("PACKAGES = [")
    body = text[start + len("PACKAGES = ["):text.index("]", start)]
    return [p.strip().strip('"\'') for p in body.replace("\n", " ").split(",") if p.strip()]


BENCH = r"""
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {cryptosuite as ecdsa} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {readFileSync} from 'node:fs';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const docs = input.documents;
const documentLoader = async url => {
  const document = docs[url];
  if(document === undefined) {
    throw new Error(`Document loader unable to load URL "${url}".`);
  }
  return {contextUrl: null, documentUrl: url, document};
};
const isEd = input.key.publicKeyMultibase.startsWith('z6Mk');
const keyPair = isEd ? await Ed25519Multikey.from(input.key) :
  await EcdsaMultikey.from(input.key);
const cryptosuite = isEd ? eddsa : ecdsa;
const checkStatus = async () => ({verified: true});
async function sign() {
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  return vc.issue({credential: structuredClone(input.credential), suite, documentLoader});
}
const signed = await sign();
async function verify() {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential: signed, suite, documentLoader,
                                            checkStatus});
  if(!result.verified) {
    throw new Error('vc-js does not verify its own credential: ' +
                    JSON.stringify(result.error && (result.error.errors || result.error.message)));
  }
}
const fn = input.mode === 'sign' ? sign : verify;
await fn();  // warm-up, as on our side
const start = process.hrtime.bigint();
for(let i = 0; i < input.n; i++) {
  await fn();
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({rate: input.n / seconds, n: input.n, seconds}));
"""


class VcJs:
    """An installed vc-js, or the reason there is none (:attr:`missing`)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.missing: str | None = None
        self.version = "-"
        self._find_or_install()

    def _find_or_install(self) -> None:
        node, npm = shutil.which("node"), shutil.which("npm")
        if node is None or npm is None:
            self.missing = "node and npm are not installed"
            return
        candidates = [Path(os.environ["EDC_ISSUE_BENCH_VCJS"])] if os.environ.get(
            "EDC_ISSUE_BENCH_VCJS") else []
        candidates += [INTEROP_CACHE, Path(tempfile.gettempdir()) / "edc-issue-bench-vcjs"]
        for folder in candidates:
            if (folder / "node_modules" / "@digitalbazaar" / "vc").is_dir():
                self.folder = folder
                break
        else:
            folder = candidates[0] if candidates[0] != INTEROP_CACHE else candidates[-1]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "package.json").write_text(
                '{"name": "edc-issue-bench", "private": true, "type": "module"}\n')
            try:
                subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                                *_packages()], cwd=folder, check=True, capture_output=True,
                               timeout=900)
            except (subprocess.SubprocessError, OSError) as exc:
                self.missing = f"npm install of vc-js failed: {exc}"
                return
            self.folder = folder
        package = self.folder / "node_modules" / "@digitalbazaar" / "vc" / "package.json"
        self.version = json.loads(package.read_text())["version"]
        (self.folder / "bench.mjs").write_text(BENCH)

    def rate(self, mode: str, credential: dict[str, Any], key: dict[str, Any],
             documents: dict[str, Any], n: int) -> float:
        """Sign or verify *credential* *n* times in a fresh Node.js process."""
        assert self.folder is not None
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
            json.dump({"mode": mode, "credential": credential, "key": key,
                       "documents": documents, "n": n}, fh)
            name = fh.name
        try:
            done = subprocess.run(["node", str(self.folder / "bench.mjs"), name],
                                  cwd=self.folder, capture_output=True, text=True,
                                  check=False, timeout=1800)
        finally:
            os.unlink(name)
        if done.returncode != 0:
            raise SystemExit(f"vc-js benchmark failed:\n{done.stderr[-4000:]}")
        return float(json.loads(done.stdout.strip().splitlines()[-1])["rate"])
