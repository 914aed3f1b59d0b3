"""Signatures and verifications per second (Data Integrity proofs).

Plain script: ``python benchmarks/sign_verify.py [--seconds S]``. Signs and verifies
the Open Badges 3.0 spec examples 02 (small) and 03 (large) and an EDC sample (the
EU Certificate of Participation, as uploaded to the EU issuer) with eddsa-rdfc-2022
(Ed25519) and ecdsa-rdfc-2019 (P-256 and P-384). Keys come from the W3C test vectors,
so runs are comparable. Verification includes resolving the did:key, the key-binding
check and the dates.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edc_issue._api import sign, verify
from edc_issue.formats.envelopes import unwrap_credential
from edc_issue.keys import load_key

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DOCUMENTS = {
    "ob3-02-sample-openbadgecredential":
        FIXTURES / "openbadges" / "spec-signed" / "02-sample-openbadgecredential.unsigned.json",
    "ob3-03-complete-openbadgecredential":
        FIXTURES / "openbadges" / "spec-signed" / "03-complete-openbadgecredential.unsigned.json",
    "edc-CertOfPart (upload)": ROOT / "examples" / "data" / "edc-CertOfPart-upload.json",
}
KEYS = {
    "eddsa-rdfc-2022": FIXTURES / "vc-di" / "eddsa" / "keyPair.json",
    "ecdsa-rdfc-2019 P-256": FIXTURES / "vc-di" / "ecdsa" / "p256KeyPair.json",
    "ecdsa-rdfc-2019 P-384": FIXTURES / "vc-di" / "ecdsa" / "p384KeyPair.json",
}


def _rate(fn: Callable[[], Any], seconds: float) -> float:
    fn()  # warm the context caches
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    """Run the benchmark and print one line per document and suite."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    print(f"{'document':38} {'suite':24} {'bytes':>7} {'sign/s':>8} {'verify/s':>9}")
    for name, path in DOCUMENTS.items():
        document, _ = unwrap_credential(json.loads(path.read_text(encoding="utf-8")))
        size = len(json.dumps(document))
        for suite, key_path in KEYS.items():
            key = load_key(key_path)
            signed = sign(document, key, issuer_from_key=True, created="2024-01-01T00:00:00Z")
            assert isinstance(signed, dict)
            result = verify(signed)
            if not result.ok:
                raise SystemExit(f"{name}: does not verify: {result.to_json()}")
            sign_rate = _rate(lambda d=document, k=key: sign(d, k, issuer_from_key=True),
                              args.seconds)
            verify_rate = _rate(lambda s=signed: verify(s), args.seconds)
            print(f"{name:38} {suite:24} {size:>7} {sign_rate:>8.1f} {verify_rate:>9.1f}")


if __name__ == "__main__":
    main()
