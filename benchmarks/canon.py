"""Canonicalizations per second for the sample credentials (expansion + RDFC-1.0).

Plain script: ``python benchmarks/canon.py [--seconds S]``. Prints, per document,
the quads, the rate of pyld's path to RDF (``to_dataset``, the reference), of the compiled
path (``to_nquads``), the RDFC-1.0 rate and the end-to-end rate (``canonical_nquads``), and the
ratio against pyoxigraph's Rust RDFC-1.0 where it is installed (for scale only:
it disagrees with the reference stack on blank-node graph names).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edc_issue import canonicalize_nquads, to_nquads
from edc_issue.formats.envelopes import unwrap_credential
from edc_issue.jsonld import canonical_nquads, to_dataset

ROOT = Path(__file__).resolve().parent.parent
ORACLE = ROOT / "tests" / "fixtures" / "canon-oracle"
SAMPLES = [
    "ob3-02-sample-openbadgecredential.unsigned",
    "ob3-03-complete-openbadgecredential.eddsa-rdfc-2022",
    "edc-Sample-CertOfPart-signed",
    "edc-AA-Annex1-MC-signed",
]


def _rate(fn: Callable[[], Any], seconds: float) -> float:
    fn()  # warm caches (contexts are parsed once per process)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    index = json.loads((ORACLE / "index.json").read_text())
    try:
        import pyoxigraph
    except ImportError:  # optional
        pyoxigraph = None
    print(f"{'document':55} {'quads':>6} {'pyld/s':>9} {'compiled/s':>10} {'rdfc/s':>9} "
          f"{'both/s':>9} {'oxi/s':>9}")
    for name in SAMPLES:
        raw = json.loads((ORACLE / index[name]["document"]).read_text())
        doc, _ = unwrap_credential(raw)
        nquads = to_nquads(doc, strict=False)
        quads = len(nquads.splitlines())
        pyld_rate = _rate(lambda d=doc: to_dataset(d, strict=False), args.seconds)
        expand_rate = _rate(lambda d=doc: to_nquads(d, strict=False), args.seconds)
        canon_rate = _rate(lambda q=nquads: canonicalize_nquads(q), args.seconds)
        both_rate = _rate(lambda d=doc: canonical_nquads(d, strict=False), args.seconds)
        oxi = "-"
        if pyoxigraph is not None:
            def oxi_canon(q: str = nquads) -> str:
                ds = pyoxigraph.Dataset(pyoxigraph.parse(q, format=pyoxigraph.RdfFormat.N_QUADS))
                ds.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
                return str(ds)
            oxi = f"{_rate(oxi_canon, args.seconds):9.1f}"
        print(f"{name:55} {quads:6d} {pyld_rate:9.1f} {expand_rate:10.1f} {canon_rate:9.1f} "
              f"{both_rate:9.1f} {oxi:>9}")


if __name__ == "__main__":
    main()
