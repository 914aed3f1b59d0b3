"""Data Integrity sign and verify per second, side by side with vc-js.

Plain script: ``python benchmarks/sign_verify.py [--rounds 3] [--suites eddsa,p256]``.

Documents: the Open Badges 3.0 spec's ``02-sample`` (small) and ``03-complete`` (large,
363 quads) and the EU sample EDC ``AA-Annex1-MC`` (large), each with its issuer set to
the key's DID so that both sides confirm the key binding. Keys come from the W3C test
vectors. We sign with ``edc_issue.sign`` and verify with ``edc_issue.verify`` (did:key
resolution, key binding, dates and statuses included); vc-js with ``vc.issue`` and
``vc.verifyCredential``.

Each measurement is a fresh process with the same N (200 for the small document, 40
for the large ones) after one warm-up call; rounds are interleaved (ours, vc-js, the
next case, ...; the order flips each round) and the medians are printed, with the
ratio and the goal of issue #16 (at least five times vc-js on the two Open Badges).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from _common import (
    ED25519_KEY,
    EDC_MC,
    N_LARGE,
    N_SMALL,
    OB3_02,
    OB3_03,
    P256_KEY,
    load_credential,
    machine,
    median,
    print_json,
    python_worker,
    run_worker,
    time_calls,
    with_issuer,
)

HERE = Path(__file__).resolve()
CASES: dict[str, tuple[Path, int, float | None]] = {
    # name: (document, N, goal as a multiple of vc-js)
    "OB 3.0 02-sample": (OB3_02, N_SMALL, 5.0),
    "OB 3.0 03-complete": (OB3_03, N_LARGE, 5.0),
    "EDC AA-Annex1-MC": (EDC_MC, N_LARGE, None),
}
SUITES = {"eddsa": ("eddsa-rdfc-2022", ED25519_KEY), "p256": ("ecdsa-rdfc-2019", P256_KEY)}


def worker(mode: str, case: str, suite: str, n: int) -> None:
    """Measure one case in this (fresh) process and print ``{"rate": ...}``."""
    from edc_issue._api import sign, verify
    from edc_issue.keys import load_key

    key = load_key(SUITES[suite][1])
    credential = with_issuer(load_credential(CASES[case][0]), key.controller)
    signed = sign(credential, key)
    assert isinstance(signed, dict)
    result = verify(signed)
    if not result.ok:
        raise SystemExit(f"{case}: our credential does not verify: {result.to_json()}")
    if mode == "sign":
        rate = time_calls(lambda: sign(credential, key), n)
    else:
        rate = time_calls(lambda: verify(signed), n)
    print_json({"rate": rate})


def _vcjs_inputs(case: str, suite: str) -> tuple[dict[str, Any], dict[str, Any],
                                                 dict[str, Any]]:
    import json

    from edc_issue.jsonld.loader import bundled_contexts, context_file
    from edc_issue.keys import did_key_document, load_key

    key = load_key(SUITES[suite][1])
    credential = with_issuer(load_credential(CASES[case][0]), key.controller)
    documents: dict[str, Any] = {
        url: json.loads(context_file(url).read_text(encoding="utf-8"))
        for url in bundled_contexts() if url.startswith(("http://", "https://"))
    }
    did_doc = did_key_document(key.to_did_key())
    documents[did_doc["id"]] = did_doc
    for method in did_doc["verificationMethod"]:
        documents[method["id"]] = {"@context": "https://w3id.org/security/multikey/v1",
                                   **method}
    return credential, key.to_multikey(include_secret=True), documents


def main() -> None:
    """Run every case, interleaved, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--suites", default="eddsa", help="comma-separated: eddsa,p256")
    parser.add_argument("--cases", default=",".join(CASES),
                        help="comma-separated case names (default: all)")
    parser.add_argument("--no-vcjs", action="store_true", help="our figures only")
    parser.add_argument("--worker", nargs=4, metavar=("MODE", "CASE", "SUITE", "N"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        mode, case, suite, n = args.worker
        worker(mode, case, suite, int(n))
        return

    from _vcjs import VcJs

    vcjs = None if args.no_vcjs else VcJs()
    peer = vcjs if vcjs is not None and vcjs.missing is None else None
    print(f"machine: {machine()}")
    if vcjs is not None:
        print(f"vc-js: {'@digitalbazaar/vc ' + vcjs.version if peer else vcjs.missing}")
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    suites = [s.strip() for s in args.suites.split(",") if s.strip()]
    plan = [(case, suite, mode) for case in cases for suite in suites
            for mode in ("sign", "verify")]
    inputs = {(c, s): _vcjs_inputs(c, s) for c, s, _ in plan} if peer else {}
    ours: dict[tuple[str, str, str], list[float]] = {p: [] for p in plan}
    theirs: dict[tuple[str, str, str], list[float]] = {p: [] for p in plan}
    for round_ in range(args.rounds):
        for item in plan:
            case, suite, mode = item
            n = CASES[case][1]
            steps = ["ours", "vc-js"] if round_ % 2 == 0 else ["vc-js", "ours"]
            for who in steps:
                if who == "ours":
                    ours[item].append(run_worker(
                        python_worker(HERE, mode, case, suite, str(n)))["rate"])
                elif peer is not None:
                    credential, key, documents = inputs[(case, suite)]
                    theirs[item].append(peer.rate(mode, credential, key, documents, n))
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{'case':22} {'suite':16} {'op':7} {'N':>4} {'edc-issue/s':>12} "
          f"{'vc-js/s':>9} {'ratio':>7} {'goal':>6}")
    for item in plan:
        case, suite, mode = item
        mine = median(ours[item])
        other = median(theirs[item]) if theirs[item] else None
        goal = CASES[case][2]
        ratio = f"{mine / other:6.1f}x" if other else "-"
        goal_text = f">={goal:.0f}x" if goal and other else "-"
        other_text = f"{other:9.1f}" if other else f"{'-':>9}"
        print(f"{case:22} {SUITES[suite][0]:16} {mode:7} {CASES[case][1]:>4} {mine:12.1f} "
              f"{other_text} {ratio:>7} {goal_text:>6}")
    print(f"load average after: {machine().rsplit('load average ', 1)[-1]}")


if __name__ == "__main__":
    main()
