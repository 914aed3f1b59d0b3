"""Make a TEST-ONLY e-seal certificate to try sealing without a real eIDAS certificate.

Writes into the folder given (default ``demo-out/test-pki``):

- ``test-ca.pem``: a self-signed "edc-issue TEST CA (test only)" certificate, to pass
  to ``edc-issue verify --trust``;
- ``test-eseal.p12``: a PKCS#12 with an e-seal certificate (organizationIdentifier
  ``VATAL-TEST…``, digitalSignature + nonRepudiation) and its key, protected by the
  password in the environment variable named by ``--password-env`` (default
  ``EDC_TEST_SEAL_PASSWORD``; it must be set);
- ``test-eseal.pem``: the e-seal certificate alone; and what ``edc-issue seal-cert --test``
  writes besides (the chain, the encrypted key, the TEST CA and TSA keys for the local
  test services).

The same as ``edc-issue seal-cert --test`` (:func:`edc_issue.seal.testpki.make_test_pki`).

Usage::

    EDC_TEST_SEAL_PASSWORD=... python examples/make_test_certificate.py demo-out/test-pki \\
        --org "Universiteti TEST" --country AL --org-id VATAL-TEST00000

Never use these certificates for real credentials: a verifier trusts only the CA you
give it, and nobody else trusts this one.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from edc_issue.seal.testpki import make_test_pki


def main() -> int:
    """Write the test CA, the test e-seal certificate and its PKCS#12."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default="demo-out/test-pki", type=Path)
    parser.add_argument("--org", default="Universiteti TEST (edc-issue demo)")
    parser.add_argument("--country", default="AL")
    parser.add_argument("--org-id", default="VATAL-TEST00000")
    parser.add_argument("--password-env", default="EDC_TEST_SEAL_PASSWORD")
    args = parser.parse_args()
    password = os.environ.get(args.password_env)
    if not password:
        print(f"error: set the environment variable {args.password_env} to the PKCS#12 "
              "password to use", file=sys.stderr)
        return 2
    pki = make_test_pki(organisation=args.org, country=args.country, org_id=args.org_id)
    paths = pki.write(args.out, password)
    print(f"TEST-ONLY e-seal certificate for {args.org} ({args.org_id}, {args.country}) "
          f"-> {paths['p12']}; trust anchor -> {paths['ca']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
