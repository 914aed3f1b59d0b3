"""Proofs: Data Integrity cryptosuites (eddsa-rdfc-2022, ecdsa-rdfc-2019, verify-only
legacy suites), verification-method resolution, and VC-JWT.

Most callers use :func:`edc_issue.sign` and :func:`edc_issue.verify`; this package is for
those who add a suite, restrict the allowlist or resolve keys their own way::

    from edc_issue.proofs import SuiteRegistry, EddsaRdfc2022
    registry = SuiteRegistry([EddsaRdfc2022()])     # allow eddsa-rdfc-2022 only
"""

from __future__ import annotations

from .data_integrity import (
    ProofVerification,
    RdfcSuite,
    add_proof,
    create_proof,
    verify_proof_value,
)
from .ecdsa_rdfc_2019 import EcdsaRdfc2019
from .eddsa_rdfc_2022 import EddsaRdfc2022
from .legacy import Ed25519Signature2020, Eddsa2022
from .registry import SuiteRegistry, default_registry
from .resolver import ResolvedMethod, VerificationMethodResolver, key_from_method
from .vc_jwt import sign_jwt, verify_jwt

__all__ = [
    "EcdsaRdfc2019",
    "Ed25519Signature2020",
    "Eddsa2022",
    "EddsaRdfc2022",
    "ProofVerification",
    "RdfcSuite",
    "ResolvedMethod",
    "SuiteRegistry",
    "VerificationMethodResolver",
    "add_proof",
    "create_proof",
    "default_registry",
    "key_from_method",
    "sign_jwt",
    "verify_jwt",
    "verify_proof_value",
]
