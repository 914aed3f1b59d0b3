"""List every stable error and finding code used in src/ (``area.reason``), with where.

Maintainer tool: ``python scripts/error_codes.py`` prints ``code<TAB>file:line``; the
test ``tests/unit/test_error_codes_documented.py`` uses :func:`codes` to check that
docs/errors.md lists every one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: file names, not codes
_EXCLUDE = {"seal.p12", "credential.json", "credential.jwt"}
_AREAS = ("bake", "batch", "canon", "clr", "config", "credential", "format", "input", "io",
          "exchange", "jsonld", "jwt", "key", "model", "ob3", "oid4vci", "proof", "render",
          "sdjwt", "seal", "service", "signer", "status", "validate", "validation", "vcdm")
_AREA = "|".join(_AREAS)
CODE = re.compile(
    r"""(?:code\s*[=:]\s*(?:ClassVar\[str\]\s*=\s*)?|["'])"""
    rf"""(?P<code>(?:{_AREA})\.[a-z][a-z0-9_]*)["']"""
)


def codes() -> dict[str, list[str]]:
    """Return code -> places ("path:line") for every code literal in src/edc_issue."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "src" / "edc_issue").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in CODE.finditer(line):
                if match.group("code") in _EXCLUDE:
                    continue
                found.setdefault(match.group("code"), []).append(
                    f"{path.relative_to(ROOT)}:{number}")
    return found


if __name__ == "__main__":
    for code, places in sorted(codes().items()):
        sys.stdout.write(f"{code}\t{places[0]}\n")
