"""European Digital Credentials: seal, seal-verify, SHACL validate, sign + validate.

Plain script: ``python benchmarks/edc.py [--rounds 3] [--n 40]``. One core: every
measurement is a single-threaded fresh process timing N calls after one warm-up (the
shapes are parsed once per process). The credential is the EU sample ``AA-Annex1-MC``
(a micro-credential, edc-generic-full). The e-seal certificate is a TEST-ONLY one
made by ``examples/make_test_certificate.py`` (RSA 2048, RS256).

Cases:

- ``validate``: ``edc_issue.validate(credential)`` (JSON-LD, SHACL with the profile
  named in ``credentialSchema``, controlled vocabularies);
- ``seal``: ``edc_issue.seal.seal(credential, signer)`` (JAdES baseline B);
- ``seal + validate``: seal, then validate the envelope: what an issuer does per
  credential (issue #16's "sign + SHACL validate, one core": at least 20 per second);
- ``DI sign + validate``: a Data Integrity proof (eddsa-rdfc-2022) instead of the seal
  (the EDC shapes then report the proof and the issuer: the work is the same);
- ``seal-verify``: ``edc_issue.verify(envelope, trust=[test CA])``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import (
    ED25519_KEY,
    EDC_MC,
    N_LARGE,
    ROOT,
    load_credential,
    machine,
    median,
    print_json,
    python_worker,
    run_worker,
    time_calls,
)

HERE = Path(__file__).resolve()
CASES = ["validate", "seal", "seal + validate", "DI sign + validate", "seal-verify"]
GOALS = {"seal + validate": 20.0}
PASSWORD = "benchmark-only"  # a throw-away TEST certificate's password


def worker(case: str, n: int, pki: Path) -> None:
    """Measure one case in this (fresh) process and print ``{"rate": ...}``."""
    from edc_issue import sign, validate, verify
    from edc_issue.keys import load_key
    from edc_issue.seal import load_pkcs12_signer, seal

    credential = load_credential(EDC_MC)
    signer = load_pkcs12_signer(pki / "test-eseal.p12", PASSWORD)
    trust = [(pki / "test-ca.pem").read_bytes()]
    key = load_key(ED25519_KEY)
    envelope = seal(credential, signer)
    report = validate(envelope)
    if not report.ok:
        raise SystemExit(f"the sealed sample does not validate: {report.findings[:3]}")
    result = verify(envelope, trust=trust)
    if not result.ok:
        raise SystemExit(f"the sealed sample does not verify: {result.to_json()}")

    def seal_and_validate() -> None:
        if not validate(seal(credential, signer)).ok:
            raise SystemExit("a sealed credential does not validate")

    def sign_and_validate() -> None:
        validate(sign(credential, key))

    calls = {
        "validate": lambda: validate(credential),
        "seal": lambda: seal(credential, signer),
        "seal + validate": seal_and_validate,
        "DI sign + validate": sign_and_validate,
        "seal-verify": lambda: verify(envelope, trust=trust),
    }
    print_json({"rate": time_calls(calls[case], n)})


def main() -> None:
    """Run every case, interleaved, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=N_LARGE)
    parser.add_argument("--worker", nargs=3, metavar=("CASE", "N", "PKI"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        case, n, pki = args.worker
        worker(case, int(n), Path(pki))
        return
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        pki = Path(tmp) / "pki"
        subprocess.run([sys.executable, str(ROOT / "examples" / "make_test_certificate.py"),
                        str(pki)], check=True, capture_output=True,
                       env={**os.environ, "EDC_TEST_SEAL_PASSWORD": PASSWORD})
        rates: dict[str, list[float]] = {case: [] for case in CASES}
        for round_ in range(args.rounds):
            for case in CASES:
                rates[case].append(run_worker(
                    python_worker(HERE, case, str(args.n), str(pki)))["rate"])
            print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{'EDC AA-Annex1-MC, one core':28} {'N':>4} {'per second':>11} {'goal':>6}")
    for case in CASES:
        goal = GOALS.get(case)
        goal_text = f">={goal:.0f}" if goal else "-"
        print(f"{case:28} {args.n:>4} {median(rates[case]):11.1f} {goal_text:>6}")
    print(f"load average after: {machine().rsplit('load average ', 1)[-1]}")


if __name__ == "__main__":
    main()
