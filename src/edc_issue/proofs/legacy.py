"""Verify-only suites still found in issued credentials: ``Ed25519Signature2020`` and
the pre-standard cryptosuite name ``eddsa-2022``.

Both compute exactly what eddsa-rdfc-2022 computes (proof options without
``proofValue`` plus the document's ``@context``; canonical N-Quads; SHA-256 of each;
Ed25519), under older names. edc_issue never signs with them.

See: <https://www.w3.org/TR/vc-di-eddsa/#ed25519signature2020> and
<https://w3c-ccg.github.io/di-eddsa-2020/>.
"""

from __future__ import annotations

from typing import ClassVar

from ..keys.key import KeyKind
from .data_integrity import RdfcSuite

__all__ = ["ED25519_SIGNATURE_2020", "EDDSA_2022", "Ed25519Signature2020", "Eddsa2022"]

ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
EDDSA_2022 = "eddsa-2022"


class Ed25519Signature2020(RdfcSuite):
    """The ``Ed25519Signature2020`` proof type (verify only)."""

    name: ClassVar[str] = ED25519_SIGNATURE_2020
    proof_type: ClassVar[str] = ED25519_SIGNATURE_2020
    required_algorithm: ClassVar[tuple[KeyKind, ...]] = ("ed25519",)
    can_sign: ClassVar[bool] = False
    spec: ClassVar[str] = "https://www.w3.org/TR/vc-di-eddsa/#ed25519signature2020"


class Eddsa2022(RdfcSuite):
    """The ``eddsa-2022`` cryptosuite name of vc-di-eddsa drafts (verify only)."""

    name: ClassVar[str] = EDDSA_2022
    required_algorithm: ClassVar[tuple[KeyKind, ...]] = ("ed25519",)
    can_sign: ClassVar[bool] = False
    spec: ClassVar[str] = "https://www.w3.org/TR/2023/WD-vc-di-eddsa-20230714/"
