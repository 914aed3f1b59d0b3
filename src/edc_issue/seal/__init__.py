"""JAdES e-seals (ETSI TS 119 182-1, RFC 7797): sealing, extending, verifying; the signers.

Seal a JSON object with an e-seal certificate, and verify sealed credentials::

    from edc_issue.seal import load_pkcs12_signer, seal, verify_envelope
    signer = load_pkcs12_signer("seal.p12", password)
    envelope = seal(credential, signer)                              # baseline B, offline
    envelope = seal(credential, signer, level="LTA", tsa=TSA_URL)    # T, LT, LTA: network
    envelope = extend(envelope, level="LTA", tsa=TSA_URL)            # a B/T seal to LT/LTA
    result = verify_envelope(envelope, trust=[root])   # FORMAT, SEAL, REVOCATION, EXPIRY

:func:`seal` seals exactly what it is given; to seal a European Digital Credential as
the EU issuer does (upload format, issuer from the certificate, validation first), use
:func:`edc_issue.edc.seal_edc`. A key that never leaves its device plugs in as a
:class:`Signer`: :class:`Pkcs11Signer` (an HSM or QSCD over PKCS#11), :class:`CscSigner`
(a QTSP's remote seal over the Cloud Signature Consortium API v2), or your own. Every
network call goes through the :class:`~edc_issue._types.Fetcher` passed as ``fetcher=``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._test_anchors import eu_samples_test_anchors
from .jades import LEVELS, PreparedSeal, SealOutcome, complete_seal, prepare_seal, seal, seal_many
from .ltv import extend, seal_level
from .signer import (
    LocalSigner,
    MultiSigner,
    Signer,
    load_pem_signer,
    load_pkcs12_signer,
    read_signer_files,
    sign_all,
)
from .tsp import HttpTimeStampClient, TimeStampClient
from .verify import Conformance, is_jades_envelope, verify_envelope

if TYPE_CHECKING:
    from .csc import CscSigner
    from .pkcs11 import Pkcs11Signer

__all__ = [
    "LEVELS",
    "Conformance",
    "CscSigner",
    "HttpTimeStampClient",
    "LocalSigner",
    "MultiSigner",
    "Pkcs11Signer",
    "PreparedSeal",
    "SealOutcome",
    "Signer",
    "TimeStampClient",
    "complete_seal",
    "eu_samples_test_anchors",
    "extend",
    "is_jades_envelope",
    "load_pem_signer",
    "load_pkcs12_signer",
    "prepare_seal",
    "read_signer_files",
    "seal",
    "seal_level",
    "seal_many",
    "sign_all",
    "verify_envelope",
]


def __getattr__(name: str) -> Any:
    # the remote and hardware signers load on first use (python-pkcs11 is an extra)
    if name == "CscSigner":
        from .csc import CscSigner

        return CscSigner
    if name == "Pkcs11Signer":
        from .pkcs11 import Pkcs11Signer

        return Pkcs11Signer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
