"""The ``eddsa-rdfc-2022`` cryptosuite: Ed25519 over RDFC-1.0 with SHA-256.

See: <https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022>. The steps
(:meth:`~edc_issue.proofs.data_integrity.RdfcSuite.transform`, ``hash``,
``sign``/``verify``, ``encode``) are the generic RDFC ones; Ed25519 signatures are
deterministic, so the W3C vectors are reproduced byte for byte.
"""

from __future__ import annotations

from typing import ClassVar

from ..keys.key import KeyKind
from .data_integrity import RdfcSuite

__all__ = ["NAME", "EddsaRdfc2022", "suite"]

NAME = "eddsa-rdfc-2022"


class EddsaRdfc2022(RdfcSuite):
    """``eddsa-rdfc-2022``: RDFC-1.0, SHA-256, Ed25519, multibase base58btc."""

    name: ClassVar[str] = NAME
    required_algorithm: ClassVar[tuple[KeyKind, ...]] = ("ed25519",)
    spec: ClassVar[str] = "https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022"


#: The suite instance registered by default.
suite = EddsaRdfc2022()
