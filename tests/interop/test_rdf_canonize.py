"""RDFC-1.0 against rdf-canonize itself, on datasets where line order is delicate.

rdf-canonize (the canonicalizer inside vc-js) is installed with the vc-js peer of
test_vcjs.py; these tests are skipped, with the reason, where it is not available.
Each dataset mixes characters above U+FFFF with ones in U+E000-U+FFFF in literals of
blank-node quads, where UTF-16 and code point order disagree.
"""

from __future__ import annotations

import json
import random
import subprocess

import pytest

from edc_issue import canonicalize_nquads

from .test_vcjs import CACHE, _peer_ready

SCRIPT = """
import canonize from 'rdf-canonize';
import {readFileSync} from 'node:fs';
const cases = JSON.parse(readFileSync(0, 'utf8'));
const out = [];
for (const [nq, alg] of cases) {
  out.push(await canonize.canonize(nq, {algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads',
    messageDigestAlgorithm: alg}));
}
process.stdout.write(JSON.stringify(out));
"""
CHARS = ["\uFFFD", "\uFF21", "\uE000", "\U0001F600", "\U0001F393", "\U00010348", "a", "é"]


def _dataset(rng: random.Random) -> str:
    lines = []
    nodes = [f"_:n{i}" for i in range(rng.randint(2, 5))]
    for _ in range(rng.randint(3, 10)):
        subject = rng.choice([*nodes, "<urn:s>"])
        text = "".join(rng.choice(CHARS) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.3:
            lines.append(f"{subject} <urn:link> {rng.choice(nodes)} .")
        else:
            lines.append(f'{subject} <urn:p{rng.randint(0, 1)}> "{text}" .')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def rdf_canonize() -> None:
    reason = _peer_ready()
    if reason:
        pytest.skip(reason)
    if not (CACHE / "node_modules" / "rdf-canonize").is_dir():
        pytest.skip("rdf-canonize is not in the vc-js install")


def test_random_datasets_match_rdf_canonize(rdf_canonize: None) -> None:
    rng = random.Random(20261123)
    cases = [(_dataset(rng), alg) for _ in range(60) for alg in ("SHA-256", "SHA-384")]
    script = CACHE / "rdf_canonize_peer.mjs"
    script.write_text(SCRIPT)
    done = subprocess.run(["node", str(script)], input=json.dumps(cases), cwd=CACHE,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    expected = json.loads(done.stdout)
    for (nquads, alg), theirs in zip(cases, expected, strict=True):
        ours = canonicalize_nquads(nquads, hash_algorithm=alg.replace("-", "").lower())
        assert ours == theirs, nquads
