"""JAdES e-seals of European Digital Credentials (ETSI TS 119 182-1, RFC 7797).

Seal a credential with an e-seal certificate, and verify sealed credentials::

    from edc_issue.seal import load_pkcs12_signer, seal, verify_envelope
    signer = load_pkcs12_signer("seal.p12", password)
    envelope = seal(credential, signer)                  # baseline B, offline
    envelope = seal(credential, signer, tsa=TSA_URL)     # baseline T (network: the TSA)
    result = verify_envelope(envelope, trust=[root])     # FORMAT, SEAL, REVOCATION, EXPIRY

An HSM or a cloud KMS plugs in by implementing :class:`Signer`.
"""

from __future__ import annotations

from ._test_anchors import eu_samples_test_anchors
from .jades import seal
from .signer import (
    LocalSigner,
    Signer,
    load_pem_signer,
    load_pkcs12_signer,
    read_signer_files,
)
from .tsp import HttpTimeStampClient, TimeStampClient
from .verify import is_jades_envelope, verify_envelope

__all__ = [
    "HttpTimeStampClient",
    "LocalSigner",
    "Signer",
    "TimeStampClient",
    "eu_samples_test_anchors",
    "is_jades_envelope",
    "load_pem_signer",
    "load_pkcs12_signer",
    "read_signer_files",
    "seal",
    "verify_envelope",
]
