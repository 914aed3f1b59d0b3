#!/usr/bin/env python3
"""Derive an Open Badge 3.0 from an EDC micro-credential, so one award exists in both formats.

    python examples/build_ob3_from_edc.py EDC.json KEY.json OUT.json [--issuer-name NAME]

The badge's issuer is the controller of KEY.json (its did:key or did:web), which is
what wallets and verifiers such as vc-js require of a signed badge. Sign it next:

    edc-issue sign --key KEY.json OUT.json -o OUT.signed.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from edc_issue import load_key
from edc_issue._io import atomic_write, read_json_object
from edc_issue.ob3 import edc_to_ob3


def main() -> int:
    """Write the unsigned badge derived from the EDC."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edc", type=Path)
    parser.add_argument("key", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--issuer-name", default="Universiteti TEST (edc-issue demo)")
    args = parser.parse_args()
    key = load_key(args.key)
    issuer = {"id": key.controller, "type": ["Profile"], "name": args.issuer_name}
    badge = edc_to_ob3(read_json_object(args.edc), issuer=issuer, with_schema=True)
    atomic_write(args.out, json.dumps(badge, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}: Open Badge 3.0 for "
          f"{badge['credentialSubject']['achievement']['name']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
