"""The ``ecdsa-rdfc-2019`` cryptosuite: ECDSA P-256 or P-384 over RDFC-1.0.

See: <https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-rdfc-2019>. With P-384 the hash is
SHA-384 both inside RDFC-1.0 (blank-node labelling) and for the proof and document
hashes; with P-256 it is SHA-256. ``proofValue`` is the raw ``r || s`` signature
(64 or 96 bytes), not DER. Signatures are randomised: vectors are verified, and their
intermediate values (canonical forms, hashes) compared.
"""

from __future__ import annotations

from typing import ClassVar

from ..keys.key import KeyKind
from .data_integrity import RdfcSuite

__all__ = ["NAME", "EcdsaRdfc2019", "suite"]

NAME = "ecdsa-rdfc-2019"


class EcdsaRdfc2019(RdfcSuite):
    """``ecdsa-rdfc-2019``: RDFC-1.0, SHA-256 (P-256) or SHA-384 (P-384), ECDSA ``r || s``."""

    name: ClassVar[str] = NAME
    required_algorithm: ClassVar[tuple[KeyKind, ...]] = ("p256", "p384")
    spec: ClassVar[str] = "https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-rdfc-2019"

    def hash_algorithm(self, kind: KeyKind) -> str:
        """Return ``sha384`` for P-384 keys and ``sha256`` otherwise."""
        return "sha384" if kind == "p384" else "sha256"


#: The suite instance registered by default.
suite = EcdsaRdfc2019()
